// Behaviour added after review: DB moves need consent, hand edits of .env survive, permissions are
// tightened, cross-flag checks.
import { describe, expect, it } from 'vitest';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/run-bin.js';
import { runMain } from '../helpers/run-main.js';
import { parseEnv, toRecord } from '../../src/engine/envfile.js';

const FIRST = ['--domain', 'appwrite.example.com', '--email', 'admin@example.com', '--yes', '--no-start'];
const read = (dir: string, f: string) => readFileSync(join(dir, f), 'utf8');
const envOf = (dir: string) => toRecord(parseEnv(read(dir, '.env')));

async function install(extra: string[] = []): Promise<string> {
  const dir = join(tempDir(), 'appwrite');
  const r = await runMain(['--dir', dir, ...FIRST, ...extra]);
  expect(r.exitCode, r.stderr).toBe(0);
  return dir;
}

describe.concurrent('moving the database', () => {
  it('is refused without --allow-db-move (exit 2, nothing written), explaining that data does not follow', async ({
    expect,
  }) => {
    const dir = await install();
    const before = read(dir, '.env');
    const r = await runMain(['--dir', dir, '--db', 'path', '--db-path', join(dir, '..', 'db'), '--yes', '--no-start']);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toMatch(
      /The database moves from the Docker volume appwrite-postgresql to the host directory .* does not copy data/,
    );
    expect(r.stderr).toMatch(/--allow-db-move/);
    expect(read(dir, '.env')).toBe(before);
    expect(existsSync(join(dir, '..', 'db'))).toBe(false);
  });

  it('volume → external → volume gives the bundled DB its own credentials back', async ({ expect }) => {
    const dir = await install();
    const bundled = envOf(dir);
    const ext = [
      '--db',
      'external',
      '--db-host',
      'db.example.com',
      '--db-user',
      'ext',
      '--db-name',
      'extdb',
      '--allow-db-move',
      '--yes',
      '--no-start',
    ];
    const r1 = await runMain(['--dir', dir, ...ext], { HARDEN_INIT_DB_PASSWORD: 'ext-password' });
    expect(r1.exitCode, r1.stderr).toBe(0);
    expect(envOf(dir)).toMatchObject({
      _APP_DB_HOST: 'db.example.com',
      _APP_DB_USER: 'ext',
      _APP_DB_SCHEMA: 'extdb',
      _APP_DB_PASS: 'ext-password',
    });
    expect(r1.stdout).not.toContain(bundled._APP_DB_PASS);
    const r2 = await runMain(['--dir', dir, '--db', 'volume', '--allow-db-move', '--yes', '--no-start']);
    expect(r2.exitCode, r2.stderr).toBe(0);
    const back = envOf(dir);
    expect(back).toMatchObject({
      _APP_DB_HOST: 'postgresql',
      _APP_DB_USER: bundled._APP_DB_USER,
      _APP_DB_SCHEMA: bundled._APP_DB_SCHEMA,
      _APP_DB_PASS: bundled._APP_DB_PASS,
    });
    expect(Object.keys(back).filter((k) => k.startsWith('_HARDEN_INIT_'))).toEqual([]);
  });
});

describe.concurrent('re-run details', () => {
  it('a value edited by hand in .env is kept, and the run says so', async ({ expect }) => {
    const dir = await install();
    writeFileSync(
      join(dir, '.env'),
      read(dir, '.env').replace('_APP_DOMAIN=appwrite.example.com', '_APP_DOMAIN=new.example.com'),
      { mode: 0o600 },
    );
    const r = await runMain(['--dir', dir, '--yes', '--no-start']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\.env was edited since the last run: domain is "new\.example\.com" there/);
    expect(envOf(dir)._APP_DOMAIN).toBe('new.example.com');
    expect(envOf(dir)._APP_DOMAIN_TARGET_CNAME).toBe('new.example.com');
  });

  it('forced HTTPS turned off by hand is switched back on, and said', async ({ expect }) => {
    const dir = await install();
    writeFileSync(
      join(dir, '.env'),
      read(dir, '.env').replace('_APP_OPTIONS_ROUTER_FORCE_HTTPS=enabled', '_APP_OPTIONS_ROUTER_FORCE_HTTPS=disabled'),
      { mode: 0o600 },
    );
    const r = await runMain(['--dir', dir, '--yes', '--no-start']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/_APP_OPTIONS_ROUTER_FORCE_HTTPS was "disabled"; harden-init sets it back to "enabled"/);
    expect(envOf(dir)._APP_OPTIONS_ROUTER_FORCE_HTTPS).toBe('enabled');
  });

  it('a .env readable by others is set back to 0600 even when nothing else changes', async ({ expect }) => {
    const dir = await install();
    chmodSync(join(dir, '.env'), 0o644);
    const r = await runMain(['--dir', dir, '--yes', '--no-start']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Fixed permissions: \.env: mode 644 → 600/);
    expect(statSync(join(dir, '.env')).mode & 0o777).toBe(0o600);
  });
});

describe.concurrent('checks across flags (exit 2, nothing written)', () => {
  it.for([
    [
      'a flag for a mode not chosen',
      ['--console-ips', '203.0.113.7'],
      /--console-ips does not apply: it is used with --console ips \(here --console is root\)/,
    ],
    [
      'the same host port for HTTP and HTTPS',
      ['--http-port', '443', '--https-port', '443'],
      /--http-port and --https-port are both 443/,
    ],
    ['an empty --dir', ['--dir', ''], /--dir: must not be empty/],
  ] as const)('%s', async ([, extra, message], { expect }) => {
    const dir = join(tempDir(), 'appwrite');
    const r = await runMain(['--dir', dir, ...FIRST, ...extra], {}, tempDir());
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(existsSync(dir)).toBe(false);
  });
});

it('an IPv6 domain is bracketed in the console URL', async () => {
  const dir = join(tempDir(), 'appwrite');
  const r = await runMain([
    '--dir',
    dir,
    '--domain',
    '2001:db8::1',
    '--email',
    'admin@example.com',
    '--https',
    'off',
    '--yes',
    '--no-start',
  ]);
  expect(r.exitCode, r.stderr).toBe(0);
  expect(r.stdout).toContain('http://[2001:db8::1]/');
});
