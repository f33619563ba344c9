// The addresses _APP_TRUSTED_PROXIES and traefik's forwardedHeaders.trustedIPs name, checked on a real engine: the
// shared network as harden-init renders it (fixed subnet, traefik's fixed address) in proxy mode, with traefik on
// its other network too and HTTP published on 127.0.0.1. A connection from the host's loopback (the operator's
// proxy) must arrive at traefik from the one address traefik trusts, and a container on the shared network (where
// function and build containers run) from an address nobody trusts, so its forged X-Forwarded-For is not taken.
// The stand-in traefik is a busybox forwarder that cannot apply trustedIPs itself: this tests the wiring (who
// arrives from where), not traefik's or Appwrite's header handling.
import { execa } from 'execa';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { renderCompose } from '../../src/targets/appwrite/compose.js';
import { managedValues } from '../../src/targets/appwrite/env-values.js';
import { BASE, templateOf } from '../helpers/fixtures.js';
import { engineAvailable, freePorts, freeSubnet, lockEngine } from '../helpers/engine.js';
import { startStack, type StackContext } from '../../src/install/stack.js';
import { detectCompose } from '../../src/docker/compose.js';
import { createUi } from '../../src/ui/ui.js';

const hasEngine = engineAvailable();
const PROJECT = 'hitrustedproxies';
const ANSWERS = { ...BASE, release: '2.3.0', https: 'proxy' as const };
let dir = '';
let unlock: (() => Promise<void>) | undefined;
let port = 0;
const compose = (args: string[]) => execa('docker-compose', ['-p', PROJECT, ...args], { cwd: dir, reject: false });

/** Peers of established or closing TCP connections to port 80, as `netstat -tn` inside a service shows them. */
async function peersOf(service: string): Promise<string[]> {
  const r = await compose(['exec', '-T', service, 'netstat', '-tn']);
  return [
    ...String(r.stdout).matchAll(/[\d.:a-f]*?(\d+\.\d+\.\d+\.\d+):80\s+(?:::ffff:)?(\d+\.\d+\.\d+\.\d+):\d+/g),
  ].map((m) => m[2]!);
}

describe.skipIf(!hasEngine).sequential('trusted proxies on a real engine (proxy mode)', { timeout: 300_000 }, () => {
  let rendered: any; // the rendered compose file, read as parsed YAML
  let trusted: string[] = [];
  let traefikTrusts: string[] = [];

  beforeAll(async () => {
    unlock = await lockEngine();
    // A subnet of the test's own (rendered through the `--subnet` answer): a network another stack left on the
    // engine may hold the default one, and the wiring under test is the same for any subnet.
    const answers = { ...ANSWERS, subnet: await freeSubnet() };
    rendered = parse(renderCompose(templateOf('2.3.0'), answers).text);
    trusted = managedValues(answers)
      ._APP_TRUSTED_PROXIES!.split(',')
      .map((c) => c.replace(/\/32$/, ''));
    const traefikFlag = (rendered.services.traefik.command as string[]).find((f) =>
      f.includes('forwardedHeaders.trustedIPs='),
    )!;
    traefikTrusts = traefikFlag
      .split('=')[1]!
      .split(',')
      .map((c) => c.replace(/\/32$/, ''));
    const image = String(
      (
        await execa('docker', [
          'images',
          '--filter',
          'label=org.harden-init.standin',
          '--format',
          '{{.Repository}}:{{.Tag}}',
        ])
      ).stdout,
    )
      .split('\n')
      .find((i) => i.startsWith('harden-init-standin:'));
    if (!image)
      await execa(join(import.meta.dirname, 'standin/build-standins.sh'), ['--release', '2.7.1'], { stdio: 'inherit' });
    const busybox =
      image ??
      String((await execa('docker', ['images', '--format', '{{.Repository}}:{{.Tag}}'])).stdout)
        .split('\n')
        .find((i) => i.startsWith('harden-init-standin:'))!;
    dir = mkdtempSync(join(tmpdir(), 'hi-trusted-'));
    [port] = await freePorts(1);
    // The rendered network definitions, renamed so they cannot meet another stack's global `appwrite`/`gateway`
    // (the prefix keeps their order by name, which decides the network Docker publishes ports on).
    const net = (n: string) => ({ ...rendered.networks[n], name: `${PROJECT}-${n}` });
    const listen = ['sh', '-c', 'while true; do nc -l -p 80 >/dev/null; done'];
    writeFileSync(
      join(dir, 'docker-compose.yml'),
      stringify({
        services: {
          traefik: {
            image: busybox,
            entrypoint: listen,
            ports: [`127.0.0.1:${port}:80`],
            networks: { gateway: null, appwrite: rendered.services.traefik.networks.appwrite },
          },
          // stands for a function or build container on the shared network
          build: { image: busybox, entrypoint: ['sh', '-c', 'sleep 3600'], networks: ['appwrite'] },
        },
        networks: { gateway: net('gateway'), appwrite: net('appwrite') },
      }),
    );
    const up = await compose(['up', '-d']);
    expect(up.exitCode, String(up.stderr)).toBe(0);
  }, 600_000);

  afterAll(async () => {
    if (dir) {
      await compose(['down', '-v', '--remove-orphans', '--timeout', '1']);
      rmSync(dir, { recursive: true, force: true });
    }
    await unlock?.();
  });

  it('traefik runs at the address Appwrite trusts', async () => {
    const r = await compose(['exec', '-T', 'traefik', 'ip', '-4', '-o', 'addr']);
    expect(String(r.stdout)).toContain(`inet ${rendered.services.traefik.networks.appwrite.ipv4_address}/`);
    expect(trusted[0]).toBe(rendered.services.traefik.networks.appwrite.ipv4_address);
  });

  it("a connection to 127.0.0.1 (the operator's proxy) arrives from the one address traefik trusts, also trusted by Appwrite", async () => {
    await new Promise<void>((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => {
        s.write('GET / HTTP/1.0\r\nX-Forwarded-For: 203.0.113.7\r\n\r\n');
        setTimeout(() => {
          s.end();
          resolve();
        }, 500);
      });
      s.on('error', reject);
    });
    const peers = await peersOf('traefik');
    expect(peers.length, 'the connection is seen').toBeGreaterThan(0);
    for (const p of peers) {
      expect(traefikTrusts).toEqual([p]);
      expect(trusted).toContain(p);
    }
  });

  it('a container on the shared network arrives from an address neither traefik nor Appwrite trusts', async () => {
    const ip = rendered.services.traefik.networks.appwrite.ipv4_address;
    // held open while traefik's side is read
    await compose([
      'exec',
      '-d',
      'build',
      'sh',
      '-c',
      `(printf 'GET / HTTP/1.0\\r\\nX-Forwarded-For: 203.0.113.7\\r\\n\\r\\n'; sleep 5) | nc ${ip} 80`,
    ]);
    await new Promise((r) => setTimeout(r, 1000));
    const peers = (await peersOf('traefik')).filter((p) => !traefikTrusts.includes(p));
    expect(peers.length, "the build container's connection is seen").toBeGreaterThan(0);
    for (const p of peers) expect(trusted).not.toContain(p);
  });
});

