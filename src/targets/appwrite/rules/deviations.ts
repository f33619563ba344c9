// The reviewed table of every intended difference between the compose file harden-init writes and the one
// Appwrite's own installer renders from the same release, both as `docker-compose config` reads them with the
// same .env. test/targets/appwrite/rules/deviations.test.ts diffs the two for every release × HTTPS × console ×
// database × engine choice: each difference must match an entry here, and each entry must be needed by some choice.
//
// A difference is a path (dotted: `services.traefik.ports`; a list element is `[value]`) and how it differs:
// `added` (only ours has it), `removed` (only upstream's has it) or `changed` (a different scalar). In an
// entry's path `*` matches within one segment (never across a dot or bracket) and `**` matches anything; an
// entry covers its path and everything below it.
import { RULES } from './index.js';

export type Change = 'added' | 'removed' | 'changed';

export interface Difference {
  path: string;
  change: Change;
  /** Our value (added, changed) or upstream's (removed), as Compose normalised it. */
  value: unknown;
}

export interface Deviation {
  path: string;
  /** The rule that makes the change: one of RULES' ids. */
  rule: string;
  reason: string;
  /** Only these kinds of change (default: any). */
  change?: Change[];
  /** The value must match (strings as they are, anything else as JSON). */
  value?: RegExp;
}

const VERSION_TAG = /^appwrite\/appwrite:\d+\.\d+\.\d+$/;

