// The pieces of `verify` that need no Docker: reading Appwrite's `vars` output, deciding which container
// should hold which value, and comparing the two.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatVars, parseVars } from '../../../../src/targets/appwrite/verify/vars.js';
import { appwriteServices } from '../../../../src/targets/appwrite/verify/services.js';
import { expectations, type Expectation } from '../../../../src/verify/expectations.js';
import { compare } from '../../../../src/verify/compare.js';
import { plan } from '../../../helpers/plan.js';
import { BASE, BASE_19, counter, envOf, fileOf, templateOf } from '../../../helpers/fixtures.js';

const varName = fc.stringMatching(/^_APP_[A-Z0-9_]{1,20}$/);
// Values `vars` can print on one line: anything but a line break, with the characters that break naive
// parsers over-represented ('=' inside the value, '#', quotes, spaces, backslashes, '- X=' look-alikes).
const tricky = fc.string({
  unit: fc.constantFrom(
    '=',
    ' ',
    '#',
    '"',
    "'",
    '\\',
    '\t',
    '-',
    'a',
    'Z',
    '0',
    '_',
    '$',
    '{',
    '}',
    'é',
    '€',
    ':',
    '/',
  ),
  maxLength: 30,
});
const anyLine = fc.string({ unit: 'binary', maxLength: 30 }).filter((s) => !/[\n\r]/.test(s));
const value = fc.oneof(tricky, anyLine, fc.constant(''), fc.constant('- _APP_OTHER=x'), fc.constant('a=b=c'));
/** Distinct names, each with a value or none (then `vars` prints an empty value). */
const listing = fc.uniqueArray(fc.record({ name: varName, value: fc.option(value, { nil: undefined }) }), {
  selector: (r) => r.name,
  maxLength: 25,
});
const split = (l: { name: string; value: string | undefined }[]) => {
  const names = l.map((r) => r.name);
  const env: Record<string, string> = {};
  for (const r of l) if (r.value !== undefined) env[r.name] = r.value;
  return { names, env, expected: names.map((n) => [n, env[n] ?? ''] as [string, string]) };
};

// Lines that are not `- NAME=value`, as a container may print around the list (PHP notices, banners).
const noise = fc.oneof(
  fc.constantFrom(
    '',
    '   ',
    'Appwrite vars',
    'PHP Warning:  Undefined array key "x" in /usr/src/code/app/init.php on line 12',
    'Warning: - _APP_FAKE=injected',
    'Deprecated: something',
    '  - _APP_FAKE=indented',
    '-_APP_FAKE=no-space',
    '- _APP_FAKE',
    '- 1_APP_FAKE=digit-first',
    '# - _APP_FAKE=comment',
    '-- _APP_FAKE=double-dash',
    '* _APP_FAKE=bullet',
    '- _APP_FAKE X=space-in-name',
    '- _APP-FAKE=dash-in-name',
  ),
  anyLine.filter((s) => !/^- [A-Za-z_][A-Za-z0-9_]*=/.test(s)),
);

