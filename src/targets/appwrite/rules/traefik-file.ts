// traefik without the Docker API: the routes upstream declares as `traefik.*` labels (after the other rules changed
// them) become one file-provider file, traefik's Docker provider is switched off and the socket leaves traefik.
// Labels are the flat, dotted spelling of traefik's dynamic configuration tree; the conversion is generic (every
// `traefik.http|tcp|udp.*` label of every service), and every default the Docker provider adds is reproduced
// explicitly below, each named where it is applied.
import { isMap, isSeq, stringify, type Document, type YAMLMap } from 'yaml';
import { addString, eachService, labelsOf, scalar, service, strings } from '../render/doc.js';
import { isSocket, mountsOf } from '../render/volumes.js';
import { RenderError } from '../render/generator.js';
import { sha256 } from '../../../engine/state.js';
import { GATEWAY } from './publish.js';
import type { Rule } from './types.js';

/** The file harden-init writes beside docker-compose.yml, mounted read-only into traefik's file-provider directory. */
export const ROUTES_FILE = 'traefik-routes.yml';
export const ROUTES_MOUNT_NAME = 'harden-init-routes.yml';
/** traefik is recreated when the routes change: its directory watch does not see a bind-mounted file change. */
export const ROUTES_LABEL = 'org.harden-init.traefik-routes-sha256';

// --- traefik's dynamic-configuration schema (the keys harden-init can write) ---------------------------------------
// Label keys are case-insensitive; the file provider's documented spelling is camelCase. Each leaf says how a label's
// string value becomes the file's value. A label outside this schema is refused: a route silently lost would be worse.
type Leaf = 'string' | 'bool' | 'int' | 'list';
export interface Shape {
  [key: string]: Leaf | Shape;
}
const TLS_HTTP: Shape = { certResolver: 'string', options: 'string' };
const HEADERS: Shape = {
  frameDeny: 'bool',
  contentTypeNosniff: 'bool',
  browserXssFilter: 'bool',
  referrerPolicy: 'string',
  stsSeconds: 'int',
  stsIncludeSubdomains: 'bool',
  stsPreload: 'bool',
  forceSTSHeader: 'bool',
  customFrameOptionsValue: 'string',
  contentSecurityPolicy: 'string',
  permissionsPolicy: 'string',
  accessControlAllowOriginList: 'list',
  accessControlAllowMethods: 'list',
  accessControlAllowHeaders: 'list',
  accessControlAllowCredentials: 'bool',
  accessControlMaxAge: 'int',
  addVaryHeader: 'bool',
  hostsProxyHeaders: 'list',
  sslProxyHeaders: 'list',
};
export const SCHEMA: Shape = {
  http: {
    routers: {
      '*': {
        rule: 'string',
        ruleSyntax: 'string',
        entryPoints: 'list',
        middlewares: 'list',
        service: 'string',
        priority: 'int',
        tls: TLS_HTTP,
      },
    },
    services: {
      '*': { loadBalancer: { server: { port: 'int', scheme: 'string', url: 'string' }, passHostHeader: 'bool' } },
    },
    middlewares: {
      '*': {
        headers: HEADERS,
        redirectScheme: { scheme: 'string', port: 'string', permanent: 'bool' },
        redirectRegex: { regex: 'string', replacement: 'string', permanent: 'bool' },
        stripPrefix: { prefixes: 'list' },
        addPrefix: { prefix: 'string' },
        ipAllowList: { sourceRange: 'list' },
        rateLimit: { average: 'int', burst: 'int', period: 'string' },
        compress: {},
      },
    },
  },
  tcp: {
    routers: {
      '*': {
        rule: 'string',
        ruleSyntax: 'string',
        entryPoints: 'list',
        middlewares: 'list',
        service: 'string',
        priority: 'int',
        tls: { passthrough: 'bool', certResolver: 'string', options: 'string' },
      },
    },
    services: { '*': { loadBalancer: { server: { port: 'int', tls: 'bool' } } } },
  },
  udp: {
    routers: { '*': { entryPoints: 'list', service: 'string' } },
    services: { '*': { loadBalancer: { server: { port: 'int' } } } },
  },
};

type Tree = { [key: string]: unknown };

/**
 * Compose interpolation in a label value → a Go template reading traefik's environment (set to the same expression).
 */
