// Each hardening rule: upstream's weak input, the hardened output, and what it must mean (YAML parsed, never
// text-matched). Upstream's real 1.9.6 and 2.3.0 files, plus synthetic ones for what they do not contain.
import { describe, expect, it } from 'vitest';
import { parse, parseDocument } from 'yaml';
import { renderCompose } from '../../../../src/targets/appwrite/compose.js';
import { RenderError, renderLikeInstaller } from '../../../../src/targets/appwrite/render/generator.js';
import { RULES } from '../../../../src/targets/appwrite/rules/index.js';
import { durableDatabase } from '../../../../src/targets/appwrite/rules/durable-db.js';
import { traefikFileProvider, ROUTES_FILE } from '../../../../src/targets/appwrite/rules/traefik-file.js';
import { findUnknowns } from '../../../../src/targets/appwrite/rules/refuse.js';
import { BASE, BASE_19, templateOf } from '../../../helpers/fixtures.js';
import type { Answers } from '../../../../src/targets/appwrite/answers.js';
import type { Template } from '../../../../src/targets/appwrite/template.js';
import type { UpstreamFiles } from '../../../../src/targets/appwrite/upstream/types.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Svc = Record<string, any>;
type Compose = {
  services: Record<string, Svc>;
  networks?: Record<string, Svc | null>;
  volumes?: Record<string, unknown>;
};

const T2 = templateOf('2.3.0');
const T19 = templateOf('1.9.6');
const A2: Answers = { ...BASE, release: '2.3.0' };
const A19: Answers = { ...BASE_19, release: '1.9.6' };

const hardened = (t: Template, a: Answers, accepted: string[] = []): Compose =>
  parse(renderCompose(t, a, new Set(accepted)).text);
/** The render as the Docker provider read it: every rule but the last step, which moves the labels into traefik's file. */
const labelled = (t: Template, a: Answers): Compose => {
  const doc = renderLikeInstaller(t.compose, {
    database: a.db === 'external' ? undefined : a.dbEngine,
    topology: a.topology,
  });
  for (const rule of RULES)
    if (rule.id !== traefikFileProvider.id) rule.apply({ doc, answers: a, accepted: new Set() });
  return parse(doc.toString());
};
const routesOf = (t: Template, a: Answers) =>
  parse(renderCompose(t, a).files!.find((f) => f.path === ROUTES_FILE)!.content);
const upstreamRender = (t: Template, a: Answers): Compose =>
  parse(
    renderLikeInstaller(t.compose, {
      database: a.db === 'external' ? undefined : a.dbEngine,
      topology: a.topology,
    }).toString(),
  );

const LINES = [
  { name: '2.3.0 (postgresql)', t: T2, a: A2 },
  { name: '2.3.0 (mariadb)', t: T2, a: { ...A2, dbEngine: 'mariadb' } as Answers },
  { name: '1.9.6 (mariadb)', t: T19, a: A19 },
];

const list = (v: unknown): string[] =>
  Array.isArray(v) ? v.map(String) : v && typeof v === 'object' ? Object.keys(v) : [];
const networksOf = (s: Svc) => list(s.networks);
const mountSources = (s: Svc) => list(s.volumes).map((v) => v.split(':')[0]);
/** Every variable a service reads: `NAME`, `NAME=…$REF…`, map form; names and references both count. */
function readsVars(s: Svc): string[] {
  const env = s.environment;
  const pairs: [string, string | null][] = Array.isArray(env)
    ? env.map((e: string) => {
        const i = e.indexOf('=');
        return i < 0 ? [e, null] : [e.slice(0, i), e.slice(i + 1)];
      })
    : Object.entries(env ?? {}).map(([k, v]) => [k, v == null ? null : String(v)]);
  const out = new Set<string>();
  for (const [k, v] of pairs) {
    out.add(k);
    for (const m of (v ?? '').matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)) out.add(m[1]!);
  }
  return [...out];
}
const DATA = ['mariadb', 'postgresql', 'mongodb', 'redis', 'clickhouse'];
const usesData = (s: Svc) =>
  readsVars(s).some((v) => /^_APP_(DB_|REDIS_|CONNECTIONS_DB_)/.test(v)) ||
  list(s.depends_on).some((d) => DATA.includes(d));

