// The real Docker engine for end-to-end tests. With CI=true an absent engine fails the suite: the
// tests must run there, never skip.
import { afterAll, beforeAll } from 'vitest';
import { execa, execaSync } from 'execa';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { BlockList, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { ROOT } from './run-bin.js';

export function engineAvailable(): boolean {
  try {
    execaSync('docker', ['version', '--format', '{{.Server.Version}}'], { timeout: 20_000 });
    return true;
  } catch {
    if (process.env.CI === 'true') {
      throw new Error(
        'No Docker engine answers (DOCKER_HOST / the docker socket), and CI=true: these tests must run. .ci/run starts one with .ci/lib/docker-engine.sh.',
      );
    }
    return false;
  }
}

/**
 * One stack at a time per engine, across processes: upstream's compose files fix container names and global
 * networks, so two end-to-end files on the same engine (two sessions, or a file run by hand during a suite) break
 * each other's stacks. Held by a `flock` child that lives while its stdin is open, so a killed test process
 * releases it too. The lock file sits beside the engine's socket (or in the temp dir). Returns the release.
 */
export async function lockEngine(timeoutMs = 900_000): Promise<() => Promise<void>> {
  const m = /^unix:\/\/(.+)$/.exec(process.env.DOCKER_HOST ?? '');
  const file = m ? join(dirname(m[1]!), 'harden-init-e2e.lock') : join(tmpdir(), 'harden-init-e2e.lock');
  const child = execa(
    'flock',
    ['-w', String(Math.round(timeoutMs / 1000)), file, 'sh', '-c', 'echo locked; exec cat >/dev/null'],
    { stdin: 'pipe', reject: false },
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    void child.then((r) =>
      reject(new Error(`could not lock the engine (${file}) within ${timeoutMs / 1000} s: ${String(r.stderr)}`)),
    );
  });
  return async () => {
    child.stdin!.end();
    await child;
  };
}

/**
 * What an end-to-end run of the binary needs in its environment: the real engine, and releases read from
 * their images (runBin's defaults are no Docker and the test release descriptions).
 */
export const REAL_ENGINE: Record<string, string | undefined> = {
  DOCKER_HOST: process.env.DOCKER_HOST,
  HARDEN_INIT_RELEASES_DIR: undefined,
};

/**
 * Upstream's compose mounts /var/run/docker.sock (socket proxy, executor, orchestrator). When the engine listens
 * elsewhere (the CI engine does), point that path at it; otherwise Docker would create a directory there.
 */
export function ensureDefaultSocket(): void {
  const host = process.env.DOCKER_HOST ?? '';
  const m = /^unix:\/\/(.+)$/.exec(host);
  if (m && m[1] !== '/var/run/docker.sock' && !existsSync('/var/run/docker.sock'))
    symlinkSync(m[1]!, '/var/run/docker.sock');
}

