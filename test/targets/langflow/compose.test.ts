// The rendered compose file and Caddyfile: accepted by the real tools for every answer combination, and hardened.
import { execa } from 'execa';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { hasCommand } from '../../helpers/tools.js';
import {
  ALLOWLIST_REFUSAL,
  CADDYFILE_LABEL,
  CADDY_IMAGE,
  CADDY_MINIMUM,
  POSTGRES_IMAGE,
  caddyfile,
  hostDirs,
  publishedPorts,
  renderCompose,
} from '../../../src/targets/langflow/compose.js';
import { envNames } from '../../../src/targets/langflow/env-values.js';
import type { LangflowAnswers } from '../../../src/targets/langflow/answers.js';
import { allCombinations, answers, comboName, dotenvFor, envText, removeInstalls, writeInstall } from './combos.js';

afterAll(removeInstalls);

/** With CI=true a missing tool fails the suite; elsewhere its tests are skipped. */
function tool(cmd: string, args: string[]): boolean {
  const ok = hasCommand(cmd, args);
  if (!ok && process.env.CI === 'true')
    throw new Error(
      `${cmd} is required in CI but was not found (apt-get install ${cmd === 'caddy' ? 'caddy' : 'docker-compose'})`,
    );
  return ok;
}
const hasCompose = tool('docker-compose', ['version']);
const hasCaddy = tool('caddy', ['version']);

type Svc = {
  image: string;
  ports?: string[];
  networks?: string[];
  volumes?: string[];
  environment?: Record<string, string>;
  read_only?: boolean;
  security_opt?: string[];
  cap_drop?: string[];
  restart?: string;
  healthcheck?: { test: string[] };
  user?: string;
  labels?: Record<string, string>;
};
const services = (yaml: string) => (parse(yaml) as { services: Record<string, Svc> }).services;

/** Every combination, plus an e-mail-less auto, an IPv6 domain and odd ports. */
const CASES: LangflowAnswers[] = [
  ...allCombinations(),
  answers({ email: undefined }),
  answers({ domain: '2001:db8::7', https: 'auto', httpPort: 8080, httpsPort: 8443 }),
  answers({ https: 'off', httpPort: 18080, console: 'ips', consoleIps: ['::1', '192.168.0.0/16'] }),
];