describe.each(LINES)('$name', ({ t, a }) => {
  const weak = upstreamRender(t, a);
  const c = hardened(t, a);
  const services = Object.entries(c.services);

  it('publish-gateway-only: upstream publishes on traefik (and more); hardened, only traefik publishes', () => {
    expect(weak.services.traefik!.ports.length).toBeGreaterThanOrEqual(2);
    for (const [name, s] of services) if (name !== 'traefik') expect(s.ports, name).toBeUndefined();
    expect(c.services.traefik!.ports).toEqual(['80:80', '443:443']);
  });
  it('publish-gateway-only: proxy mode binds HTTP to 127.0.0.1 only, off mode publishes HTTP only; custom ports kept', () => {
    expect(hardened(t, { ...a, https: 'proxy' }).services.traefik!.ports).toEqual(['127.0.0.1:80:80']);
    expect(hardened(t, { ...a, https: 'off' }).services.traefik!.ports).toEqual(['80:80']);
    expect(hardened(t, { ...a, httpPort: 8080, httpsPort: 8443 }).services.traefik!.ports).toEqual([
      '8080:80',
      '8443:443',
    ]);
  });

  it('internal-data-network: databases, Redis and ClickHouse on the internal network only, and it is internal', () => {
    expect(c.networks!.internal).toEqual({ internal: true });
    const data = services.filter(([n]) => DATA.includes(n));
    expect(data.map(([n]) => n)).toEqual(expect.arrayContaining(['redis', a.dbEngine]));
    for (const [name, s] of data) {
      expect(networksOf(weak.services[name]!), `${name} upstream`).toContain('appwrite');
      expect(networksOf(s), name).toEqual(['internal']);
    }
  });
  it('internal-data-network: every service that reads _APP_DB_*, _APP_REDIS_* or the ClickHouse DSNs joins it; traefik does not', () => {
    const clients = services.filter(([n, s]) => !DATA.includes(n) && usesData(s));
    expect(clients.length).toBeGreaterThan(3);
    for (const [name, s] of clients) expect(networksOf(s), name).toContain('internal');
    expect(networksOf(c.services.traefik!)).not.toContain('internal');
    // Nothing left on `appwrite` can reach a data service any more, and the clients keep their old networks.
    for (const [name, s] of clients)
      for (const n of networksOf(weak.services[name]!)) expect(networksOf(s), name).toContain(n);
  });

  it('traefik-file-routes: traefik loses the Docker socket and the Docker provider; no socket proxy, no proxy network', () => {
    expect(mountSources(weak.services.traefik!)).toContain('/var/run/docker.sock');
    expect(mountSources(c.services.traefik!)).not.toContain('/var/run/docker.sock');
    expect(list(weak.services.traefik!.command).filter((f) => f.startsWith('--providers.docker'))).not.toEqual([]);
    expect(list(c.services.traefik!.command).filter((f) => /providers\.docker/i.test(f))).toEqual([]);
    expect(c.services.traefik!.command).toEqual(
      expect.arrayContaining(['--providers.file.directory=/storage/config', '--providers.file.watch=true']),
    );
    expect(
      Object.keys(c.services).filter((n) => /socket/.test(n) || String(c.services[n]!.image).includes('socket-proxy')),
    ).toEqual([]);
    expect(Object.keys(c.networks ?? {})).not.toContain('socket-proxy');
    // No one mounts the socket except the services that start containers.
    const withSocket = services
      .filter(([, s]) => mountSources(s).includes('/var/run/docker.sock'))
      .map(([n]) => n)
      .sort();
    expect(withSocket).toEqual(
      ['openruntimes-executor', ...('orchestrator' in c.services ? ['orchestrator'] : [])].sort(),
    );
  });
  it('traefik-file-routes: the routes file is mounted read-only in the watched directory; traefik is recreated when it changes; no traefik label is left', () => {
    expect(c.services.traefik!.volumes).toEqual([
      'appwrite-config:/storage/config',
      'appwrite-certificates:/storage/certificates:ro',
      `./${ROUTES_FILE}:/storage/config/harden-init-routes.yml:ro`,
    ]);
    expect(list(c.services.traefik!.labels)).toEqual([
      expect.stringMatching(/^org\.harden-init\.traefik-routes-sha256=[0-9a-f]{16}$/),
    ]);
    expect(list(hardened(t, { ...a, https: 'off' }).services.traefik!.labels)).not.toEqual(
      list(c.services.traefik!.labels),
    );
    for (const [name, s] of services)
      expect(
        list(s.labels).filter((l) => l.startsWith('traefik.')),
        name,
      ).toEqual([]);
    // 2.x: the console's Host rule reads the domains Compose interpolates, as the labels did (1.9 routes by path only).
    if (t === T2) {
      expect(c.services.traefik!.environment).toEqual([
        '_APP_DOMAIN=${_APP_DOMAIN:-localhost}',
        '_APP_CONSOLE_DOMAIN=${_APP_CONSOLE_DOMAIN:-localhost}',
      ]);
      expect(routesOf(t, a).http.routers.appwrite_console_https.rule).toContain('Host(`{{ env `_APP_DOMAIN` }}`)');
    } else {
      expect(c.services.traefik!.environment).toBeUndefined();
    }
  });
  it('traefik-file-routes: the executor (and on 2.x the orchestrator) keep their socket and publish nothing', () => {
    for (const name of ['openruntimes-executor', 'orchestrator']) {
      if (!(name in weak.services)) continue;
      expect(c.services[name]!.volumes, name).toContain('/var/run/docker.sock:/var/run/docker.sock');
      expect(c.services[name]!.ports, name).toBeUndefined();
      expect(c.services[name]!.networks, name).toEqual(weak.services[name]!.networks);
    }
    if (t === T2) expect(c.services.orchestrator!.user).toBe('root');
  });

  it('restart-no-new-privileges: every service restarts and has no-new-privileges (upstream leaves some without)', () => {
    expect(services.length).toBeGreaterThan(10);
    expect(Object.values(weak.services).some((s) => s.restart === undefined)).toBe(true);
    for (const [name, s] of services) {
      expect(s.restart, name).toBeDefined();
      expect(s.restart, name).not.toBe('no');
      expect(s.security_opt, name).toContain('no-new-privileges:true');
    }
  });
  it('log-rotation: every service has a logging block', () => {
    for (const [name, s] of services) expect(s.logging, name).toBeDefined();
  });

  it("pin-image: Appwrite's image is appwrite/appwrite:<release>, never ${_APP_IMAGE}:${_APP_VERSION:-latest}; other images untouched", () => {
    const appwrite = Object.entries(weak.services)
      .filter(([, s]) => String(s.image).includes('_APP_IMAGE'))
      .map(([n]) => n);
    expect(appwrite).toContain('appwrite');
    for (const n of appwrite) expect(c.services[n]!.image, n).toBe(`appwrite/appwrite:${a.release}`);
    for (const [n, s] of Object.entries(weak.services))
      if (!appwrite.includes(n)) expect(c.services[n]!.image, n).toBe(s.image);
    expect(hardened(t, { ...a, release: '9.9.9' }).services.appwrite!.image).toBe('appwrite/appwrite:9.9.9');
  });

  it('gateway flags: no version check or usage report; forwarded headers trusted from the host only, in proxy mode only', () => {
    expect(c.services.traefik!.command).toEqual(
      expect.arrayContaining(['--global.checknewversion=false', '--global.sendanonymoususage=false']),
    );
    const trusted = (x: Compose) => list(x.services.traefik!.command).filter((f) => f.includes('forwardedHeaders'));
    expect(trusted(c)).toEqual([]);
    expect(trusted(hardened(t, { ...a, https: 'proxy' }))).toEqual([
      '--entrypoints.appwrite_web.forwardedHeaders.trustedIPs=10.213.78.1/32',
    ]);
    expect(trusted(hardened(t, { ...a, https: 'proxy', subnet: '192.168.77.0/24' }))).toEqual([
      '--entrypoints.appwrite_web.forwardedHeaders.trustedIPs=192.168.77.1/32',
    ]);
  });

  it('resource-limits: pids_limit on every service; a memory limit only on Redis (from its --maxmemory)', () => {
    for (const [name, s] of Object.entries(weak.services)) expect(s.pids_limit, name).toBeUndefined();
    for (const [name, s] of services) expect(s.pids_limit, name).toEqual(expect.any(Number));
    expect(c.services.traefik!.pids_limit).toBe(1024);
    expect(c.services.appwrite!.pids_limit).toBe(4096);
    if (c.services.clickhouse) expect(c.services.clickhouse.pids_limit).toBe(16384);
    const limited = services.filter(([, s]) => s.mem_limit !== undefined).map(([n, s]) => [n, s.mem_limit]);
    expect(limited).toEqual([['redis', '1280m']]);
  });

  it('trusted-proxies: the shared network has a fixed subnet (Docker assigns from its upper half), traefik a fixed address below it', () => {
    expect(weak.networks!.appwrite?.ipam).toBeUndefined();
    expect(c.networks!.appwrite).toMatchObject({
      name: 'appwrite',
      ipam: { config: [{ subnet: '10.213.78.0/24', ip_range: '10.213.78.128/25', gateway: '10.213.78.1' }] },
    });
    expect(c.services.traefik!.networks).toEqual({ gateway: null, appwrite: { ipv4_address: '10.213.78.2' } });
    const other = hardened(t, { ...a, subnet: '172.20.0.0/16' });
    expect(other.networks!.appwrite!.ipam.config).toEqual([
      { subnet: '172.20.0.0/16', ip_range: '172.20.128.0/17', gateway: '172.20.0.1' },
    ]);
    expect(other.services.traefik!.networks.appwrite).toEqual({ ipv4_address: '172.20.0.2' });
  });

  // The labels as console-https leaves them (traefik-routes.test.ts shows the routes file holds exactly them).
  const cl = labelled(t, a);
  const labels = (x: Compose, name: string) => list(x.services[name]!.labels);
  const middlewareOf = (x: Compose, name: string, router: string) =>
    labels(x, name)
      .find((l) => l.startsWith(`traefik.http.routers.${router}.middlewares=`))
      ?.split('=')[1];

  it("console-https (auto): the console's HTTP router redirects to https (permanent, no port on 443); HTTPS router gets the headers", () => {
    expect(middlewareOf(weak, 'appwrite-console', 'appwrite_console_http')).toBeUndefined();
    expect(middlewareOf(cl, 'appwrite-console', 'appwrite_console_http')).toBe('harden-init-https-redirect');
    expect(middlewareOf(cl, 'appwrite-console', 'appwrite_console_https')).toBe('harden-init-console-headers');
    const l = labels(cl, 'appwrite-console');
    expect(l).toContain('traefik.http.middlewares.harden-init-https-redirect.redirectscheme.scheme=https');
    expect(l).toContain('traefik.http.middlewares.harden-init-https-redirect.redirectscheme.permanent=true');
    expect(l.some((x) => x.includes('redirectscheme.port'))).toBe(false);
    expect(l).toEqual(
      expect.arrayContaining([
        'traefik.http.middlewares.harden-init-console-headers.headers.frameDeny=true',
        'traefik.http.middlewares.harden-init-console-headers.headers.contentTypeNosniff=true',
        'traefik.http.middlewares.harden-init-console-headers.headers.stsSeconds=31536000',
      ]),
    );
  });
  it('console-https (auto, HTTPS on 8443): the redirect carries the port', () => {
    const x = labelled(t, { ...a, httpsPort: 8443 });
    expect(labels(x, 'appwrite-console')).toContain(
      'traefik.http.middlewares.harden-init-https-redirect.redirectscheme.port=8443',
    );
  });
  it("console-https (proxy, off): no redirect at all; the headers on the console's router; HSTS only where HTTPS exists", () => {
    for (const https of ['proxy', 'off'] as const) {
      const x = labelled(t, { ...a, https });
      const l = labels(x, 'appwrite-console');
      expect(
        l.some((v) => v.includes('redirect')),
        https,
      ).toBe(false);
      expect(middlewareOf(x, 'appwrite-console', 'appwrite_console_http'), https).toBe('harden-init-console-headers');
      expect(
        l.some((v) => v.includes('stsSeconds')),
        https,
      ).toBe(https === 'proxy');
    }
  });
  it('console-https: never on the API or realtime routers, never entrypoint-wide', () => {
    for (const https of ['auto', 'proxy', 'off'] as const) {
      const x = labelled(t, { ...a, https });
      for (const [name] of Object.entries(x.services)) {
        if (name === 'appwrite-console') continue;
        expect(
          labels(x, name).filter((l) => /middlewares/.test(l)),
          `${https} ${name}`,
        ).toEqual([]);
      }
      expect(
        list(x.services.traefik!.command).filter((f) => /entrypoints\.[^.]+\.http\.(redirections|middlewares)/.test(f)),
        https,
      ).toEqual([]);
    }
  });

  it("database-location: path binds the chosen directory at upstream's data directory; the named volume goes", () => {
    const x = hardened(t, { ...a, db: 'path', dbPath: '/srv/appwrite/db' });
    const dir = a.dbEngine === 'postgresql' ? '/var/lib/postgresql' : '/var/lib/mysql';
    expect(x.services[a.dbEngine]!.volumes).toEqual([`/srv/appwrite/db:${dir}:rw`]);
    expect(weak.services[a.dbEngine]!.volumes).toEqual([`appwrite-${a.dbEngine}:${dir}:rw`]);
    expect(x.volumes).not.toHaveProperty(`appwrite-${a.dbEngine}`);
  });
  it("database-location: path refuses (RenderError) when upstream's database has no named data volume to replace", () => {
    const t2: Template = {
      ...t,
      compose: t.compose.replace(`appwrite-${a.dbEngine}:/var/lib/`, 'some-other-volume:/var/lib/'),
    };
    expect(t2.compose).not.toBe(t.compose);
    expect(() => renderCompose(t2, { ...a, db: 'path', dbPath: '/srv/appwrite/db' })).toThrow(RenderError);
  });
  it('database-location: external keeps no database service, volume or dependency on one', () => {
    const x = hardened(t, { ...a, db: 'external', dbHost: 'db.example.com', dbPort: 5432, dbUser: 'u', dbName: 'n' });
    for (const db of ['mariadb', 'postgresql', 'mongodb']) expect(x.services).not.toHaveProperty(db);
    expect(x.volumes).not.toHaveProperty(`appwrite-${a.dbEngine}`);
    for (const [name, s] of Object.entries(x.services))
      for (const d of list(s.depends_on)) expect(x.services, `${name} → ${d}`).toHaveProperty(d);
  });

  it('every image names a version tag (never :latest or none); no duplicate environment entries (Compose v1 rejects them)', () => {
    for (const https of ['auto', 'proxy', 'off'] as const) {
      for (const [name, s] of Object.entries(hardened(t, { ...a, https }).services)) {
        expect(s.image, name).toMatch(/^[a-z0-9./-]+:(?!latest$)[0-9][\w.-]*$/);
        const env = list(s.environment).map((e) => e.split('=')[0]);
        expect(new Set(env).size, name).toBe(env.length);
      }
    }
  });

  it("upstream's own file has nothing to refuse", () => {
    expect(renderCompose(t, a).findings).toEqual([]);
  });
});

