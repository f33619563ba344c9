import { isScalar, isSeq } from 'yaml';
import { eachService, scalar, service } from '../render/doc.js';
import { GATEWAY } from './publish.js';
import type { Rule } from './types.js';

/**
 * Processes and threads per container. A cap far above what each service runs stops a fork bomb (a compromised
 * or buggy service) from exhausting the host's PID table, which would stop every other service too. Threads
 * count: ClickHouse's own pools allow up to 10,000 threads, so it gets more than that.
 */
export const PIDS_LIMIT: Record<string, number> = { clickhouse: 16384, [GATEWAY]: 1024 };
export const PIDS_DEFAULT = 4096;

/**
 * Redis caps its own data with --maxmemory; its limit leaves room for a snapshot's fork (copy-on-write) and buffers.
 */
export function redisMemoryLimit(args: string[]): string | undefined {
  const i = args.indexOf('--maxmemory');
  const m = i >= 0 ? /^(\d+)(mb|gb)$/i.exec(args[i + 1] ?? '') : null;
  if (!m) return undefined;
  const mb = Number(m[1]) * (m[2]!.toLowerCase() === 'gb' ? 1024 : 1);
  return mb > 0 ? `${mb * 2 + 256}m` : undefined;
}

export const resourceLimits: Rule = {
  id: 'resource-limits',
  what:
    `pids_limit on every service (${PIDS_DEFAULT}; ClickHouse ${PIDS_LIMIT.clickhouse}, traefik ` +
    `${PIDS_LIMIT[GATEWAY]}); a memory limit only where the service bounds its own use: Redis (twice its --maxmemory ` +
    `plus 256 MB). None on the databases, ClickHouse, appwrite, realtime, the workers, the executor, the ` +
    `orchestrator or traefik: they grow with load, and an OOM kill there is an outage or a torn write`,
  why:
    'upstream sets no limit: one runaway or compromised container can fork until the host has no PIDs left, ' +
    'or eat the memory of every other service',
  keeps:
    "every service's normal load (the caps sit far above it); Redis evicts by its own policy long before its limit",
  apply({ doc }) {
    eachService(doc, (name, svc) => {
      if (!svc.has('pids_limit')) svc.set('pids_limit', PIDS_LIMIT[name] ?? PIDS_DEFAULT);
    });
    const redis = service(doc, 'redis');
    const cmd = redis?.get('command');
    const args = isSeq(cmd) ? cmd.items.map(scalar) : isScalar(cmd) ? String(cmd.value).trim().split(/\s+/) : [];
    const redisMem = redisMemoryLimit(args);
    if (redis && redisMem && !redis.has('mem_limit')) redis.set('mem_limit', redisMem);
  },
};