function templated(value: string, env: Map<string, string>, where: string): string {
  let out = '';
  const re = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)((?::?[-?+])[^}]*)?\}|\$([A-Za-z_][A-Za-z0-9_]*)|\{\{/g;
  let last = 0;
  for (const m of value.matchAll(re)) {
    out += value.slice(last, m.index);
    last = m.index! + m[0].length;
    if (m[0] === '$$') {
      out += '$';
      continue;
    }
    // The file provider runs every file through Go's text/template: a literal "{{" is written as a template string.
    if (m[0] === '{{') {
      out += '{{ `{{` }}';
      continue;
    }
    const name = (m[1] ?? m[3])!;
    const expr = m[3] ? `\${${name}}` : m[0];
    const had = env.get(name);
    if (had !== undefined && had !== expr)
      throw new RenderError(
        `${where}: \${${name}} is interpolated two ways (${had}, ${expr}); traefik's file cannot tell them apart`,
      );
    env.set(name, expr);
    // Compose does the interpolation (traefik's environment holds the same expression), the template reads its result.
    out += `{{ env \`${name}\` }}`;
  }
  return out + value.slice(last);
}

function typed(leaf: Leaf, v: string, where: string): unknown {
  if (leaf === 'string') return v;
  if (leaf === 'list')
    return v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  if (leaf === 'bool') {
    if (!/^(true|false)$/i.test(v)) throw new RenderError(`${where}=${v}: not a boolean`);
    return v.toLowerCase() === 'true';
  }
  if (!/^-?\d+$/.test(v)) throw new RenderError(`${where}=${v}: not an integer`);
  return Number(v);
}

/** Places one label (path after `traefik.`) into the tree, in the schema's spelling and types. */
function place(tree: Tree, path: string[], value: string, where: string): void {
  let node = tree;
  let shape: Shape = SCHEMA;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i]!;
    const wild = shape['*'];
    const key = wild ? seg : Object.keys(shape).find((k) => k.toLowerCase() === seg.toLowerCase());
    const next = wild ?? (key ? shape[key] : undefined);
    if (!key || next === undefined)
      throw new RenderError(`${where}: "${seg}" is not a key harden-init can write to traefik's file provider`);
    const last = i === path.length - 1;
    if (typeof next === 'string') {
      if (!last) throw new RenderError(`${where}: "${seg}" takes a value, not sub-keys`);
      node[key] = typed(next, value, where);
      return;
    }
    if (last) {
      // A section set to "true" on its own (`...routers.X.tls=true`, `...middlewares.X.compress=true`): present, with
      // its defaults. "false" leaves it out, as the Docker provider does.
      if (!/^(true|false)$/i.test(value)) throw new RenderError(`${where}=${value}: a section takes true or sub-keys`);
      if (value.toLowerCase() === 'true') node[key] ??= {};
      return;
    }
    node = (node[key] ??= {}) as Tree;
    shape = next;
  }
}

export interface Routes {
  /** The dynamic configuration in traefik's file-provider schema. */
  tree: Tree;
  /** traefik's environment: each variable the labels interpolate, set to the same compose expression. */
  env: Map<string, string>;
}

/** What traefik's Docker-provider flags say about which containers are routed. */
interface ProviderSettings {
  exposedByDefault: boolean;
  /** `constraints=Label(`name`, `value`)`: only containers with that label are routed. */
  constraint?: [string, string];
}

function providerSettings(gatewayCommand: string[]): ProviderSettings {
  const flag = (name: string) =>
    gatewayCommand
      .find((c) => c.toLowerCase().startsWith(`--providers.docker.${name.toLowerCase()}=`))
      ?.split('=')
      .slice(1)
      .join('=');
  // Docker-provider default: exposedByDefault is true unless the flag says false; a container is then routed only
  // with traefik.enable=true.
  const exposedByDefault = (flag('exposedByDefault') ?? 'true').toLowerCase() !== 'false';
  const constraints = flag('constraints');
  if (!constraints) return { exposedByDefault };
  const m = /^Label\(`([^`]+)`\s*,\s*`([^`]*)`\)$/.exec(constraints.trim());
  if (!m)
    throw new RenderError(
      `traefik's --providers.docker.constraints=${constraints} is not a single Label(...) harden-init can apply`,
    );
  return { exposedByDefault, constraint: [m[1]!, m[2]!] };
}

/** Whether the Docker provider would route a container with these labels. */
function routed(labels: Map<string, string>, settings: ProviderSettings): boolean {
  const enable = labels.get('traefik.enable');
  if (enable !== undefined ? enable.toLowerCase() !== 'true' : !settings.exposedByDefault) return false;
  return !settings.constraint || labels.get(settings.constraint[0]) === settings.constraint[1];
}

/** A service's `traefik.{http,tcp,udp}.…` labels as a tree of routers, services and middlewares. */
function labelTree(name: string, labels: Map<string, string>, env: Map<string, string>): Tree {
  const own: Tree = {};
  for (const [k, v] of labels) {
    const m = /^traefik\.(http|tcp|udp)\.(.+)$/.exec(k);
    if (!m) continue;
    const path = [m[1]!, ...m[2]!.split('.')];
    if (path.length < 3 || !['routers', 'services', 'middlewares'].includes(path[1]!.toLowerCase()))
      throw new RenderError(`${name}: label ${k} is not a router, service or middleware`);
    path[1] = path[1]!.toLowerCase();
    place(own, path, templated(v, env, `${name}: ${k}`), `${name}: ${k}`);
  }
  return own;
}