describe('MQTT (2.3.0)', () => {
  it('upstream publishes 8883 and 8084 unconditionally; hardened only with mqtt: true', () => {
    expect(upstreamRender(T2, A2).services.traefik!.ports).toEqual(
      expect.arrayContaining(['${_APP_MQTT_PORT:-8883}:8883', '${_APP_MQTT_WSS_PORT:-8084}:8084']),
    );
    expect(hardened(T2, { ...A2, mqtt: false }).services.traefik!.ports).toEqual(['80:80', '443:443']);
    expect(hardened(T2, { ...A2, mqtt: true }).services.traefik!.ports).toEqual([
      '80:80',
      '443:443',
      '8883:8883',
      '8084:8084',
    ]);
    expect(hardened(T2, { ...A2, https: 'proxy', mqtt: true }).services.traefik!.ports).toEqual([
      '127.0.0.1:80:80',
      '127.0.0.1:8883:8883',
      '127.0.0.1:8084:8084',
    ]);
  });
});

describe('trusted-proxies: _APP_TRUSTED_PROXIES reaches every service that reads it (2.3.0+)', () => {
  const envNames = (s: Svc) => list(s.environment).map((e) => e.split('=')[0]);
  it('upstream passes it to no service; hardened, appwrite and realtime get it, nothing else', () => {
    for (const [name, s] of Object.entries(upstreamRender(T2, A2).services))
      expect(envNames(s), name).not.toContain('_APP_TRUSTED_PROXIES');
    for (const topology of ['combined'] as const) {
      const readers = Object.entries(hardened(T2, { ...A2, topology }).services)
        .filter(([, s]) => envNames(s).includes('_APP_TRUSTED_PROXIES'))
        .map(([n]) => n);
      expect(readers.sort()).toEqual(['appwrite', 'appwrite-realtime']);
    }
  });
  it('1.9 has no such variable: none gets it, but traefik still has its fixed address', () => {
    const c = hardened(T19, A19);
    for (const [name, s] of Object.entries(c.services)) expect(envNames(s), name).not.toContain('_APP_TRUSTED_PROXIES');
    expect(c.services.traefik!.networks.appwrite).toEqual({ ipv4_address: '10.213.78.2' });
  });
});

