// Re-running is the normal way to change settings: through the built binary, as a user would.
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runBin, tempDir } from '../helpers/run-bin.js';
import { runMain } from '../helpers/run-main.js';
import { parseEnv, toRecord } from '../../src/engine/envfile.js';

const FIRST = ['--domain', 'appwrite.example.com', '--email', 'admin@example.com', '--yes', '--no-start'];
const read = (dir: string, f: string) => readFileSync(join(dir, f), 'utf8');
const envOf = (dir: string) => toRecord(parseEnv(read(dir, '.env')));
const backups = (dir: string) =>
  existsSync(join(dir, '.harden-init/backups')) ? readdirSync(join(dir, '.harden-init/backups')) : [];

async function install(): Promise<string> {
  const dir = join(tempDir(), 'appwrite');
  const r = await runMain(['--dir', dir, ...FIRST]);
  expect(r.exitCode, r.stderr).toBe(0);
  return dir;
}

describe.concurrent('re-run', () => {
  it('with the same answers (or none: --yes takes the existing ones) changes no byte and makes no backup', async ({
    expect,
  }) => {
    const dir = await install();
    const before = ['.env', 'docker-compose.yml', '.harden-init/state.json'].map((f) => read(dir, f));
    for (const args of [FIRST, ['--yes', '--no-start']]) {
      const r = await runMain(['--dir', dir, ...args]);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/Nothing to change/);
    }
    expect(['.env', 'docker-compose.yml', '.harden-init/state.json'].map((f) => read(dir, f))).toEqual(before);
    expect(backups(dir)).toEqual([]);
  });

  it('a flag changes only what it names; secrets stay; the old files go to a timestamped backup', async ({
    expect,
  }) => {
    const dir = await install();
    const oldEnv = read(dir, '.env');
    const old = envOf(dir);
    const r = await runMain([
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
    const now = envOf(dir);
    const changed = Object.keys(now).filter((k) => now[k] !== old[k]);
    expect(changed.sort()).toEqual(['_APP_CONSOLE_WHITELIST_EMAILS', '_APP_CONSOLE_WHITELIST_ROOT']);
    expect(now._APP_CONSOLE_WHITELIST_EMAILS).toBe('ops@example.com');
    expect(now._APP_DOMAIN).toBe('appwrite.example.com');
    const [stamp] = backups(dir);
    expect(stamp).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(readFileSync(join(dir, '.harden-init/backups', stamp!, '.env'), 'utf8')).toBe(oldEnv);
    expect(r.stdout).toContain(`--console emails --console-emails ops@example.com`);
  });

  it('--dry-run shows a colored diff with secrets masked and writes nothing', async ({ expect }) => {
    const dir = await install();
    const envText = read(dir, '.env');
    writeFileSync(join(dir, '.env'), envText.replace(/^_APP_EXECUTOR_SECRET=.*$/m, '_APP_EXECUTOR_SECRET='), {
      mode: 0o600,
    });
    const edited = read(dir, '.env');
    // A real process: colour is decided once, when the colour library loads, so FORCE_COLOR needs its own process.
    const r = await runBin(['--dir', dir, '--https', 'off', '--dry-run'], { NO_COLOR: undefined, FORCE_COLOR: '1' });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain('\u001b[32m+_APP_OPTIONS_FORCE_HTTPS=disabled');
    expect(r.stdout).toContain('\u001b[31m-_APP_OPTIONS_FORCE_HTTPS=enabled');
    expect(r.stdout).toMatch(/_APP_EXECUTOR_SECRET=\*{8}/);
    for (const [k, v] of Object.entries(envOf(dir)))
      if (/KEY_V1|SECRET|PASS/.test(k) && v) expect(r.stdout, k).not.toContain(v);
    expect(r.stdout).toMatch(/nothing was written/);
    expect(read(dir, '.env')).toBe(edited);
    expect(backups(dir)).toEqual([]);
  });

  it('--show-secrets is the only way to see secret values', async ({ expect }) => {
    const dir = await install();
    const key = envOf(dir)._APP_OPENSSL_KEY_V1!;
    writeFileSync(
      join(dir, '.env'),
      read(dir, '.env').replace(`_APP_OPENSSL_KEY_V1=${key}`, `_APP_OPENSSL_KEY_V1=${key}\n`),
      { mode: 0o600 },
    );
    const hidden = await runMain(['--dir', dir, '--domain', 'new.example.com', '--dry-run']);
    const shown = await runMain(['--dir', dir, '--domain', 'new.example.com', '--dry-run', '--show-secrets']);
    expect(hidden.stdout).not.toContain(key);
    expect(shown.stdout).toContain(key);
  });

  it('never changes the encryption key, keeps unknown keys and their lines, re-enables security switches', async ({
    expect,
  }) => {
    const dir = await install();
    const key = envOf(dir)._APP_OPENSSL_KEY_V1;
    writeFileSync(
      join(dir, '.env'),
      read(dir, '.env').replace('_APP_OPTIONS_ABUSE=enabled', '_APP_OPTIONS_ABUSE=disabled') + 'MY_FLAG="a  b" # own\n',
      { mode: 0o600 },
    );
    const r = await runMain(['--dir', dir, '--domain', 'other.example.com', '--yes', '--no-start']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(envOf(dir)._APP_OPENSSL_KEY_V1).toBe(key);
    expect(read(dir, '.env')).toContain('\nMY_FLAG="a  b" # own\n');
    expect(envOf(dir)._APP_OPTIONS_ABUSE).toBe('enabled');
    expect(r.stdout).toMatch(/_APP_OPTIONS_ABUSE was "disabled"/);
  });

  it('a hand-edited docker-compose.yml survives --yes; the proposal is written beside it and the output says so', async ({
    expect,
  }) => {
    const dir = await install();
    const edited = read(dir, 'docker-compose.yml').replace('max-size: 10m', 'max-size: 50m');
    expect(edited).not.toBe(read(dir, 'docker-compose.yml'));
    writeFileSync(join(dir, 'docker-compose.yml'), edited);
    const r = await runMain(['--dir', dir, '--http-port', '8080', '--yes', '--no-start']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(read(dir, 'docker-compose.yml')).toBe(edited);
    expect(read(dir, 'docker-compose.proposed.yml')).toContain('"8080:80"');
    expect(r.stdout).toMatch(/docker-compose\.yml was changed since harden-init wrote it.*kept as it is/s);
    const again = await runMain(['--dir', dir, '--yes', '--no-start', '--replace-compose']);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(read(dir, 'docker-compose.yml')).toContain('"8080:80"');
    expect(read(dir, 'docker-compose.yml')).not.toContain('max-size: 50m');
  });

  it("adopts an install made by Appwrite's own installer: reads its answers, keeps its secrets, warns about example values", async ({
    expect,
  }) => {
    const dir = join(tempDir(), 'appwrite');
    const r0 = await runMain(['--dir', dir, ...FIRST]);
    expect(r0.exitCode).toBe(0);
    // What the official installer writes non-interactively (literal example secrets), without our state.
    writeFileSync(
      join(dir, '.env'),
      [
        '_APP_ENV=production',
        '_APP_DOMAIN=aw.example.org',
        '_APP_OPTIONS_FORCE_HTTPS=disabled',
        '_APP_OPENSSL_KEY_V1=your-secret-key',
        '_APP_DB_HOST=mariadb',
        '_APP_DB_PASS=password',
        '_APP_DB_ROOT_PASS=rootsecretpassword',
        '_APP_EXECUTOR_SECRET=your-secret-key',
        '_APP_CONSOLE_WHITELIST_ROOT=enabled',
        '_APP_SYSTEM_SECURITY_EMAIL_ADDRESS=ops@aw.example.org',
        '',
      ].join('\n'),
    );
    const { rmSync } = await import('node:fs');
    rmSync(join(dir, '.harden-init'), { recursive: true });
    const r = await runMain(['--dir', dir, '--yes', '--no-start']);
    expect(r.exitCode, r.stderr).toBe(0);
    const env = envOf(dir);
    expect(env).toMatchObject({
      _APP_DOMAIN: 'aw.example.org',
      _APP_OPTIONS_FORCE_HTTPS: 'disabled',
      _APP_OPENSSL_KEY_V1: 'your-secret-key',
      _APP_DB_PASS: 'password',
      _APP_EMAIL_CERTIFICATES: 'ops@aw.example.org',
      _APP_DB_HOST: 'mariadb',
      _APP_DB_ADAPTER: 'mariadb',
    });
    // the release its compose file pins, and the engine its .env names, are kept
    expect(r.stdout).toContain('Appwrite 2.7.1');
    expect(read(dir, 'docker-compose.proposed.yml')).toMatch(/^  mariadb:/m); // the compose file is not ours (no state): kept
    expect(r.stdout).toMatch(/_APP_OPENSSL_KEY_V1 holds a well-known example value/);
    expect(r.stdout).toMatch(/_APP_DB_PASS holds a well-known example value/);
  });

  it('--json prints one machine-readable result and no secret', async ({ expect }) => {
    const dir = join(tempDir(), 'appwrite');
    const r = await runMain([
      '--dir',
      dir,
      '--domain',
      'appwrite.example.com',
      '--email',
      'admin@example.com',
      '--https',
      'off',
      '--json',
      '--no-start',
    ]);
    expect(r.exitCode, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({
      ok: true,
      release: '2.7.1',
      changed: [
        '.env',
        'docker-compose.yml',
        '.harden-init/compose-written.yml',
        'traefik-routes.yml',
        '.harden-init/state.json',
      ],
    });
    expect(out.generatedSecrets).toContain('_APP_OPENSSL_KEY_V1');
    expect(r.stdout).not.toContain(envOf(dir)._APP_OPENSSL_KEY_V1);
  });
});