type Protocol = 'http' | 'tcp' | 'udp';

/** The Docker provider's defaults for one protocol's routers and services of a container, made explicit. */
function withDefaults(name: string, proto: Protocol, p: { routers?: Tree; services?: Tree }): void {
  const svcNames = Object.keys(p.services ?? {});
  // Docker-provider default: a container with routers but no service gets one, named after the container.
  if (p.routers && !svcNames.length) {
    if (proto !== 'http')
      throw new RenderError(
        `${name}: ${proto} routers without a ${proto} service need the container's ` +
          `own port, which only the Docker API knows`,
      );
    p.services = { [name]: { loadBalancer: { server: {} } } };
    svcNames.push(name);
  }
  for (const [rn, r] of Object.entries(p.routers ?? {}) as [string, Tree][]) {
    // Docker-provider default: a router without a service uses the container's only service (more is an error).
    if (r.service === undefined) {
      if (svcNames.length !== 1)
        throw new RenderError(`${name}: router ${rn} names no service and the container declares ${svcNames.length}`);
      r.service = svcNames[0];
    }
    // Docker-provider default rule: Host(`<container name>`), which means nothing on a file provider.
    if (proto !== 'udp' && r.rule === undefined)
      throw new RenderError(
        `${name}: router ${rn} has no rule (the Docker provider's default Host rule names the container)`,
      );
  }
  for (const [sn, s] of Object.entries(p.services ?? {}) as [string, Tree][])
    s.loadBalancer = servers(name, proto, sn, s);
}

/** A service's load balancer with its `server` label turned into the address a file provider needs. */
function servers(name: string, proto: Protocol, serviceName: string, s: Tree): Tree {
  const lb = (s.loadBalancer ?? {}) as Tree;
  const server = (lb.server ?? {}) as { port?: number; scheme?: string; url?: string; tls?: boolean };
  delete lb.server;
  // Docker-provider default port: the container's only exposed port, known only to the Docker API.
  if (server.port === undefined && server.url === undefined)
    throw new RenderError(`${name}: service ${serviceName} names no port (loadbalancer.server.port)`);
  if (proto === 'http') {
    // Docker-provider default scheme: http. The container's address becomes its compose service name, which
    // resolves on the network it shares with traefik (upstream's traefik.docker.network).
    lb.servers = [{ url: server.url ?? `${server.scheme ?? 'http'}://${name}:${server.port}` }];
  } else {
    lb.servers = [{ address: `${name}:${server.port}`, ...(server.tls !== undefined ? { tls: server.tls } : {}) }];
  }
  return lb;
}

/**
 * The dynamic configuration the Docker provider would build from these services' labels, with traefik's flags as
 * upstream sets them (exposedByDefault, constraints). Server addresses are compose service names on the network
 * the service shares with traefik.
 */
export function routesFromLabels(doc: Document, gatewayCommand: string[]): Routes {
  const tree: Tree = {};
  const env = new Map<string, string>();
  const settings = providerSettings(gatewayCommand);
  const gwNets = new Set(strings(service(doc, GATEWAY)!, 'networks'));
  const owners = new Map<string, string>();
  eachService(doc, (name, svc) => {
    if (name === GATEWAY) return;
    const labels = new Map(
      labelsOf(svc).map((l) => {
        const i = l.indexOf('=');
        return [l.slice(0, i), l.slice(i + 1)] as const;
      }),
    );
    if (!routed(labels, settings)) return;
    const network = labels.get('traefik.docker.network');
    if (network !== undefined && !gwNets.has(network))
      throw new RenderError(`${name}: traefik.docker.network=${network} is not a network traefik joins`);
    const own = labelTree(name, labels, env);
    for (const proto of ['http', 'tcp', 'udp'] as const) {
      const p = own[proto] as { routers?: Tree; services?: Tree } | undefined;
      if (p) withDefaults(name, proto, p);
    }
    merge(tree, own, name, owners, []);
  });
  return { tree, env };
}

/** Like the Docker provider, the same router, service or middleware from two containers must be identical. */
function merge(into: Tree, from: Tree, owner: string, owners: Map<string, string>, path: string[]): void {
  for (const [k, v] of Object.entries(from)) {
    const p = [...path, k];
    if (p.length === 3) {
      const id = p.join('.');
      if (into[k] !== undefined && JSON.stringify(into[k]) !== JSON.stringify(v))
        throw new RenderError(`${id} is declared differently by ${owners.get(id)} and ${owner}`);
      owners.set(id, owners.get(id) ?? owner);
      into[k] = v;
    } else {
      merge((into[k] ??= {}) as Tree, v as Tree, owner, owners, p);
    }
  }
}

