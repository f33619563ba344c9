import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { USER_SUPPLIED, classifySecrets, isSecretName, usageDsn } from '../../../src/targets/appwrite/secret-names.js';
import type { UpstreamVariable } from '../../../src/targets/appwrite/upstream/types.js';
import { parseVariablesPhp } from '../../../src/targets/appwrite/upstream/variables-php.js';

const FIX = join(import.meta.dirname, '..', '..', 'fixtures', 'upstream', 'appwrite');
const php = (v: string): UpstreamVariable[] => parseVariablesPhp(readFileSync(join(FIX, v, 'variables.php'), 'utf8'));
/** The whole 2.x main list (includes 2.3.1+ names the 2.3.0 fixture leaves out). */
const mainList = (): UpstreamVariable[] =>
  readFileSync(join(FIX, '2.3.0', 'variables-with-introduction.txt'), 'utf8')
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const [name, , raw] = l.split('\t');
      const d = raw!.replace(/\s*\([^()]*\)\s*$/, '').trim();
      return { name: name!, default: d === '-' ? '' : d, filter: '', required: false };
    });
const v = (name: string, def = '', filter = ''): UpstreamVariable => ({ name, default: def, filter, required: false });

const LISTS: [string, () => UpstreamVariable[]][] = [
  ['1.9.5', () => php('1.9.5')],
  ['1.9.6', () => php('1.9.6')],
  ['2.3.0', () => php('2.3.0')],
  ['2.x main', mainList],
];

describe('classifySecrets on upstream lists', () => {
  it.each(LISTS)('%s: nothing secret-looking is unclassified', (_, load) => {
    const vars = load();
    const c = classifySecrets(vars);
    expect(c.unknown).toEqual([]);
    // Every name the masking pattern matches is in one of the lists.
    const classified = new Set([...c.generate, ...c.userSupplied, ...c.dsnWithGeneratedPassword]);
    for (const x of vars) if (isSecretName(x.name)) expect(classified, x.name).toContain(x.name);
  });

  it('1.9.6: generates the key, executor secret and both database passwords', () => {
    const c = classifySecrets(php('1.9.6'));
    expect(c.generate).toEqual(['_APP_OPENSSL_KEY_V1', '_APP_DB_PASS', '_APP_DB_ROOT_PASS', '_APP_EXECUTOR_SECRET']);
    expect(c.encryptionKeys).toEqual(['_APP_OPENSSL_KEY_V1']);
    expect(c.dsnWithGeneratedPassword).toEqual([]);
    expect(c.userSupplied).toContain('_APP_SMTP_PASSWORD');
    expect(c.userSupplied).toContain('_APP_STORAGE_S3_SECRET');
    expect(c.userSupplied).not.toContain('_APP_DB_PASS');
  });

  it("2.3.0: generate holds 2.x's new secrets; the ClickHouse DSNs are rebuilt, not asked for", () => {
    const c = classifySecrets(php('2.3.0'));
    for (const n of [
      '_APP_OPENSSL_KEY_V1',
      '_APP_EXECUTOR_SECRET',
      '_APP_DB_PASS',
      '_APP_DB_ROOT_PASS',
      '_APP_NOTIFICATIONS_TRACKING_SECRET',
      '_APP_JOBS_SECRET',
      '_APP_GEO_SECRET',
      '_APP_USAGE_PASS',
    ]) {
      expect(c.generate, n).toContain(n);
    }
    expect(c.dsnWithGeneratedPassword).toEqual(['_APP_CONNECTIONS_DB_USAGE', '_APP_CONNECTIONS_DB_EXECUTIONS']);
    for (const n of [
      '_APP_DB_PASS_DOCUMENTSDB',
      '_APP_DB_PASS_VECTORSDB',
      '_APP_VCS_GITEA_CLIENT_SECRET',
      '_APP_CONSOLE_GOOGLE_SECRET',
      '_APP_LOGGING_CONFIG',
      '_APP_SMS_PROVIDER',
      '_APP_PWNED_PASSWORDS_DSN',
      '_APP_REDIS_PASS',
      'DOCKERHUB_PULL_PASSWORD',
    ]) {
      expect(c.userSupplied, n).toContain(n);
    }
  });

  it('every user-supplied name exists upstream and is empty by default there', () => {
    const all = new Map<string, UpstreamVariable>();
    for (const [, load] of LISTS) for (const x of load()) all.set(x.name, x);
    for (const name of Object.keys(USER_SUPPLIED)) {
      expect(all.has(name), name).toBe(true);
      // _APP_PWNED_PASSWORDS_DSN defaults to the 'none://localhost' off switch, which carries no credential.
      if (name !== '_APP_PWNED_PASSWORDS_DSN') expect(all.get(name)!.default, name).toBe('');
    }
  });
});

