// Which age keys `backup` and `restore` take: X25519 and post-quantum (age1pq1…, hybrid ML-KEM-768 + X25519) ones,
// through the age-encryption package; a recipient with a bad checksum is refused before anything is written.
// No Docker needed: the key is checked before any Docker work, and restore stops at its confirmation.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateHybridIdentity, generateIdentity, identityToRecipient } from 'age-encryption';
import { NO_DOCKER, runBin, tempDir } from '../helpers/run-bin.js';
import { encrypt, tarArchive, type PartInput } from '../../src/commands/archive.js';

const ENV = '_APP_OPENSSL_KEY_V1=the-key-of-this-install-0123456789abcdef\n';
const COMPOSE = 'services:\n  appwrite:\n    image: appwrite/appwrite:2.7.1\n';

async function archiveTo(path: string, recipient: string): Promise<void> {
  const parts: PartInput[] = [
    { kind: 'file', name: '.env', data: Buffer.from(ENV), mode: 0o600 },
    { kind: 'file', name: 'docker-compose.yml', data: Buffer.from(COMPOSE), mode: 0o644 },
  ];
  const tar = tarArchive(parts, {
    format: 'harden-init-backup',
    version: 1,
    created: new Date().toISOString(),
    tool: 'test',
    dir: '/srv/appwrite',
  });
  const chunks: Buffer[] = [];
  for await (const b of await encrypt(tar, { recipient })) chunks.push(Buffer.from(b));
  writeFileSync(path, Buffer.concat(chunks), { mode: 0o600 });
}

describe('backup --recipient', () => {
  it('refuses a recipient with a bad checksum with exit 2, naming the problem, writing nothing', async () => {
    const dir = tempDir('hi-rcpt-');
    const good = await identityToRecipient(await generateIdentity());
    const broken = good.slice(0, -1) + (good.endsWith('q') ? 'p' : 'q');
    const r = await runBin(['backup', '--dir', dir, '--recipient', broken], { DOCKER_HOST: NO_DOCKER, NO_COLOR: '1' });
    expect(r.exitCode).toBe(2);
    expect(r.stderr + r.stdout).toMatch(/--recipient: not a valid age public key \(.*checksum/i);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('takes a post-quantum recipient (age1pq1…): the run gets past the key check', async () => {
    const dir = tempDir('hi-rcpt-');
    const recipient = await identityToRecipient(await generateHybridIdentity());
    const r = await runBin(['backup', '--dir', dir, '--recipient', recipient], {
      DOCKER_HOST: NO_DOCKER,
      NO_COLOR: '1',
    });
    expect(r.stderr + r.stdout).not.toMatch(/--recipient|post-quantum/);
  });
});

describe('restore --identity with a post-quantum key', () => {
  it('decrypts and verifies an archive made to an age1pq1 recipient; another post-quantum key is refused as the wrong identity', async () => {
    const home = tempDir('hi-pq-');
    const dir = join(home, 'appwrite');
    mkdirSync(dir);
    writeFileSync(join(dir, '.env'), ENV, { mode: 0o600 });
    writeFileSync(join(dir, 'docker-compose.yml'), COMPOSE);
    const identity = await generateHybridIdentity();
    const archive = join(home, 'pq.age');
    await archiveTo(archive, await identityToRecipient(identity));
    const key = join(home, 'pq.key');
    writeFileSync(key, `# created: 2026-11-25\n# public key: age1pq1…\n${identity}\n`, { mode: 0o600 });
    // Without --yes and without a terminal, restore stops at the confirmation: after the archive was verified.
    const r = await runBin(['restore', archive, '--dir', dir, '--identity', key], {
      DOCKER_HOST: NO_DOCKER,
      NO_COLOR: '1',
    });
    expect(r.exitCode, r.stdout + r.stderr).toBe(2);
    expect(r.stdout + r.stderr).toMatch(/Archive verified: 2 parts match the manifest/);
    expect(r.stderr).toMatch(/--yes/);
    expect(readFileSync(join(dir, '.env'), 'utf8')).toBe(ENV);

    const other = join(home, 'other.key');
    writeFileSync(other, `${await generateHybridIdentity()}\n`, { mode: 0o600 });
    const w = await runBin(['restore', archive, '--dir', dir, '--identity', other, '--yes'], {
      DOCKER_HOST: NO_DOCKER,
      NO_COLOR: '1',
    });
    expect(w.exitCode, w.stdout + w.stderr).toBe(2);
    expect(w.stderr).toMatch(
      /cannot decrypt: wrong identity: no key in the identity file matches the archive's recipient \(mlkem768x25519\)/,
    );
    expect(w.stderr).toMatch(/Nothing was changed/);
    expect(readdirSync(home).sort()).toEqual(['appwrite', 'other.key', 'pq.age', 'pq.key']);
  });
});
