// Bad input: a clear message naming the field and what is allowed, exit 2, nothing written.
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/run-bin.js';
import { runMain } from '../helpers/run-main.js';

const OK = ['--domain', 'appwrite.example.com', '--email', 'admin@example.com'];

describe.concurrent('invalid answers exit 2 and write nothing', () => {
  it.for([
    ['newline in the domain', ['--domain', 'appwrite.example.com\nX=1'], /--domain: .*not a valid host name/],
    ['command substitution in the domain', ['--domain', '$(reboot).example.com'], /--domain: .*not a valid host name/],
    [
      'CIDR range in the IP list',
      [...OK, '--console', 'ips', '--console-ips', '10.0.0.1,10.0.0.0/8'],
      /--console-ips: .*CIDR range.*exact addresses/,
    ],
    // What node:net's isIPv4/isIPv6 refuse reaches the user as the field's error.
    [
      'an IPv4 octet over 255 in the IP list',
      [...OK, '--console', 'ips', '--console-ips', '10.0.0.1,256.1.1.1'],
      /--console-ips: "256\.1\.1\.1" is not an IPv4 or IPv6 address/,
    ],
    [
      'an IPv4 octet with a leading zero',
      [...OK, '--console', 'ips', '--console-ips', '010.0.0.1'],
      /--console-ips: "010\.0\.0\.1" is not an IPv4 or IPv6 address/,
    ],
    [
      'an IPv6 address with two "::"',
      [...OK, '--console', 'ips', '--console-ips', '2001::db8::1'],
      /--console-ips: "2001::db8::1" is not an IPv4 or IPv6 address/,
    ],
    [
      'Langflow: an IPv6 range with two "::"',
      ['langflow', '--domain', 'langflow.example.com', '--console', 'ips', '--console-ips', '10.0.0.0/8,fd00::1::/64'],
      /--console-ips: "fd00::1::\/64" is not an IPv4\/IPv6 address or CIDR range/,
    ],
    [
      'an IPv6 address of nine groups',
      [...OK, '--console', 'ips', '--console-ips', '1:2:3:4:5:6:7:8:9'],
      /--console-ips: "1:2:3:4:5:6:7:8:9" is not an IPv4 or IPv6 address/,
    ],
    ['bad e-mail', ['--domain', 'appwrite.example.com', '--email', 'admin@'], /--email: .*not a valid e-mail/],
    [
      'bad e-mail in the whitelist',
      [...OK, '--console', 'emails', '--console-emails', 'a@example.com,nope'],
      /--console-emails: .*not a valid e-mail/,
    ],
    ['unknown HTTPS mode', [...OK, '--https', 'maybe'], /--https: must be one of auto, proxy, off/],
    ['relative DB path', [...OK, '--db', 'path', '--db-path', 'data/db'], /--db-path: .*absolute path/],
    ['port out of range', [...OK, '--http-port', '70000'], /--http-port: .*1-65535/],
    ['unknown flag', [...OK, '--domian', 'x'], /Unknown option '--domian'/],
    ['unknown target', ['wordpress', ...OK], /Unknown target or command "wordpress"/],
    ['a release that is not x.y.z', [...OK, '--release', 'latest'], /--release: must be a release number like 2\.7\.1/],
    [
      'a release of no supported line',
      [...OK, '--release', '1.8.1'],
      /--release: harden-init installs Appwrite's 2\.x and 1\.9 lines/,
    ],
    [
      'unknown SMTP encryption',
      [...OK, '--smtp-host', 'smtp.example.com', '--smtp-secure', 'starttls'],
      /--smtp-secure: must be one of tls, ssl, none/,
    ],
    ['an SMTP host with a space', [...OK, '--smtp-host', 'smtp example.com'], /--smtp-host: /],
    ['--mqtt and --no-mqtt together', [...OK, '--mqtt', '--no-mqtt'], /--mqtt and --no-mqtt contradict each other/],
    ['unknown worker topology', [...OK, '--topology', 'spread'], /--topology: must be one of combined, separate/],
  ] as const)('%s', async ([, args, message], { expect }) => {
    const dir = join(tempDir(), 'appwrite');
    const r = await runMain(['--dir', dir, ...args, '--yes', '--no-start']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(existsSync(dir)).toBe(false);
  });

  it('an external DB without HARDEN_INIT_DB_PASSWORD names the variable', async ({ expect }) => {
    const dir = join(tempDir(), 'appwrite');
    const r = await runMain([
      '--dir',
      dir,
      ...OK,
      '--db',
      'external',
      '--db-host',
      'db.example.com',
      '--db-user',
      'aw',
      '--yes',
      '--no-start',
    ]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/HARDEN_INIT_DB_PASSWORD/);
    expect(existsSync(dir)).toBe(false);
  });

  it('a DB password .env cannot carry is refused', async ({ expect }) => {
    const dir = join(tempDir(), 'appwrite');
    const r = await runMain(
      [
        '--dir',
        dir,
        ...OK,
        '--db',
        'external',
        '--db-host',
        'db.example.com',
        '--db-user',
        'aw',
        '--yes',
        '--no-start',
      ],
      { HARDEN_INIT_DB_PASSWORD: "it's" },
    );
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/HARDEN_INIT_DB_PASSWORD: .*single quote/);
    expect(existsSync(dir)).toBe(false);
  });
});

