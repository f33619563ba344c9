// The health wait's own cost: Compose lists the containers once they all exist, then each poll is one
// `docker inspect` of the same ids; a container that disappears makes it list again. Docker is mocked.
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const calls: string[] = [];
let inspectAnswers: { exitCode: number; stdout: string }[] = [];
vi.mock('../../src/docker/compose.js', () => ({
  compose: async (_c: unknown, args: string[]) => {
    calls.push(`compose ${args.join(' ')}`);
    return { exitCode: 0, stdout: 'c1\nc2\n' };
  },
  docker: async (args: string[]) => {
    calls.push(`docker ${args[0]}`);
    if (args[0] === 'inspect')
      return inspectAnswers.shift() ?? { exitCode: 0, stdout: '/a|running|0|healthy\n/b|running|0|\n' };
    return { exitCode: 0, stdout: '', all: '' };
  },
  tail: (t: string) => t.trimEnd(),
}));

const { waitHealthy } = await import('../../src/verify/health.js');
const server = createServer((_req, res) => res.end('ok'));
await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
afterAll(() => server.close());
const target = {
  port: (server.address() as AddressInfo).port,
  host: 'x',
  path: '/',
  judge: (s: number) => ({ ok: s === 200, detail: `HTTP ${s}` }),
};
const c = { flavor: 'v1' as const, version: '1.29.2', file: 'docker-compose', baseArgs: [] };
const STARTING = { exitCode: 0, stdout: '/a|running|0|starting\n/b|running|0|\n' };

describe('waitHealthy polling', () => {
  beforeEach(() => {
    calls.length = 0;
    inspectAnswers = [];
  });

  it('asks Compose for the containers once, then only inspects them until healthy', async () => {
    inspectAnswers = [STARTING, STARTING];
    const r = await waitHealthy(c, '/tmp', [], target, 2, 30_000);
    expect(r).toEqual({ ok: true, detail: 'HTTP 200', ids: ['c1', 'c2'] }); // handed on to verify's reads
    expect(calls).toEqual(['compose ps -q', 'docker inspect', 'docker inspect', 'docker inspect']);
  });

  it('lists the containers again when one of them is gone', async () => {
    inspectAnswers = [STARTING, { exitCode: 1, stdout: '' }];
    const r = await waitHealthy(c, '/tmp', [], target, 2, 30_000);
    expect(r.ok).toBe(true);
    expect(calls).toEqual(['compose ps -q', 'docker inspect', 'docker inspect', 'compose ps -q', 'docker inspect']);
  });

  it('keeps listing while fewer containers exist than the stack has', async () => {
    const r = await waitHealthy(c, '/tmp', [], target, 3, 600); // two polls fit
    expect(r.ok).toBe(false);
    expect(calls.filter((x) => x === 'compose ps -q').length).toBe(2);
    if (!r.ok) expect(r.reason).toMatch(/2 of 3 containers exist/);
  });
});
