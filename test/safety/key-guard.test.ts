// Row 2 of issue 8: an install harden-init set up before whose .env lost the encryption key is refused
// (exit 2) naming the newest backup that holds it; a new key only with --new-encryption-key.
import { describe, expect, it } from 'vitest';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decideKey, refuseLostKeys, type KeyGuardInput } from '../../src/engine/key-guard.js';
import { runBin, tempDir } from '../helpers/run-bin.js';
import { backups, envOf, expectNoSecrets, expectNoStack, install, read } from './helpers.js';

const KEY = '_APP_OPENSSL_KEY_V1';
const base: KeyGuardInput = {
  dir: '/srv/app write',
  keyNames: [KEY],
  setUpBefore: true,
  env: { [KEY]: '' },
  backups: [],
  newKeyFlag: false,
  interactive: false,
};

describe('decideKey (pure)', () => {
  it('a present key, or a first install: ok', () => {
    expect(decideKey({ ...base, env: { [KEY]: 'k' } }).kind).toBe('ok');
    expect(decideKey({ ...base, setUpBefore: false, env: undefined }).kind).toBe('ok');
  });
  it('a lost key is refused, naming the newest backup that holds it and a shell-quoted cp', () => {
    const d = decideKey({
      ...base,
      backups: [
        { path: '/srv/app write/.harden-init/backups/2024-02/.env', env: { [KEY]: '' } },
        { path: '/srv/app write/.harden-init/backups/2024-01/.env', env: { [KEY]: 'old' } },
      ],
    });
    expect(d.kind).toBe('refuse');
    if (d.kind !== 'refuse') return;
    expect(d.message).toMatch(/stored passwords, OAuth secrets and API keys unreadable/);
    expect(d.hint).toContain("cp '/srv/app write/.harden-init/backups/2024-01/.env' '/srv/app write/.env'");
    expect(d.hint).toContain('--new-encryption-key');
  });
  it('no backup: refused, saying so', () => {
    const d = decideKey({ ...base, env: undefined });
    expect(d.kind === 'refuse' && d.message).toMatch(/\.env is missing/);
    expect(d.kind === 'refuse' && d.hint).toMatch(/No backup/);
  });
  it('--new-encryption-key: with --yes enough, interactively a confirmation; with a key present it is refused', () => {
    expect(decideKey({ ...base, newKeyFlag: true })).toMatchObject({
      kind: 'ok',
      warning: expect.stringMatching(/unreadable/),
    });
    expect(decideKey({ ...base, newKeyFlag: true, interactive: true })).toMatchObject({
      kind: 'confirm',
      message: expect.stringMatching(/OAuth secrets/),
    });
    expect(decideKey({ ...base, env: { [KEY]: 'k' }, newKeyFlag: true }).kind).toBe('refuse');
  });
  it('the key names are a parameter (Langflow: LANGFLOW_SECRET_KEY)', () => {
    expect(decideKey({ ...base, keyNames: ['LANGFLOW_SECRET_KEY'], env: { [KEY]: '' } }).kind).toBe('refuse');
    expect(decideKey({ ...base, keyNames: ['LANGFLOW_SECRET_KEY'], env: { LANGFLOW_SECRET_KEY: 'x' } }).kind).toBe(
      'ok',
    );
  });
});

/** An install with one backup of .env (made by a re-run that changed something). */
async function installWithBackup(): Promise<{ dir: string; key: string }> {
  const dir = await install();
  const key = envOf(dir)[KEY]!;
  const r = await runBin([
    '--dir',
    dir,
    '--console',
    'emails',
    '--console-emails',
    'ops@example.com',
    '--yes',
    '--no-start',
  ]);
  expect(r.exitCode, r.stderr).toBe(0);
  expect(backups(dir)).toHaveLength(1);
  return { dir, key };
}

