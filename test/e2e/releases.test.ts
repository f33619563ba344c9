// Which release gets installed, end to end on a real Docker engine through the built binary: the 1.9 line from
// its own image (MariaDB, verified with `vars`), the release cache that lets a re-run start no container, a
// synthetic later release whose file asks for what the rules do not know (refused, then accepted by name), and a
// release whose image cannot be had (no registry here: the pull error). Stand-ins: test/e2e/standin/README.md
// (1.9.10 carries 1.9.6's files; 2.8.0 is built here from 2.3.0's files plus one service and one secret).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
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
  imageId,
  projectContainers,
  removeStack,
  runningVars,
  watchContainerCreates,
} from '../helpers/engine.js';
import { parseEnv, toRecord } from '../../src/engine/envfile.js';

const hasEngine = engineAvailable();
const FIX = join(ROOT, 'test/fixtures/upstream/appwrite');
const base = tempDir('hi-e2e-rel-');
const dir = join(base, 'appwrite');
const dockerConfig = join(base, 'docker-v1'); // no CLI plugin: Compose v1
const later = join(base, 'release-2.8.0'); // the synthetic later release's files
const outputs: string[] = [];

async function run(args: string[], env: Record<string, string | undefined> = {}): Promise<RunResult> {
  const r = await runBin(args, { ...REAL_ENGINE, DOCKER_CONFIG: dockerConfig, ...env });
  outputs.push(r.stdout, r.stderr);
  return r;
}
const read = (d: string, f: string) => readFileSync(join(d, f), 'utf8');
const fresh = () => join(tempDir('hi-e2e-rel-fresh-'), 'appwrite');
let HTTP = ''; // host ports picked free in beforeAll (other sessions may run stacks on this engine)
let HTTPS = '';
const answers = (d: string) => [
  '--dir',
  d,
  '--domain',
  'appwrite.example.com',
  '--email',
  'admin@example.com',
  '--http-port',
  HTTP,
  '--https-port',
  HTTPS,
  '--yes',
];

/** 2.3.0's files plus what no rule knows: a service that publishes a port and mounts the socket, and a new secret. */
function writeLaterRelease(): void {
  mkdirSync(later, { recursive: true });
  const compose = read(join(FIX, '2.3.0'), 'docker-compose.yml');
  const newthing = [
    'services:',
    '  appwrite-newthing:',
    '    image: appwrite/newthing:0.1.0',
    '    container_name: appwrite-newthing',
    '    restart: unless-stopped',
    '    ports:',
    '      - 9999:9999',
    '    volumes:',
    '      - /var/run/docker.sock:/var/run/docker.sock',
    '    networks:',
    '      - appwrite',
    '    environment:',
    '      - _APP_NEWTHING_SECRET',
    '',
  ].join('\n');
  expect(compose.split('\nservices:\n')).toHaveLength(2);
  writeFileSync(join(later, 'docker-compose.yml'), compose.replace('\nservices:\n', `\n${newthing}`));
  const php = read(join(FIX, '2.3.0'), 'variables.php');
  const anchor = "            [\n                'name' => '_APP_EMAIL_SECURITY',";
  expect(php.split(anchor)).toHaveLength(2);
  const entry = [
    '            [',
    "                'name' => '_APP_NEWTHING_SECRET',",
    "                'description' => 'Secret of the new thing.',",
    "                'introduction' => '2.8.0',",
    "                'default' => 'your-newthing-secret',",
    "                'required' => false,",
    "                'question' => '',",
    "                'filter' => ''",
    '            ],',
    '',
  ].join('\n');
  writeFileSync(join(later, 'variables.php'), php.replace(anchor, entry + anchor));
  writeFileSync(join(later, 'bin.txt'), read(join(FIX, '2.3.0'), 'bin.txt'));
}

