import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { answersError, normalizeAnswers, type LangflowAnswers } from '../../../src/targets/langflow/answers.js';
import { renderCompose } from '../../../src/targets/langflow/compose.js';
import {
  ENCRYPTION_KEYS,
  SECRET_KEY_LENGTH,
  SECURITY_SWITCHES,
  answersFromEnv,
  envNames,
  generateSecretKey,
  managedValues,
  publicOrigin,
  secretKeyProblem,
  secretSpecs,
} from '../../../src/targets/langflow/env-values.js';
import { canonicalIpOrRange } from '../../../src/targets/langflow/questions.js';
import { SECRET_CHARSET } from '../../../src/engine/secrets.js';
import { encodeValue, parseEnv, toRecord } from '../../../src/engine/envfile.js';
import { allCombinations, answers, comboName, envText } from './combos.js';

describe('managedValues', () => {
  it('always switches auto-login, the superuser CLI and new-user activation off', () => {
    for (const a of allCombinations()) {
      const v = managedValues(a);
      expect(v.LANGFLOW_AUTO_LOGIN, comboName(a)).toBe('False');
      expect(v.LANGFLOW_SKIP_AUTH_AUTO_LOGIN).toBe('False');
      expect(v.LANGFLOW_ENABLE_SUPERUSER_CLI).toBe('False');
      expect(v.LANGFLOW_NEW_USER_IS_ACTIVE).toBe('False');
      expect(v.LANGFLOW_CONFIG_DIR).toBe('/app/langflow');
      expect(v.LANGFLOW_SUPERUSER).toBe('admin');
      expect(v.LANGFLOW_WEBHOOK_AUTH_ENABLE).toBe('True');
      expect(v.LANGFLOW_RESTRICT_LOCAL_FILE_ACCESS).toBe('True');
      expect(v.LANGFLOW_SSRF_PROTECTION_ENABLED).toBe('True');
      expect(v.LANGFLOW_CORS_ALLOW_CREDENTIALS).toBe('False');
      for (const s of SECURITY_SWITCHES) expect(v[s], s).toBeDefined();
      // no secret is a managed value
      for (const s of secretSpecs(a)) expect(v[s.name]).toBeUndefined();
      // every value survives every .env reader
      for (const [k, val] of Object.entries(v)) expect(() => encodeValue(val), k).not.toThrow();
    }
  });

  it('opens sign-up only in open mode', () => {
    expect(managedValues(answers({ console: 'open' })).LANGFLOW_ENABLE_SIGNUP).toBe('True');
    expect(managedValues(answers({ console: 'root' })).LANGFLOW_ENABLE_SIGNUP).toBe('False');
    expect(managedValues(answers({ console: 'ips' })).LANGFLOW_ENABLE_SIGNUP).toBe('False');
    expect(managedValues(answers({ console: 'ips' })).CONSOLE_IPS).toBe('203.0.113.7,10.0.0.0/8,2001:db8::/32');
  });

  it('allows exactly the UI origin: https when HTTPS is on, http when off, with a non-default port', () => {
    expect(managedValues(answers()).LANGFLOW_CORS_ORIGINS).toBe('https://langflow.example.com');
    expect(managedValues(answers({ https: 'proxy' })).LANGFLOW_CORS_ORIGINS).toBe('https://langflow.example.com');
    expect(managedValues(answers({ https: 'off' })).LANGFLOW_CORS_ORIGINS).toBe('http://langflow.example.com');
    expect(managedValues(answers({ https: 'off', httpPort: 8080 })).LANGFLOW_CORS_ORIGINS).toBe(
      'http://langflow.example.com:8080',
    );
    expect(managedValues(answers({ httpsPort: 8443 })).LANGFLOW_CORS_ORIGINS).toBe('https://langflow.example.com:8443');
    expect(publicOrigin({ domain: '2001:db8::1', https: 'auto', httpPort: 80, httpsPort: 443 })).toBe(
      'https://[2001:db8::1]',
    );
  });

  it('makes cookies Secure whenever HTTPS is on', () => {
    for (const https of ['auto', 'proxy'] as const) {
      expect(managedValues(answers({ https })).LANGFLOW_ACCESS_SECURE).toBe('True');
      expect(managedValues(answers({ https })).LANGFLOW_REFRESH_SECURE).toBe('True');
    }
    expect(managedValues(answers({ https: 'off' })).LANGFLOW_ACCESS_SECURE).toBe('False');
  });

  it('keeps SQLite in the config dir only for sqlite, and describes the Postgres for the others', () => {
    expect(managedValues(answers({ db: 'sqlite' }))).toMatchObject({ LANGFLOW_SAVE_DB_IN_CONFIG_DIR: 'True' });
    expect(managedValues(answers({ db: 'sqlite' })).POSTGRES_HOST).toBeUndefined();
    expect(managedValues(answers({ db: 'volume' }))).toMatchObject({
      LANGFLOW_SAVE_DB_IN_CONFIG_DIR: 'False',
      POSTGRES_HOST: 'postgres',
      POSTGRES_PORT: '5432',
      POSTGRES_USER: 'langflow',
      POSTGRES_DB: 'langflow',
    });
    expect(managedValues(answers({ db: 'external' }))).toMatchObject({
      POSTGRES_HOST: 'db.internal.example.com',
      POSTGRES_PORT: '5433',
      POSTGRES_USER: 'lf_user',
      POSTGRES_DB: 'lf_db',
    });
    // the database URL is assembled by compose, never stored with its password in .env
    for (const a of allCombinations()) expect(managedValues(a).LANGFLOW_DATABASE_URL).toBeUndefined();
  });

  it('trusts forwarded client addresses only behind the bundled Caddy', () => {
    expect(managedValues(answers({ https: 'auto' })).LANGFLOW_RATE_LIMIT_TRUST_PROXY).toBe('True');
    expect(managedValues(answers({ https: 'off' })).LANGFLOW_RATE_LIMIT_TRUST_PROXY).toBe('True');
    expect(managedValues(answers({ https: 'proxy' })).LANGFLOW_RATE_LIMIT_TRUST_PROXY).toBe('False');
  });
});

