// backup and restore take the install lock (.harden-init/lock, src/apply/lock.ts) that setup, upgrade and rollback
// take: while another live run holds it, both refuse with a message naming the holder, and change nothing.
// No Docker needed: the lock is taken before any Docker work.
import { beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { runBin, tempDir } from '../helpers/run-bin.js';
import { encrypt, tarArchive, type PartInput } from '../../src/commands/archive.js';

const PASS = 'lock-test-passphrase-0123456789';
const ENV = '_APP_OPENSSL_KEY_V1=the-key-of-this-install-0123456789abcdef\n';
const COMPOSE = 'services:\n  appwrite:\n    image: appwrite/appwrite:2.7.1\n';
let dir: string;
let out: string;

function holdLock(pid = process.pid): string {
  mkdirSync(join(dir, '.harden-init'), { recursive: true, mode: 0o700 });
  const text = `${pid}\n${new Date().toISOString()}\n${hostname()}\n`;
  writeFileSync(join(dir, '.harden-init', 'lock'), text, { mode: 0o600 });
  return text;
}

async function archiveFile(path: string, compose = COMPOSE): Promise<void> {
  const parts: PartInput[] = [
    { kind: 'file', name: '.env', data: Buffer.from(ENV), mode: 0o600 },
    { kind: 'file', name: 'docker-compose.yml', data: Buffer.from(compose), mode: 0o644 },
  ];
  const chunks: Buffer[] = [];
  const tar = tarArchive(parts, {
    format: 'harden-init-backup',
    version: 1,
    created: new Date().toISOString(),
    tool: 'test',
    dir,
  });
  for await (const b of await encrypt(tar, { passphrase: PASS })) chunks.push(Buffer.from(b));
  writeFileSync(path, Buffer.concat(chunks), { mode: 0o600 });
}

beforeEach(() => {
  const base = tempDir('hi-backup-lock-');
  dir = join(base, 'appwrite');
  out = join(base, 'archives');
  mkdirSync(dir);
  mkdirSync(out);
  writeFileSync(join(dir, '.env'), ENV, { mode: 0o600 });
  writeFileSync(join(dir, 'docker-compose.yml'), COMPOSE);
});

describe('the install lock', () => {
  it('backup refuses while a live run holds it (exit 1, naming the holder); no archive, the lock left as it was', async () => {
    const text = holdLock();
    const r = await runBin(['backup', '--dir', dir, '--out', `${out}/`, '--passphrase-env', 'HI_PASS'], {
      HI_PASS: PASS,
    });
    expect(r.exitCode, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(`Another harden-init run is changing this install: .*lock is held by pid ${process.pid} on `),
    );
    expect(readdirSync(out)).toEqual([]);
    expect(readFileSync(join(dir, '.harden-init', 'lock'), 'utf8')).toBe(text);
  });

  it("restore refuses while a live run holds it (exit 1); the install's files are untouched", async () => {
    const archive = join(out, 'a.age');
    await archiveFile(archive);
    writeFileSync(join(dir, '.env'), `${ENV}CHANGED_SINCE=1\n`, { mode: 0o600 });
    const text = holdLock();
    const r = await runBin(['restore', archive, '--dir', dir, '--passphrase-env', 'HI_PASS', '--yes'], {
      HI_PASS: PASS,
    });
    expect(r.exitCode, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).toMatch(/Another harden-init run is changing this install/);
    expect(readFileSync(join(dir, '.env'), 'utf8')).toBe(`${ENV}CHANGED_SINCE=1\n`);
    expect(readFileSync(join(dir, '.harden-init', 'lock'), 'utf8')).toBe(text);
    expect(existsSync(join(dir, '.harden-init', 'backups'))).toBe(false);
  });

  it('the control: with the lock free, backup gets past it (and stops later, at Docker), and leaves no lock behind', async () => {
    const r = await runBin(['backup', '--dir', dir, '--out', `${out}/`, '--passphrase-env', 'HI_PASS'], {
      HI_PASS: PASS,
    });
    expect(r.stderr).not.toMatch(/Another harden-init run/);
    expect(existsSync(join(dir, '.harden-init', 'lock'))).toBe(false);
  });
});

describe('restore without --dir', () => {
  it('a Langflow archive is not restored into the default ./appwrite: exit 2 asking for --dir, nothing left behind', async () => {
    const archive = join(out, 'langflow.age');
    await archiveFile(archive, 'services:\n  langflow:\n    image: langflowai/langflow:1.13.0\n');
    const cwd = join(out, 'cwd');
    mkdirSync(cwd);
    const r = await runBin(['restore', archive, '--passphrase-env', 'HI_PASS', '--yes'], { HI_PASS: PASS }, cwd);
    expect(r.exitCode, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toMatch(/is a backup of a Langflow install: say where it goes with --dir/);
    expect(readdirSync(cwd)).toEqual([]);
  });
});