describe.concurrent('missing answers without a terminal', () => {
  it('no TTY and no --yes: names every missing required flag, exit 2', async ({ expect }) => {
    const dir = join(tempDir(), 'appwrite');
    const r = await runMain(['--dir', dir, '--no-start']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/Missing --domain, --email/);
    expect(existsSync(dir)).toBe(false);
  });
  it('--yes without a domain and no existing install: exit 2', async ({ expect }) => {
    const dir = join(tempDir(), 'appwrite');
    const r = await runMain(['--dir', dir, '--yes', '--no-start', '--https', 'off']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/Missing --domain\b/);
    expect(existsSync(dir)).toBe(false);
  });
  it('a mode needing a list asks for the list flag', async ({ expect }) => {
    const dir = join(tempDir(), 'appwrite');
    const r = await runMain(['--dir', dir, ...OK, '--console', 'ips', '--yes', '--no-start']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/Missing --console-ips/);
  });
  it('a bad re-run leaves the existing install byte-identical', async ({ expect }) => {
    const dir = join(tempDir(), 'appwrite');
    expect((await runMain(['--dir', dir, ...OK, '--yes', '--no-start'])).exitCode).toBe(0);
    const before = readdirSync(dir).map((f) => [
      f,
      existsSync(join(dir, f)) && f !== '.harden-init' ? readFileSync(join(dir, f), 'utf8') : '',
    ]);
    const r = await runMain(['--dir', dir, '--console', 'ips', '--console-ips', '10.0.0.0/24', '--yes', '--no-start']);
    expect(r.exitCode).toBe(2);
    const after = readdirSync(dir).map((f) => [
      f,
      existsSync(join(dir, f)) && f !== '.harden-init' ? readFileSync(join(dir, f), 'utf8') : '',
    ]);
    expect(after).toEqual(before);
    expect(existsSync(join(dir, '.harden-init/backups'))).toBe(false);
  });
});

it('a file system failure is exit 1 with the reason', async () => {
  const base = tempDir();
  writeFileSync(join(base, 'blocker'), 'x');
  mkdirSync(join(base, 'ro'));
  const r = await runMain(['--dir', join(base, 'blocker', 'appwrite'), ...OK, '--yes', '--no-start']);
  expect(r.exitCode).toBe(1);
  expect(r.stderr).toMatch(/Writing the install failed: .*(ENOTDIR|EEXIST)|blocker is a regular file, not a directory/);
});