describe('renderCompose', () => {
  it('covers every HTTPS x console x DB combination but ips behind your own proxy', () => {
    expect(allCombinations()).toHaveLength(3 * 3 * 4 - 4);
  });

  it.each(CASES.map((a) => [comboName(a), a] as const))('hardens %s', (_n, a) => {
    const yaml = renderCompose(a);
    const svcs = services(yaml);
    const names = Object.keys(svcs).sort();
    const expected = [
      'langflow',
      ...(a.db === 'volume' || a.db === 'path' ? ['postgres'] : []),
      ...(a.https !== 'proxy' ? ['caddy'] : []),
    ].sort();
    expect(names).toEqual(expected);
    // only caddy publishes, or langflow on 127.0.0.1 in proxy mode
    for (const [name, s] of Object.entries(svcs)) {
      if (a.https === 'proxy' && name === 'langflow') expect(s.ports).toEqual([`127.0.0.1:${a.httpPort}:7860`]);
      else if (name === 'caddy') expect(s.ports).toEqual(publishedPorts(a));
      else expect(s.ports, name).toBeUndefined();
      expect(s.image).not.toMatch(/:latest$|^[^:]+$/);
      expect(s.restart).toBe('unless-stopped');
      expect(s.security_opt).toContain('no-new-privileges:true');
      expect(s.cap_drop).toEqual(['ALL']);
    }
    for (const p of publishedPorts(a)) if (a.https === 'proxy') expect(p).toMatch(/^127\.0\.0\.1:/);
    const lf = svcs.langflow!;
    expect(lf.image).toBe(`langflowai/langflow:${a.release}`);
    expect(lf.user).toBe('1000:0');
    expect(lf.healthcheck!.test.join(' ')).toMatch(/curl .*\/health_check$/);
    expect(lf.volumes).toEqual([a.db === 'sqlite' ? `${a.dbPath}:/app/langflow` : 'langflow-config:/app/langflow']);
    // no literal value in the environment: every entry is a reference into .env
    for (const [k, v] of Object.entries(lf.environment!)) expect(v, k).toMatch(/^(postgresql:\/\/)?\$\{/);
    expect('LANGFLOW_DATABASE_URL' in lf.environment!).toBe(a.db !== 'sqlite');
    if (svcs.postgres) {
      expect(svcs.postgres.image).toBe(POSTGRES_IMAGE);
      expect(svcs.postgres.networks).toEqual(['db']);
      expect(svcs.postgres.read_only).toBe(true);
      expect(svcs.postgres.healthcheck!.test.join(' ')).toMatch(/pg_isready/);
      expect((parse(yaml) as { networks: Record<string, { internal?: boolean }> }).networks.db!.internal).toBe(true);
      expect(svcs.postgres.volumes![0]).toBe(
        a.db === 'path' ? `${a.dbPath}:/var/lib/postgresql/data` : 'langflow-postgres:/var/lib/postgresql/data',
      );
    }
    if (svcs.caddy) {
      expect(svcs.caddy.image).toBe(CADDY_IMAGE);
      expect(svcs.caddy.read_only).toBe(true);
      expect(svcs.caddy.volumes).toContain('./Caddyfile:/etc/caddy/Caddyfile:ro');
      expect(svcs.caddy.labels![CADDYFILE_LABEL]).toMatch(/^[0-9a-f]{64}$/);
    }
    // the same answers give the same bytes
    expect(renderCompose(a)).toBe(yaml);
  });

  it.each(allCombinations().map((a) => [comboName(a), a] as const))(
    'snapshot %s (compose file and Caddyfile, for review)',
    async (_n, a) => {
      const name = `${a.https}-${a.console}-${a.db}`;
      await expect(renderCompose(a)).toMatchFileSnapshot(`__snapshots__/compose/${name}.yml`);
      const cf = caddyfile(a);
      if (cf) await expect(cf).toMatchFileSnapshot(`__snapshots__/caddyfile/${a.https}-${a.console}.Caddyfile`);
    },
  );

  it('holds no secret value: secrets and the database password exist only in .env', () => {
    for (const a of CASES) {
      const env = dotenvFor(a);
      const yaml = renderCompose(a);
      for (const n of ['LANGFLOW_SECRET_KEY', 'LANGFLOW_SUPERUSER_PASSWORD', 'POSTGRES_PASSWORD']) {
        if (env[n]) expect(yaml.includes(env[n]!), `${comboName(a)} ${n}`).toBe(false);
      }
      expect(yaml).not.toMatch(/langflow:langflow|PASSWORD: "(?!\$\{)/);
    }
  });

  it('changes the caddy label when the Caddyfile changes, so compose recreates caddy', () => {
    const label = (a: LangflowAnswers) => services(renderCompose(a)).caddy!.labels![CADDYFILE_LABEL];
    expect(label(answers({ console: 'ips', consoleIps: ['203.0.113.7'] }))).not.toBe(
      label(answers({ console: 'ips', consoleIps: ['203.0.113.8'] })),
    );
    expect(label(answers())).toBe(label(answers()));
  });

  it('names the host directories to prepare: sqlite 1000:0, postgres data, both 0700', () => {
    expect(hostDirs(answers({ db: 'sqlite', dbPath: '/srv/lf' }))).toMatchObject([
      { path: '/srv/lf', uid: 1000, gid: 0, mode: 0o700 },
    ]);
    expect(hostDirs(answers({ db: 'path', dbPath: '/srv/pg' }))).toMatchObject([{ path: '/srv/pg', mode: 0o700 }]);
    expect(hostDirs(answers())).toEqual([]);
  });

  describe.skipIf(!hasCompose).concurrent('docker-compose config (v1, the strictest reader here)', () => {
    it.for(CASES.map((a, i) => [`${i} ${comboName(a)}`, a] as const))('accepts %s', async ([, a], { expect }) => {
      const { dir, env } = writeInstall(a);
      const r = await execa('docker-compose', ['config'], {
        cwd: dir,
        reject: false,
        env: { PATH: process.env.PATH! },
        extendEnv: false,
      });
      expect(r.stderr).not.toMatch(/ERROR|WARNING/);
      expect(r.exitCode).toBe(0);
      const resolved = services(r.stdout);
      // compose assembles the database URL from .env
      if (a.db !== 'sqlite') {
        expect(resolved.langflow!.environment!.LANGFLOW_DATABASE_URL).toBe(
          `postgresql://${env.POSTGRES_USER}:${env.POSTGRES_PASSWORD}@${env.POSTGRES_HOST}:${env.POSTGRES_PORT}/${env.POSTGRES_DB}`,
        );
      }
      expect(resolved.langflow!.environment!.LANGFLOW_SECRET_KEY).toBe(env.LANGFLOW_SECRET_KEY);
      expect(resolved.langflow!.environment!.LANGFLOW_AUTO_LOGIN).toBe('False');
      // every name compose references is one harden-init writes
      for (const name of new Set([...renderCompose(a).matchAll(/\$\{([A-Z_]+):\?/g)].map((m) => m[1]!)))
        expect(envNames(a)).toContain(name);
    });

    it('refuses to start when .env lacks a security switch or a secret', async ({ expect }) => {
      const a = answers();
      for (const drop of ['LANGFLOW_AUTO_LOGIN', 'LANGFLOW_SECRET_KEY', 'POSTGRES_PASSWORD']) {
        const env = dotenvFor(a);
        delete env[drop];
        const { dir } = writeInstall(a, {}, env);
        writeFileSync(join(dir, '.env'), envText(env));
        const r = await execa('docker-compose', ['config', '-q'], {
          cwd: dir,
          reject: false,
          env: { PATH: process.env.PATH! },
          extendEnv: false,
        });
        expect(r.exitCode, drop).not.toBe(0);
        expect(r.stderr).toContain(`${drop} must be set in .env`);
      }
    });
  });
});

describe('caddyfile', () => {
  it('pins a Caddy with the HTTP/2 rapid-reset fix, exactly (major.minor.patch)', () => {
    const m = /^caddy:(\d+)\.(\d+)\.(\d+)$/.exec(CADDY_IMAGE);
    expect(m, CADDY_IMAGE).not.toBeNull();
    const num = (v: string[]) => v.map(Number).reduce((acc, x) => acc * 1000 + x, 0);
    expect(num(m!.slice(1))).toBeGreaterThanOrEqual(num(CADDY_MINIMUM.split('.')));
  });

  it("denies framing and sniffing in every mode; HSTS only when the HTTPS is Caddy's", () => {
    for (const a of CASES.filter((x) => x.https !== 'proxy')) {
      const c = caddyfile(a)!;
      expect(c).toMatch(/^\t\tX-Frame-Options DENY$/m);
      expect(c).toMatch(/^\t\tContent-Security-Policy "frame-ancestors 'none'"$/m);
      expect(c).toMatch(/^\t\tX-Content-Type-Options nosniff$/m);
      expect(c).toMatch(/^\t\tReferrer-Policy strict-origin-when-cross-origin$/m);
      expect(/Strict-Transport-Security/.test(c), comboName(a)).toBe(a.https === 'auto');
    }
  });

  it("turns Langflow's telemetry off (DO_NOT_TRACK in .env and the langflow service)", () => {
    for (const a of CASES) {
      expect(dotenvFor(a).DO_NOT_TRACK).toBe('true');
      expect(services(renderCompose(a)).langflow!.environment!.DO_NOT_TRACK).toBe(
        '${DO_NOT_TRACK:?DO_NOT_TRACK must be set in .env}',
      );
    }
  });

  it('is absent in proxy mode and present with auto and off', () => {
    expect(caddyfile(answers({ https: 'proxy' }))).toBeUndefined();
    expect(caddyfile(answers({ https: 'auto' }))).toMatch(/^langflow\.example\.com \{$/m);
    expect(caddyfile(answers({ https: 'off' }))).toMatch(/^http:\/\/ \{$/m);
  });

  it('proxies to langflow:7860, ACME e-mail with auto only, tls internal only when asked', () => {
    const auto = caddyfile(answers())!;
    expect(auto).toMatch(/reverse_proxy langflow:7860/);
    expect(auto).toMatch(/^\temail ops@example\.com$/m);
    expect(auto).toMatch(/Strict-Transport-Security/);
    expect(auto).not.toMatch(/tls internal|skip_install_trust/);
    expect(caddyfile(answers({ email: undefined }))).not.toMatch(/email/);
    expect(caddyfile(answers(), { tlsInternal: true })).toMatch(/^\ttls internal$/m);
    const off = caddyfile(answers({ https: 'off' }))!;
    expect(off).not.toMatch(/email|Strict-Transport-Security/);
    expect(off).toMatch(/admin off/);
  });

  it('redirects plain HTTP to the published HTTPS port when it is not 443 (auto only)', () => {
    expect(caddyfile(answers({ httpsPort: 8443 }))).toContain(
      'http://langflow.example.com {\n\tredir https://langflow.example.com:8443{uri} 308\n}\n',
    );
    expect(caddyfile(answers({ domain: '2001:db8::7', httpsPort: 8443 }))).toContain(
      'http://[2001:db8::7] {\n\tredir https://[2001:db8::7]:8443{uri} 308\n}\n',
    );
    // on 443 Caddy's own redirect is right; with off there is no HTTPS to send anyone to
    expect(caddyfile(answers({ httpsPort: 443 }))).not.toMatch(/redir/);
    expect(caddyfile(answers({ https: 'off', httpsPort: 8443 }))).not.toMatch(/redir/);
  });

  it('admits only the listed addresses and ranges with console=ips, health endpoints open', () => {
    const c = caddyfile(answers({ console: 'ips', consoleIps: ['203.0.113.7', '10.0.0.0/8', '2001:db8::/32'] }))!;
    expect(c).toMatch(/not remote_ip 203\.0\.113\.7 10\.0\.0\.0\/8 2001:db8::\/32/);
    expect(c).toMatch(/not path \/health \/health_check/);
    expect(c).toContain(`respond @outside "${ALLOWLIST_REFUSAL}" 403`);
    expect(caddyfile(answers({ console: 'root' }))).not.toMatch(/remote_ip/);
  });

  describe.skipIf(!hasCaddy).concurrent("caddy validate (Debian's caddy 2.6)", () => {
    const cases = [
      ...CASES.filter((a) => a.https !== 'proxy').map((a, i) => [`${i} ${comboName(a)}`, a, false] as const),
      ['auto tls internal ips', answers({ console: 'ips' }), true] as const,
    ];
    it.for(cases)('accepts %s', async ([, a, tlsInternal], { expect }) => {
      const { dir } = writeInstall(a, { tlsInternal });
      const r = await execa('caddy', ['validate', '--adapter', 'caddyfile', '--config', join(dir, 'Caddyfile')], {
        reject: false,
      });
      expect(r.stderr + r.stdout).toMatch(/Valid configuration/);
      expect(r.exitCode).toBe(0);
      // and it is already in caddy's own format (no warning about formatting)
      expect(r.stderr).not.toMatch(/not formatted/);
    });
  });
});
