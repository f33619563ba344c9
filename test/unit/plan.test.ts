import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { plan } from '../../src/engine/plan.js';
import { loadTemplate } from '../../src/engine/template.js';
import { parseEnv } from '../../src/engine/envfile.js';
import { BASE, counter, envOf, existingAfter, fileOf } from '../helpers/fixtures.js';
import type { Answers } from '../../src/answers.js';

const t = loadTemplate();
const EMPTY = { dir: '/x' };
const fresh = (a: Partial<Answers> = {}, dbPassword?: string) =>
  plan({ ...BASE, ...a }, EMPTY, t, { composePolicy: 'keep', random: counter(), dbPassword });
const compose = (p: ReturnType<typeof plan>) => parse(fileOf(p, 'docker-compose.yml'));

describe('first install', () => {
  it('writes .env (0600), docker-compose.yml and state.json', () => {
    const p = fresh();
    expect(p.changes.map((f) => [f.path, f.mode])).toEqual([['.env', 0o600], ['docker-compose.yml', 0o644], ['.harden-init/state.json', 0o600]]);
  });
  it('sets every variable the template uses, with production and security switches on', () => {
    const env = envOf(fresh());
    for (const l of parseEnv(t.envDefaults).lines) if (l.key) expect(env, l.key).toHaveProperty(l.key);
    expect(env).toMatchObject({
      _APP_ENV: 'production', _APP_OPTIONS_ABUSE: 'enabled', _APP_OPTIONS_ROUTER_PROTECTION: 'enabled',
      _APP_OPTIONS_FORCE_HTTPS: 'enabled', _APP_OPTIONS_ROUTER_FORCE_HTTPS: 'enabled',
      _APP_DOMAIN: 'appwrite.example.com', _APP_DOMAIN_TARGET_CNAME: 'appwrite.example.com', _APP_CONSOLE_DOMAIN: 'appwrite.example.com',
      _APP_EMAIL_CERTIFICATES: 'admin@example.com', _APP_SYSTEM_SECURITY_EMAIL_ADDRESS: 'admin@example.com',
      _APP_CONSOLE_WHITELIST_ROOT: 'enabled', _APP_CONSOLE_WHITELIST_EMAILS: '', _APP_CONSOLE_WHITELIST_IPS: '',
      _APP_DB_HOST: 'mariadb', _APP_DB_PORT: '3306', _APP_DB_ADAPTER: 'mariadb',
    });
  });
  it('generates each secret: distinct, at least 32 characters, from [A-Za-z0-9_-] (real randomness)', () => {
    const p = plan(BASE, EMPTY, t, { composePolicy: 'keep' });
    const env = envOf(p);
    const values = t.secrets.generate.map((k) => env[k]!);
    expect(p.generatedSecrets).toEqual(t.secrets.generate);
    for (const v of values) expect(v).toMatch(/^[A-Za-z0-9_-]{32,}$/);
    expect(new Set(values).size).toBe(values.length);
    expect(t.secrets.generate).toEqual(expect.arrayContaining(['_APP_OPENSSL_KEY_V1', '_APP_EXECUTOR_SECRET', '_APP_DB_PASS', '_APP_DB_ROOT_PASS']));
  });
  it('puts no secret value into the compose file or the state file', () => {
    const p = fresh();
    const env = envOf(p);
    for (const k of t.secrets.generate) {
      expect(fileOf(p, 'docker-compose.yml')).not.toContain(env[k]);
      expect(fileOf(p, '.harden-init/state.json')).not.toContain(env[k]);
    }
  });
});

describe('HTTPS modes', () => {
  it('auto publishes 80 and 443', () => expect(compose(fresh()).services.traefik.ports).toEqual(['80:80', '443:443']));
  it('proxy publishes only HTTP on loopback, keeps HTTPS forced, trusts the proxy headers', () => {
    const p = fresh({ https: 'proxy', email: undefined, httpPort: 8080 });
    const c = compose(p);
    expect(c.services.traefik.ports).toEqual(['127.0.0.1:8080:80']);
    expect(c.services.traefik.command.join(' ')).toMatch(/forwardedHeaders\.trustedIPs=/);
    expect(envOf(p)._APP_OPTIONS_FORCE_HTTPS).toBe('enabled');
    expect(p.answers.email).toBeUndefined();
  });
  it('off publishes only HTTP and disables forced HTTPS', () => {
    const p = fresh({ https: 'off' });
    expect(compose(p).services.traefik.ports).toEqual(['80:80']);
    expect(envOf(p)).toMatchObject({ _APP_OPTIONS_FORCE_HTTPS: 'disabled', _APP_OPTIONS_ROUTER_FORCE_HTTPS: 'disabled' });
  });
  it('custom ports are used', () => expect(compose(fresh({ httpPort: 8080, httpsPort: 8443 })).services.traefik.ports).toEqual(['8080:80', '8443:443']));
});

