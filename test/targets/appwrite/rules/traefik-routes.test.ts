// traefik reads its routes from the file harden-init writes, not from the Docker API. For every rendered choice
// (release × HTTPS mode × console mode × topology × HTTPS port), the file must declare exactly what the `traefik.*`
// labels declared in the render the Docker provider used to read (every rule applied but the one that moves the
// labels into the file), in traefik's file-provider schema. The comparison and the schema here are written
// independently of src/targets/appwrite/rules/traefik-file.ts.
import { describe, expect, it } from 'vitest';
import { parse, parseDocument } from 'yaml';
import { renderCompose } from '../../../../src/targets/appwrite/compose.js';
import { renderLikeInstaller, RenderError } from '../../../../src/targets/appwrite/render/generator.js';
import { RULES } from '../../../../src/targets/appwrite/rules/index.js';
import { ROUTES_FILE, routesFromLabels } from '../../../../src/targets/appwrite/rules/traefik-file.js';
import { CONSOLE_MODES, HTTPS_MODES, TOPOLOGIES, type Answers } from '../../../../src/targets/appwrite/answers.js';
import { BASE, BASE_19, templateOf } from '../../../helpers/fixtures.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

// Traefik v3's dynamic configuration (file provider), the keys these releases use and their neighbours.
const ROUTER = {
  rule: 's',
  ruleSyntax: 's',
  entryPoints: 'l',
  middlewares: 'l',
  service: 's',
  priority: 'n',
  tls: { certResolver: 's', options: 's', passthrough: 'b' },
};
const SCHEMA: Any = {
  http: {
    routers: { '*': ROUTER },
    services: { '*': { loadBalancer: { servers: [{ url: 's' }], passHostHeader: 'b' } } },
    middlewares: {
      '*': {
        headers: {
          frameDeny: 'b',
          contentTypeNosniff: 'b',
          referrerPolicy: 's',
          stsSeconds: 'n',
          stsIncludeSubdomains: 'b',
          stsPreload: 'b',
          browserXssFilter: 'b',
          customFrameOptionsValue: 's',
          contentSecurityPolicy: 's',
        },
        redirectScheme: { scheme: 's', port: 's', permanent: 'b' },
      },
    },
  },
  tcp: {
    routers: { '*': ROUTER },
    services: { '*': { loadBalancer: { servers: [{ address: 's', tls: 'b' }] } } },
  },
};
function validate(node: Any, shape: Any, path: string): void {
  if (shape === 's') return expect(typeof node, path).toBe('string');
  if (shape === 'n') return expect(Number.isInteger(node), path).toBe(true);
  if (shape === 'b') return expect(typeof node, path).toBe('boolean');
  if (shape === 'l') {
    expect(Array.isArray(node), path).toBe(true);
    for (const v of node) expect(typeof v, path).toBe('string');
    return;
  }
  if (Array.isArray(shape)) {
    expect(Array.isArray(node), path).toBe(true);
    for (const [i, v] of node.entries()) validate(v, shape[0], `${path}[${i}]`);
    return;
  }
  expect(node !== null && typeof node === 'object' && !Array.isArray(node), path).toBe(true);
  for (const [k, v] of Object.entries(node)) {
    const sub = shape['*'] ?? shape[k];
    expect(sub, `${path}.${k} is not a key of traefik's file provider`).toBeDefined();
    validate(v, sub, `${path}.${k}`);
  }
}

/** The render the Docker provider read: every rule but the one that moves the labels into traefik's file. */
function labelled(t: ReturnType<typeof templateOf>, a: Answers): Any {
  const doc = renderLikeInstaller(t.compose, {
    database: a.db === 'external' ? undefined : a.dbEngine,
    topology: a.topology,
  });
  for (const rule of RULES) if (rule.id !== 'traefik-file-routes') rule.apply({ doc, answers: a, accepted: new Set() });
  return parse(doc.toString());
}