/**
 * `n` distinct host ports nothing listens on right now (the OS picks them; all held until each is known). Other
 * sessions may run stacks on the same engine and host, so fixed test ports collide; ask for fresh ones per file.
 */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<Server>((resolve, reject) => {
          const srv = createServer();
          srv.once('error', reject);
          srv.listen(0, '0.0.0.0', () => resolve(srv));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

/**
 * Local images for every image the compose file names (no registry is reachable): stand-ins, and the real
 * MariaDB 10.11, PostgreSQL 15 and Redis 7 from Debian under the tags the compose files name (`mariadb:10.11`,
 * `appwrite/postgres:0.1.0`, `redis:7.4.7-alpine`): build-standins.sh runs test/e2e/realdb/build-realdb.sh for them.
 */
export async function buildStandins(composeFile: string): Promise<void> {
  await execa(join(ROOT, 'test/e2e/standin/build-standins.sh'), [composeFile], { stdio: 'inherit' });
}

/**
 * Release images `appwrite/appwrite:<v>` carrying upstream's files (their app server honest: healthy only when it
 * logs in to the database and reaches Redis), stand-ins for every other image they name, and the real database
 * and Redis servers (test/e2e/standin/README.md). `<v>` or `<v>=<dir>` for a release built from a folder.
 */
export async function buildReleaseStandins(...releases: string[]): Promise<void> {
  await execa(
    join(ROOT, 'test/e2e/standin/build-standins.sh'),
    releases.flatMap((r) => ['--release', r]),
    { stdio: 'inherit' },
  );
}

/** Container names upstream's compose files fix (1.9 and 2.x), plus compose's own `<project>_<service>_1`. */
const STACK_NAMES = '^/(appwrite|exc1$|orchestrator$)';
/** Networks upstream's compose files name globally (`name:`), so one such stack per engine. */
const GLOBAL_NETWORKS = ['gateway', 'appwrite', 'runtimes'];

/** Removes containers left by an earlier run: the template's container names are fixed. */
export async function removeStackContainers(): Promise<void> {
  const ps = await execa('docker', ['ps', '-aq', '--filter', `name=${STACK_NAMES}`], { reject: false });
  const ids = String(ps.stdout).split('\n').filter(Boolean);
  if (ids.length) await execa('docker', ['rm', '-f', '-v', ...ids], { reject: false });
}

/**
 * Removes a network even when the engine still counts endpoints on it after their containers are gone (dockerd
 * logs "Fixing inconsistent endpoint_cnt" for such a network only at its next start): a network left that way
 * keeps its subnet, and the next stack asking for that subnet fails with "Pool overlaps". Every endpoint the
 * engine still lists is disconnected by force, then the network removed; an absent network is fine.
 */
export async function removeNetwork(name: string): Promise<void> {
  if ((await execa('docker', ['network', 'rm', name], { reject: false })).exitCode === 0) return;
  const listed = await execa(
    'docker',
    ['network', 'inspect', name, '--format', '{{range .Containers}}{{.Name}} {{end}}'],
    {
      reject: false,
    },
  );
  if (listed.exitCode !== 0) return; // no such network
  for (const endpoint of String(listed.stdout).split(/\s+/).filter(Boolean))
    await execa('docker', ['network', 'disconnect', '--force', name, endpoint], { reject: false });
  const again = await execa('docker', ['network', 'rm', name], { reject: false });
  // Still there: a stack that names it reuses it (same definition); only a test rendering the same subnet under
  // another name would collide, and such a test asks for a free subnet (freeSubnet).
  if (again.exitCode !== 0) console.warn(`could not remove the network ${name}: ${String(again.stderr).trim()}`);
}

/** A /24 in 10.213.0.0/16 that no network on the engine overlaps (for a test that renders its own subnet). */
export async function freeSubnet(): Promise<string> {
  const ids = String((await execa('docker', ['network', 'ls', '-q'])).stdout)
    .split('\n')
    .filter(Boolean);
  const used = ids.length
    ? String(
        (await execa('docker', ['network', 'inspect', ...ids, '--format', '{{range .IPAM.Config}}{{.Subnet}} {{end}}']))
          .stdout,
      )
        .split(/\s+/)
        .filter((c) => /^\d+\.\d+\.\d+\.\d+\/\d+$/.test(c))
    : [];
  // Two CIDR blocks are nested or apart, so they overlap exactly when one holds the other's first address.
  const blocks = (cidrs: string[]) => {
    const list = new BlockList();
    for (const c of cidrs) list.addSubnet(c.split('/')[0]!, Number(c.split('/')[1]), 'ipv4');
    return list;
  };
  const taken = blocks(used);
  for (let third = 100; third < 256; third++) {
    const candidate = `10.213.${third}.0/24`;
    const mine = blocks([candidate]);
    if (!taken.check(`10.213.${third}.0`) && !used.some((c) => mine.check(c.split('/')[0]!))) return candidate;
  }
  throw new Error(`no free /24 in 10.213.100.0–10.213.255.0 (networks use ${used.join(', ')})`);
}

/**
 * Takes a stack down completely: `docker-compose down -v` in its directory (when it has a compose file), then
 * whatever is left of fixed-name containers, the global networks and the project's volumes and networks (also the
 * unprefixed `appwrite-builds` of 2.x). Safe to call when nothing runs.
 */
export async function removeStack(dir?: string): Promise<void> {
  if (dir && existsSync(join(dir, 'docker-compose.yml'))) {
    await execa('docker-compose', ['down', '-v', '--remove-orphans', '--timeout', '5'], { cwd: dir, reject: false });
  }
  await removeStackContainers();
  for (const n of GLOBAL_NETWORKS) await removeNetwork(n);
  const project = dir
    ? basename(dir)
        .toLowerCase()
        .replace(/[^a-z0-9_-]/g, '')
    : 'appwrite';
  const vols = await execa(
    'docker',
    ['volume', 'ls', '-q', '--filter', `label=com.docker.compose.project=${project}`],
    { reject: false },
  );
  const names = [...String(vols.stdout).split('\n').filter(Boolean), 'appwrite-builds'];
  for (const v of names) await execa('docker', ['volume', 'rm', '-f', v], { reject: false });
  // the project's own networks too (`<project>_default` of a file without `networks:`)
  const nets = await execa(
    'docker',
    ['network', 'ls', '-q', '--filter', `label=com.docker.compose.project=${project}`],
    {
      reject: false,
    },
  );
  for (const n of String(nets.stdout).split('\n').filter(Boolean)) await removeNetwork(n);
}

/**
 * KNOWN LIMIT of the test machine, not of the product: the open-files cap is 20000 and dockerd cannot raise it,
 * so 2.x's clickhouse (`ulimits: nofile: 262144`, as upstream wrote it) fails with "error setting rlimits".
 * Compose merges docker-compose.override.yml automatically when run without -f (harden-init runs it that
 * way), so the test lowers the limit there; the product's file stays upstream's.
 */
export function writeClickhouseOverride(dir: string, extra: string[] = []): void {
  writeFileSync(
    join(dir, 'docker-compose.override.yml'),
    [
      '# test machine only: RLIMIT_NOFILE is capped at 20000 here (see test/helpers/engine.ts)',
      'services:',
      '  clickhouse:',
      '    ulimits:',
      '      nofile:',
      '        soft: 20000',
      '        hard: 20000',
      ...extra, // more override lines of the test's own (another service of services:, or top-level keys)
      '',
    ].join('\n'),
  );
}

/** The services of the stack as compose reads them (the compose file plus any override). */
export async function composeServices(dir: string): Promise<string[]> {
  const r = await execa('docker-compose', ['config', '--services'], { cwd: dir });
  return String(r.stdout).split('\n').filter(Boolean).sort();
}

/** Running containers of the project in `dir`, service → container id. */
export async function projectContainers(dir: string, all = false): Promise<Map<string, string>> {
  const project = basename(dir)
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '');
  const r = await execa('docker', [
    'ps',
    ...(all ? ['-a'] : []),
    '--filter',
    `label=com.docker.compose.project=${project}`,
    '--format',
    '{{.ID}} {{.Label "com.docker.compose.service"}}',
    '--no-trunc',
  ]);
  const out = new Map<string, string>();
  for (const line of String(r.stdout).split('\n').filter(Boolean)) {
    const [id, svc] = line.split(' ');
    out.set(svc!, id!);
  }
  return out;
}

export async function containerId(name: string): Promise<string> {
  const r = await execa('docker', ['inspect', '--format', '{{.Id}}', name], { reject: false });
  return String(r.stdout).trim();
}

export async function imageId(ref: string): Promise<string> {
  const r = await execa('docker', ['image', 'inspect', '--format', '{{.Id}}', ref], { reject: false });
  return String(r.stdout).trim();
}

export async function runningVars(container: string): Promise<string> {
  return String((await execa('docker', ['exec', container, 'vars'])).stdout);
}

/**
 * Counts containers created from any of `images` (an id or a name:tag; the product reads a release by image id,
 * compose starts services by name) from now until stop(). A live `docker events` subscription: the daemon replays
 * only its last 256 events, which a stack's start and health checks overrun within seconds, so a `--since/--until`
 * query after the fact can miss creations.
 */
export async function watchContainerCreates(images: string[]): Promise<{ stop: () => Promise<string[]> }> {
  const since = (nowSeconds() - 1).toFixed(3);
  const child = execa(
    'docker',
    [
      'events',
      '--since',
      since,
      '--filter',
      'type=container',
      '--filter',
      'event=create',
      ...images.flatMap((i) => ['--filter', `image=${i}`]),
      '--format',
      '{{.Actor.ID}} {{.Actor.Attributes.image}} {{.Actor.Attributes.name}}',
    ],
    { reject: false },
  );
  let out = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  await new Promise((r) => setTimeout(r, 300)); // subscribed (anything earlier is replayed from `since`)
  return {
    stop: async () => {
      await new Promise((r) => setTimeout(r, 500)); // the last events reach the stream
      child.kill('SIGTERM');
      await child;
      return out.split('\n').filter(Boolean);
    },
  };
}

/** Containers created from image `id` between two instants (seconds; `docker events`, so `--rm` ones count too). */
export async function containersCreated(id: string, since: number, until: number): Promise<number> {
  const r = await execa('docker', [
    'events',
    '--since',
    since.toFixed(3),
    '--until',
    until.toFixed(3),
    '--filter',
    'type=container',
    '--filter',
    'event=create',
    '--filter',
    `image=${id}`,
    '--format',
    '{{.Actor.ID}}',
  ]);
  return String(r.stdout).split('\n').filter(Boolean).length;
}

export const nowSeconds = (): number => Date.now() / 1000;

/** Everything compose made for a project: containers (with anonymous volumes), networks, named volumes. */
export async function removeProject(project: string): Promise<void> {
  const label = `label=com.docker.compose.project=${project}`;
  const ids = (cmd: string[]) =>
    execa('docker', [...cmd, '-q', '--filter', label], { reject: false }).then((r) =>
      String(r.stdout).split('\n').filter(Boolean),
    );
  const containers = await ids(['ps', '-a']);
  if (containers.length) await execa('docker', ['rm', '-f', '-v', ...containers], { reject: false });
  const networks = await ids(['network', 'ls']);
  if (networks.length) await execa('docker', ['network', 'rm', ...networks], { reject: false });
  const volumes = await ids(['volume', 'ls']);
  if (volumes.length) await execa('docker', ['volume', 'rm', '-f', ...volumes], { reject: false });
}

/**
 * What a stack suite sets up around its tests: the engine lock (fixed container names, global networks), two free
 * host ports, upstream's socket path, a DOCKER_CONFIG without CLI plugins (Compose v1), the release stand-ins and no
 * stack left over; afterwards the stack in `dir` taken down and the lock released. Call inside the describe.
 */
export function stackSuite(o: { dir: string; dockerConfig: string; releases: string[] }): {
  http: string;
  https: string;
} {
  const ports = { http: '', https: '' };
  let unlock: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    unlock = await lockEngine();
    [ports.http, ports.https] = (await freePorts(2)).map(String) as [string, string];
    ensureDefaultSocket();
    mkdirSync(o.dockerConfig, { recursive: true });
    await buildReleaseStandins(...o.releases);
    await removeStack();
  }, 960_000);
  afterAll(async () => {
    try {
      await removeStack(o.dir);
    } finally {
      await unlock?.();
    }
  }, 240_000);
  return ports;
}