describe('console whitelist modes', () => {
  it.each([
    ['root', {}, { _APP_CONSOLE_WHITELIST_ROOT: 'enabled', _APP_CONSOLE_WHITELIST_EMAILS: '', _APP_CONSOLE_WHITELIST_IPS: '' }],
    ['emails', { consoleEmails: ['a@example.com', 'b@example.com'] }, { _APP_CONSOLE_WHITELIST_ROOT: 'disabled', _APP_CONSOLE_WHITELIST_EMAILS: 'a@example.com,b@example.com', _APP_CONSOLE_WHITELIST_IPS: '' }],
    ['ips', { consoleIps: ['203.0.113.7', '2001:db8::1'] }, { _APP_CONSOLE_WHITELIST_ROOT: 'disabled', _APP_CONSOLE_WHITELIST_EMAILS: '', _APP_CONSOLE_WHITELIST_IPS: '203.0.113.7,2001:db8::1' }],
    ['open', {}, { _APP_CONSOLE_WHITELIST_ROOT: 'disabled', _APP_CONSOLE_WHITELIST_EMAILS: '', _APP_CONSOLE_WHITELIST_IPS: '' }],
  ] as const)('%s', (mode, extra, expected) => {
    expect(envOf(fresh({ console: mode, ...(extra as Partial<Answers>) }))).toMatchObject(expected);
  });
});

describe('database locations', () => {
  it('volume keeps MariaDB on the named volume, on the internal network only', () => {
    const c = compose(fresh());
    expect(c.services.mariadb.volumes).toContain('appwrite-mariadb:/var/lib/mysql:rw');
    expect(c.volumes).toHaveProperty('appwrite-mariadb');
    expect(c.services.mariadb.networks).toEqual(['internal']);
  });
  it('path binds the host directory and drops the volume', () => {
    const c = compose(fresh({ db: 'path', dbPath: '/srv/appwrite/db' }));
    expect(c.services.mariadb.volumes).toEqual(['/srv/appwrite/db:/var/lib/mysql:rw']);
    expect(c.volumes).not.toHaveProperty('appwrite-mariadb');
  });
  it('external removes the bundled DB and every dependency on it, and uses the given server', () => {
    const p = fresh({ db: 'external', dbHost: 'db.example.com', dbPort: 3307, dbUser: 'aw', dbName: 'awdb' }, "p@ss w0rd!");
    const c = compose(p);
    expect(c.services).not.toHaveProperty('mariadb');
    expect(c.volumes).not.toHaveProperty('appwrite-mariadb');
    for (const [name, svc] of Object.entries<Record<string, unknown>>(c.services)) {
      expect(JSON.stringify(svc.depends_on ?? {}), name).not.toContain('mariadb');
    }
    expect(envOf(p)).toMatchObject({ _APP_DB_HOST: 'db.example.com', _APP_DB_PORT: '3307', _APP_DB_USER: 'aw', _APP_DB_SCHEMA: 'awdb', _APP_DB_PASS: 'p@ss w0rd!' });
    expect(p.generatedSecrets).not.toContain('_APP_DB_PASS');
    expect(p.generatedSecrets).not.toContain('_APP_DB_ROOT_PASS');
  });
});