describe('refuseLostKeys (pure, the upgrade refusal)', () => {
  const held = { path: '/srv/aw/.harden-init/backups/t1/.env', env: { _APP_OPENSSL_KEY_V1: 'k' } };
  it('nothing missing: no refusal', () => {
    expect(refuseLostKeys({ dir: '/srv/aw', missing: [], backups: [held] })).toBeUndefined();
  });
  it('names the key, what a new one loses, and the newest backup holding it with the line that puts it back', () => {
    const r = refuseLostKeys({
      dir: '/srv/aw/',
      missing: ['_APP_OPENSSL_KEY_V1'],
      backups: [{ ...held, env: {} }, held],
    })!;
    expect(r.message).toMatch(/^\.env has no value for _APP_OPENSSL_KEY_V1: .*unreadable.*An upgrade never runs/);
    expect(r.hint).toBe(
      `The newest backup that holds _APP_OPENSSL_KEY_V1 is ${held.path}. Put the line back into /srv/aw/.env:\n` +
        `  grep '^_APP_OPENSSL_KEY_V1=' ${held.path} >> /srv/aw/.env\nthen upgrade.`,
    );
  });
  it('no backup holds it: says so, and where the line goes', () => {
    const r = refuseLostKeys({ dir: '/srv/aw', missing: ['_APP_OPENSSL_KEY_V1'], backups: [] })!;
    expect(r.hint).toMatch(
      /^No backup in \.harden-init\/backups holds _APP_OPENSSL_KEY_V1: put the line back into \/srv\/aw\/\.env/,
    );
  });
});

describe.concurrent('a lost key on a re-run (built binary)', () => {
  const damage: Record<string, (dir: string) => void> = {
    'key line deleted': (dir) =>
      writeFileSync(join(dir, '.env'), read(dir, '.env').replace(/^_APP_OPENSSL_KEY_V1=.*\n/m, '')),
    'key emptied': (dir) =>
      writeFileSync(join(dir, '.env'), read(dir, '.env').replace(/^_APP_OPENSSL_KEY_V1=.*$/m, '_APP_OPENSSL_KEY_V1=')),
    '.env deleted': (dir) => rmSync(join(dir, '.env')),
    '.env garbage': (dir) => writeFileSync(join(dir, '.env'), '\u0000\u0001garbage\n%%%\n'),
  };
  for (const [what, harm] of Object.entries(damage)) {
    it(`${what}: --yes is refused (exit 2), naming the backup and the cp command; nothing written`, async ({
      expect,
    }) => {
      const { dir, key } = await installWithBackup();
      harm(dir);
      const before = (() => {
        try {
          return read(dir, '.env');
        } catch {
          return undefined;
        }
      })();
      const r = await runBin(['--dir', dir, '--yes', '--no-start']);
      expect(r.exitCode, r.stdout + r.stderr).toBe(2);
      const [stamp] = backups(dir);
      expect(r.stderr).toContain(`cp ${join(dir, '.harden-init/backups', stamp!, '.env')} ${dir}/.env`);
      expect(r.stderr).toMatch(/unreadable/);
      expect(backups(dir)).toHaveLength(1);
      expect(
        (() => {
          try {
            return read(dir, '.env');
          } catch {
            return undefined;
          }
        })(),
      ).toBe(before);
      expectNoStack(r);
      expectNoSecrets([key], { stdout: r.stdout, stderr: r.stderr });
    });
  }

  it('state.json alone (no backup) is enough to refuse; --new-encryption-key --yes makes a new key', async ({
    expect,
  }) => {
    const dir = await install();
    const old = envOf(dir)[KEY];
    writeFileSync(join(dir, '.env'), read(dir, '.env').replace(/^_APP_OPENSSL_KEY_V1=.*$/m, '_APP_OPENSSL_KEY_V1='));
    let r = await runBin(['--dir', dir, '--yes', '--no-start']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/No backup/);
    r = await runBin(['--dir', dir, '--yes', '--no-start', '--new-encryption-key']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/unreadable/);
    expect(envOf(dir)[KEY]).toMatch(/^[A-Za-z0-9_-]{48}$/);
    expect(envOf(dir)[KEY]).not.toBe(old);
  });

  it('--new-encryption-key on an install that has its key is refused (exit 2)', async ({ expect }) => {
    const dir = await install();
    const r = await runBin(['--dir', dir, '--yes', '--no-start', '--new-encryption-key']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/never replaces an existing encryption key/);
  });

  it('a directory that is not an install (no state, no backups) still gets its first key', async ({ expect }) => {
    const dir = join(tempDir('hi-safety-'), 'appwrite');
    mkdirSync(dir);
    const r = await runBin([
      '--dir',
      dir,
      '--domain',
      'a.example.com',
      '--email',
      'a@example.com',
      '--yes',
      '--no-start',
    ]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(envOf(dir)[KEY]).toMatch(/^[A-Za-z0-9_-]{48}$/);
  });
});
