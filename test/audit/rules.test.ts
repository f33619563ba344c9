// One test per rule of `harden-init check`: it fires on a weak install (hand-written in the style of the official
// installers) and stays silent on a fresh install written by the wizard. Plus: secrets never in a finding, drift
// from what the containers hold, and compose's view agreeing with harden-init's own reading.
import { execaSync } from 'execa';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { allRules } from '../../src/audit/run.js';
import { detectCompose } from '../../src/docker/compose.js';
import { isMaskedName } from '../../src/engine/diff.js';
import { KNOWN_SECRET_NAMES } from '../../src/targets/appwrite/secret-names.js';
import { parseEnv, toRecord } from '../../src/engine/envfile.js';
import { appwriteAudit } from '../../src/targets/appwrite/audit.js';
import { caddyBelowMinimum, langflowAudit } from '../../src/targets/langflow/audit.js';
import type { AuditFinding, Severity } from '../../src/audit/types.js';
import { SEVERITIES } from '../../src/audit/types.js';
import { auditDir, goodInstall, ids, weakInstall, type Good, type Weak } from './helpers.js';

const good: Partial<Record<Good, AuditFinding[]>> = {};
const composeInstalled = await detectCompose()
  .then(Boolean)
  .catch(() => false);

beforeAll(async () => {
  for (const kind of ['appwrite-2.7.1', 'appwrite-1.9.10', 'langflow'] as Good[])
    good[kind] = (await auditDir(await goodInstall(kind))).findings;
}, 180_000);

interface Case {
  id: string;
  weak: Weak;
  edit?: Parameters<typeof weakInstall>[1];
  /** The severity the finding must have. */
  severity: Severity;
  /** Text the finding must contain. */
  says?: RegExp;
  setup?: (dir: string) => void;
  skip?: boolean;
}

