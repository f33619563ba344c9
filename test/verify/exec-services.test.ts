// verify's `vars` in every service: one Compose listing, then a `docker exec` per container, all at once; a
// service without exactly one running container is left to `compose exec` (its error names the service).
import { beforeEach, describe, expect, it, vi } from 'vitest';

const calls: string[] = [];
let inFlight = 0;
let maxInFlight = 0;
vi.mock('../../src/docker/compose.js', () => ({
  compose: async (_c: unknown, args: string[]) => {
    calls.push(`compose ${args.join(' ')}`);
    if (args[0] === 'ps') return { exitCode: 0, stdout: 'id-a\nid-b\nid-c\nid-d\n' };
    return { exitCode: 1, stdout: '', all: `service "${args[2]}" is not running` };
  },
  docker: async (args: string[]) => {
    calls.push(`docker ${args.slice(0, 2).join(' ')}`);
    if (args[0] === 'inspect')
      return { exitCode: 0, stdout: 'id-a|true|appwrite\nid-b|true|redis\nid-c|false|worker\nid-d|true|mariadb\n' };
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise((r) => setTimeout(r, 50));
    inFlight--;
    return { exitCode: 0, stdout: `_APP_ENV=production # from ${args[1]}\n`, all: '' };
  },
}));

const { execInServices } = await import('../../src/verify/exec-services.js');
const c = { flavor: 'v1' as const, version: '1.29.2', file: 'docker-compose', baseArgs: [] };

describe('execInServices', () => {
  beforeEach(() => {
    calls.length = 0;
    inFlight = 0;
    maxInFlight = 0;
  });

  it('lists once, then runs the command in every running container at the same time', async () => {
    const r = await execInServices(c, '/tmp', [], ['appwrite', 'redis', 'mariadb'], ['vars']);
    expect(calls.filter((x) => x.startsWith('compose'))).toEqual(['compose ps -q']);
    expect(calls.filter((x) => x.startsWith('docker exec')).sort()).toEqual([
      'docker exec id-a',
      'docker exec id-b',
      'docker exec id-d',
    ]);
    expect(maxInFlight).toBe(3);
    expect(r.get('redis')).toEqual({ exitCode: 0, stdout: '_APP_ENV=production # from id-b\n', all: '' });
  });

  it('with the ids the health wait just saw, starts no Compose process at all', async () => {
    const r = await execInServices(c, '/tmp', [], ['appwrite', 'mariadb'], ['vars'], 60_000, [
      'id-a',
      'id-b',
      'id-c',
      'id-d',
    ]);
    expect(calls.filter((x) => x.startsWith('compose'))).toEqual([]);
    expect(calls.filter((x) => x.startsWith('docker exec')).sort()).toEqual(['docker exec id-a', 'docker exec id-d']);
    expect(r.get('mariadb')?.exitCode).toBe(0);
  });

  it('leaves a stopped or unknown service to compose exec, whose error says why', async () => {
    const r = await execInServices(c, '/tmp', [], ['worker', 'ghost'], ['vars']);
    expect(calls).toContain('compose exec -T worker vars');
    expect(calls).toContain('compose exec -T ghost vars');
    expect(r.get('worker')).toEqual({ exitCode: 1, stdout: '', all: 'service "worker" is not running' });
  });
});