export const DEVIATIONS: Deviation[] = [
  // pin-image
  {
    path: 'services.*.image',
    rule: 'pin-image',
    change: ['changed'],
    value: VERSION_TAG,
    reason:
      "Appwrite's services run appwrite/appwrite:<release>, not " +
      '${_APP_IMAGE}:${_APP_VERSION:-latest} (a missing variable meant "latest")',
  },
  // publish-gateway-only
  {
    path: 'services.traefik.ports',
    rule: 'publish-gateway-only',
    reason: 'HTTPS only in auto mode, HTTP on 127.0.0.1 in proxy mode, MQTT 8883/8084 only with --mqtt',
  },
  // internal-data-network
  {
    path: 'networks.internal',
    rule: 'internal-data-network',
    change: ['added'],
    reason: 'the `internal: true` network the data services live on',
  },
  {
    path: 'services.*.networks.internal',
    rule: 'internal-data-network',
    change: ['added'],
    reason: 'data services, and every service that reads their variables, join the internal network',
  },
  {
    path: 'services.redis.networks.appwrite',
    rule: 'internal-data-network',
    change: ['removed'],
    reason: 'Redis (no password in 1.9) leaves the shared network where function and build containers run',
  },
  {
    path: 'services.mariadb.networks.appwrite',
    rule: 'internal-data-network',
    change: ['removed'],
    reason: 'MariaDB leaves the shared network where function and build containers run',
  },
  {
    path: 'services.postgresql.networks.appwrite',
    rule: 'internal-data-network',
    change: ['removed'],
    reason: 'PostgreSQL leaves the shared network where function and build containers run',
  },
  {
    path: 'services.clickhouse.networks.appwrite',
    rule: 'internal-data-network',
    change: ['removed'],
    reason: 'ClickHouse leaves the shared network where function and build containers run',
  },
  // traefik-file-routes
  {
    path: 'services.*.labels',
    rule: 'traefik-file-routes',
    change: ['removed'],
    reason: "the `traefik.*` labels (only the Docker provider read them) are in traefik's routes file now",
  },
  {
    path: 'services.traefik.command[--providers.docker**]',
    rule: 'traefik-file-routes',
    change: ['removed'],
    reason: 'no Docker provider: traefik reads no Docker API',
  },
  {
    path: 'services.traefik.volumes[/var/run/docker.sock:/var/run/docker.sock:rw]',
    rule: 'traefik-file-routes',
    change: ['removed'],
    reason: 'traefik, which faces the internet, no longer mounts the Docker socket',
  },
  {
    path: 'services.traefik.volumes[appwrite-config:/storage/config:ro]',
    rule: 'traefik-file-routes',
    change: ['removed'],
    reason:
      'the file-provider directory is mounted writable: Docker cannot create the routes ' +
      "file's mount point in a read-only volume",
  },
  {
    path: 'services.traefik.volumes[appwrite-config:/storage/config:rw]',
    rule: 'traefik-file-routes',
    change: ['added'],
    reason: 'the same volume, writable (see above)',
  },
  {
    path: 'services.traefik.volumes[**/traefik-routes.yml:/storage/config/harden-init-routes.yml:ro]',
    rule: 'traefik-file-routes',
    change: ['added'],
    reason: 'the routes file, read-only, in the watched file-provider directory',
  },
  {
    path: 'services.traefik.labels',
    rule: 'traefik-file-routes',
    change: ['added'],
    value: /^\{"org\.harden-init\.traefik-routes-sha256":"[0-9a-f]{16}"\}$/,
    reason:
      "the routes file's hash: a changed file recreates traefik (a bind-mounted file's " +
      'change is not seen by the directory watch)',
  },
  {
    path: 'services.traefik.environment',
    rule: 'traefik-file-routes',
    change: ['added'],
    reason: 'the variables the labels interpolated (2.x console: the domains), for the routes file to read',
  },
  // gateway-no-phone-home, proxy-forwarded-headers
  {
    path: 'services.traefik.command[--global.**]',
    rule: 'gateway-no-phone-home',
    change: ['added'],
    reason: 'no version check, no anonymous usage report',
  },
  {
    path: 'services.traefik.command[--entrypoints.appwrite_web.forwardedHeaders.trustedIPs=**]',
    rule: 'proxy-forwarded-headers',
    change: ['added'],
    reason: 'proxy mode: X-Forwarded-* kept from loopback and private ranges only',
  },
  // trusted-proxies
  {
    path: 'networks.appwrite.ipam',
    rule: 'trusted-proxies',
    change: ['added'],
    reason: "the shared network's fixed subnet (--subnet), its gateway and the upper half Docker assigns from",
  },
  {
    path: 'services.traefik.networks.appwrite',
    rule: 'trusted-proxies',
    change: ['changed'],
    value: /^\{"ipv4_address":"[\d.]+"\}$/,
    reason: "traefik's fixed address on the shared network: the one proxy Appwrite trusts",
  },
  {
    path: 'services.*.environment._APP_TRUSTED_PROXIES',
    rule: 'trusted-proxies',
    change: ['added'],
    reason: 'appwrite and realtime receive the trusted proxies (upstream passes the variable to no service)',
  },
  // console-https: its middlewares are in traefik's routes file, not the compose file
  // (test/targets/appwrite/rules/traefik-routes.test.ts)
  // database-location
  {
    path: 'services.mariadb.volumes',
    rule: 'database-location',
    reason: '--db path: the chosen host directory instead of the appwrite-mariadb volume',
  },
  {
    path: 'services.postgresql.volumes',
    rule: 'database-location',
    reason: '--db path: the chosen host directory instead of the appwrite-postgresql volume',
  },
  {
    path: 'volumes.appwrite-mariadb',
    rule: 'database-location',
    change: ['removed'],
    reason: '--db path: the unused named volume is not declared',
  },
  {
    path: 'volumes.appwrite-postgresql',
    rule: 'database-location',
    change: ['removed'],
    reason: '--db path: the unused named volume is not declared',
  },
  // resource-limits
  {
    path: 'services.*.pids_limit',
    rule: 'resource-limits',
    change: ['added'],
    reason: 'a process/thread cap on every service',
  },
  {
    path: 'services.redis.mem_limit',
    rule: 'resource-limits',
    change: ['added'],
    reason: 'Redis bounds its own data (--maxmemory): twice that plus 256 MB',
  },
  // log-rotation, restart-no-new-privileges
  {
    path: 'services.*.logging',
    rule: 'log-rotation',
    change: ['added'],
    reason: "upstream's own json-file rotation on the services that lack it",
  },
  {
    path: 'services.*.restart',
    rule: 'restart-no-new-privileges',
    change: ['added'],
    value: /^unless-stopped$/,
    reason: 'a restart policy on the services upstream leaves without one',
  },
  {
    path: 'services.*.security_opt',
    rule: 'restart-no-new-privileges',
    change: ['added'],
    value: /no-new-privileges:true/,
    reason: 'no-new-privileges on every service',
  },
];

export function ruleIds(): string[] {
  return RULES.map((r) => r.id);
}

function patternRegex(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '*' && pattern[i + 1] === '*') {
      re += '.*';
      i++;
    } else if (ch === '*') re += '[^.\\[\\]]*';
    else re += ch.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}(?:$|\\.|\\[)`);
}

const compiled = new Map<string, RegExp>();
/** Whether an entry covers a difference (its path or anything below it, of an allowed kind and value). */
export function covers(d: Deviation, diff: Difference): boolean {
  let re = compiled.get(d.path);
  if (!re) {
    re = patternRegex(d.path);
    compiled.set(d.path, re);
  }
  if (!re.test(diff.path)) return false;
  if (d.change && !d.change.includes(diff.change)) return false;
  if (d.value && !d.value.test(typeof diff.value === 'string' ? diff.value : JSON.stringify(diff.value))) return false;
  return true;
}

/** The entries covering a difference (none: an unreviewed difference). */
export function deviationsFor(diff: Difference, table: Deviation[] = DEVIATIONS): Deviation[] {
  return table.filter((d) => covers(d, diff));
}