/** What the labels declare, as `protocol.kind.name.key.path=value` lines (keys lower-cased, as traefik reads them), with the declaring service. */
function fromLabels(c: Any): { lines: string[]; owner: Map<string, string> } {
  const lines: string[] = [];
  const owner = new Map<string, string>();
  for (const [name, s] of Object.entries<Any>(c.services)) {
    const labels: string[] = s.labels ?? [];
    if (!labels.includes('traefik.enable=true') || !labels.includes('traefik.constraint-label-stack=appwrite'))
      continue;
    for (const l of labels) {
      const m = /^traefik\.((?:http|tcp|udp)\.[^=]+)=(.*)$/.exec(l);
      if (!m) continue;
      const key = m[1]!.toLowerCase();
      lines.push(`${key}=${m[2]}`);
      const svc = /^(\w+)\.services\.([^.]+)\./.exec(key);
      if (svc) owner.set(`${svc[1]}.${svc[2]}`, name);
    }
  }
  return { lines: lines.sort(), owner };
}

/** The file's tree as the same lines: lists joined, `tls: {}` as tls=true, a server's address as its port (its host checked). */
function fromFile(tree: Any, env: Map<string, string>, owner: Map<string, string>): string[] {
  const lines: string[] = [];
  const untemplate = (v: string) =>
    v.replace(/\{\{ env `([A-Za-z_][A-Za-z0-9_]*)` \}\}/g, (_, n: string) => {
      expect(env.has(n), `traefik's environment has ${n}`).toBe(true);
      return env.get(n)!;
    });
  const walk = (node: Any, path: string[]): void => {
    if (path.length === 5 && path[1] === 'services' && path[4] === 'servers') {
      expect(node, path.join('.')).toHaveLength(1);
      const host = owner.get(`${path[0]}.${path[2]}`);
      const m =
        path[0] === 'http' ? /^http:\/\/([^:/]+):(\d+)$/.exec(node[0].url) : /^([^:/]+):(\d+)$/.exec(node[0].address);
      expect(m, path.join('.')).not.toBeNull();
      expect(m![1], `${path.join('.')}: the container that declared the service`).toBe(host);
      lines.push(`${[...path.slice(0, 4), 'server', 'port'].join('.').toLowerCase()}=${m![2]}`);
      return;
    }
    if (Array.isArray(node)) {
      lines.push(`${path.join('.').toLowerCase()}=${node.join(',')}`);
      return;
    }
    if (node && typeof node === 'object') {
      if (path.at(-1) === 'tls' && Object.keys(node).length === 0) {
        lines.push(`${path.join('.').toLowerCase()}=true`);
        return;
      }
      for (const [k, v] of Object.entries(node)) walk(v, [...path, k]);
      return;
    }
    lines.push(`${path.join('.').toLowerCase()}=${typeof node === 'string' ? untemplate(node) : String(node)}`);
  };
  walk(tree, []);
  return lines.sort();
}

const RELEASES = [
  { release: '2.7.1', base: BASE },
  { release: '2.3.0', base: BASE },
  { release: '1.9.10', base: BASE_19 },
  { release: '1.9.6', base: BASE_19 },
  { release: '1.9.5', base: BASE_19 },
];
const combos = RELEASES.flatMap(({ release, base }) =>
  HTTPS_MODES.flatMap((https) =>
    CONSOLE_MODES.flatMap((console) =>
      TOPOLOGIES.flatMap((topology) =>
        [443, 8443].map((httpsPort) => ({ release, base, https, console, topology, httpsPort })),
      ),
    ),
  ),
);