describe('traefik-file-routes on other spellings of the socket mount (synthetic)', () => {
  const withMount = (mount: string) => {
    const t: Template = {
      ...T2,
      compose: T2.compose.replace(
        '      - /var/run/docker.sock:/var/run/docker.sock\n      - appwrite-config',
        `${mount}\n      - appwrite-config`,
      ),
    };
    expect(t.compose).not.toBe(T2.compose);
    return hardened(t, A2).services.traefik!;
  };
  it.each([
    ['long form', '      - type: bind\n        source: /var/run/docker.sock\n        target: /var/run/docker.sock'],
    ['/run/docker.sock', '      - /run/docker.sock:/var/run/docker.sock'],
    ['read-only', '      - /var/run/docker.sock:/var/run/docker.sock:ro'],
  ])('%s: traefik keeps no socket', (_name, mount) => {
    const gw = withMount(mount);
    expect(JSON.stringify(gw.volumes)).not.toContain('docker.sock');
    expect(gw.volumes).toEqual([
      'appwrite-config:/storage/config',
      'appwrite-certificates:/storage/certificates:ro',
      `./${ROUTES_FILE}:/storage/config/harden-init-routes.yml:ro`,
    ]);
  });
});

describe('internal-data-network on data clients upstream does not have yet (synthetic)', () => {
  it('a service reading only _APP_DB_HOST_DOCUMENTSDB, an _APP_CONNECTIONS_* DSN, or depending on redis joins the internal network', () => {
    const extra = `  reader-documentsdb:
    image: example/reader:1.0
    environment: [_APP_DB_HOST_DOCUMENTSDB]
  reader-dsn:
    image: example/reader:1.0
    environment:
      CACHE: \${_APP_CONNECTIONS_CACHE}
  reader-depends:
    image: example/reader:1.0
    depends_on: { redis: { condition: service_started } }
  bystander:
    image: example/reader:1.0
    environment: [_APP_DOMAIN]
`;
    const t: Template = { ...T2, compose: T2.compose.replace(/\nnetworks:\n/, `\n${extra}networks:\n`) };
    const c = hardened(t, A2);
    for (const n of ['reader-documentsdb', 'reader-dsn', 'reader-depends'])
      expect(networksOf(c.services[n]!), n).toContain('internal');
    expect(networksOf(c.services.bystander!)).not.toContain('internal');
  });
});

