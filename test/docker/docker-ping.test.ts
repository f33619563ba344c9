// dockerReachable asks the engine's socket (GET /_ping) instead of starting `docker version`; the answer must
// stay the same: true only when an engine answers and a docker CLI exists to read images with.
import { afterAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { engineAvailable } from '../helpers/engine.js';
import { dockerReachable, engineSocket, pingSocket } from '../../src/docker/compose.js';

const scratch = mkdtempSync(join(tmpdir(), 'hi-ping-'));
const binDir = join(scratch, 'bin');
mkdirSync(binDir);
writeFileSync(join(binDir, 'docker'), '#!/bin/sh\nexit 0\n');
chmodSync(join(binDir, 'docker'), 0o755);
const noConfig = { HOME: scratch, DOCKER_CONFIG: join(scratch, 'no-docker-config') };
const servers: Server[] = [];
afterAll(() => {
  for (const s of servers) s.close();
});

/** A unix socket server answering each request with <reply> (or never, for undefined). */
async function fakeEngine(name: string, reply: string | undefined): Promise<string> {
  const path = join(scratch, name);
  const server = createServer((c) => {
    c.on('data', (d) => {
      if (reply !== undefined && d.toString().startsWith('GET /_ping ')) c.end(reply);
    });
    c.on('error', () => undefined);
  });
  servers.push(server);
  await new Promise<void>((ok) => server.listen(path, ok));
  return path;
}

describe('dockerReachable (socket ping)', () => {
  it('is true when the engine answers 200 and a docker CLI is on PATH', async () => {
    const sock = await fakeEngine('ok.sock', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK');
    expect(await dockerReachable({ ...noConfig, PATH: binDir, DOCKER_HOST: `unix://${sock}` })).toBe(true);
  });

  it('is false without a docker CLI, even when the engine answers', async () => {
    const sock = await fakeEngine('ok2.sock', 'HTTP/1.1 200 OK\r\n\r\nOK');
    expect(await dockerReachable({ ...noConfig, PATH: join(scratch, 'empty'), DOCKER_HOST: `unix://${sock}` })).toBe(
      false,
    );
  });

  it('is false when nothing listens, or the answer is not 200', async () => {
    expect(
      await dockerReachable({ ...noConfig, PATH: binDir, DOCKER_HOST: `unix://${join(scratch, 'none.sock')}` }),
    ).toBe(false);
    const bad = await fakeEngine('bad.sock', 'HTTP/1.1 500 Internal Server Error\r\n\r\n');
    expect(await dockerReachable({ ...noConfig, PATH: binDir, DOCKER_HOST: `unix://${bad}` })).toBe(false);
    expect(await pingSocket(join(scratch, 'bin', 'docker'), 1000)).toBe(false); // a file, not a socket
  });

  it('gives up on an engine that never answers after the timeout', async () => {
    const mute = await fakeEngine('mute.sock', undefined);
    const t0 = Date.now();
    expect(await pingSocket(mute, 300)).toBe(false);
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('leaves endpoints the socket cannot see the way the CLI does to `docker version`', () => {
    expect(engineSocket({ ...noConfig })).toBe('/var/run/docker.sock');
    expect(engineSocket({ ...noConfig, DOCKER_HOST: 'unix:///run/user/1000/docker.sock' })).toBe(
      '/run/user/1000/docker.sock',
    );
    expect(engineSocket({ ...noConfig, DOCKER_HOST: 'tcp://10.0.0.5:2376' })).toBeUndefined();
    expect(engineSocket({ ...noConfig, DOCKER_HOST: 'ssh://me@host' })).toBeUndefined();
    expect(engineSocket({ ...noConfig, DOCKER_CONTEXT: 'remote' })).toBeUndefined();
    const cfg = join(scratch, 'cfg');
    mkdirSync(cfg);
    writeFileSync(join(cfg, 'config.json'), JSON.stringify({ currentContext: 'rootless' }));
    expect(engineSocket({ HOME: scratch, DOCKER_CONFIG: cfg })).toBeUndefined();
  });

  it.skipIf(!engineAvailable())(
    'answers true for the real engine of this machine (as `docker version` does)',
    async () => {
      expect(await dockerReachable(process.env)).toBe(true);
    },
  );
});