describe
  .skipIf(!hasEngine)
  .sequential('Appwrite releases from their images (real engine)', { timeout: 240_000 }, () => {
    let id1910 = '';

    let unlock: (() => Promise<void>) | undefined;
    beforeAll(async () => {
      unlock = await lockEngine(); // other e2e files on this engine wait (fixed container names, global networks)
      [HTTP, HTTPS] = (await freePorts(2)).map(String) as [string, string];
      ensureDefaultSocket();
      mkdirSync(dockerConfig, { recursive: true });
      writeLaterRelease();
      await buildReleaseStandins('1.9.10', `2.8.0=${later}`);
      // 2.6.2 is never built: no image, and no registry to pull it from. A stand-in left by someone is removed.
      const stale = await execa(
        'docker',
        [
          'image',
          'inspect',
          '--format',
          '{{index .Config.Labels "org.harden-init.standin"}}',
          'appwrite/appwrite:2.6.2',
        ],
        { reject: false },
      );
      if (stale.exitCode === 0) {
        if (!String(stale.stdout).trim())
          throw new Error(
            'appwrite/appwrite:2.6.2 exists and is not a stand-in: the missing-image test cannot run here',
          );
        await execa('docker', ['rmi', 'appwrite/appwrite:2.6.2']);
      }
      id1910 = await imageId('appwrite/appwrite:1.9.10');
      expect(id1910).toMatch(/^sha256:[0-9a-f]{64}$/);
      await removeStack();
    }, 960_000);

    afterAll(async () => {
      try {
        await removeStack(dir);
      } finally {
        await unlock?.();
      }
    });

    it('--release 1.9.10: the 1.9 line from its image, MariaDB, the 1.9 services with the socket proxy, verified with vars', async () => {
      const watch = await watchContainerCreates([id1910, 'appwrite/appwrite:1.9.10']);
      const r = await run([...answers(dir), '--release', '1.9.10', '--timeout', '180']);
      const created = await watch.stop();
      expect(r.exitCode, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toMatch(/Appwrite 1\.9\.10: upstream's files from image appwrite\/appwrite:1\.9\.10/);
      expect(r.stdout).toMatch(/Database\s+bundled MariaDB/);
      expect(r.stdout).toMatch(/Stack healthy: \/v1\/health\/version answered \{"version":"1\.9\.10"\}/);
      expect(r.stdout).toMatch(/Verified with vars: \d+ variables match/);
      expect(r.stdout).toMatch(/Appwrite 1\.9\.10 is running/);

      const svc = await composeServices(dir);
      expect(svc).not.toContain('docker-socket-proxy');
      expect(svc).toEqual(
        expect.arrayContaining([
          'mariadb',
          'redis',
          'traefik',
          'openruntimes-executor',
          'appwrite',
          'appwrite-realtime',
          'appwrite-worker-certificates',
          'appwrite-worker-mails',
          'appwrite-task-maintenance',
        ]),
      );
      for (const s of ['postgresql', 'clickhouse', 'orchestrator', 'appwrite-worker', 'mongodb', 'appwrite-assistant'])
        expect(svc).not.toContain(s);
      expect([...(await projectContainers(dir)).keys()].sort()).toEqual(svc);
      expect(await runningVars('appwrite')).toContain('- _APP_DB_HOST=mariadb\n');
      expect(await runningVars('appwrite-worker-certificates')).toContain(
        '- _APP_EMAIL_CERTIFICATES=admin@example.com\n',
      );
      const traefik = JSON.parse(String((await execa('docker', ['inspect', 'appwrite-traefik'])).stdout))[0] as {
        Mounts: { Destination: string }[];
      };
      expect(traefik.Mounts.map((m) => m.Destination)).not.toContain('/var/run/docker.sock');

      // The state names the release and the image; what was read is kept per image id.
      const state = JSON.parse(read(dir, '.harden-init/state.json')) as {
        release: string;
        imageId: string;
        upstreamSha256: string;
        answers: { dbEngine: string };
      };
      expect(state).toMatchObject({ release: '1.9.10', imageId: id1910, answers: { dbEngine: 'mariadb' } });
      const entry = `1.9.10-${id1910.slice('sha256:'.length, 'sha256:'.length + 12)}`;
      expect(readdirSync(join(dir, '.harden-init/upstream'))).toEqual([entry]);
      expect(readdirSync(join(dir, '.harden-init/upstream', entry)).sort()).toEqual([
        'bin.txt',
        'docker-compose.yml',
        'parsed.json',
        'release.json',
        'variables.php',
      ]);
      expect(read(dir, `.harden-init/upstream/${entry}/docker-compose.yml`)).toBe(
        read(join(FIX, '1.9.6'), 'docker-compose.yml'),
      );
      // The control for the re-run below: this run started containers of the image, its three reads (by image id,
      // unnamed) and then the stack's services that run it.
      const appwriteServices = Object.values(
        (parseYaml(read(dir, 'docker-compose.yml')) as { services: Record<string, { image?: string }> }).services,
      ).filter((s) => s.image === 'appwrite/appwrite:1.9.10').length;
      expect(appwriteServices).toBeGreaterThan(10);
      expect(created.filter((l) => l.split(' ')[1] === id1910)).toHaveLength(3);
      expect(created).toHaveLength(3 + appwriteServices);
    });

    it("a re-run reads the release from the install's cache: no container of the image is started, nothing changes", async () => {
      const before = await projectContainers(dir);
      const watch = await watchContainerCreates([id1910, 'appwrite/appwrite:1.9.10']);
      const r = await run(['--dir', dir, '--yes', '--timeout', '120']);
      const created = await watch.stop();
      expect(r.exitCode, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toMatch(
        /Appwrite 1\.9\.10: upstream's files from cache \.harden-init\/upstream\/1\.9\.10-[0-9a-f]{12}/,
      );
      expect(r.stdout).toMatch(/Nothing to change/);
      expect(r.stdout).toMatch(/Verified with vars/);
      expect(created).toEqual([]);
      expect(await projectContainers(dir)).toEqual(before);
    });

    it('a later release asking for an unknown service (port, Docker socket) and secret: exit 2 naming both, nothing written', async () => {
      const d = fresh();
      const r = await run([...answers(d), '--release', '2.8.0']);
      expect(r.exitCode, r.stdout + r.stderr).toBe(2);
      const out = r.stdout + r.stderr;
      expect(out).toMatch(/Appwrite 2\.8\.0: upstream's files from image appwrite\/appwrite:2\.8\.0/);
      expect(out).toMatch(/service appwrite-newthing publishes 9999:9999/);
      expect(out).toMatch(/service appwrite-newthing mounts the Docker socket/);
      expect(out).toMatch(/variable _APP_NEWTHING_SECRET looks like a secret/);
      expect(out).toMatch(/--accept-upstream appwrite-newthing/);
      expect(out).toMatch(/--accept-upstream _APP_NEWTHING_SECRET/);
      expect(out).toMatch(/nothing was written/i);
      expect(existsSync(d)).toBe(false);
      expect((await execa('docker', ['ps', '-aq', '--filter', 'name=^/appwrite-newthing$'])).stdout).toBe('');
    });

    it('accepted by name (--accept-upstream, --no-start): written as upstream wrote it, the secret generated, the output says what was accepted', async () => {
      const d = fresh();
      const r = await run([
        ...answers(d),
        '--release',
        '2.8.0',
        '--accept-upstream',
        'appwrite-newthing',
        '--accept-upstream',
        '_APP_NEWTHING_SECRET',
        '--no-start',
      ]);
      expect(r.exitCode, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toMatch(
        /Accepted as upstream wrote it \(--accept-upstream appwrite-newthing\): appwrite-newthing is written as upstream wrote it \(publishes 9999:9999\)/,
      );
      expect(r.stdout).toMatch(
        /Accepted as upstream wrote it \(--accept-upstream appwrite-newthing\): appwrite-newthing is written as upstream wrote it \(mounts the Docker socket/,
      );
      expect(r.stdout).toMatch(
        /Accepted as upstream wrote it \(--accept-upstream _APP_NEWTHING_SECRET\): _APP_NEWTHING_SECRET gets a crypto-random value/,
      );
      expect(r.stdout).toMatch(/--accept-upstream appwrite-newthing --accept-upstream _APP_NEWTHING_SECRET/); // in the command to run again

      const compose = parseYaml(read(d, 'docker-compose.yml')) as {
        services: Record<string, { ports?: string[]; volumes?: string[] }>;
      };
      expect(compose.services['appwrite-newthing']!.ports).toEqual(['9999:9999']);
      expect(compose.services['appwrite-newthing']!.volumes).toContain('/var/run/docker.sock:/var/run/docker.sock');
      const env = toRecord(parseEnv(read(d, '.env')));
      expect(env._APP_NEWTHING_SECRET).toMatch(/^[A-Za-z0-9_-]{48}$/);
      expect(JSON.parse(read(d, '.harden-init/state.json'))).toMatchObject({
        release: '2.8.0',
        imageId: await imageId('appwrite/appwrite:2.8.0'),
      });
      expect((await execa('docker', ['ps', '-aq', '--filter', 'name=^/appwrite-newthing$'])).stdout).toBe(''); // --no-start
      for (const out of outputs) expect(out).not.toContain(env._APP_NEWTHING_SECRET);
    });

    it('a release whose image is absent and cannot be pulled: exit 1 with the pull error, nothing written', async () => {
      const d = fresh();
      const r = await run([...answers(d), '--release', '2.6.2']);
      expect(r.exitCode, r.stdout + r.stderr).toBe(1);
      expect(r.stderr).toMatch(/The image appwrite\/appwrite:2\.6\.2 could not be pulled: /);
      expect(r.stderr).toMatch(/registry|no such host|dial|lookup|not found|denied|timeout/i);
      expect(existsSync(d)).toBe(false);
    });
  });