describe('durable-database', () => {
  it("PostgreSQL: -c fsync=off -c synchronous_commit=off -c full_page_writes=off are removed, other flags kept (1.9.6's real file)", () => {
    expect(upstreamRender(T19, { ...A19, dbEngine: 'postgresql' }).services.postgresql!.command).toEqual([
      'postgres',
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
    ]);
    expect(hardened(T19, { ...A19, dbEngine: 'postgresql' }).services.postgresql!.command).toEqual(['postgres']);
  });
  const synthetic = (command: string) => {
    const doc = parseDocument(
      `services:\n  postgresql:\n    image: postgres:17\n    command: ${command}\n  mariadb:\n    image: mariadb:10.11\n    command: [mysqld, --innodb-flush-method=fsync, --innodb-flush-log-at-trx-commit=2, --skip-innodb-doublewrite, --max-connections=500]\n`,
    );
    durableDatabase.apply({ doc, answers: A2, accepted: new Set() });
    return parse(doc.toString()) as Compose;
  };
  it('synthetic list form: unsafe flags dropped, safe ones and their order kept', () => {
    const c = synthetic(
      '[postgres, -c, max_connections=200, -c, fsync=off, -c, synchronous_commit=off, -c, full_page_writes=off, -c, shared_buffers=1GB]',
    );
    expect(c.services.postgresql!.command).toEqual([
      'postgres',
      '-c',
      'max_connections=200',
      '-c',
      'shared_buffers=1GB',
    ]);
    expect(c.services.mariadb!.command).toEqual(['mysqld', '--innodb-flush-method=fsync', '--max-connections=500']);
  });
  it('synthetic joined "-cfsync=off" and string form are caught too', () => {
    expect(synthetic('[postgres, -cfsync=off]').services.postgresql!.command).toEqual(['postgres']);
    expect(
      synthetic('postgres -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200')
        .services.postgresql!.command,
    ).toBe('postgres -c max_connections=200');
  });
});