describe('re-run', () => {
  it('same answers: no file changes at all', () => {
    const first = fresh();
    const again = plan(BASE, existingAfter(first), t, { composePolicy: 'keep', random: counter('other') });
    expect(again.changes).toEqual([]);
    expect(again.generatedSecrets).toEqual([]);
  });
  it('changing one answer changes only the lines it names; secrets are kept', () => {
    const first = fresh();
    const next = plan({ ...BASE, console: 'ips', consoleIps: ['203.0.113.7'] }, existingAfter(first), t, { composePolicy: 'keep', random: counter('other') });
    expect(next.changes.map((f) => f.path)).toEqual(['.env', '.harden-init/state.json']);
    const before = fileOf(first, '.env').split('\n');
    const after = fileOf(next, '.env').split('\n');
    const changed = after.filter((l, i) => l !== before[i]);
    expect(changed).toEqual(['_APP_CONSOLE_WHITELIST_ROOT=disabled', '_APP_CONSOLE_WHITELIST_IPS=203.0.113.7']);
  });
  it('never replaces an existing secret, even a known weak one, and warns about the weak encryption key', () => {
    const existing = existingAfter(fresh());
    const text = existing.envText!.replace(/^_APP_OPENSSL_KEY_V1=.*$/m, '_APP_OPENSSL_KEY_V1=your-secret-key');
    const p = plan(BASE, { ...existing, envText: text, env: parseEnv(text) }, t, { composePolicy: 'keep', random: counter('other') });
    expect(envOf(p)._APP_OPENSSL_KEY_V1).toBe('your-secret-key');
    expect(p.warnings.join('\n')).toMatch(/_APP_OPENSSL_KEY_V1 holds a well-known example value.*unreadable/);
  });
  it('fills in a missing secret without touching the others', () => {
    const existing = existingAfter(fresh());
    const text = existing.envText!.replace(/^_APP_EXECUTOR_SECRET=.*$/m, '_APP_EXECUTOR_SECRET=');
    const p = plan(BASE, { ...existing, envText: text, env: parseEnv(text) }, t, { composePolicy: 'keep', random: counter('other') });
    expect(p.generatedSecrets).toEqual(['_APP_EXECUTOR_SECRET']);
    expect(envOf(p)._APP_OPENSSL_KEY_V1).toBe(envOf(fresh())._APP_OPENSSL_KEY_V1);
  });
  it('keeps keys the template does not know, with their lines as they were, and re-adds missing template keys', () => {
    const existing = existingAfter(fresh());
    const text = existing.envText!.replace(/^_APP_LOCALE=.*\n/m, '') + 'MY_SETTING="x  y" # mine\n';
    const p = plan(BASE, { ...existing, envText: text, env: parseEnv(text) }, t, { composePolicy: 'keep', random: counter('other') });
    expect(fileOf(p, '.env')).toContain('MY_SETTING="x  y" # mine\n');
    expect(envOf(p)._APP_LOCALE).toBe('en');
  });
  it('turns security switches back on and says so', () => {
    const existing = existingAfter(fresh());
    const text = existing.envText!.replace('_APP_OPTIONS_ABUSE=enabled', '_APP_OPTIONS_ABUSE=disabled');
    const p = plan(BASE, { ...existing, envText: text, env: parseEnv(text) }, t, { composePolicy: 'keep', random: counter() });
    expect(envOf(p)._APP_OPTIONS_ABUSE).toBe('enabled');
    expect(p.warnings.join()).toMatch(/_APP_OPTIONS_ABUSE was "disabled"/);
  });
  it('a hand-edited compose file is kept; the new one is proposed beside it', () => {
    const existing = existingAfter(fresh());
    const edited = existing.compose!.replace('max-file: \'5\'', 'max-file: \'9\'');
    const p = plan({ ...BASE, httpPort: 8080 }, { ...existing, compose: edited }, t, { composePolicy: 'keep', random: counter() });
    expect(p.composeEdited).toBe(true);
    expect(p.changes.map((f) => f.path)).toContain('docker-compose.proposed.yml');
    expect(p.files.find((f) => f.path === 'docker-compose.yml')).toBeUndefined();
    expect(fileOf(p, 'docker-compose.proposed.yml')).toContain('"8080:80"');
    expect(p.notes.join()).toMatch(/kept as it is/);
  });
  it('replace policy overwrites the hand-edited compose file', () => {
    const existing = existingAfter(fresh());
    const edited = `${existing.compose!}# my note\n`;
    const p = plan(BASE, { ...existing, compose: edited }, t, { composePolicy: 'replace', random: counter() });
    expect(fileOf(p, 'docker-compose.yml')).not.toContain('# my note');
    const again = plan(BASE, existingAfter(p), t, { composePolicy: 'keep', random: counter() });
    expect(again.changes).toEqual([]);
  });
  it('keeps an external DB password unless a new one is given', () => {
    const ext = { db: 'external' as const, dbHost: 'db.example.com', dbPort: 3306, dbUser: 'aw', dbName: 'aw' };
    const first = plan({ ...BASE, ...ext }, EMPTY, t, { composePolicy: 'keep', dbPassword: 'first', random: counter() });
    const same = plan({ ...BASE, ...ext }, existingAfter(first), t, { composePolicy: 'keep', random: counter() });
    expect(same.changes).toEqual([]);
    const changed = plan({ ...BASE, ...ext }, existingAfter(first), t, { composePolicy: 'keep', dbPassword: 'second', random: counter() });
    expect(envOf(changed)._APP_DB_PASS).toBe('second');
  });
});
