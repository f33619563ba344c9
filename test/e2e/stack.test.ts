// End to end on a real Docker engine, through the built binary, on the default release (2.7.1: PostgreSQL,
// combined workers) read from its image: install → up → healthy → verify, drift, re-runs, both Compose flavours,
// and the failures a user can meet. Stand-in images replace the real ones (no registry here; 2.7.1 carries
// 2.3.0's files, see test/e2e/standin/README.md); everything else — engine, compose, containers, `vars` over
// `exec` — is real.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { createServer, type Server } from 'node:net';
import { chmodSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { runBin, tempDir, ROOT, type RunResult } from '../helpers/run-bin.js';
import {
  REAL_ENGINE,
  buildReleaseStandins,
  freePorts,
  lockEngine,
  composeServices,
  engineAvailable,
  ensureDefaultSocket,
  projectContainers,
  removeStack,
  runningVars,
  writeClickhouseOverride,
} from '../helpers/engine.js';
import { parseEnv, toRecord } from '../../src/engine/envfile.js';
import { KEY, spawnCli } from '../helpers/pty.js';

import { questionFor } from '../../src/targets/appwrite/questions.js';

const hasEngine = engineAvailable();
const RELEASE = '2.7.1'; // the default: no --release anywhere in this file
let HTTP = ''; // host ports picked free in beforeAll (other sessions may run stacks on this engine)
let HTTPS = '';
const base = tempDir('hi-e2e-');
const dir = join(base, 'appwrite');
const v1Config = join(base, 'docker-v1'); // DOCKER_CONFIG without any CLI plugin: only docker-compose (v1)
const v2Config = join(base, 'docker-v2'); // DOCKER_CONFIG with a `docker compose` (v2) plugin shim
const outputs: string[] = [];
let generatedSecrets: string[] = [];

async function run(args: string[], env: Record<string, string | undefined> = {}): Promise<RunResult> {
  const r = await runBin(args, { ...REAL_ENGINE, DOCKER_CONFIG: v1Config, ...env });
  outputs.push(r.stdout, r.stderr);
  return r;
}
const read = (f: string) => readFileSync(join(dir, f), 'utf8');
const FIRST = () => [
  '--dir',
  dir,
  '--domain',
  'appwrite.example.com',
  '--email',
  'admin@example.com',
  '--http-port',
  HTTP,
  '--https-port',
  HTTPS,
  '--yes',
  '--timeout',
  '180',
];

interface ComposeService {
  environment?: string[] | Record<string, unknown>;
  depends_on?: string[] | Record<string, unknown>;
  entrypoint?: unknown;
}
const services = (): Record<string, ComposeService> =>
  (parseYaml(read('docker-compose.yml')) as { services: Record<string, ComposeService> }).services;
const envNames = (s: ComposeService) =>
  Array.isArray(s.environment) ? s.environment.map((e) => String(e).split('=')[0]!) : Object.keys(s.environment ?? {});
const dependsOn = (s: ComposeService) => (Array.isArray(s.depends_on) ? s.depends_on : Object.keys(s.depends_on ?? {}));

/** Services that read any of `vars`, and those that neither read them nor depend (transitively) on one that does. */
function readersOf(vars: string[]): { readers: string[]; unaffected: string[] } {
  const svcs = services();
  const readers = Object.keys(svcs).filter((n) => envNames(svcs[n]!).some((v) => vars.includes(v)));
  const touched = new Set(readers);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [n, s] of Object.entries(svcs))
      if (!touched.has(n) && dependsOn(s).some((d) => touched.has(d))) {
        touched.add(n);
        grew = true;
      }
  }
  return { readers, unaffected: Object.keys(svcs).filter((n) => !touched.has(n)) };
}