describe('rules table', () => {
  it('every rule has a distinct id and says what, why and what Appwrite keeps', () => {
    expect(new Set(RULES.map((r) => r.id)).size).toBe(RULES.length);
    for (const r of RULES) {
      expect(r.id).toMatch(/^[a-z][a-z0-9-]+$/);
      for (const f of [r.what, r.why, r.keeps]) expect(f.length, r.id).toBeGreaterThan(10);
    }
  });
});

// refuse.ts: what upstream's file asks for that the rules do not know is found, named and refused until accepted.
describe('refusing what the rules cannot harden', () => {
  const EXTRA = `  evil-publisher:
    image: example/evil:1.0
    ports: ["9000:9000"]
  evil-socket:
    image: example/evil:1.0
    volumes: ["/var/run/docker.sock:/var/run/docker.sock"]
  evil-hostpath:
    image: example/evil:1.0
    volumes: ["/etc:/host-etc:ro", "appwrite-uploads:/storage/uploads"]
  evil-privileged:
    image: example/evil:1.0
    privileged: true
  evil-interpolated:
    image: example/evil:1.0
    volumes: ["\${EVIL_DIR:-/}:/host"]
  appwrite-worker-ghost:
    image: \${_APP_IMAGE:-appwrite/appwrite}:\${_APP_VERSION:-latest}
    entrypoint: worker-ghost
`;
  const later = (): Template => {
    const files: UpstreamFiles = {
      ...T2.upstream,
      version: '2.9.0',
      compose: T2.compose.replace(/\nnetworks:\n/, `\n${EXTRA}networks:\n`),
      variables: [
        ...T2.upstream.variables,
        { name: '_APP_NEW_SECRET', default: '', filter: '', required: false },
        { name: '_APP_HARMLESS', default: 'x', filter: '', required: false },
      ],
    };
    return { ...T2, version: '2.9.0', compose: files.compose, upstream: files };
  };

  it('finds an unknown service publishing a port, mounting the socket or a host path, running privileged; a missing entrypoint; an unknown secret', () => {
    const r = renderCompose(later(), { ...A2, release: '2.9.0' });
    expect(r.findings.map((f) => [f.subject, f.kind])).toEqual([
      ['evil-publisher', 'service'],
      ['evil-socket', 'service'],
      ['evil-hostpath', 'service'],
      ['evil-privileged', 'service'],
      ['evil-interpolated', 'service'],
      ['appwrite-worker-ghost', 'service'],
      ['_APP_NEW_SECRET', 'variable'],
    ]);
    const what = r.findings.map((f) => f.what).join('\n');
    expect(what).toContain('publishes 9000:9000');
    expect(what).toContain('mounts the Docker socket (/var/run/docker.sock)');
    expect(what).toContain('mounts the host path /etc');
    expect(what).toContain('runs privileged');
    expect(what).toContain('service evil-interpolated mounts the host path ${EVIL_DIR');
    expect(what).toContain('runs "worker-ghost", which appwrite/appwrite:2.9.0 does not ship');
    expect(what).not.toContain('_APP_HARMLESS');
    for (const f of r.findings) expect(f.accepting.length, f.subject).toBeGreaterThan(10);
  });
  it('accepted names are not findings; an accepted service keeps its ports, the others lose theirs', () => {
    const r = renderCompose(later(), { ...A2, release: '2.9.0' }, new Set(['evil-publisher', '_APP_NEW_SECRET']));
    expect(r.findings.map((f) => f.subject)).toEqual([
      'evil-socket',
      'evil-hostpath',
      'evil-privileged',
      'evil-interpolated',
      'appwrite-worker-ghost',
    ]);
    expect(r.accepted.map((f) => f.subject)).toEqual(['evil-publisher', '_APP_NEW_SECRET']);
    const c: Compose = parse(r.text);
    expect(c.services['evil-publisher']!.ports).toEqual(['9000:9000']);
    for (const [name, s] of Object.entries(c.services))
      if (!['traefik', 'evil-publisher'].includes(name)) expect(s.ports, name).toBeUndefined();
  });
  it('a variable the template already generates is not a finding', () => {
    const t = later();
    const doc = renderLikeInstaller(t.compose, { database: 'postgresql', topology: 'combined' });
    expect(findUnknowns(doc, t.upstream, new Set(['_APP_NEW_SECRET'])).map((f) => f.subject)).not.toContain(
      '_APP_NEW_SECRET',
    );
  });
  it('the known socket users are not findings (executor, orchestrator, traefik before the proxy replaces it)', () => {
    const doc = renderLikeInstaller(T2.compose, { database: 'postgresql', topology: 'combined' });
    expect(findUnknowns(doc, T2.upstream, new Set(T2.secrets.generate))).toEqual([]);
  });
  it('an entrypoint is checked only on appwrite/appwrite images (others bring their own)', () => {
    const t = later();
    const doc = renderLikeInstaller(t.compose, { database: 'mongodb', topology: 'combined' });
    // mongodb's entrypoint is /bin/bash (not an Appwrite executable): its ./ host-path mounts are findings, the entrypoint is not.
    const subjects = findUnknowns(doc, t.upstream, new Set(t.secrets.generate)).filter((f) => f.subject === 'mongodb');
    expect(subjects.map((f) => f.what).join('\n')).not.toContain('does not ship');
  });
});