describe("traefik's routes file declares exactly what the labels declared", () => {
  it.for(combos)(
    '$release https=$https console=$console topology=$topology httpsPort=$httpsPort',
    ({ release, base, https, console, topology, httpsPort }) => {
      const t = templateOf(release);
      const a: Answers = {
        ...base,
        release,
        https,
        console,
        topology,
        httpsPort,
        consoleEmails: console === 'emails' ? ['alice@example.com'] : [],
        consoleIps: console === 'ips' ? ['203.0.113.7'] : [],
      };
      let r;
      try {
        r = renderCompose(t, a);
      } catch (e) {
        // These files have no separate topology: the render refuses it, with or without the routes file.
        expect(e).toBeInstanceOf(RenderError);
        expect(String(e)).toMatch(/no "separate" worker topology/);
        expect(() => labelled(t, a)).toThrow(/no "separate" worker topology/);
        return;
      }
      const before = labelled(t, a);
      const after = parse(r.text);
      const file = r.files!.find((f) => f.path === ROUTES_FILE)!;
      // Go's template engine runs first: the only actions are env reads, and the result is still the same YAML.
      expect(file.content.replace(/\{\{ env `[A-Za-z_][A-Za-z0-9_]*` \}\}/g, '')).not.toMatch(/\{\{|\}\}/);
      const tree = parse(file.content);
      expect(parse(file.content.replace(/\{\{ env `[A-Za-z_][A-Za-z0-9_]*` \}\}/g, 'appwrite.example.com'))).toEqual(
        JSON.parse(JSON.stringify(tree).replace(/\{\{ env `[A-Za-z_][A-Za-z0-9_]*` \}\}/g, 'appwrite.example.com')),
      );
      validate(tree, SCHEMA, 'file');

      const env = new Map<string, string>(
        ((after.services.traefik.environment ?? []) as string[]).map((e) => [
          e.slice(0, e.indexOf('=')),
          e.slice(e.indexOf('=') + 1),
        ]),
      );
      const { lines, owner } = fromLabels(before);
      expect(lines.length).toBeGreaterThan(10);
      expect(fromFile(tree, env, owner)).toEqual(lines);
      // What the labels only told the Docker provider is gone with it.
      expect(
        Object.values<Any>(after.services)
          .flatMap((s) => (s.labels ?? []) as string[])
          .filter((l) => l.startsWith('traefik.')),
      ).toEqual([]);
      expect((after.services.traefik.command as string[]).filter((f) => /^--providers\.docker/i.test(f))).toEqual([]);
      // traefik reaches every server by name: it shares the network upstream's traefik.docker.network names.
      for (const s of Object.values<Any>(before.services)) {
        const net = ((s.labels ?? []) as string[]).find((l) => l.startsWith('traefik.docker.network='))?.split('=')[1];
        if (net) expect(Object.keys(after.services.traefik.networks)).toContain(net);
      }
    },
  );
});

