// The health wait's deadline: a container still "starting" (its healthcheck failing inside a long start period,
// Appwrite's is 120 s) is named with its last log lines, which is where a service says why it cannot come up
// (e.g. it cannot log in to its database). Docker is mocked: only the wait's own decisions are under test.
import { beforeEach, describe, expect, it, vi } from 'vitest';

const calls: string[][] = [];
let inspectLines = '';
vi.mock('../../src/docker/compose.js', () => ({
  compose: async () => ({ stdout: 'c1\nc2\n' }),
  docker: async (args: string[]) => {
    calls.push(args);
    if (args[0] === 'inspect') return { stdout: inspectLines };
    if (args[0] === 'logs')
      return {
        all: `standin app server: NOT healthy: database: cannot log in to PostgreSQL at postgresql:5432 as 'user'\n`,
      };
    return { stdout: '' };
  },
  tail: (t: string) => t.trimEnd(),
}));

const { waitHealthy } = await import('../../src/verify/health.js');
const target = { port: 1, host: 'x', path: '/v1/health/version', judge: () => ({ ok: false, detail: 'unused' }) };
const c = { flavor: 'v1' as const, version: '1.29.2', file: 'docker-compose', baseArgs: [] };

describe('waitHealthy at its deadline', () => {
  beforeEach(() => {
    calls.length = 0;
  });

  it('names the container still starting and shows its last log lines', async () => {
    inspectLines = '/appwrite-redis|running|0|healthy\n/appwrite|running|0|starting\n';
    const r = await waitHealthy(c, '/tmp', [], target, 2, 1);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.reason).toBe('Not healthy after 0 s: waiting for appwrite (starting).');
    expect(r.container).toBe('appwrite');
    expect(r.logs).toMatch(/cannot log in to PostgreSQL/);
    expect(calls).toContainEqual(['logs', '--tail', '20', 'appwrite']);
  });

  it('with every container healthy (only the probe failing) there is no container to blame: no logs', async () => {
    inspectLines = '/appwrite-redis|running|0|healthy\n/appwrite|running|0|healthy\n';
    const r = await waitHealthy(c, '/tmp', [], { ...target, port: 9 }, 2, 1);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.container).toBeUndefined();
    expect(r.logs).toBeUndefined();
    expect(calls.some((a) => a[0] === 'logs')).toBe(false);
  });
});