describe
  .skipIf(!hasEngine)
  .sequential('an install from before the fixed subnet (real engine)', { timeout: 300_000 }, () => {
    const project = 'hisubnetmove';
    let where = '';
    let release: (() => Promise<void>) | undefined;
    const run = (args: string[]) => execa('docker-compose', ['-p', project, ...args], { cwd: where, reject: false });
    afterAll(async () => {
      if (where) {
        await run(['down', '--remove-orphans', '--timeout', '1']);
        rmSync(where, { recursive: true, force: true });
      }
      await release?.();
    });

    it('the running stack is stopped (volumes kept) so compose recreates the network with its subnet; the fixed address then works', async () => {
      release = await lockEngine();
      const busybox = String((await execa('docker', ['images', '--format', '{{.Repository}}:{{.Tag}}'])).stdout)
        .split('\n')
        .find((i) => i.startsWith('harden-init-standin:'))!;
      where = mkdtempSync(join(tmpdir(), 'hi-subnet-'));
      const service = (networks: unknown) => ({
        image: busybox,
        entrypoint: ['sh', '-c', 'sleep 3600'],
        volumes: ['data:/data'],
        networks,
      });
      const name = `${project}-appwrite`;
      writeFileSync(
        join(where, 'docker-compose.yml'),
        stringify({
          services: { traefik: service(['appwrite']) },
          networks: { appwrite: { name } },
          volumes: { data: null },
        }),
      );
      expect((await run(['up', '-d'])).exitCode).toBe(0);
      await run(['exec', '-T', 'traefik', 'sh', '-c', 'echo kept > /data/marker']);
      const ipam = { config: [{ subnet: '10.213.97.0/24', ip_range: '10.213.97.128/25', gateway: '10.213.97.1' }] };
      const text = stringify({
        services: { traefik: service({ appwrite: { ipv4_address: '10.213.97.2' } }) },
        networks: { appwrite: { name, ipam } },
        volumes: { data: null },
      });
      writeFileSync(join(where, 'docker-compose.yml'), text);
      // what `up` alone does with such a change
      const plain = await run(['up', '-d']);
      expect(plain.exitCode).not.toBe(0);
      const compose = (await detectCompose())!;
      const ctx = {
        ui: createUi(true, { stdout: process.stdout }),
        json: true,
        live: false,
        dir: where,
        compose,
        env: {},
        composeText: text,
      } as unknown as StackContext;
      process.env.COMPOSE_PROJECT_NAME = project;
      try {
        await startStack(ctx);
      } finally {
        delete process.env.COMPOSE_PROJECT_NAME;
      }
      expect(String((await run(['exec', '-T', 'traefik', 'ip', '-4', '-o', 'addr'])).stdout)).toContain(
        'inet 10.213.97.2/',
      );
      expect(String((await run(['exec', '-T', 'traefik', 'cat', '/data/marker'])).stdout).trim()).toBe('kept');
    });
  });
