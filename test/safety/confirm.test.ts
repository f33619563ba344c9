// Row 14 of issue 8: nothing changes before the user confirms — not even a file mode. In a real terminal.
import { describe, expect, it } from 'vitest';
import { chmodSync, lstatSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KEY, spawnCli } from '../helpers/pty.js';
import { NO_DOCKER, RELEASES_DIR } from '../helpers/run-bin.js';
import { install, read } from './helpers.js';

const env = { DOCKER_HOST: NO_DOCKER, HARDEN_INIT_RELEASES_DIR: RELEASES_DIR, NO_COLOR: '1' };
const mode = (p: string) => (lstatSync(p).mode & 0o777).toString(8);
/** Every prompted question answered by a flag, so the only prompts are confirmations. */
const ALL = [
  '--domain',
  'appwrite.example.com',
  '--email',
  'admin@example.com',
  '--https',
  'auto',
  '--db',
  'volume',
  '--db-engine',
  'postgresql',
  '--smtp-host',
  '',
  '--no-start',
];

describe('Ctrl-C at a confirmation (real pseudo-terminal)', () => {
  it('at "Write ...?": exit 130, bytes and modes unchanged (.env stays 0644 until the user agrees)', async () => {
    const dir = await install();
    chmodSync(join(dir, '.env'), 0o644);
    chmodSync(join(dir, '.harden-init'), 0o755);
    const before = read(dir, '.env');
    const s = spawnCli(['--dir', dir, ...ALL, '--console', 'open'], { env });
    try {
      await s.answer(/Write [^\n]*\?/, KEY.ctrlC, 30_000);
      const { exitCode } = await s.exit();
      expect(exitCode).toBe(130);
    } finally {
      s.kill();
    }
    expect(read(dir, '.env')).toBe(before);
    expect(mode(join(dir, '.env'))).toBe('644');
    expect(mode(join(dir, '.harden-init'))).toBe('755');
  });

  it('at the new-encryption-key confirmation: exit 130, no new key', async () => {
    const dir = await install();
    writeFileSync(join(dir, '.env'), read(dir, '.env').replace(/^_APP_OPENSSL_KEY_V1=.*$/m, '_APP_OPENSSL_KEY_V1='));
    const before = readFileSync(join(dir, '.env'), 'utf8');
    const s = spawnCli(['--dir', dir, ...ALL, '--console', 'root', '--new-encryption-key'], { env });
    try {
      await s.waitFor(/OAuth secrets/, 30_000);
      await s.answer(/Make a NEW _APP_OPENSSL_KEY_V1 anyway/, KEY.ctrlC);
      const { exitCode } = await s.exit();
      expect(exitCode).toBe(130);
    } finally {
      s.kill();
    }
    expect(read(dir, '.env')).toBe(before);
  });
});