export function routesYaml(r: Routes): string {
  const header = [
    "# traefik's routes, written by harden-init from the `traefik.*` labels of Appwrite's compose file (as hardened),",
    '# so traefik needs no Docker API. Re-running harden-init rewrites it; traefik ' +
      'reads it from its file-provider directory.',
    // No template action in a comment: traefik runs the whole file through Go's template engine.
    ...(r.env.size
      ? [
          `# The env template actions read traefik's environment, which Compose sets from .env as it did in the ` +
            `labels (${[...r.env.keys()].join(', ')}).`,
        ]
      : []),
    '',
  ].join('\n');
  // Every string double-quoted: the file goes through Go's template engine before YAML, and a substituted value must
  // not change how the line parses.
  return header + stringify(r.tree, { lineWidth: 0, defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN' });
}

export const traefikFileProvider: Rule = {
  id: 'traefik-file-routes',
  what:
    `traefik reads its routes from a file harden-init writes (${ROUTES_FILE}, read-only, in traefik's ` +
    `file-provider directory) instead of the Docker API: no Docker provider, no Docker socket, no socket proxy; the ` +
    `\`traefik.*\` labels it was built from are removed. Residual risk: traefik's config volume (appwrite-config) is ` +
    `writable for it, where upstream mounts it read-only (Docker cannot create the file's mount point in a read-only ` +
    `volume), so a compromised traefik can leave routing or certificate files there that outlive its container`,
  why:
    'whoever reaches the Docker API is root on the host; even a read-only socket proxy (containers only) lets ' +
    "traefik — the one container facing the internet — inspect every container's environment, i.e. every secret",
  keeps:
    'every router, rule, entrypoint, middleware and service the labels declared (converted generically, the Docker ' +
    "provider's defaults made explicit); Appwrite's own certificate files in the same watched directory; the " +
    'executor and orchestrator keep the socket they need',
  apply({ doc, files }) {
    const gw = service(doc, GATEWAY);
    if (!gw) return;
    const command = strings(gw, 'command');
    const dirFlag = command.find((c) => c.startsWith('--providers.file.directory='));
    if (!dirFlag)
      throw new RenderError('traefik has no --providers.file.directory: there is nowhere to put its routes');
    const dir = dirFlag.slice('--providers.file.directory='.length).replace(/\/+$/, '');
    const routes = routesFromLabels(doc, command);
    const text = routesYaml(routes);
    files?.push({ path: ROUTES_FILE, content: text, mode: 0o644 });

    const cmd = gw.get('command');
    if (isSeq(cmd)) cmd.items = cmd.items.filter((i) => !/^--providers\.docker(\.|=|$)/i.test(scalar(i)));
    // Every spelling of the socket mount (short or long form, /var/run or /run) goes.
    const vols = gw.get('volumes');
    if (isSeq(vols)) {
      const mounts = mountsOf(gw);
      const kept = vols.items.flatMap((item, i) => {
        const m = mounts[i]!;
        if (isSocket(m)) return [];
        // Docker creates the routes file's mount point inside the volume it sits in, which fails on a read-only mount.
        if (m.target.replace(/\/+$/, '') === dir) {
          if (isMap(item)) item.delete('read_only');
          else if (/:ro$/.test(m.raw)) return [doc.createNode(m.raw.replace(/:ro$/, ''))];
        }
        return [item];
      });
      vols.items = kept as typeof vols.items;
    }
    addString(doc, gw, 'volumes', `./${ROUTES_FILE}:${dir}/${ROUTES_MOUNT_NAME}:ro`);
    if (routes.env.size) {
      const env = gw.get('environment');
      if (env !== undefined && !isSeq(env)) throw new RenderError("traefik's environment is not a list");
      for (const [name, expr] of routes.env) addString(doc, gw, 'environment', `${name}=${expr}`);
    }
    addString(doc, gw, 'labels', `${ROUTES_LABEL}=${sha256(text).slice(0, 16)}`);
    // The labels were only read by the Docker provider: left in place they would look like routes and do nothing.
    eachService(doc, (name, svc) => {
      if (name === GATEWAY) return;
      const labels = svc.get('labels');
      if (isSeq(labels)) {
        labels.items = labels.items.filter((l) => !scalar(l).startsWith('traefik.'));
        if (!labels.items.length) svc.delete('labels');
      } else if (isMap(labels)) {
        (labels as YAMLMap).items = (labels as YAMLMap).items.filter((p) => !scalar(p.key).startsWith('traefik.'));
        if (!(labels as YAMLMap).items.length) svc.delete('labels');
      }
    });
  },
};
