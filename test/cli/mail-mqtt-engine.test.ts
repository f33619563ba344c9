// Outgoing mail, MQTT, the database engine and the e-mail/proxy rules, through the built binary without
// Docker, as a user sets them with flags.
import { describe, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { tempDir } from '../helpers/run-bin.js';
import { runMain } from '../helpers/run-main.js';
import { parseEnv, toRecord } from '../../src/engine/envfile.js';

const BASIC = ['--domain', 'appwrite.example.com', '--email', 'admin@example.com'];
const FIRST = [...BASIC, '--yes', '--no-start'];
const read = (dir: string, f: string) => readFileSync(join(dir, f), 'utf8');
const envOf = (dir: string) => toRecord(parseEnv(read(dir, '.env')));
const composeOf = (dir: string) =>
  parse(read(dir, 'docker-compose.yml')) as { services: Record<string, { ports?: string[] }> };
const newDir = () => join(tempDir(), 'appwrite');
/** Every service that publishes a port, with its ports. */
const published = (dir: string) =>
  Object.fromEntries(
    Object.entries(composeOf(dir).services)
      .filter(([, s]) => s.ports?.length)
      .map(([n, s]) => [n, s.ports]),
  );
const backups = (dir: string) =>
  existsSync(join(dir, '.harden-init/backups')) ? readdirSync(join(dir, '.harden-init/backups')) : [];

describe.concurrent('outgoing mail', () => {
  const SMTP = [
    '--smtp-host',
    'smtp.example.com',
    '--smtp-port',
    '465',
    '--smtp-secure',
    'ssl',
    '--smtp-user',
    'mailer',
  ];
  const PASSWORD = 'Smtp-pw-3xQ7vLr9';

  it("the --smtp-* flags set Appwrite's SMTP variables; the sender defaults to noreply@<domain>", async ({
    expect,
  }) => {
    const dir = newDir();
    const r = await runMain(['--dir', dir, ...FIRST, ...SMTP]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(envOf(dir)).toMatchObject({
      _APP_SMTP_HOST: 'smtp.example.com',
      _APP_SMTP_PORT: '465',
      _APP_SMTP_SECURE: 'ssl',
      _APP_SMTP_USERNAME: 'mailer',
      _APP_SYSTEM_EMAIL_ADDRESS: 'noreply@appwrite.example.com',
    });
    expect(r.stdout).not.toMatch(/No outgoing mail/);
    expect(r.stdout).toMatch(/Mail\s+smtp\.example\.com/);
  });

  it('defaults port 587 and STARTTLS; --smtp-sender sets the sender', async ({ expect }) => {
    const dir = newDir();
    const r = await runMain([
      '--dir',
      dir,
      ...FIRST,
      '--smtp-host',
      'smtp.example.com',
      '--smtp-sender',
      'Appwrite@Example.com',
    ]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(envOf(dir)).toMatchObject({
      _APP_SMTP_HOST: 'smtp.example.com',
      _APP_SMTP_PORT: '587',
      _APP_SMTP_SECURE: 'tls',
      _APP_SYSTEM_EMAIL_ADDRESS: 'appwrite@example.com',
    });
  });

  it('the password comes only from HARDEN_INIT_SMTP_PASSWORD, is never printed or put in state.json, and a re-run keeps it', async ({
    expect,
  }) => {
    const dir = newDir();
    const r = await runMain(['--dir', dir, ...FIRST, ...SMTP, '--json'], { HARDEN_INIT_SMTP_PASSWORD: PASSWORD });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(envOf(dir)._APP_SMTP_PASSWORD).toBe(PASSWORD);
    expect(r.stdout + r.stderr).not.toContain(PASSWORD);
    expect(read(dir, '.harden-init/state.json')).not.toContain(PASSWORD);
    expect(read(dir, 'docker-compose.yml')).not.toContain(PASSWORD);

    const envBefore = read(dir, '.env');
    const again = await runMain(['--dir', dir, '--yes', '--no-start']);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/Nothing to change/);
    expect(read(dir, '.env')).toBe(envBefore);
    expect(backups(dir)).toEqual([]);

    const shown = await runMain(['--dir', dir, '--smtp-port', '587', '--dry-run']);
    expect(shown.exitCode, shown.stderr).toBe(0);
    expect(shown.stdout).not.toContain(PASSWORD);
  });

  it('there is no flag for the password (it would show in ps)', async ({ expect }) => {
    const dir = newDir();
    const r = await runMain(['--dir', dir, ...FIRST, ...SMTP, '--smtp-password', PASSWORD]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/Unknown option '--smtp-password'/);
    expect(existsSync(dir)).toBe(false);
  });

  it('an SMTP flag without --smtp-host is refused', async ({ expect }) => {
    const dir = newDir();
    const r = await runMain(['--dir', dir, ...FIRST, '--smtp-user', 'mailer']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/--smtp-user does not apply: it is used with --smtp-host/);
    expect(existsSync(dir)).toBe(false);
  });

  it("--smtp-host '' on a re-run turns outgoing mail off, in .env too", async ({ expect }) => {
    const dir = newDir();
    expect((await runMain(['--dir', dir, ...FIRST, ...SMTP])).exitCode).toBe(0);
    const r = await runMain(['--dir', dir, '--smtp-host', '', '--yes', '--no-start']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/No outgoing mail/);
    expect(envOf(dir)._APP_SMTP_HOST).toBe('');
    expect(JSON.parse(read(dir, '.harden-init/state.json')).answers.smtpHost).toBeUndefined();
  });

  it('mail set up by hand in .env is kept by a re-run, and the summary says so', async ({ expect }) => {
    const dir = newDir();
    expect((await runMain(['--dir', dir, ...FIRST])).exitCode).toBe(0);
    writeFileSync(
      join(dir, '.env'),
      read(dir, '.env')
        .replace(/^_APP_SMTP_HOST=.*$/m, '_APP_SMTP_HOST=mail.example.org')
        .replace(/^_APP_SMTP_PORT=.*$/m, '_APP_SMTP_PORT=2525')
        .replace(/^_APP_SMTP_SECURE=.*$/m, '_APP_SMTP_SECURE=tls'),
      { mode: 0o600 },
    );
    const r = await runMain(['--dir', dir, '--yes', '--no-start']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(/No outgoing mail/);
    expect(r.stdout).toMatch(/Mail\s+mail\.example\.org/);
    expect(envOf(dir)).toMatchObject({
      _APP_SMTP_HOST: 'mail.example.org',
      _APP_SMTP_PORT: '2525',
      _APP_SMTP_SECURE: 'tls',
    });
    const again = await runMain(['--dir', dir, '--yes', '--no-start']);
    expect(again.stdout).toMatch(/Nothing to change/);
  });

  it('without SMTP the run warns that invitations and recovery e-mails will not be sent', async ({ expect }) => {
    const dir = newDir();
    const r = await runMain(['--dir', dir, ...FIRST]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /No outgoing mail: invitations, verification and password-recovery e-mails will not be sent/,
    );
    expect(envOf(dir)._APP_SMTP_HOST ?? '').toBe('');
  });
});

describe.concurrent('MQTT', () => {
  it('off by default: only traefik publishes, HTTP and HTTPS', async ({ expect }) => {
    const dir = newDir();
    expect((await runMain(['--dir', dir, ...FIRST])).exitCode).toBe(0);
    expect(published(dir)).toEqual({ traefik: ['80:80', '443:443'] });
  });

  it('--mqtt publishes 8883 and 8084 on traefik only; --no-mqtt takes them away again', async ({ expect }) => {
    const dir = newDir();
    const r = await runMain(['--dir', dir, ...FIRST, '--mqtt']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(published(dir)).toEqual({ traefik: ['80:80', '443:443', '8883:8883', '8084:8084'] });
    const off = await runMain(['--dir', dir, '--no-mqtt', '--yes', '--no-start']);
    expect(off.exitCode, off.stderr).toBe(0);
    expect(published(dir)).toEqual({ traefik: ['80:80', '443:443'] });
  });

  it('--https proxy --mqtt binds every published port, MQTT included, to 127.0.0.1', async ({ expect }) => {
    const dir = newDir();
    const r = await runMain(['--dir', dir, ...FIRST, '--https', 'proxy', '--mqtt']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(published(dir)).toEqual({ traefik: ['127.0.0.1:80:80', '127.0.0.1:8883:8883', '127.0.0.1:8084:8084'] });
  });

  it('--mqtt with --release 1.9.10 is refused (1.9 has no MQTT), nothing written', async ({ expect }) => {
    const dir = newDir();
    const r = await runMain(['--dir', dir, ...FIRST, '--release', '1.9.10', '--mqtt']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(
      /--mqtt does not apply: it is used with --release 2\.3 or later \(here --release is 1\.9\.10\)/,
    );
    expect(existsSync(dir)).toBe(false);
  });
});

describe.concurrent('database engine', () => {
  it('--db-engine mariadb on 2.x: the mariadb service, its root password generated', async ({ expect }) => {
    const dir = newDir();
    const r = await runMain(['--dir', dir, ...FIRST, '--db-engine', 'mariadb']);
    expect(r.exitCode, r.stderr).toBe(0);
    const services = Object.keys(composeOf(dir).services);
    expect(services).toContain('mariadb');
    expect(services).not.toContain('postgresql');
    const env = envOf(dir);
    expect(env).toMatchObject({ _APP_DB_ADAPTER: 'mariadb', _APP_DB_HOST: 'mariadb', _APP_DB_PORT: '3306' });
    expect(env._APP_DB_ROOT_PASS).toMatch(/^[A-Za-z0-9_-]{48}$/);
    expect(r.stdout).toMatch(/New secrets[^\n]*_APP_DB_ROOT_PASS/);
    expect(r.stdout).toMatch(/Database\s+bundled MariaDB/);
  });

  it('an existing install keeps its engine on a re-run', async ({ expect }) => {
    const dir = newDir();
    expect((await runMain(['--dir', dir, ...FIRST, '--db-engine', 'mariadb'])).exitCode).toBe(0);
    const r = await runMain(['--dir', dir, '--yes', '--no-start']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Nothing to change/);
    expect(envOf(dir)._APP_DB_ADAPTER).toBe('mariadb');
  });

  it('--db-engine postgresql with 1.9.10 is refused (1.9 runs MariaDB only)', async ({ expect }) => {
    const dir = newDir();
    const r = await runMain(['--dir', dir, ...FIRST, '--release', '1.9.10', '--db-engine', 'postgresql']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/--db-engine: must be one of mariadb for Appwrite 1\.9\.10 \(got "postgresql"\)/);
    expect(existsSync(dir)).toBe(false);
  });

  it('--db-engine mongodb is refused with a clear message', async ({ expect }) => {
    const dir = newDir();
    const r = await runMain(['--dir', dir, ...FIRST, '--db-engine', 'mongodb']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/--db-engine: MongoDB is not supported by harden-init yet: use postgresql or mariadb/);
    expect(existsSync(dir)).toBe(false);
  });

  it("an existing install on MongoDB (Appwrite's own installer) is left untouched: exit 2", async ({ expect }) => {
    const dir = newDir();
    mkdirSync(dir, { recursive: true });
    const env = [
      '_APP_ENV=production',
      '_APP_DOMAIN=aw.example.org',
      '_APP_DB_ADAPTER=mongodb',
      '_APP_DB_HOST=mongodb',
      '_APP_DB_PORT=27017',
      '_APP_OPENSSL_KEY_V1=your-secret-key',
      '',
    ].join('\n');
    const compose = 'services:\n  appwrite:\n    image: appwrite/appwrite:2.7.1\n  mongodb:\n    image: mongo:8\n';
    writeFileSync(join(dir, '.env'), env, { mode: 0o600 });
    writeFileSync(join(dir, 'docker-compose.yml'), compose);
    const r = await runMain(['--dir', dir, ...FIRST]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/This install uses MongoDB, which harden-init does not support yet; nothing was changed/);
    expect(readdirSync(dir).sort()).toEqual(['.env', 'docker-compose.yml']);
    expect(read(dir, '.env')).toBe(env);
    expect(read(dir, 'docker-compose.yml')).toBe(compose);
  });
});

describe.concurrent('e-mail and proxy mode', () => {
  it.for(['proxy', 'off'] as const)(
    '--https %s still requires --email (certificate jobs need it)',
    async (mode, { expect }) => {
      const dir = newDir();
      const r = await runMain([
        '--dir',
        dir,
        '--domain',
        'appwrite.example.com',
        '--https',
        mode,
        '--yes',
        '--no-start',
      ]);
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toMatch(/Missing --email/);
      expect(existsSync(dir)).toBe(false);
      const ok = await runMain(['--dir', dir, ...FIRST, '--https', mode]);
      expect(ok.exitCode, ok.stderr).toBe(0);
      expect(envOf(dir)).toMatchObject({
        _APP_EMAIL_CERTIFICATES: 'admin@example.com',
        _APP_SYSTEM_SECURITY_EMAIL_ADDRESS: 'admin@example.com',
      });
    },
  );

  it('--https-port applies only with --https auto', async ({ expect }) => {
    const dir = newDir();
    const r = await runMain(['--dir', dir, ...FIRST, '--https', 'proxy', '--https-port', '8443']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/--https-port does not apply: it is used with --https auto/);
    expect(existsSync(dir)).toBe(false);
  });

  it('--https proxy on 2.x trusts only the proxies it can see (_APP_TRUSTED_PROXIES) and publishes HTTP on loopback', async ({
    expect,
  }) => {
    const dir = newDir();
    const r = await runMain([
      '--dir',
      dir,
      ...FIRST,
      '--https',
      'proxy',
      '--http-port',
      '8080',
      '--console',
      'ips',
      '--console-ips',
      '203.0.113.7',
    ]);
    expect(r.exitCode, r.stderr).toBe(0);
    // traefik's fixed address and the host's (the shared network's gateway): no private range, no loopback
    expect(envOf(dir)._APP_TRUSTED_PROXIES).toBe('10.213.78.2/32,10.213.78.1/32');
    const compose = parse(read(dir, 'docker-compose.yml'));
    for (const name of ['appwrite', 'appwrite-realtime'])
      expect(compose.services[name].environment, name).toContain('_APP_TRUSTED_PROXIES');
    expect(compose.services.traefik.command).toContain(
      '--entrypoints.appwrite_web.forwardedHeaders.trustedIPs=10.213.78.1/32',
    );
    expect(published(dir)).toEqual({ traefik: ['127.0.0.1:8080:80'] });
    expect(r.stdout).not.toMatch(/X-Forwarded-For \$remote_addr/);
  });

  it('--https proxy on 1.9 with --console ips warns and prints the nginx and Caddy lines', async ({ expect }) => {
    const dir = newDir();
    const r = await runMain([
      '--dir',
      dir,
      ...FIRST,
      '--release',
      '1.9.10',
      '--https',
      'proxy',
      '--http-port',
      '8080',
      '--console',
      'ips',
      '--console-ips',
      '203.0.113.7',
    ]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Appwrite 1\.9 takes the client IP from the leftmost X-Forwarded-For entry/);
    expect(r.stdout).toContain('nginx: proxy_set_header X-Forwarded-For $remote_addr;');
    expect(r.stdout).toContain('Caddy: reverse_proxy 127.0.0.1:8080 { header_up X-Forwarded-For {remote_host} }');
    expect(envOf(dir)).not.toHaveProperty('_APP_TRUSTED_PROXIES');
  });

  it('the 1.9 proxy warning is not given for console modes that do not use the client IP', async ({ expect }) => {
    const dir = newDir();
    const r = await runMain(['--dir', dir, ...FIRST, '--release', '1.9.10', '--https', 'proxy']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(/X-Forwarded-For/);
  });
});