describe("routesFromLabels: the Docker provider's defaults, made explicit (synthetic)", () => {
  const doc = (services: string) =>
    parseDocument(`services:\n  traefik:\n    image: traefik:3.6\n    networks: [gateway, appwrite]\n${services}`);
  const CMD = ['--providers.docker=true', '--providers.docker.exposedByDefault=false'];
  const svc = (name: string, labels: string[]) =>
    `  ${name}:\n    image: example/${name}:1.0\n    labels:\n${labels.map((l) => `      - "${l.replaceAll('"', '\\"')}"`).join('\n')}\n`;

  it("a router without a service gets the container's only service; the server is the compose service name and port", () => {
    const r = routesFromLabels(
      doc(
        svc('api', [
          'traefik.enable=true',
          'traefik.http.services.s.loadbalancer.server.port=8080',
          'traefik.http.routers.r.rule=PathPrefix(`/`)',
        ]),
      ),
      CMD,
    );
    expect(r.tree).toEqual({
      http: {
        services: { s: { loadBalancer: { servers: [{ url: 'http://api:8080' }] } } },
        routers: { r: { rule: 'PathPrefix(`/`)', service: 's' } },
      },
    });
  });
  it('exposedByDefault=false: a container without traefik.enable=true is not routed; the constraint label must match', () => {
    const labels = ['traefik.http.services.s.loadbalancer.server.port=80', 'traefik.http.routers.r.rule=Path(`/x`)'];
    expect(routesFromLabels(doc(svc('api', labels)), CMD).tree).toEqual({});
    expect(
      routesFromLabels(doc(svc('api', ['traefik.enable=true', ...labels])), [
        ...CMD,
        '--providers.docker.constraints=Label(`stack`,`appwrite`)',
      ]).tree,
    ).toEqual({});
    expect(routesFromLabels(doc(svc('api', labels)), ['--providers.docker=true']).tree).not.toEqual({});
  });
  it('refuses what only the Docker API could fill in: no port, no rule, two services and a router naming none, an unknown key', () => {
    const on = (labels: string[]) => () => routesFromLabels(doc(svc('api', ['traefik.enable=true', ...labels])), CMD);
    expect(on(['traefik.http.routers.r.rule=Path(`/`)'])).toThrow(/names no port/);
    expect(
      on(['traefik.http.services.s.loadbalancer.server.port=80', 'traefik.http.routers.r.entrypoints=web']),
    ).toThrow(/has no rule/);
    expect(
      on([
        'traefik.http.services.a.loadbalancer.server.port=80',
        'traefik.http.services.b.loadbalancer.server.port=81',
        'traefik.http.routers.r.rule=Path(`/`)',
      ]),
    ).toThrow(/names no service and the container declares 2/);
    expect(
      on([
        'traefik.http.services.s.loadbalancer.server.port=80',
        'traefik.http.routers.r.rule=Path(`/`)',
        'traefik.http.routers.r.observability.tracing=false',
      ]),
    ).toThrow(/observability/);
  });
  it('compose interpolation becomes an env template read, $$ a dollar, a literal {{ a template string; two readings of one variable are refused', () => {
    const r = routesFromLabels(
      doc(
        svc('api', [
          'traefik.enable=true',
          'traefik.http.services.s.loadbalancer.server.port=80',
          'traefik.http.routers.r.rule=Host(`${D:-localhost}`) && PathRegexp(`^/a$$`) && Header(`x`, `{{y}}`)',
        ]),
      ),
      CMD,
    );
    expect((r.tree as Any).http.routers.r.rule).toBe(
      'Host(`{{ env `D` }}`) && PathRegexp(`^/a$`) && Header(`x`, `{{ `{{` }}y}}`)',
    );
    expect([...r.env]).toEqual([['D', '${D:-localhost}']]);
    expect(() =>
      routesFromLabels(
        doc(
          svc('api', [
            'traefik.enable=true',
            'traefik.http.services.s.loadbalancer.server.port=80',
            'traefik.http.routers.r.rule=Host(`${D}`) || Host(`${D:-x}`)',
          ]),
        ),
        CMD,
      ),
    ).toThrow(/interpolated two ways/);
  });
  it('the same router from two containers must agree; a TCP service gets an address', () => {
    const same = ['traefik.enable=true', 'traefik.http.middlewares.m.headers.frameDeny=true'];
    const r = routesFromLabels(doc(svc('a', same) + svc('b', same)), CMD);
    expect(r.tree).toEqual({ http: { middlewares: { m: { headers: { frameDeny: true } } } } });
    expect(() =>
      routesFromLabels(
        doc(svc('a', same) + svc('b', ['traefik.enable=true', 'traefik.http.middlewares.m.headers.frameDeny=false'])),
        CMD,
      ),
    ).toThrow(/declared differently by a and b/);
    const tcp = routesFromLabels(
      doc(
        svc('mq', [
          'traefik.enable=true',
          'traefik.tcp.services.t.loadbalancer.server.port=1883',
          'traefik.tcp.routers.t.rule=HostSNI(`*`)',
          'traefik.tcp.routers.t.tls=true',
        ]),
      ),
      CMD,
    );
    expect(tcp.tree).toEqual({
      tcp: {
        services: { t: { loadBalancer: { servers: [{ address: 'mq:1883' }] } } },
        routers: { t: { rule: 'HostSNI(`*`)', tls: {}, service: 't' } },
      },
    });
  });
});