const CASES: Case[] = [
  // Appwrite
  { id: 'openssl-key', weak: 'appwrite-weak', severity: 'critical', says: /installer's literal example value/ },
  {
    id: 'openssl-key',
    weak: 'appwrite-weak',
    edit: { env: { _APP_OPENSSL_KEY_V1: 'abcabcabcabcabcabcabcabcabcabcabcabc' } },
    severity: 'critical',
    says: /low in entropy/,
  },
  {
    id: 'openssl-key',
    weak: 'appwrite-weak',
    edit: { env: { _APP_OPENSSL_KEY_V1: null } },
    severity: 'critical',
    says: /missing or empty/,
  },
  {
    id: 'installer-defaults',
    weak: 'appwrite-weak',
    severity: 'critical',
    says: /_APP_OPENSSL_KEY_V1, _APP_DB_PASS, _APP_DB_ROOT_PASS, _APP_EXECUTOR_SECRET/,
  },
  { id: 'secret-weak', weak: 'appwrite-weak', severity: 'high', says: /installer's literal example value/ },
  {
    id: 'secret-weak',
    weak: 'appwrite-weak',
    edit: { env: { _APP_EXECUTOR_SECRET: 'Tr0ub4dor3' } },
    severity: 'high',
    says: /short \(10 characters\)/,
  },
  { id: 'app-env', weak: 'appwrite-weak', severity: 'medium', says: /"development"/ },
  {
    id: 'force-https',
    weak: 'appwrite-weak',
    severity: 'high',
    says: /_APP_OPTIONS_FORCE_HTTPS, _APP_OPTIONS_ROUTER_FORCE_HTTPS/,
  },
  { id: 'abuse-disabled', weak: 'appwrite-weak', severity: 'high' },
  { id: 'console-open', weak: 'appwrite-weak', severity: 'high' },
  {
    id: 'console-ip-cidr',
    weak: 'appwrite-weak',
    edit: { env: { _APP_CONSOLE_WHITELIST_IPS: '203.0.113.7,10.0.0.0/8' } },
    severity: 'medium',
    says: /10\.0\.0\.0\/8/,
  },
  { id: 'security-email', weak: 'appwrite-weak', severity: 'medium', says: /both empty/ },
  { id: 'redis-exposed', weak: 'appwrite-weak', severity: 'high', says: /publishes 6379:6379.*not internal/ },
  { id: 'missing-entrypoint', weak: 'appwrite-weak', severity: 'medium', says: /worker-notifications/ },
  { id: 'migration-host', weak: 'appwrite-weak', severity: 'low' },
  { id: 'traefik-socket', weak: 'appwrite-weak', severity: 'high', says: /mounts \/var\/run\/docker\.sock/ },
  {
    // The layout harden-init wrote before traefik read its routes from a file: a socket proxy with CONTAINERS=1.
    id: 'traefik-socket',
    weak: 'appwrite-weak',
    severity: 'high',
    says: /docker-socket-proxy: lets traefik read the Docker API's containers section \(CONTAINERS=1\)/,
    edit: {
      compose: (t) =>
        t
          .replace(
            '      - --providers.docker.exposedByDefault=false\n',
            '      - --providers.docker.exposedByDefault=false\n      - --providers.docker.endpoint=tcp://docker-socket-proxy:2375\n',
          )
          .replace(
            '    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock\n    networks:\n      - gateway\n',
            '    networks:\n      - gateway\n      - socket-proxy\n',
          )
          .replace(
            /\nservices:\n/,
            '\nservices:\n  docker-socket-proxy:\n    image: tecnativa/docker-socket-proxy:0.3.0\n    restart: unless-stopped\n    environment:\n      - CONTAINERS=1\n      - POST=0\n    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock:ro\n    networks:\n      - socket-proxy\n',
          )
          .replace(/\nnetworks:\n/, '\nnetworks:\n  socket-proxy:\n    internal: true\n'),
    },
  },
  { id: 'console-http', weak: 'appwrite-weak', severity: 'medium', says: /appwrite_console_http/ },
  { id: 'release', weak: 'appwrite-weak', severity: 'critical', says: /CVE-2026-111497/ },
  {
    id: 'release',
    weak: 'appwrite-weak',
    edit: { env: { _APP_VERSION: '2.6.2' } },
    severity: 'low',
    says: /older than the newest 2\.x release harden-init pins, 2\.7\.1/,
  },
  // Langflow
  { id: 'secret-key', weak: 'langflow-weak', severity: 'high', says: /not set/ },
  {
    id: 'secret-key',
    weak: 'langflow-weak',
    edit: { env: { LANGFLOW_SECRET_KEY: 'mysecret' } },
    severity: 'high',
    says: /shorter than 32/,
  },
  { id: 'auto-login', weak: 'langflow-weak', severity: 'critical' },
  { id: 'superuser-password', weak: 'langflow-weak', severity: 'critical', says: /"langflow"/ },
  { id: 'superuser-cli', weak: 'langflow-weak', severity: 'medium' },
  { id: 'signup-open', weak: 'langflow-weak', severity: 'high' },
  { id: 'cors-wildcard', weak: 'langflow-weak', severity: 'high' },
  {
    id: 'db-password',
    weak: 'langflow-weak',
    severity: 'high',
    says: /LANGFLOW_DATABASE_URL is a published example value; POSTGRES_PASSWORD of service postgres is a published example value/,
  },
  {
    id: 'db-password',
    weak: 'langflow-weak',
    severity: 'high',
    says: /^database password: the password in LANGFLOW_DATABASE_URL is short \(8 characters\)$/,
    edit: {
      compose: (t) =>
        t
          .replace('langflow:langflow@postgres', 'langflow:Xk3%40p9Qz@db.example.net')
          .replace(/\n  postgres:[\s\S]*?(?=\nvolumes:)/, '\n')
          .replace(/    depends_on:\n      - postgres\n/, ''),
    },
  },
  {
    id: 'sqlite-ephemeral',
    weak: 'langflow-weak',
    edit: { compose: (t) => t.replace(/^\s*- LANGFLOW_DATABASE_URL=.*\n/m, '') },
    severity: 'high',
  },
  { id: 'config-volume', weak: 'langflow-weak', severity: 'high', says: /\/app\/app\/langflow/ },
  {
    id: 'caddy-version',
    weak: 'langflow-weak',
    severity: 'high',
    says: /^service caddy: runs caddy:2\.6, older than Caddy 2\.7\.5$/,
    edit: {
      compose: (t) =>
        t.replace(
          'services:\n',
          'services:\n  caddy:\n    image: caddy:2.6\n    restart: unless-stopped\n    ports:\n      - "443:443"\n',
        ),
    },
  },
  { id: 'release', weak: 'langflow-weak', severity: 'high', says: /pins no release/ },
  {
    id: 'release',
    weak: 'langflow-weak',
    edit: { compose: (t) => t.replace('langflowai/langflow:latest', 'langflowai/langflow:1.8.0') },
    severity: 'critical',
    says: /CVE-2026-33017.*CVE-2026-55450/,
  },
  {
    id: 'release',
    weak: 'langflow-weak',
    edit: { compose: (t) => t.replace('langflowai/langflow:latest', 'langflowai/langflow:1.13.0') },
    severity: 'critical',
    says: /below 1\.13\.1: open to CVE-2026-120054, CVE-2026-120069, CVE-2026-120071, CVE-2026-120073, CVE-2026-127061, CVE-2026-127066$/,
  },
  // Both
  {
    id: 'install-dir-owner',
    weak: 'appwrite-weak',
    severity: 'critical',
    says: /^install directory: .*mode 0777.*writable by every user/,
    setup: (dir) => chmodSync(dir, 0o777),
  },
  {
    id: 'install-dir-owner',
    weak: 'langflow-weak',
    severity: 'critical',
    says: /^\.harden-init\/: .*mode 0770.*writable by its group/,
    setup: (dir) => {
      mkdirSync(join(dir, '.harden-init'), { mode: 0o700 });
      chmodSync(join(dir, '.harden-init'), 0o770);
    },
  },
  { id: 'published-port', weak: 'appwrite-weak', severity: 'critical', says: /3306/ },
  { id: 'published-port', weak: 'langflow-weak', severity: 'high', says: /7860/ },
  { id: 'image-unpinned', weak: 'appwrite-weak', severity: 'medium', says: /containrrr\/watchtower/ },
  { id: 'image-unpinned', weak: 'langflow-weak', severity: 'medium', says: /"latest"/ },
  { id: 'restart-policy', weak: 'appwrite-weak', severity: 'low' },
  { id: 'restart-policy', weak: 'langflow-weak', severity: 'low' },
  { id: 'env-permissions', weak: 'appwrite-weak', severity: 'high', says: /0644/ },
  { id: 'env-permissions', weak: 'langflow-weak', severity: 'high', says: /0644/ },
  {
    id: 'env-ambiguous',
    weak: 'appwrite-weak',
    edit: { env: { _APP_SMTP_HOST: 'mail#relay.example.com' } },
    severity: 'high',
    says: /^\.env line \d+: _APP_SMTP_HOST: a '#' inside an unquoted value/,
  },
  {
    id: 'env-in-git',
    weak: 'langflow-weak',
    severity: 'high',
    setup: (dir) => {
      execaSync('git', ['init', '-q'], { cwd: dir });
      execaSync('git', ['add', '.env'], { cwd: dir });
    },
  },
  { id: 'docker-socket', weak: 'appwrite-weak', severity: 'high', says: /watchtower/ },
  {
    id: 'compose-invalid',
    weak: 'langflow-weak',
    severity: 'high',
    skip: !composeInstalled,
    edit: { compose: (t) => t.replace('image: postgres:16', 'image: "postgres:${PG_TAG:?PG_TAG must be set}"') },
  },
];

describe("every rule fires on a weak install and stays silent on the wizard's", () => {
  it.each(
    CASES.map(
      (c) =>
        [
          `${c.weak.replace('-weak', '')}: ${c.id}${c.edit ? ` (${JSON.stringify(c.edit.env ?? 'compose edit')})` : ''}`,
          c,
        ] as const,
    ),
  )('%s', async (_name, c) => {
    if (c.skip) return;
    const dir = weakInstall(c.weak, c.edit);
    c.setup?.(dir);
    const { findings } = await auditDir(dir);
    const hits = findings.filter((f) => f.id === c.id);
    expect(hits.map((f) => f.severity)).toContain(c.severity);
    const hit = hits.find((f) => f.severity === c.severity)!;
    if (c.says) expect(`${hit.subject}: ${hit.what}`).toMatch(c.says);
    for (const f of hits)
      for (const k of ['subject', 'what', 'why', 'fix'] as const) expect(f[k].length).toBeGreaterThan(3);
    const goods: Good[] = c.weak === 'langflow-weak' ? ['langflow'] : ['appwrite-2.7.1', 'appwrite-1.9.10'];
    for (const g of goods) expect(ids(good[g]!).has(c.id), `${c.id} on the wizard's ${g}`).toBe(false);
  });

  it('covers every rule of both targets and the shared ones (drift below)', () => {
    const covered = new Set([...CASES.map((c) => c.id), 'drift', 'redis-password']);
    for (const audit of [appwriteAudit, langflowAudit])
      for (const r of allRules(audit)) expect(covered, r.id).toContain(r.id);
  });
});

describe('console-http on the routes harden-init writes for traefik', () => {
  it('a console router whose redirect was taken out of traefik-routes.yml is found; the file as written is not', async () => {
    const dir = await goodInstall('appwrite-2.7.1');
    const path = join(dir, 'traefik-routes.yml');
    expect(ids((await auditDir(dir)).findings).has('console-http')).toBe(false);
    const text = readFileSync(path, 'utf8');
    expect(text).toMatch(/\n {6}middlewares:\n {8}- "harden-init-https-redirect"\n/);
    writeFileSync(path, text.replace(/\n {6}middlewares:\n {8}- "harden-init-https-redirect"\n/, '\n'));
    const hit = (await auditDir(dir)).findings.find((f) => f.id === 'console-http');
    expect(hit?.what).toMatch(/appwrite_console_http/);
  });
});

describe('a weak secret set by hand in a wizard install', () => {
  it('_APP_GEO_SECRET=abc is flagged like the other shared secrets', async () => {
    const dir = await goodInstall('appwrite-2.7.1');
    const envPath = join(dir, '.env');
    writeFileSync(envPath, readFileSync(envPath, 'utf8').replace(/^_APP_GEO_SECRET=.*$/m, '_APP_GEO_SECRET=abc'));
    const hits = (await auditDir(dir, { own: true })).findings.filter((f) => f.id === 'secret-weak');
    expect(hits.map((f) => [f.subject, f.severity, f.what])).toEqual([
      ['_APP_GEO_SECRET', 'high', 'is short (3 characters)'],
    ]);
  });
});

describe('Redis without a password', () => {
  it('is information on 1.9, with the reason, and never flagged', async () => {
    const { findings } = await auditDir(weakInstall('appwrite-weak'));
    const info = findings.filter((f) => f.id === 'redis-password');
    expect(info).toHaveLength(1);
    expect(info[0]!.severity).toBe('info');
    expect(info[0]!.why).toMatch(/1\.9.*never send AUTH.*NOAUTH/);
    expect(good['appwrite-1.9.10']!.find((f) => f.id === 'redis-password')?.severity).toBe('info');
  });
});

describe('wizard installs', () => {
  it.each(['appwrite-2.7.1', 'appwrite-1.9.10', 'langflow'] as Good[])('%s: no finding above info', (g) => {
    expect(good[g]!.filter((f) => f.severity !== 'info')).toEqual([]);
  });
});

describe('drift: what the containers hold against .env', () => {
  it('names each variable and service, shows non-secret values only, rates security switches high', async () => {
    const dir = await goodInstall('appwrite-2.7.1');
    const env = toRecord(parseEnv(readFileSync(join(dir, '.env'), 'utf8')));
    const vars = (over: Record<string, string>) => new Map(Object.entries({ ...env, ...over }));
    const running = new Map([
      [
        'appwrite',
        vars({ _APP_OPTIONS_ABUSE: 'disabled', _APP_OPENSSL_KEY_V1: 'an-old-key-the-container-still-has-0123456789' }),
      ],
      ['appwrite-worker', vars({})],
    ]);
    const { findings } = await auditDir(dir, { running });
    const drift = findings.filter((f) => f.id === 'drift');
    expect(drift.map((f) => f.subject).sort()).toEqual(['_APP_OPENSSL_KEY_V1', '_APP_OPTIONS_ABUSE']);
    const abuse = drift.find((f) => f.subject === '_APP_OPTIONS_ABUSE')!;
    expect(abuse.severity).toBe('high');
    expect(abuse.what).toMatch(/^appwrite runs another value than \.env \(\.env: enabled, running: disabled\)/);
    const text = JSON.stringify(findings);
    expect(text).not.toContain('an-old-key-the-container-still-has');
    expect(text).not.toContain(env._APP_OPENSSL_KEY_V1!);
    // No drift when the containers hold what .env says.
    const same = await auditDir(dir, { running: new Map([['appwrite', vars({})]]) });
    expect(same.findings.filter((f) => f.id === 'drift')).toEqual([]);
  });
});

describe('reading the compose file', () => {
  it.each(['appwrite-weak', 'langflow-weak'] as Weak[])(
    "%s: harden-init's own reading finds what compose's view finds",
    async (w) => {
      if (!composeInstalled) return;
      const dir = weakInstall(w);
      const viaCompose = await auditDir(dir);
      const own = await auditDir(dir, { own: true });
      expect(viaCompose.input.composeSource).toMatch(/config$/);
      expect(own.input.composeSource).toBe('own YAML parse');
      const key = (f: AuditFinding) => `${f.id} ${f.severity} ${f.subject}`;
      expect(own.findings.map(key).sort()).toEqual(viaCompose.findings.map(key).sort());
    },
  );
});

describe('no secret value in a finding', () => {
  it('weak and good installs', async () => {
    const dirs = [
      weakInstall('appwrite-weak'),
      weakInstall('langflow-weak'),
      await goodInstall('appwrite-2.7.1'),
      await goodInstall('langflow'),
    ];
    for (const dir of dirs) {
      const env = toRecord(parseEnv(readFileSync(join(dir, '.env'), 'utf8')));
      const secrets = Object.entries(env)
        .filter(([k, v]) => isMaskedName(k, KNOWN_SECRET_NAMES) && v.length >= 12)
        .map(([, v]) => v);
      expect(secrets.length).toBeGreaterThan(0);
      const text = JSON.stringify((await auditDir(dir)).findings);
      for (const s of secrets) expect(text).not.toContain(s);
    }
  });
});

describe('caddy-version', () => {
  it('compares tags with the rapid-reset fix (2.7.5); a floating minor by its newest patch; no version: not judged', () => {
    const below = ['2.6', '2.6.4', '2.7.4', '2.7.4-alpine', 'v2.7.0', '1.0.4', '2.0'];
    const fine = ['2.7.5', '2.7', '2.7.6-alpine', '2.8', '2.10.2', '2.11.7', '3.0.0'];
    for (const t of below) expect(caddyBelowMinimum(t), t).toBe(true);
    for (const t of fine) expect(caddyBelowMinimum(t), t).toBe(false);
    for (const t of ['latest', '2', 'builder', 'alpine']) expect(caddyBelowMinimum(t), t).toBeUndefined();
  });
});

it('severities are ordered worst first', async () => {
  const { findings } = await auditDir(weakInstall('appwrite-weak'));
  const ranks = findings.map((f) => SEVERITIES.indexOf(f.severity));
  expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
});