describe('secrets', () => {
  it('generates the secret key as exactly 32 bytes of base64url (Fernet), never rotated', () => {
    expect(ENCRYPTION_KEYS).toEqual(['LANGFLOW_SECRET_KEY']);
    const spec = secretSpecs(answers()).find((s) => s.name === 'LANGFLOW_SECRET_KEY')!;
    expect(spec.neverRotate).toBe(true);
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const k = spec.generate();
      expect(k).toHaveLength(SECRET_KEY_LENGTH);
      expect(k).toMatch(SECRET_CHARSET);
      expect(Buffer.from(k, 'base64url')).toHaveLength(32);
      expect(Buffer.from(k, 'base64url').toString('base64url')).toBe(k); // canonical
      expect(secretKeyProblem(k)).toBeUndefined();
      seen.add(k);
    }
    expect(seen.size).toBe(200);
  });

  it("says why an existing key cannot serve as Langflow's Fernet key", () => {
    expect(secretKeyProblem('short')).toMatch(/32/);
    expect(secretKeyProblem('x'.repeat(48))).toMatch(/36 bytes/);
    expect(secretKeyProblem(`${generateSecretKey()}=`)).toBeUndefined();
    expect(secretKeyProblem('a b'.repeat(20))).toMatch(/base64/);
  });

  it('generates the superuser password always, the Postgres password only for the bundled DB', () => {
    const names = (db: LangflowAnswers['db']) => secretSpecs({ db }).map((s) => s.name);
    expect(names('volume')).toEqual(['LANGFLOW_SECRET_KEY', 'LANGFLOW_SUPERUSER_PASSWORD', 'POSTGRES_PASSWORD']);
    expect(names('path')).toEqual(['LANGFLOW_SECRET_KEY', 'LANGFLOW_SUPERUSER_PASSWORD', 'POSTGRES_PASSWORD']);
    expect(names('sqlite')).toEqual(['LANGFLOW_SECRET_KEY', 'LANGFLOW_SUPERUSER_PASSWORD']);
    expect(names('external')).toEqual(['LANGFLOW_SECRET_KEY', 'LANGFLOW_SUPERUSER_PASSWORD']);
    const pw = secretSpecs({ db: 'volume' }).find((s) => s.name === 'LANGFLOW_SUPERUSER_PASSWORD')!;
    expect(pw.showOnce).toBe(true);
    expect(pw.generate()).toMatch(/^[A-Za-z0-9_-]{32}$/);
    for (const s of secretSpecs({ db: 'volume' })) expect(s.generate()).toHaveLength(s.length);
    expect(envNames(answers({ db: 'external' }))).toContain('POSTGRES_PASSWORD');
  });
});