describe('classifySecrets on synthetic lists', () => {
  it('a new secret-looking name is unknown; so is a default with user:pass@', () => {
    const c = classifySecrets([
      v('_APP_NEW_THING_SECRET'),
      v('_APP_FOO_TOKEN'),
      v('_APP_BAR_KEY_V2'),
      v('_APP_NEW_DSN', 'redis://user:hunter2@cache:6379'),
      v('_APP_PLAIN', 'http://example.com/path'),
      v('_APP_DOMAIN', 'localhost'),
    ]);
    expect(c.unknown).toEqual(['_APP_NEW_THING_SECRET', '_APP_FOO_TOKEN', '_APP_BAR_KEY_V2', '_APP_NEW_DSN']);
    expect(c.generate).toEqual([]);
  });

  it("upstream's filter mark makes a new name generated; only present names are listed", () => {
    const c = classifySecrets([
      v('_APP_FUTURE_KEY', '', 'token'),
      v('_APP_X_PASS', '', 'password'),
      v('_APP_DOMAIN_TARGET', 'localhost', 'domainTarget'),
    ]);
    expect(c.generate).toEqual(['_APP_FUTURE_KEY', '_APP_X_PASS']);
    expect(c.encryptionKeys).toEqual([]);
    expect(c.unknown).toEqual([]);
    expect(c.userSupplied).toEqual([]);
  });
});

describe('isSecretName', () => {
  it('matches the pattern and the known credential names, not ordinary settings', () => {
    for (const n of [
      '_APP_OPENSSL_KEY_V1',
      '_APP_DB_PASS',
      '_APP_SMTP_PASSWORD',
      '_APP_X_TOKEN',
      '_APP_VCS_GITHUB_PRIVATE_KEY',
      '_APP_SECRET_THING',
      '_APP_SMS_PROVIDER',
      '_APP_DB_PASS_VECTORSDB',
      '_APP_CONNECTIONS_DB_USAGE',
    ]) {
      expect(isSecretName(n), n).toBe(true);
    }
    for (const n of [
      '_APP_DOMAIN',
      '_APP_DB_USER',
      '_APP_SMTP_USERNAME',
      '_APP_VCS_GITHUB_CLIENT_ID',
      '_APP_KEYBOARD',
      '_APP_PASSES',
    ]) {
      expect(isSecretName(n), n).toBe(false);
    }
  });
});

describe('usageDsn', () => {
  const DEF = 'http://appwrite:appwrite@clickhouse:8123/appwrite';

  it('replaces only the password', () => {
    expect(usageDsn(DEF, 'S3cr3t-_x')).toBe('http://appwrite:S3cr3t-_x@clickhouse:8123/appwrite');
    expect(usageDsn('https://usr@db.example:9440/x?secure=1', 'p')).toBe('https://usr:p@db.example:9440/x?secure=1');
  });

  it('refuses passwords that would need URL escaping, and DSNs without a user', () => {
    for (const bad of ['', 'a@b', 'a:b', 'a/b', 'a b', 'a#b', 'é'])
      expect(() => usageDsn(DEF, bad), bad).toThrow(/URL-safe/);
    expect(() => usageDsn('http://clickhouse:8123/appwrite', 'p')).toThrow(/no user/);
  });

  it('property: any base64url password round-trips through the DSN', () => {
    fc.assert(
      fc.property(
        fc
          .base64String({ minLength: 4 })
          .map((s) => s.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '') || 'x'),
        (pw) => {
          const out = new URL(usageDsn(DEF, pw));
          expect([out.username, out.password, out.host, out.pathname]).toEqual([
            'appwrite',
            pw,
            'clickhouse:8123',
            '/appwrite',
          ]);
        },
      ),
      { numRuns: 300 },
    );
  });
});