describe('edge spellings upstream may use (synthetic)', () => {
  const withService = (t: Template, name: string, body: string): Template => ({
    ...t,
    compose: t.compose.replace(/\nnetworks:\n/, `\n  ${name}:\n${body}\nnetworks:\n`),
  });

  it('pin-image: docker.io/appwrite/appwrite and digest references are pinned too', () => {
    const t = withService(
      T2,
      'appwrite-extra',
      '    image: docker.io/appwrite/appwrite@sha256:0123\n    networks:\n      - appwrite',
    );
    expect(hardened(t, A2).services['appwrite-extra']!.image).toBe('appwrite/appwrite:2.3.0');
  });

  it('console-https: a middlewares label upstream already sets is extended, not duplicated', () => {
    const t = {
      ...T2,
      compose: T2.compose.replace(
        '      - traefik.http.routers.appwrite_console_http.service=appwrite_console',
        '      - traefik.http.routers.appwrite_console_http.service=appwrite_console\n      - traefik.http.routers.appwrite_console_http.middlewares=upstream-mw',
      ),
    };
    const labels = list(labelled(t, A2).services['appwrite-console']!.labels);
    const mw = labels.filter((l) => l.startsWith('traefik.http.routers.appwrite_console_http.middlewares='));
    expect(mw).toEqual([
      'traefik.http.routers.appwrite_console_http.middlewares=upstream-mw,harden-init-https-redirect',
    ]);
  });

  it('refuse: a service that drops seccomp/AppArmor confinement or takes host devices is a finding', () => {
    const t = withService(
      T2,
      'appwrite-odd',
      '    image: appwrite/odd:1.0.0\n    security_opt:\n      - seccomp:unconfined\n    devices:\n      - /dev/kmsg\n    networks:\n      - appwrite',
    );
    const doc = renderLikeInstaller(t.compose, { database: 'postgresql', topology: 'combined' });
    const what = findUnknowns(doc, t.upstream as UpstreamFiles, new Set(t.secrets.generate))
      .filter((f) => f.subject === 'appwrite-odd')
      .map((f) => f.what);
    expect(what.some((w) => /confinement/.test(w))).toBe(true);
    expect(what.some((w) => /host devices/.test(w))).toBe(true);
  });
});