const ipArb = fc
  .oneof(
    fc.ipV4().filter((ip) => ip !== '0.0.0.0'),
    fc.ipV6().filter((ip) => !ip.includes('.') && canonicalIpOrRange(ip) !== '::'),
    fc.tuple(fc.ipV4(), fc.integer({ min: 1, max: 32 })).map(([ip, n]) => `${ip}/${n}`),
  )
  .map(canonicalIpOrRange);

const answersArb: fc.Arbitrary<LangflowAnswers> = fc
  .record({
    release: fc.constantFrom('1.12.0', '1.13.0', '1.14.2'),
    domain: fc.oneof(fc.domain(), fc.constantFrom('localhost', '192.0.2.10', '2001:db8::1')),
    https: fc.constantFrom('auto', 'proxy', 'off'),
    email: fc.option(
      fc
        .emailAddress()
        .map((e) => e.toLowerCase())
        .filter((e) => /^[a-z0-9._%+-]+@[a-z0-9.-]+$/.test(e)),
      { nil: undefined },
    ),
    console: fc.constantFrom('root', 'ips', 'open'),
    consoleIps: fc.uniqueArray(ipArb, { minLength: 1, maxLength: 4 }),
    superuser: fc.stringMatching(/^[a-z0-9][a-z0-9_.@-]{0,15}$/).filter((s) => s !== 'langflow'),
    db: fc.constantFrom('volume', 'path', 'sqlite', 'external'),
    dbPath: fc.constantFrom('/srv/langflow/data', '/data/lf-config', '/var/lib/langflow-db'),
    dbHost: fc.oneof(fc.domain(), fc.constantFrom('10.1.2.3')).filter((h) => h !== 'postgres'),
    dbPort: fc.integer({ min: 1, max: 65535 }),
    dbUser: fc.stringMatching(/^[A-Za-z0-9_]{1,20}$/),
    dbName: fc.stringMatching(/^[A-Za-z0-9_]{1,20}$/),
    httpPort: fc.integer({ min: 1, max: 65535 }),
    httpsPort: fc.integer({ min: 1, max: 65535 }),
  })
  .map((a) => normalizeAnswers(a as LangflowAnswers))
  .filter((a) => !answersError(a));

describe('answersFromEnv', () => {
  it('inverts managedValues + the compose file for every answer (property)', () => {
    fc.assert(
      fc.property(answersArb, (a) => {
        expect(answersFromEnv(managedValues(a), renderCompose(a))).toEqual(a);
      }),
      { numRuns: 400 },
    );
  });

  it('survives a trip through a .env file', () => {
    fc.assert(
      fc.property(answersArb, (a) => {
        const env = toRecord(parseEnv(envText(managedValues(a))));
        expect(answersFromEnv(env, renderCompose(a))).toEqual(a);
      }),
      { numRuns: 100 },
    );
  });

  it("reads an install made by hand from upstream's example without inventing answers", () => {
    const upstream = [
      'services:',
      '  langflow:',
      '    image: langflowai/langflow:1.12.1',
      '    ports:',
      '      - "7860:7860"',
      '    volumes:',
      '      - langflow-data:/app/langflow',
    ].join('\n');
    const got = answersFromEnv(
      {
        LANGFLOW_SUPERUSER: 'langflow',
        LANGFLOW_CORS_ORIGINS: '*',
        LANGFLOW_DATABASE_URL: 'postgresql://langflow:langflow@postgres:5432/langflow',
      },
      upstream,
    );
    expect(got).toEqual({ release: '1.12.1' });
  });

  it('reads a hand-edited origin when DOMAIN is missing', () => {
    expect(
      answersFromEnv(
        { LANGFLOW_CORS_ORIGINS: 'https://lf.example.org:8443', LANGFLOW_ENABLE_SIGNUP: 'false' },
        undefined,
      ),
    ).toEqual({ domain: 'lf.example.org', https: 'auto', httpPort: 80, httpsPort: 8443, console: 'root' });
  });
});
