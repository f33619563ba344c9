// plan(): answers + the existing install + one release's template → the files to write. Pure.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { plan } from '../helpers/plan.js';
import { parseEnv } from '../../src/engine/envfile.js';
import { parseState, type HistoryEntry } from '../../src/engine/state.js';
import { secretsToGenerate } from '../../src/targets/appwrite/env-values.js';
import { BASE, BASE_19, counter, envOf, existingAfter, fileOf, readAfter, templateOf } from '../helpers/fixtures.js';
import type { Answers } from '../../src/targets/appwrite/answers.js';

const t = templateOf('2.7.1');
const t19 = templateOf('1.9.10');
const EMPTY = { dir: '/x' };
const fresh = (a: Partial<Answers> = {}, dbPassword?: string) =>
  plan({ ...BASE, ...a }, EMPTY, t, { composePolicy: 'keep', random: counter(), dbPassword });
const fresh19 = (a: Partial<Answers> = {}, dbPassword?: string) =>
  plan({ ...BASE_19, ...a }, EMPTY, t19, { composePolicy: 'keep', random: counter(), dbPassword });
const compose = (p: ReturnType<typeof plan>) => parse(fileOf(p, 'docker-compose.yml'));

describe('first install', () => {
  it('writes .env (0600), docker-compose.yml, the copy of it an upgrade carries hand edits against, and state.json', () => {
    const p = fresh();
    expect(p.changes.map((f) => [f.path, f.mode])).toEqual([
      ['.env', 0o600],
      ['docker-compose.yml', 0o644],
      ['.harden-init/compose-written.yml', 0o644],
      ['traefik-routes.yml', 0o644],
      ['.harden-init/state.json', 0o600],
    ]);
    const content = (path: string) => p.files.find((f) => f.path === path)!.content;
    expect(content('.harden-init/compose-written.yml')).toBe(content('docker-compose.yml'));
  });
  it('sets every variable of the release, with production and security switches on (2.x: PostgreSQL)', () => {
    const env = envOf(fresh());
    for (const l of parseEnv(t.envDefaults).lines) if (l.key) expect(env, l.key).toHaveProperty(l.key);
    expect(env).toMatchObject({
      _APP_ENV: 'production',
      _APP_OPTIONS_ABUSE: 'enabled',
      _APP_OPTIONS_ROUTER_PROTECTION: 'enabled',
      _APP_OPTIONS_FORCE_HTTPS: 'enabled',
      _APP_OPTIONS_ROUTER_FORCE_HTTPS: 'enabled',
      _APP_DOMAIN: 'appwrite.example.com',
      _APP_DOMAIN_TARGET_CNAME: 'appwrite.example.com',
      _APP_CONSOLE_DOMAIN: 'appwrite.example.com',
      _APP_EMAIL_CERTIFICATES: 'admin@example.com',
      _APP_SYSTEM_SECURITY_EMAIL_ADDRESS: 'admin@example.com',
      _APP_CONSOLE_WHITELIST_ROOT: 'enabled',
      _APP_CONSOLE_WHITELIST_EMAILS: '',
      _APP_CONSOLE_WHITELIST_IPS: '',
      _APP_DB_HOST: 'postgresql',
      _APP_DB_PORT: '5432',
      _APP_DB_ADAPTER: 'postgresql',
    });
  });
  it('1.9 gets MariaDB and no 2.x-only variable', () => {
    const env = envOf(fresh19());
    for (const l of parseEnv(t19.envDefaults).lines) if (l.key) expect(env, l.key).toHaveProperty(l.key);
    expect(env).toMatchObject({
      _APP_DB_HOST: 'mariadb',
      _APP_DB_PORT: '3306',
      _APP_DB_ADAPTER: 'mariadb',
      _APP_EMAIL_CERTIFICATES: 'admin@example.com',
    });
    expect(env).not.toHaveProperty('_APP_JOBS_SECRET');
    expect(env).not.toHaveProperty('_APP_USAGE_PASS');
    expect(env).not.toHaveProperty('_APP_TRUSTED_PROXIES');
  });
  it('generates each secret: distinct, at least 32 characters, from [A-Za-z0-9_-] (real randomness)', () => {
    const p = plan(BASE, EMPTY, t, { composePolicy: 'keep' });
    const env = envOf(p);
    const wanted = secretsToGenerate(t.secrets.generate, BASE);
    const values = wanted.map((k) => env[k]!);
    expect(p.generatedSecrets.sort()).toEqual([...wanted].sort());
    for (const v of values) expect(v).toMatch(/^[A-Za-z0-9_-]{32,}$/);
    expect(new Set(values).size).toBe(values.length);
    expect(wanted).toEqual(
      expect.arrayContaining([
        '_APP_OPENSSL_KEY_V1',
        '_APP_EXECUTOR_SECRET',
        '_APP_DB_PASS',
        '_APP_JOBS_SECRET',
        '_APP_GEO_SECRET',
        '_APP_NOTIFICATIONS_TRACKING_SECRET',
        '_APP_USAGE_PASS',
      ]),
    );
    // PostgreSQL has no root account in upstream's compose; MariaDB (1.9) does.
    expect(p.generatedSecrets).not.toContain('_APP_DB_ROOT_PASS');
    expect(env._APP_DB_ROOT_PASS ?? '').toBe('');
    expect(plan(BASE_19, EMPTY, t19, { composePolicy: 'keep' }).generatedSecrets).toContain('_APP_DB_ROOT_PASS');
  });
  it('no upstream example value survives: ClickHouse DSNs carry the generated usage password', () => {
    const env = envOf(fresh());
    for (const k of ['_APP_CONNECTIONS_DB_USAGE', '_APP_CONNECTIONS_DB_EXECUTIONS']) {
      expect(env[k]).toBe(`http://appwrite:${env._APP_USAGE_PASS}@clickhouse:8123/appwrite`);
    }
    for (const [k, v] of Object.entries(env))
      expect(v, k).not.toMatch(/^(your-secret-key|password|rootsecretpassword)$/);
  });
  it('puts no secret value into the compose file or the state file', () => {
    const p = fresh();
    const env = envOf(p);
    for (const k of p.generatedSecrets) {
      expect(fileOf(p, 'docker-compose.yml')).not.toContain(env[k]);
      expect(fileOf(p, '.harden-init/state.json')).not.toContain(env[k]);
    }
  });
  it("state.json records the release and the sha256 of upstream's compose file", () => {
    const s = parseState(fileOf(fresh(), '.harden-init/state.json'))!;
    expect(s).toMatchObject({
      release: '2.7.1',
      templateVersion: '2.7.1',
      answers: { release: '2.7.1', dbEngine: 'postgresql' },
    });
    expect(s.upstreamSha256).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('HTTPS modes', () => {
  it('auto publishes 80 and 443', () => expect(compose(fresh()).services.traefik.ports).toEqual(['80:80', '443:443']));
  it('proxy publishes only HTTP on loopback, keeps HTTPS forced and the certificate e-mail, trusts only local proxies', () => {
    const p = fresh({ https: 'proxy', httpPort: 8080 });
    const c = compose(p);
    expect(c.services.traefik.ports).toEqual(['127.0.0.1:8080:80']);
    expect(c.services.traefik.command.join(' ')).toMatch(/forwardedHeaders\.trustedIPs=/);
    expect(envOf(p)).toMatchObject({
      _APP_OPTIONS_FORCE_HTTPS: 'enabled',
      _APP_EMAIL_CERTIFICATES: 'admin@example.com',
    });
    // traefik's fixed address and the host's (the shared network's gateway), nothing else
    expect(envOf(p)._APP_TRUSTED_PROXIES).toBe('10.213.78.2/32,10.213.78.1/32');
    expect(envOf(fresh())._APP_TRUSTED_PROXIES).toBe('10.213.78.2/32');
  });
  it('off publishes only HTTP and disables forced HTTPS; the e-mail is still set', () => {
    const p = fresh({ https: 'off' });
    expect(compose(p).services.traefik.ports).toEqual(['80:80']);
    expect(envOf(p)).toMatchObject({
      _APP_OPTIONS_FORCE_HTTPS: 'disabled',
      _APP_OPTIONS_ROUTER_FORCE_HTTPS: 'disabled',
      _APP_EMAIL_CERTIFICATES: 'admin@example.com',
    });
  });
  it('custom ports are used', () =>
    expect(compose(fresh({ httpPort: 8080, httpsPort: 8443 })).services.traefik.ports).toEqual([
      '8080:80',
      '8443:443',
    ]));
});

describe('console whitelist modes', () => {
  it.each([
    [
      'root',
      {},
      { _APP_CONSOLE_WHITELIST_ROOT: 'enabled', _APP_CONSOLE_WHITELIST_EMAILS: '', _APP_CONSOLE_WHITELIST_IPS: '' },
    ],
    [
      'emails',
      { consoleEmails: ['a@example.com', 'b@example.com'] },
      {
        _APP_CONSOLE_WHITELIST_ROOT: 'disabled',
        _APP_CONSOLE_WHITELIST_EMAILS: 'a@example.com,b@example.com',
        _APP_CONSOLE_WHITELIST_IPS: '',
      },
    ],
    [
      'ips',
      { consoleIps: ['203.0.113.7', '2001:db8::1'] },
      {
        _APP_CONSOLE_WHITELIST_ROOT: 'disabled',
        _APP_CONSOLE_WHITELIST_EMAILS: '',
        _APP_CONSOLE_WHITELIST_IPS: '203.0.113.7,2001:db8::1',
      },
    ],
    [
      'open',
      {},
      { _APP_CONSOLE_WHITELIST_ROOT: 'disabled', _APP_CONSOLE_WHITELIST_EMAILS: '', _APP_CONSOLE_WHITELIST_IPS: '' },
    ],
  ] as const)('%s', (mode, extra, expected) => {
    expect(envOf(fresh({ console: mode, ...(extra as Partial<Answers>) }))).toMatchObject(expected);
  });
});

describe('database locations', () => {
  it('volume keeps PostgreSQL (2.x) on its named volume, on the internal network only', () => {
    const c = compose(fresh());
    expect(c.services.postgresql.volumes).toContain('appwrite-postgresql:/var/lib/postgresql:rw');
    expect(c.volumes).toHaveProperty('appwrite-postgresql');
    expect(c.services.postgresql.networks).toEqual(['internal']);
    expect(c.services).not.toHaveProperty('mariadb');
  });
  it('volume keeps MariaDB (1.9) on its named volume, on the internal network only', () => {
    const c = compose(fresh19());
    expect(c.services.mariadb.volumes).toContain('appwrite-mariadb:/var/lib/mysql:rw');
    expect(c.volumes).toHaveProperty('appwrite-mariadb');
    expect(c.services.mariadb.networks).toEqual(['internal']);
  });
  it('path binds the host directory and drops the volume', () => {
    const c = compose(fresh({ db: 'path', dbPath: '/srv/appwrite/db' }));
    expect(c.services.postgresql.volumes).toEqual(['/srv/appwrite/db:/var/lib/postgresql:rw']);
    expect(c.volumes).not.toHaveProperty('appwrite-postgresql');
  });
  it('external removes the bundled DB and every dependency on it, and uses the given server', () => {
    const p = fresh(
      { db: 'external', dbHost: 'db.example.com', dbPort: 5433, dbUser: 'aw', dbName: 'awdb' },
      'p@ss w0rd!',
    );
    const c = compose(p);
    expect(c.services).not.toHaveProperty('postgresql');
    expect(c.volumes ?? {}).not.toHaveProperty('appwrite-postgresql');
    for (const [name, svc] of Object.entries<Record<string, unknown>>(c.services)) {
      expect(JSON.stringify(svc.depends_on ?? {}), name).not.toContain('postgresql');
    }
    expect(envOf(p)).toMatchObject({
      _APP_DB_HOST: 'db.example.com',
      _APP_DB_PORT: '5433',
      _APP_DB_USER: 'aw',
      _APP_DB_SCHEMA: 'awdb',
      _APP_DB_PASS: 'p@ss w0rd!',
      _APP_DB_ADAPTER: 'postgresql',
    });
    expect(p.generatedSecrets).not.toContain('_APP_DB_PASS');
    expect(p.generatedSecrets).not.toContain('_APP_DB_ROOT_PASS');
  });
  it('MariaDB on 2.x: the mariadb service, its root password generated', () => {
    const p = fresh({ dbEngine: 'mariadb' });
    const c = compose(p);
    expect(c.services).toHaveProperty('mariadb');
    expect(c.services).not.toHaveProperty('postgresql');
    expect(envOf(p)).toMatchObject({ _APP_DB_HOST: 'mariadb', _APP_DB_PORT: '3306', _APP_DB_ADAPTER: 'mariadb' });
    expect(p.generatedSecrets).toContain('_APP_DB_ROOT_PASS');
  });
  it("a move names the engine's own volume", () => {
    const first = fresh();
    const p = plan({ ...BASE, db: 'path', dbPath: '/srv/db' }, existingAfter(first), t, {
      readFile: readAfter(first),
      composePolicy: 'keep',
      previous: BASE,
      random: counter(),
    });
    expect(p.dbMove).toEqual({ from: 'the Docker volume appwrite-postgresql', to: 'the host directory /srv/db' });
  });
});

describe('outgoing mail', () => {
  const smtp = {
    smtpHost: 'smtp.example.com',
    smtpPort: 465,
    smtpSecure: 'ssl' as const,
    smtpUser: 'mailer',
    smtpSender: 'aw@example.com',
  };
  it('sets the SMTP variables and the password only when one is given', () => {
    const p = plan({ ...BASE, ...smtp }, EMPTY, t, {
      composePolicy: 'keep',
      random: counter(),
      smtpPassword: 'mail-pw',
    });
    expect(envOf(p)).toMatchObject({
      _APP_SMTP_HOST: 'smtp.example.com',
      _APP_SMTP_PORT: '465',
      _APP_SMTP_SECURE: 'ssl',
      _APP_SMTP_USERNAME: 'mailer',
      _APP_SMTP_PASSWORD: 'mail-pw',
      _APP_SYSTEM_EMAIL_ADDRESS: 'aw@example.com',
    });
    expect(fileOf(p, '.harden-init/state.json')).not.toContain('mail-pw');
    const again = plan({ ...BASE, ...smtp }, existingAfter(p), t, {
      readFile: readAfter(p),
      composePolicy: 'keep',
      random: counter('other'),
    });
    expect(again.changes).toEqual([]);
  });
  it('the sender defaults to noreply@<domain>', () => {
    expect(
      envOf(fresh({ smtpHost: 'smtp.example.com', smtpPort: 587, smtpSecure: 'tls', smtpUser: '' }))
        ._APP_SYSTEM_EMAIL_ADDRESS,
    ).toBe('noreply@appwrite.example.com');
  });
});

describe('re-run', () => {
  it('same answers: no file changes at all', () => {
    const first = fresh();
    const again = plan(BASE, existingAfter(first), t, {
      readFile: readAfter(first),
      composePolicy: 'keep',
      random: counter('other'),
    });
    expect(again.changes).toEqual([]);
    expect(again.generatedSecrets).toEqual([]);
  });
  it('changing one answer changes only the lines it names; secrets are kept', () => {
    const first = fresh();
    const next = plan({ ...BASE, console: 'ips', consoleIps: ['203.0.113.7'] }, existingAfter(first), t, {
      readFile: readAfter(first),
      composePolicy: 'keep',
      random: counter('other'),
    });
    expect(next.changes.map((f) => f.path)).toEqual(['.env', '.harden-init/state.json']);
    const before = fileOf(first, '.env').split('\n');
    const after = fileOf(next, '.env').split('\n');
    const changed = after.filter((l, i) => l !== before[i]);
    expect(changed).toEqual(['_APP_CONSOLE_WHITELIST_ROOT=disabled', '_APP_CONSOLE_WHITELIST_IPS=203.0.113.7']);
  });
  it('never replaces an existing secret, even a known weak one, and warns about the weak encryption key', () => {
    const existing = existingAfter(fresh());
    const text = existing.envText!.replace(/^_APP_OPENSSL_KEY_V1=.*$/m, '_APP_OPENSSL_KEY_V1=your-secret-key');
    const p = plan(BASE, { ...existing, envText: text, env: parseEnv(text) }, t, {
      composePolicy: 'keep',
      random: counter('other'),
    });
    expect(envOf(p)._APP_OPENSSL_KEY_V1).toBe('your-secret-key');
    expect(p.warnings.join('\n')).toMatch(/_APP_OPENSSL_KEY_V1 holds a well-known example value.*unreadable/);
  });
  it('fills in a missing secret without touching the others', () => {
    const existing = existingAfter(fresh());
    const text = existing.envText!.replace(/^_APP_EXECUTOR_SECRET=.*$/m, '_APP_EXECUTOR_SECRET=');
    const p = plan(BASE, { ...existing, envText: text, env: parseEnv(text) }, t, {
      composePolicy: 'keep',
      random: counter('other'),
    });
    expect(p.generatedSecrets).toEqual(['_APP_EXECUTOR_SECRET']);
    expect(envOf(p)._APP_OPENSSL_KEY_V1).toBe(envOf(fresh())._APP_OPENSSL_KEY_V1);
  });
  it('a ClickHouse DSN pointed elsewhere by hand is kept; one at the bundled ClickHouse follows _APP_USAGE_PASS', () => {
    const existing = existingAfter(fresh());
    const text = existing
      .envText!.replace(
        /^_APP_CONNECTIONS_DB_USAGE=.*$/m,
        '_APP_CONNECTIONS_DB_USAGE=http://u:p@ch.example.com:8123/usage',
      )
      .replace(
        /^_APP_CONNECTIONS_DB_EXECUTIONS=.*$/m,
        '_APP_CONNECTIONS_DB_EXECUTIONS=http://appwrite:appwrite@clickhouse:8123/appwrite',
      );
    const p = plan(BASE, { ...existing, envText: text, env: parseEnv(text) }, t, {
      composePolicy: 'keep',
      random: counter('other'),
    });
    const env = envOf(p);
    expect(env._APP_CONNECTIONS_DB_USAGE).toBe('http://u:p@ch.example.com:8123/usage');
    expect(env._APP_CONNECTIONS_DB_EXECUTIONS).toBe(`http://appwrite:${env._APP_USAGE_PASS}@clickhouse:8123/appwrite`);
  });
  it('keeps keys the template does not know, with their lines as they were, and re-adds missing template keys', () => {
    const existing = existingAfter(fresh());
    const text = existing.envText!.replace(/^_APP_LOCALE=.*\n/m, '') + 'MY_SETTING="x  y" # mine\n';
    const p = plan(BASE, { ...existing, envText: text, env: parseEnv(text) }, t, {
      composePolicy: 'keep',
      random: counter('other'),
    });
    expect(fileOf(p, '.env')).toContain('MY_SETTING="x  y" # mine\n');
    expect(envOf(p)._APP_LOCALE).toBe('en');
  });
  it('turns security switches back on and says so', () => {
    const existing = existingAfter(fresh());
    const text = existing.envText!.replace('_APP_OPTIONS_ABUSE=enabled', '_APP_OPTIONS_ABUSE=disabled');
    const p = plan(BASE, { ...existing, envText: text, env: parseEnv(text) }, t, {
      composePolicy: 'keep',
      random: counter(),
    });
    expect(envOf(p)._APP_OPTIONS_ABUSE).toBe('enabled');
    expect(p.warnings.join()).toMatch(/_APP_OPTIONS_ABUSE was "disabled"/);
  });
  it('a hand-edited compose file is kept; the new one is proposed beside it', () => {
    const existing = existingAfter(fresh());
    const edited = existing.compose!.replace('max-file: "5"', 'max-file: "9"');
    expect(edited).not.toBe(existing.compose);
    const p = plan({ ...BASE, httpPort: 8080 }, { ...existing, compose: edited }, t, {
      composePolicy: 'keep',
      random: counter(),
    });
    expect(p.composeEdited).toBe(true);
    expect(p.changes.map((f) => f.path)).toContain('docker-compose.proposed.yml');
    expect(p.files.find((f) => f.path === 'docker-compose.yml')).toBeUndefined();
    // The copy an upgrade carries hand edits against stays what harden-init last wrote.
    expect(p.files.find((f) => f.path === '.harden-init/compose-written.yml')).toBeUndefined();
    expect(fileOf(p, 'docker-compose.proposed.yml')).toContain('"8080:80"');
    expect(p.notes.join()).toMatch(/kept as it is/);
  });
  it('replace policy overwrites the hand-edited compose file', () => {
    const existing = existingAfter(fresh());
    const edited = `${existing.compose!}# my note\n`;
    const p = plan(BASE, { ...existing, compose: edited }, t, { composePolicy: 'replace', random: counter() });
    expect(fileOf(p, 'docker-compose.yml')).not.toContain('# my note');
    const again = plan(BASE, existingAfter(p), t, { readFile: readAfter(p), composePolicy: 'keep', random: counter() });
    expect(again.changes).toEqual([]);
  });
  it('keeps an external DB password unless a new one is given', () => {
    const ext = { db: 'external' as const, dbHost: 'db.example.com', dbPort: 5432, dbUser: 'aw', dbName: 'aw' };
    const first = plan({ ...BASE, ...ext }, EMPTY, t, {
      composePolicy: 'keep',
      dbPassword: 'first',
      random: counter(),
    });
    const same = plan({ ...BASE, ...ext }, existingAfter(first), t, {
      readFile: readAfter(first),
      composePolicy: 'keep',
      random: counter(),
    });
    expect(same.changes).toEqual([]);
    const changed = plan({ ...BASE, ...ext }, existingAfter(first), t, {
      readFile: readAfter(first),
      composePolicy: 'keep',
      dbPassword: 'second',
      random: counter(),
    });
    expect(envOf(changed)._APP_DB_PASS).toBe('second');
  });
  it('a 1.9 install re-planned on its release changes nothing', () => {
    const first = fresh19();
    expect(
      plan(BASE_19, existingAfter(first), t19, {
        readFile: readAfter(first),
        composePolicy: 'keep',
        random: counter('other'),
      }).changes,
    ).toEqual([]);
  });
});

describe('state history', () => {
  it('an ordinary re-run keeps the upgrade history recorded in state.json', () => {
    const t = templateOf('2.7.1');
    const first = plan(BASE, { dir: '/x' }, t, { composePolicy: 'keep', random: counter() });
    const before = existingAfter(first);
    const history: HistoryEntry[] = [
      {
        from: '1.9.10',
        to: '2.7.1',
        when: '2026-11-20T10:00:00.000Z',
        backup: '.harden-init/backups/x',
        result: 'done',
      },
    ];
    const withHistory = { ...before, state: { ...before.state!, history } };
    const again = plan({ ...BASE, console: 'open' }, withHistory, t, {
      composePolicy: 'keep',
      random: counter(),
      previous: BASE,
    });
    expect(parseState(fileOf(again, '.harden-init/state.json'))!.history).toEqual(history);
  });
});
