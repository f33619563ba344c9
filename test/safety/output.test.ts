// Rows 8, 9, 11, 12 and 13 of issue 8, and the secret scan: what harden-init prints.
import { describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { maskEnvPair, isMaskedName } from '../../src/engine/diff.js';
import { toCliError, CliError } from '../../src/core/errors.js';
import { runBin, tempDir } from '../helpers/run-bin.js';
import { envOf, expectNoSecrets, expectNoStack, FIRST, install, read, secretsOf } from './helpers.js';

describe('masking by name pattern (row 8)', () => {
  it('any secret-looking name is masked, also in diff context lines', () => {
    for (const n of [
      'MY_API_TOKEN',
      'CUSTOM_SECRET_X',
      'SOME_PASSWORD',
      'STRIPE_KEY',
      'x_private',
      'DB_PASS',
      '_APP_OPENSSL_KEY_V1',
    ])
      expect(isMaskedName(n), n).toBe(true);
    for (const n of ['_APP_DOMAIN', '_APP_CONSOLE_WHITELIST_IPS', 'KEYBOARD']) expect(isMaskedName(n), n).toBe(false);
    const [o, n] = maskEnvPair('A=1\nMY_API_TOKEN=tok-123456789\n', 'A=2\nMY_API_TOKEN=tok-123456789\n', new Set());
    expect(o + n).not.toContain('tok-123456789');
  });

  it('the .env diff of a run never shows hand-added secret-looking values unless --show-secrets', async () => {
    const dir = await install();
    const planted = {
      MY_API_TOKEN: 'tok-plantedvalue-0001',
      CUSTOM_SECRET_X: 'sec-plantedvalue-0002',
      SOME_PASSWORD: 'pw-plantedvalue-0003',
      STRIPE_KEY: 'key-plantedvalue-0004',
      x_private: 'priv-plantedvalue-0005',
    };
    const lines = Object.entries(planted)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n');
    writeFileSync(
      join(dir, '.env'),
      read(dir, '.env').replace(/^_APP_CONSOLE_WHITELIST_ROOT=/m, `${lines}\n_APP_CONSOLE_WHITELIST_ROOT=`),
    );
    const r = await runBin(['--dir', dir, '--console', 'open', '--dry-run']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/_APP_CONSOLE_WHITELIST_ROOT=disabled/);
    expect(r.stdout).toMatch(/x_private=\*{8}/);
    expectNoSecrets(Object.values(planted), { stdout: r.stdout, stderr: r.stderr });
    const shown = await runBin(['--dir', dir, '--console', 'open', '--dry-run', '--show-secrets']);
    expect(shown.stdout).toContain(planted.x_private);
  });
});

describe.concurrent('hand-edited .env values are validated (row 9)', () => {
  it('a CIDR in _APP_CONSOLE_WHITELIST_IPS: exit 2 naming the variable and what is allowed; a flag fixes it', async ({
    expect,
  }) => {
    const dir = await install(['--console', 'ips', '--console-ips', '203.0.113.7']);
    writeFileSync(
      join(dir, '.env'),
      read(dir, '.env').replace(/^_APP_CONSOLE_WHITELIST_IPS=.*$/m, '_APP_CONSOLE_WHITELIST_IPS=10.0.0.0/8'),
    );
    const before = read(dir, '.env');
    const r = await runBin(['--dir', dir, '--yes', '--no-start']);
    expect(r.exitCode, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toMatch(/_APP_CONSOLE_WHITELIST_IPS.*CIDR.*exact addresses/);
    expect(read(dir, '.env')).toBe(before);
    const fixed = await runBin(['--dir', dir, '--console-ips', '203.0.113.8', '--yes', '--no-start']);
    expect(fixed.exitCode, fixed.stderr).toBe(0);
    expect(envOf(dir)._APP_CONSOLE_WHITELIST_IPS).toBe('203.0.113.8');
  });
  it('a quote or a line break in the domain: exit 2 naming _APP_DOMAIN, no stack trace', async ({ expect }) => {
    for (const bad of [`"bad'domain.example.com"`, '"bad\\ndomain.example.com"']) {
      const dir = await install();
      writeFileSync(join(dir, '.env'), read(dir, '.env').replace(/^_APP_DOMAIN=.*$/m, `_APP_DOMAIN=${bad}`));
      const r = await runBin(['--dir', dir, '--yes', '--no-start']);
      expect(r.exitCode, r.stdout + r.stderr).toBe(2);
      expect(r.stderr).toMatch(/_APP_DOMAIN in \.env/);
      expectNoStack(r);
    }
  });
  it('an unexpected error is one line and a hint; the stack only with DEBUG', () => {
    const e = new Error('boom\nsecond line');
    const plain = toCliError(e, {});
    expect(plain.message).toBe('Unexpected error: boom');
    expect(plain.hint).toMatch(/DEBUG=1/);
    expect(toCliError(e, { DEBUG: '1' }).message).toMatch(/\n\s+at /);
    const known = new CliError('x', 2);
    expect(toCliError(known)).toBe(known);
  });
});

describe.concurrent('printed commands are shell-quoted (row 11)', () => {
  it('an install directory with a space and a quote', async ({ expect }) => {
    const base = join(tempDir('hi-out-'), "my dir's");
    mkdirSync(base);
    const dir = join(base, 'appwrite');
    const r = await runBin(['--dir', dir, ...FIRST]);
    expect(r.exitCode, r.stderr).toBe(0);
    const q = `'${dir.replace(/'/g, `'\\''`)}'`;
    expect(r.stdout.replace(/│\s*\n│\s*/g, '')).toContain(`cd ${q} && docker compose up -d`);
    expect(r.stdout).toContain(`--dir ${q}`);
  });
});

describe.concurrent('canonical addresses (row 12) and flags for another mode (row 13)', () => {
  it('IPv6 lower case and compressed, e-mails lower case, duplicates removed', async ({ expect }) => {
    let dir = await install(['--console', 'ips', '--console-ips', '2001:DB8::1,2001:db8:0:0::1,203.0.113.7']);
    expect(envOf(dir)._APP_CONSOLE_WHITELIST_IPS).toBe('2001:db8::1,203.0.113.7');
    dir = await install(['--console', 'emails', '--console-emails', 'Ops@Example.com,ops@example.COM,b@example.com']);
    expect(envOf(dir)._APP_CONSOLE_WHITELIST_EMAILS).toBe('ops@example.com,b@example.com');
  });
  it('a hand-written address in .env is made canonical on the next run', async ({ expect }) => {
    const dir = await install(['--console', 'ips', '--console-ips', '203.0.113.7']);
    writeFileSync(
      join(dir, '.env'),
      read(dir, '.env').replace(/^_APP_CONSOLE_WHITELIST_IPS=.*$/m, '_APP_CONSOLE_WHITELIST_IPS=2001:DB8:0::1'),
    );
    const r = await runBin(['--dir', dir, '--yes', '--no-start']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(envOf(dir)._APP_CONSOLE_WHITELIST_IPS).toBe('2001:db8::1');
  });
  it.each([
    ['fe80::1%eth0', /zone id/],
    ['0.0.0.0', /unspecified/],
    ['::', /unspecified/],
  ])('--console-ips %s is exit 2', async (ip, why) => {
    const r = await runBin([
      '--dir',
      join(tempDir('hi-out-'), 'a'),
      ...FIRST,
      '--console',
      'ips',
      '--console-ips',
      ip as string,
    ]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(why as RegExp);
  });
  it.each([['off'], ['proxy']])('--https %s --https-port 8443 is exit 2, nothing written', async (mode) => {
    const dir = join(tempDir('hi-out-'), 'a');
    const r = await runBin(['--dir', dir, ...FIRST, '--https', mode!, '--https-port', '8443']);
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/--https-port does not apply/);
  });
});

describe.concurrent('no generated secret in anything printed or in state.json', () => {
  it('install, re-run, dry-run, --json, errors', async ({ expect }) => {
    const dir = join(tempDir('hi-out-'), 'appwrite');
    const runs = [
      await runBin(['--dir', dir, ...FIRST, '--json']),
      await runBin(['--dir', dir, '--console', 'emails', '--console-emails', 'ops@example.com', '--yes', '--no-start']),
      await runBin(['--dir', dir, '--https', 'off', '--dry-run']),
      await runBin(['--dir', dir, '--https', 'off', '--dry-run', '--json']),
      await runBin(['--dir', dir, '--console-ips', '10.0.0.0/8', '--yes', '--no-start']),
      await runBin(['--dir', dir, '--yes', '--no-start', '--new-encryption-key', '--json']),
    ];
    const secrets = secretsOf(dir);
    expect(secrets.length).toBeGreaterThanOrEqual(5);
    const texts: Record<string, string> = { 'state.json': read(dir, '.harden-init/state.json') };
    runs.forEach((r, i) => {
      texts[`run ${i} stdout`] = r.stdout;
      texts[`run ${i} stderr`] = r.stderr;
    });
    expectNoSecrets(secrets, texts);
  });
});