describe
  .skipIf(!hasEngine)
  .sequential(`Appwrite ${RELEASE} (the default release) on a real Docker engine`, { timeout: 300_000 }, () => {
    let unlock: (() => Promise<void>) | undefined;
    beforeAll(async () => {
      unlock = await lockEngine(); // other e2e files on this engine wait (fixed container names, global networks)
      [HTTP, HTTPS] = (await freePorts(2)).map(String) as [string, string];
      ensureDefaultSocket();
      mkdirSync(v1Config, { recursive: true });
      await execa(join(ROOT, 'test/e2e/standin/compose-v2-shim.sh'), [v2Config]);
      await buildReleaseStandins(RELEASE);
      await removeStack();
      // The install directory exists before the first run only to hold the test machine's clickhouse override.
      mkdirSync(dir, { mode: 0o700 });
      writeClickhouseOverride(dir);
    }, 960_000);

    afterAll(async () => {
      try {
        await removeStack(dir);
      } finally {
        await unlock?.();
      }
    });

    it('first install (Compose v1): the release from its image, preflight, up, healthy, every variable verified, exit 0', async () => {
      const r = await run(FIRST());
      expect(r.exitCode, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toMatch(
        new RegExp(
          `Appwrite ${RELEASE.replace(/\./g, '\\.')}: upstream's files from image appwrite/appwrite:${RELEASE.replace(/\./g, '\\.')}`,
        ),
      );
      expect(r.stdout).toMatch(/Release\s+Appwrite 2\.7\.1 \(combined workers\)/);
      expect(r.stdout).toMatch(/Database\s+bundled PostgreSQL/);
      expect(r.stdout).toMatch(/Compose: docker-compose 1\.29\.\d+ \(Compose v1\)/);
      expect(r.stdout).toContain(`Port ${HTTP} free`);
      expect(r.stdout).toMatch(/Stack healthy: \/v1\/health\/version answered \{"version":"2\.7\.1"\}/);
      expect(r.stdout).toMatch(/_APP_CONSOLE_WHITELIST_ROOT\s+enabled\s+enabled\s+✔/);
      expect(r.stdout).toMatch(/_APP_OPENSSL_KEY_V1\s+\*{8}\s+\*{8}\s+✔/);
      expect(r.stdout).toMatch(/_APP_DB_ADAPTER\s+postgresql\s+postgresql\s+✔/);
      expect(r.stdout).toMatch(/Verified with vars: \d+ variables match/);
      expect(r.stdout).toMatch(/Appwrite 2\.7\.1 is running: https:\/\/appwrite\.example\.com\//);
      generatedSecrets = /New secrets \(crypto-random, in \.env only\): ([^\n]+)/
        .exec(r.stdout)![1]!
        .split(', ')
        .map((s) => s.trim());
      expect(generatedSecrets).toEqual(
        expect.arrayContaining([
          '_APP_OPENSSL_KEY_V1',
          '_APP_DB_PASS',
          '_APP_EXECUTOR_SECRET',
          '_APP_JOBS_SECRET',
          '_APP_USAGE_PASS',
        ]),
      );

      // The 2.x service set, every one running: counted from compose's own reading, not a constant.
      const svc = await composeServices(dir);
      expect(svc).toEqual(
        expect.arrayContaining([
          'appwrite',
          'appwrite-worker',
          'appwrite-task-scheduler',
          'appwrite-console',
          'appwrite-mqtt',
          'clickhouse',
          'orchestrator',
          'postgresql',
          'redis',
          'traefik',
        ]),
      );
      expect(svc).not.toContain('docker-socket-proxy');
      expect(svc).not.toContain('mariadb');
      expect(svc).not.toContain('appwrite-assistant');
      expect(svc.filter((s) => s.startsWith('appwrite-worker-'))).toEqual([]); // combined topology
      const running = await projectContainers(dir);
      expect([...running.keys()].sort()).toEqual(svc);

      // The certificate e-mail reaches the worker that runs certificate jobs (on 2.x the combined worker).
      expect(await runningVars('appwrite-worker')).toContain('- _APP_EMAIL_CERTIFICATES=admin@example.com\n');
      expect(await runningVars('appwrite')).toContain('- _APP_DB_ADAPTER=postgresql\n');

      // traefik has no Docker API (no socket, no socket proxy): it routes from the file harden-init wrote, mounted
      // read-only in its file-provider directory; only traefik publishes ports.
      const inspect = JSON.parse(String((await execa('docker', ['inspect', ...running.values()])).stdout)) as {
        Name: string;
        State: { Running: boolean };
        Mounts: { Source: string; Destination: string }[];
        HostConfig: { PortBindings: Record<string, unknown> | null };
      }[];
      const byName = new Map(inspect.map((c) => [c.Name.slice(1), c]));
      const socketHolders = inspect
        .filter((c) => c.Mounts.some((m) => m.Destination === '/var/run/docker.sock'))
        .map((c) => c.Name.slice(1))
        .sort();
      expect(socketHolders).not.toContain('appwrite-traefik');
      expect(socketHolders.filter((n) => /socket-proxy/.test(n))).toEqual([]);
      const routes = byName
        .get('appwrite-traefik')!
        .Mounts.find((m) => m.Destination === '/storage/config/harden-init-routes.yml');
      expect(routes?.Source).toBe(join(dir, 'traefik-routes.yml'));
      expect((routes as { RW?: boolean } | undefined)?.RW).toBe(false);
      expect(read('traefik-routes.yml')).toMatch(
        /appwrite_api_https:[\s\S]*appwrite_console_https:[\s\S]*harden-init-https-redirect/,
      );
      const publishing = inspect
        .filter((c) => Object.keys(c.HostConfig.PortBindings ?? {}).length > 0)
        .map((c) => c.Name.slice(1));
      expect(publishing).toEqual(['appwrite-traefik']);
      expect(Object.keys(byName.get('appwrite-traefik')!.HostConfig.PortBindings!).sort()).toEqual([
        '443/tcp',
        '80/tcp',
      ]); // no MQTT without --mqtt
      expect(read('docker-compose.yml')).not.toMatch(/--providers\.docker|traefik\.http\./);
    });

    it('re-running with the same answers changes nothing, recreates nothing, verifies again', async () => {
      const before = await projectContainers(dir);
      const r = await run(['--dir', dir, '--yes', '--timeout', '120']);
      expect(r.exitCode, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toMatch(/upstream's files from cache \.harden-init\/upstream\/2\.7\.1-[0-9a-f]{12}/);
      expect(r.stdout).toMatch(/Nothing to change/);
      expect(r.stdout).toContain(`Port ${HTTP} held by this stack (appwrite-traefik)`);
      expect(r.stdout).toMatch(/Verified with vars/);
      expect(await projectContainers(dir)).toEqual(before);
    });

    it('verify: .env edited by hand without up → exit 3 naming the variable and why', async () => {
      writeFileSync(
        join(dir, '.env'),
        read('.env').replace('_APP_OPTIONS_ABUSE=enabled', '_APP_OPTIONS_ABUSE=disabled'),
        { mode: 0o600 },
      );
      const r = await run(['verify', '--dir', dir, '--timeout', '60']);
      expect(r.exitCode, r.stdout + r.stderr).toBe(3);
      expect(r.stdout).toMatch(/_APP_OPTIONS_ABUSE\s+disabled\s+enabled\s+✘/);
      expect(r.stdout).toMatch(/Drift: _APP_OPTIONS_ABUSE/);
      expect(r.stdout).toMatch(/created before \.env last changed/);
      const json = await run(['verify', '--dir', dir, '--json', '--timeout', '60']);
      expect(json.exitCode).toBe(3);
      expect(JSON.parse(json.stdout)).toMatchObject({
        ok: false,
        drift: [expect.objectContaining({ name: '_APP_OPTIONS_ABUSE' })],
      });
    });

    it('re-run (Compose v2) changing the whitelist: only the services that read it are recreated; the containers have the new value', async () => {
      const before = await projectContainers(dir);
      const { readers, unaffected } = readersOf(['_APP_CONSOLE_WHITELIST_IPS', '_APP_CONSOLE_WHITELIST_ROOT']);
      expect(readers).toContain('appwrite');
      expect(unaffected.length).toBeGreaterThan(3); // the check below means something
      const r = await run(
        ['--dir', dir, '--console', 'ips', '--console-ips', '203.0.113.7', '--yes', '--timeout', '120'],
        { DOCKER_CONFIG: v2Config },
      );
      expect(r.exitCode, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toMatch(/Compose: docker compose 2\.99\.0/);
      expect(r.stdout).toMatch(/_APP_OPTIONS_ABUSE was "disabled"/); // the hand edit is reverted, and said
      // the running install's own traefik holds its ports (auto mode: HTTP and HTTPS): the re-run goes ahead
      expect(r.stdout).toContain(`Port ${HTTP} held by this stack (appwrite-traefik)`);
      expect(r.stdout).toContain(`Port ${HTTPS} held by this stack (appwrite-traefik)`);
      expect(r.stdout).toMatch(/Verified with vars: \d+ variables match/);
      const vars = await runningVars('appwrite');
      expect(vars).toContain('- _APP_CONSOLE_WHITELIST_IPS=203.0.113.7\n');
      expect(vars).toContain('- _APP_CONSOLE_WHITELIST_ROOT=disabled\n');
      expect(vars).toContain('- _APP_OPTIONS_ABUSE=enabled\n');
      const after = await projectContainers(dir);
      for (const s of readers) expect(after.get(s), `${s} reads the whitelist`).not.toBe(before.get(s));
      for (const s of unaffected) expect(after.get(s), `${s} does not read the whitelist`).toBe(before.get(s));
    });

    it("a shell variable that overrides .env is caught by verify and kept out of harden-init's own compose run", async () => {
      const shell = { _APP_CONSOLE_WHITELIST_IPS: '198.51.100.1' };
      const up = await execa('docker-compose', ['up', '-d'], { cwd: dir, env: shell, reject: false });
      expect(up.exitCode, String(up.stderr)).toBe(0);
      const v = await run(['verify', '--dir', dir, '--timeout', '60'], shell);
      expect(v.exitCode).toBe(3);
      expect(v.stdout).toMatch(/_APP_CONSOLE_WHITELIST_IPS\s+203\.0\.113\.7\s+198\.51\.100\.1\s+✘/);
      expect(v.stdout).toMatch(/Your shell sets _APP_CONSOLE_WHITELIST_IPS/);
      const fix = await run(['--dir', dir, '--yes', '--timeout', '120'], shell);
      expect(fix.exitCode, fix.stdout + fix.stderr).toBe(0);
      expect(await runningVars('appwrite')).toContain('- _APP_CONSOLE_WHITELIST_IPS=203.0.113.7\n');
    });

    it('a container that keeps exiting is named, with its last log lines; exit 1; files stay', async () => {
      const compose = read('docker-compose.yml');
      expect(compose.split('    entrypoint: worker\n')).toHaveLength(2); // the one combined worker
      const broken = compose.replace(
        '    entrypoint: worker\n',
        '    entrypoint: ["sh", "-c", "echo worker: cannot reach the queue >&2; exit 1"]\n',
      );
      writeFileSync(join(dir, 'docker-compose.yml'), broken);
      const env = read('.env');
      const r = await run(['--dir', dir, '--yes', '--timeout', '90']);
      expect(r.exitCode, r.stdout + r.stderr).toBe(1);
      expect(r.stderr).toMatch(/Container appwrite-worker (keeps restarting|exited)/);
      expect(r.stderr).toMatch(/worker: cannot reach the queue/);
      expect(read('docker-compose.yml')).toBe(broken); // a hand-edited file is never replaced silently
      expect(read('.env')).toBe(env);
    });

    it('compose up failing shows the tail of its output; exit 1; files stay', async () => {
      const compose = read('docker-compose.yml');
      const broken = compose.replace(/image: appwrite\/browser:[^\n]+/, 'image: appwrite/browser:0.0.0-missing');
      expect(broken).not.toBe(compose);
      writeFileSync(join(dir, 'docker-compose.yml'), broken);
      const r = await run(['--dir', dir, '--yes', '--timeout', '60']);
      expect(r.exitCode, r.stdout + r.stderr).toBe(1);
      expect(r.stderr).toMatch(/docker compose up -d failed/);
      expect(r.stderr).toMatch(/browser/);
      expect(read('docker-compose.yml')).toBe(broken);
    });

    it("--replace-compose restores harden-init's file and the stack verifies again", async () => {
      const r = await run(['--dir', dir, '--yes', '--replace-compose', '--timeout', '120']);
      expect(r.exitCode, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toMatch(/Verified with vars/);
      expect(read('docker-compose.yml')).toMatch(/\n {4}entrypoint: worker\n/);
    });

    it('in a real terminal: an interactive re-run streams compose into a task log and ends verified', async () => {
      const s = spawnCli(['--dir', dir, '--timeout', '120'], {
        cols: 120,
        rows: 40,
        env: { ...REAL_ENGINE, DOCKER_CONFIG: v1Config },
      });
      try {
        await s.answer(questionFor('domain').message, KEY.enter, 30_000);
        await s.answer(questionFor('https').message, KEY.enter);
        await s.answer(questionFor('email').message, KEY.enter);
        await s.answer(questionFor('console').message, KEY.down); // from "ips" (current) to "open"
        await s.answer(`● ${questionFor('console').choices!.find((c) => c.value === 'open')!.label}`, KEY.enter);
        await s.waitFor('Database: PostgreSQL (kept; changing engines is not a re-run setting)'); // shown, not asked
        await s.answer(questionFor('db').message, KEY.enter);
        await s.answer(questionFor('smtpHost').message, KEY.enter); // none
        await s.answer(/Write [^\n]*\?/, KEY.enter);
        await s.waitFor('docker compose up -d (v1)', 60_000);
        await s.waitFor(/Verified with vars: \d+ variables match/, 120_000);
        // The Next box: the URL, who may sign up (open now), the two commands that keep the install safe.
        await s.waitFor('Sign-up is open to anyone who reaches the console');
        await s.waitFor(`harden-init check --dir ${dir}`);
        await s.waitFor(`sudo harden-init backup --dir ${dir} --schedule daily --recipient`);
        expect((await s.exit(30_000)).exitCode).toBe(0);
      } finally {
        outputs.push(s.raw());
        s.kill();
      }
      const vars = await runningVars('appwrite');
      expect(vars).toContain('- _APP_CONSOLE_WHITELIST_ROOT=disabled\n');
      expect(vars).toContain('- _APP_CONSOLE_WHITELIST_IPS=\n');
    });

    describe('preflight failures: the message a user needs, exit 1, nothing written', () => {
      const fresh = () => join(tempDir('hi-e2e-pre-'), 'appwrite');
      const args = (d: string, port = HTTP) => [
        '--dir',
        d,
        '--domain',
        'appwrite.example.com',
        '--https',
        'off',
        '--email',
        'admin@example.com',
        '--http-port',
        port,
        '--yes',
      ];

      it('no engine answering', async () => {
        const d = fresh();
        const r = await run(args(d), { DOCKER_HOST: 'unix:///tmp/hi-no-such-engine.sock' });
        expect(r.exitCode).toBe(1);
        expect(r.stdout + r.stderr).toMatch(/Docker daemon not reachable/);
        expect(r.stderr).toMatch(/Start the Docker daemon/);
        expect(existsSync(d)).toBe(false);
      });

      it('no docker command', async () => {
        const d = fresh();
        const r = await run(args(d), { PATH: tempDir('hi-empty-path-') });
        expect(r.exitCode).toBe(1);
        expect(r.stderr).toMatch(/Docker is not installed/);
        expect(existsSync(d)).toBe(false);
      });

      it('no compose (neither v2 plugin nor docker-compose), with how to install it', async () => {
        const d = fresh();
        const bin = tempDir('hi-path-');
        const docker = (await execa('sh', ['-c', 'command -v docker'])).stdout.trim();
        symlinkSync(docker, join(bin, 'docker'));
        const r = await run(args(d), { PATH: bin });
        expect(r.exitCode).toBe(1);
        expect(r.stderr).toMatch(/Docker Compose not found/);
        expect(r.stderr).toMatch(/Install the Compose plugin.*--no-start/);
        expect(existsSync(d)).toBe(false);
      });

      it.runIf(process.getuid?.() === 0)(
        'permission denied on the Docker socket, with the docker-group / sudo hint',
        async () => {
          const home = tempDir('hi-nobody-');
          chmodSync(home, 0o777);
          const d = join(home, 'appwrite');
          // The same binary as an unprivileged user (nobody), who may not open the engine's socket.
          const r = await execa(
            'setpriv',
            [
              '--reuid=65534',
              '--regid=65534',
              '--clear-groups',
              process.execPath,
              join(ROOT, 'bin/harden-init.js'),
              ...args(d),
            ],
            {
              reject: false,
              env: {
                HOME: home,
                NO_COLOR: '1',
                DOCKER_CONFIG: join(home, '.docker'),
                DOCKER_HOST: process.env.DOCKER_HOST ?? '',
              },
              extendEnv: false,
            },
          );
          outputs.push(String(r.stdout), String(r.stderr));
          expect(r.exitCode, String(r.stdout) + String(r.stderr)).toBe(1);
          expect(String(r.stderr)).toMatch(/Docker daemon not reachable: permission denied/);
          expect(String(r.stderr)).toMatch(/add it to the docker group .* or run with sudo/);
          expect(existsSync(d)).toBe(false);
        },
      );

      it('the HTTP port taken by another process', async () => {
        const d = fresh();
        const server: Server = createServer();
        await new Promise<void>((res) => server.listen(0, '0.0.0.0', () => res()));
        const busy = (server.address() as { port: number }).port;
        try {
          const r = await run(args(d, String(busy)));
          expect(r.exitCode, r.stdout + r.stderr).toBe(1);
          expect(r.stderr).toContain(`Port ${busy} is in use by another process`);
          expect(existsSync(d)).toBe(false);
        } finally {
          server.close();
        }
      });
    });

    /** traefik's port bindings: container port → "host:port" list. */
    const traefikBindings = async () => {
      const b = JSON.parse(
        String(
          (await execa('docker', ['inspect', '--format', '{{json .HostConfig.PortBindings}}', 'appwrite-traefik']))
            .stdout,
        ),
      ) as Record<string, { HostIp: string; HostPort: string }[]>;
      return Object.fromEntries(Object.entries(b).map(([k, v]) => [k, v.map((x) => `${x.HostIp}:${x.HostPort}`)]));
    };

    it('re-run switching the running install to --https proxy: its own traefik on the port does not stop it; only 127.0.0.1 published, verified', async () => {
      const before = await projectContainers(dir);
      const r = await run(['--dir', dir, '--https', 'proxy', '--yes', '--timeout', '180']);
      expect(r.exitCode, r.stdout + r.stderr).toBe(0);
      expect(r.stdout + r.stderr).not.toMatch(/is in use by|Nothing was written/);
      expect(r.stdout).toContain(`Port ${HTTP} held by this stack (appwrite-traefik)`);
      expect(r.stdout).toMatch(/Verified with vars: \d+ variables match/);
      expect(await traefikBindings()).toEqual({ '80/tcp': [`127.0.0.1:${HTTP}`] });
      const after = await projectContainers(dir);
      expect(after.get('traefik')).not.toBe(before.get('traefik'));
      expect(await runningVars('appwrite')).toMatch(/- _APP_TRUSTED_PROXIES=\S+\/32,\S+\/32\n/); // traefik and the host
    });

    it('a re-run of the running proxy install changes a setting: its own traefik on the port does not stop it; the services that read it recreated, verified', async () => {
      const before = await projectContainers(dir);
      const { readers, unaffected } = readersOf(['_APP_CONSOLE_WHITELIST_IPS', '_APP_CONSOLE_WHITELIST_ROOT']);
      const r = await run([
        '--dir',
        dir,
        '--console',
        'ips',
        '--console-ips',
        '203.0.113.9',
        '--yes',
        '--timeout',
        '180',
      ]);
      expect(r.exitCode, r.stdout + r.stderr).toBe(0);
      expect(r.stdout + r.stderr).not.toMatch(/is in use by|Nothing was written/);
      expect(r.stdout).toContain(`Port ${HTTP} held by this stack (appwrite-traefik)`);
      expect(r.stdout).toMatch(/Stack healthy: \/v1\/health\/version answered/);
      expect(r.stdout).toMatch(/Verified with vars: \d+ variables match/);
      const vars = await runningVars('appwrite');
      expect(vars).toContain('- _APP_CONSOLE_WHITELIST_IPS=203.0.113.9\n');
      expect(vars).toContain('- _APP_CONSOLE_WHITELIST_ROOT=disabled\n');
      const after = await projectContainers(dir);
      for (const s of readers) expect(after.get(s), `${s} reads the whitelist`).not.toBe(before.get(s));
      for (const s of unaffected) expect(after.get(s), `${s} does not read the whitelist`).toBe(before.get(s));
      expect(await traefikBindings()).toEqual({ '80/tcp': [`127.0.0.1:${HTTP}`] });
    });

    it('verify on a stack that is not running says so at once (exit 1), without waiting for the timeout', async () => {
      // Compose v1 sometimes races its own network removal ("has active endpoints"): once more, then what matters
      // here is that no container of the project is left.
      let down = await execa('docker-compose', ['down', '--timeout', '5'], { cwd: dir, reject: false });
      if (down.exitCode !== 0)
        down = await execa('docker-compose', ['down', '--timeout', '5'], { cwd: dir, reject: false });
      expect([...(await projectContainers(dir, true)).keys()], String(down.stderr)).toEqual([]);
      const started = Date.now();
      const r = await run(['verify', '--dir', dir, '--timeout', '120']);
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toMatch(/No container of this stack exists: start it with "docker compose up -d"/);
      expect(Date.now() - started).toBeLessThan(60_000);
    });

    it('no output of any run contains a generated secret', () => {
      const env = toRecord(parseEnv(read('.env')));
      expect(generatedSecrets.length).toBeGreaterThanOrEqual(5);
      const secrets = generatedSecrets.map((k) => env[k]!);
      expect(outputs.length).toBeGreaterThan(10);
      for (const s of secrets) {
        expect(s.length).toBeGreaterThanOrEqual(32);
        for (const out of outputs) expect(out).not.toContain(s);
      }
    });
  });