describe('parseVars / formatVars', () => {
  it('round-trips: every name comes back with its value, or "" when it has none, in order', () => {
    fc.assert(
      fc.property(listing, (l) => {
        const { names, env, expected } = split(l);
        expect([...parseVars(formatVars(names, env)).entries()]).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('ignores lines that are not `- NAME=value`, and reads \\r\\n line endings', () => {
    fc.assert(
      fc.property(listing, fc.array(noise, { maxLength: 8 }), fc.boolean(), fc.nat(), (l, extra, crlf, seed) => {
        const { names, env, expected } = split(l);
        const lines = formatVars(names, env).split('\n').slice(0, -1);
        // Scatter the noise lines between the variable lines.
        extra.forEach((n, i) => lines.splice((seed + i * 7) % (lines.length + 1), 0, n));
        const text = lines.join(crlf ? '\r\n' : '\n') + (crlf ? '\r\n' : '\n');
        const parsed = parseVars(text);
        expect(parsed.has('_APP_FAKE')).toBe(false);
        expect([...parsed.entries()]).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it("reads Appwrite 1.9's real output", () => {
    // Shape printed by src/Appwrite/Platform/Tasks/Vars.php: `- ` . name . `=` . value, one per line.
    const out = [
      '- _APP_ENV=production',
      '- _APP_EDITION=self-hosted',
      '- _APP_DOMAIN=',
      '- _APP_CONSOLE_WHITELIST_IPS=10.0.0.1,::1',
      '- _APP_OPTIONS_ABUSE=enabled',
      '- _APP_LOGGING_CONFIG=sentry://key@sentry.io/1?sample=0.5',
      '',
    ].join('\r\n');
    const vars = parseVars(out);
    expect(vars.get('_APP_ENV')).toBe('production');
    expect(vars.get('_APP_DOMAIN')).toBe('');
    expect(vars.has('_APP_DOMAIN')).toBe(true);
    expect(vars.get('_APP_CONSOLE_WHITELIST_IPS')).toBe('10.0.0.1,::1');
    expect(vars.get('_APP_LOGGING_CONFIG')).toBe('sentry://key@sentry.io/1?sample=0.5');
    expect(vars.size).toBe(6);
    expect(parseVars('')).toEqual(new Map());
    expect(parseVars('OCI runtime exec failed: exec failed: unable to start container process\n').size).toBe(0);
  });

  it('keeps leading/trailing spaces and everything after the first "="', () => {
    const vars = parseVars('- _APP_A= padded \n- _APP_B==x=y\n- _APP_C=#not-a-comment\n- _APP_D="quoted"\n');
    expect(vars.get('_APP_A')).toBe(' padded ');
    expect(vars.get('_APP_B')).toBe('=x=y');
    expect(vars.get('_APP_C')).toBe('#not-a-comment');
    expect(vars.get('_APP_D')).toBe('"quoted"');
  });
});

const SMALL_COMPOSE = `
x-logging: &x-logging
  logging:
    driver: json-file
services:
  appwrite:
    image: appwrite/appwrite:1.9.5
    <<: *x-logging
    environment:
      - _APP_ENV
      - _APP_DOMAIN
      - FOO=bar
      - _APP_EXPLICIT=set-here
      - _APP_NOT_IN_ENV
  appwrite-worker-mails:
    image: appwrite/appwrite:1.9.5
    environment:
      - _APP_ENV
  appwrite-no-env:
    image: appwrite/appwrite:1.9.5
  redis:
    image: redis:7
    environment:
      - _APP_ENV
      - REDIS_ARGS=--save ""
  console:
    image: appwrite/console:8.7.5
    environment:
      - _APP_DOMAIN
`;
const SMALL_ENV = {
  _APP_ENV: 'production',
  _APP_DOMAIN: '',
  FOO: 'from-env',
  _APP_EXPLICIT: 'from-env',
  _APP_UNUSED: 'x',
};

describe('expectations', () => {
  it('lists only appwrite/appwrite services, with their bare-name variables', () => {
    const s = appwriteServices(SMALL_COMPOSE);
    expect([...s.keys()]).toEqual(['appwrite', 'appwrite-worker-mails', 'appwrite-no-env']);
    expect(s.get('appwrite')).toEqual(['_APP_ENV', '_APP_DOMAIN', '_APP_NOT_IN_ENV']);
    expect(s.get('appwrite-no-env')).toEqual([]);
  });

  it('expects bare names of Appwrite services only, valued from .env; explicit and missing ones are skipped', () => {
    expect(expectations(appwriteServices(SMALL_COMPOSE), SMALL_ENV)).toEqual<Expectation[]>([
      { service: 'appwrite', name: '_APP_ENV', expected: 'production' },
      { service: 'appwrite', name: '_APP_DOMAIN', expected: '' },
      { service: 'appwrite-worker-mails', name: '_APP_ENV', expected: 'production' },
    ]);
  });

  it('expects nothing when .env is empty or the compose file has no services', () => {
    expect(expectations(appwriteServices(SMALL_COMPOSE), {})).toEqual([]);
    expect(expectations(appwriteServices('version: "3"\n'), SMALL_ENV)).toEqual([]);
  });

  describe.each([
    [
      '2.7.1',
      BASE,
      ['appwrite-worker'],
      [
        'traefik',
        'postgresql',
        'redis',
        'clickhouse',
        'appwrite-console',
        'appwrite-browser',
        'openruntimes-executor',
        'orchestrator',
      ],
    ],
    [
      '1.9.10',
      BASE_19,
      ['appwrite-worker-certificates', 'appwrite-worker-deletes'],
      ['traefik', 'mariadb', 'redis', 'appwrite-console', 'appwrite-browser', 'openruntimes-executor'],
    ],
  ] as const)('on the hardened Appwrite %s install', (release, answers, certServices, others) => {
    const p = plan(answers, { dir: '/x' }, templateOf(release), { composePolicy: 'keep', random: counter() });
    const env = envOf(p);
    const composeText = fileOf(p, 'docker-compose.yml');
    const exp = expectations(appwriteServices(composeText), env);
    const servicesOf = (name: string) =>
      exp
        .filter((e) => e.name === name)
        .map((e) => e.service)
        .sort();

    it('expects the certificate e-mail where the release passes it', () => {
      expect(servicesOf('_APP_EMAIL_CERTIFICATES')).toEqual([...certServices]);
      expect(exp).toContainEqual({
        service: certServices[0],
        name: '_APP_EMAIL_CERTIFICATES',
        expected: 'admin@example.com',
      });
    });

    it('expects the console sign-up policy in the API service', () => {
      expect(exp).toContainEqual({ service: 'appwrite', name: '_APP_CONSOLE_WHITELIST_ROOT', expected: 'enabled' });
    });

    it('leaves out every service not running the appwrite/appwrite image', () => {
      const services = new Set(exp.map((e) => e.service));
      for (const other of others) expect(services.has(other), other).toBe(false);
      expect(services.has('appwrite')).toBe(true);
      expect(services.has('appwrite-realtime')).toBe(true);
      // Each (service, variable) pair once; every value is the .env value.
      expect(new Set(exp.map((e) => `${e.service}/${e.name}`)).size).toBe(exp.length);
      for (const e of exp) expect(e.expected).toBe(env[e.name]);
    });
  });
});

describe('compare', () => {
  const exp: Expectation[] = [
    { service: 'appwrite', name: '_APP_DOMAIN', expected: 'a.example.com' },
    { service: 'appwrite-realtime', name: '_APP_DOMAIN', expected: 'a.example.com' },
    { service: 'appwrite-worker-certificates', name: '_APP_DOMAIN', expected: 'a.example.com' },
    { service: 'appwrite', name: '_APP_OPENSSL_KEY_V1', expected: 'k' },
    { service: 'appwrite', name: '_APP_ENV', expected: 'production' },
  ];
  const sensitive = new Set(['_APP_OPENSSL_KEY_V1']);
  const runningFrom = (o: Record<string, Record<string, string>>) =>
    new Map(Object.entries(o).map(([svc, vars]) => [svc, new Map(Object.entries(vars))]));
  const allGood = () => ({
    appwrite: { _APP_DOMAIN: 'a.example.com', _APP_OPENSSL_KEY_V1: 'k', _APP_ENV: 'production', _APP_OTHER: 'x' },
    'appwrite-realtime': { _APP_DOMAIN: 'a.example.com' },
    'appwrite-worker-certificates': { _APP_DOMAIN: 'a.example.com' },
  });

  it('finds no drift when every container runs the .env values', () => {
    const c = compare(exp, runningFrom(allGood()), sensitive);
    expect(c.drift).toEqual([]);
    expect(c.rows.map((r) => r.name)).toEqual(['_APP_DOMAIN', '_APP_OPENSSL_KEY_V1', '_APP_ENV']);
    for (const r of c.rows) {
      expect(r.ok).toBe(true);
      expect(r.drifted).toEqual([]);
      expect(r.running).toBe(r.expected);
    }
  });

  it('names exactly the service that differs, and has no single running value then', () => {
    const running = allGood();
    running['appwrite-realtime']._APP_DOMAIN = 'old.example.com';
    const c = compare(exp, runningFrom(running), sensitive);
    const row = c.rows.find((r) => r.name === '_APP_DOMAIN')!;
    expect(row).toMatchObject({
      ok: false,
      drifted: ['appwrite-realtime'],
      running: undefined,
      expected: 'a.example.com',
      secret: false,
    });
    expect(c.drift).toEqual([row]);
    expect(c.rows.filter((r) => r.name !== '_APP_DOMAIN').every((r) => r.ok)).toBe(true);
  });

  it('shows the running value when all services agree on a wrong one', () => {
    const running = allGood();
    for (const svc of ['appwrite', 'appwrite-realtime', 'appwrite-worker-certificates'] as const)
      running[svc]._APP_DOMAIN = 'old.example.com';
    const row = compare(exp, runningFrom(running), sensitive).rows.find((r) => r.name === '_APP_DOMAIN')!;
    expect(row).toMatchObject({
      ok: false,
      running: 'old.example.com',
      drifted: ['appwrite', 'appwrite-realtime', 'appwrite-worker-certificates'],
    });
  });

  it('counts an empty running value against a set expectation as drift, and "" = "" as no drift', () => {
    const running = allGood();
    running.appwrite._APP_ENV = '';
    const c = compare(
      [...exp, { service: 'appwrite', name: '_APP_EMPTY', expected: '' }],
      runningFrom({ ...running, appwrite: { ...running.appwrite, _APP_EMPTY: '' } }),
      sensitive,
    );
    expect(c.drift.map((r) => r.name)).toEqual(['_APP_ENV']);
  });

  it('counts a service missing from the running map, or a variable it does not print, as drift', () => {
    const running = allGood();
    const { 'appwrite-worker-certificates': _gone, ...rest } = running;
    const c = compare(exp, runningFrom(rest), sensitive);
    expect(c.drift.map((r) => [r.name, r.drifted])).toEqual([['_APP_DOMAIN', ['appwrite-worker-certificates']]]);
    expect(c.drift[0]!.running).toBeUndefined();

    const noEnv = allGood() as Record<string, Record<string, string>>;
    delete noEnv.appwrite!._APP_ENV;
    const c2 = compare(exp, runningFrom(noEnv), sensitive);
    expect(c2.drift.map((r) => [r.name, r.drifted])).toEqual([['_APP_ENV', ['appwrite']]]);
  });

  it('flags secret rows from the sensitive set, whether or not they drift', () => {
    const running = allGood();
    running.appwrite._APP_OPENSSL_KEY_V1 = 'other';
    const c = compare(exp, runningFrom(running), sensitive);
    expect(Object.fromEntries(c.rows.map((r) => [r.name, r.secret]))).toEqual({
      _APP_DOMAIN: false,
      _APP_OPENSSL_KEY_V1: true,
      _APP_ENV: false,
    });
    expect(c.drift.map((r) => r.name)).toEqual(['_APP_OPENSSL_KEY_V1']);
    // A secret-looking name is masked even when the caller's set forgets it; other names are not.
    expect(
      Object.fromEntries(compare(exp, runningFrom(running), new Set()).rows.map((r) => [r.name, r.secret])),
    ).toEqual({ _APP_DOMAIN: false, _APP_OPENSSL_KEY_V1: true, _APP_ENV: false });
  });

  it('property: a row drifts exactly when some service runs another value than .env says', () => {
    const svc = fc.constantFrom('appwrite', 'appwrite-realtime', 'appwrite-worker-mails');
    const val = fc.constantFrom('', 'a', 'b');
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom('_APP_A', '_APP_B', '_APP_C'), val),
        fc.uniqueArray(fc.tuple(svc, fc.constantFrom('_APP_A', '_APP_B', '_APP_C')), {
          selector: ([s, n]) => `${s}/${n}`,
        }),
        fc.array(fc.tuple(svc, fc.constantFrom('_APP_A', '_APP_B', '_APP_C'), val)),
        (env, pairs, runningList) => {
          const e: Expectation[] = pairs
            .filter(([, n]) => n in env)
            .map(([service, name]) => ({ service, name, expected: env[name]! }));
          const running = new Map<string, Map<string, string>>();
          for (const [s, n, v] of runningList) running.set(s, (running.get(s) ?? new Map()).set(n, v));
          const c = compare(e, running, new Set(['_APP_B']));
          expect(c.rows.map((r) => r.name).sort()).toEqual([...new Set(e.map((x) => x.name))].sort());
          for (const r of c.rows) {
            const mine = e.filter((x) => x.name === r.name);
            const bad = mine.filter((x) => running.get(x.service)?.get(x.name) !== x.expected).map((x) => x.service);
            expect(r.drifted).toEqual(bad);
            expect(r.ok).toBe(bad.length === 0);
            expect(r.secret).toBe(r.name === '_APP_B');
            const seen = new Set(mine.map((x) => running.get(x.service)?.get(x.name)));
            expect(r.running).toBe(seen.size === 1 ? [...seen][0] : undefined);
          }
          expect(c.drift).toEqual(c.rows.filter((r) => !r.ok));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('fixes found in review', () => {
  it('a multi-line value (e.g. a PEM key) is compared on the first line, the only one vars prints readably', () => {
    const pem = '-----BEGIN KEY-----\nAAAA\n-----END KEY-----';
    const exp = [{ service: 'appwrite', name: '_APP_VCS_GITHUB_PRIVATE_KEY', expected: pem }];
    const printed = parseVars(`- _APP_VCS_GITHUB_PRIVATE_KEY=${pem}\n- _APP_ENV=production\n`);
    expect(compare(exp, new Map([['appwrite', printed]]), new Set()).drift).toEqual([]);
    const other = parseVars('- _APP_VCS_GITHUB_PRIVATE_KEY=-----BEGIN OTHER-----\n');
    expect(compare(exp, new Map([['appwrite', other]]), new Set()).drift).toHaveLength(1);
  });
  it('a variable no container printed is reported as such, not as "differs by service"', () => {
    const exp = [{ service: 'appwrite', name: '_APP_X', expected: 'v' }];
    const [row] = compare(exp, new Map([['appwrite', new Map()]]), new Set()).rows;
    expect(row).toMatchObject({ ok: false, reported: false, running: undefined });
  });
  it('recognises docker.io-prefixed and digest-pinned Appwrite images, and the map form of environment', () => {
    const text = [
      'services:',
      '  a:',
      '    image: docker.io/appwrite/appwrite:1.9.5',
      '    environment:',
      '      - _APP_ENV',
      '  b:',
      '    image: appwrite/appwrite@sha256:abc',
      '    environment:',
      '      _APP_DOMAIN:',
      '      _APP_FIXED: x',
    ].join('\n');
    expect([...appwriteServices(text).entries()]).toEqual([
      ['a', ['_APP_ENV']],
      ['b', ['_APP_DOMAIN']],
    ]);
  });
});
