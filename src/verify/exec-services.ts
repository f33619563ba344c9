// One command in each of a stack's services, all at once. Compose lists the containers once (`ps -q`, then one
// `docker inspect` for their service labels); each command is then a `docker exec` of that container. A
// `docker compose exec` per service started Compose (v1: a Python program, about half a second of CPU) once per
// service, most of verify's own time on a 21-service stack. A service without a container of its own (not created,
// or more than one) is left to `compose exec`, which says why in Compose's words.
import { compose, docker, type Compose } from '../docker/compose.js';

export interface ExecOutcome {
  exitCode: number | undefined;
  stdout: string;
  all: string;
}

/** The label Compose puts on each container it creates (Compose specification, "com.docker.compose.service"). */
const SERVICE_LABEL = 'com.docker.compose.service';

/**
 * `ids`: the project's containers when the caller has just listed them (the health wait has), else Compose lists them.
 */
export async function execInServices(
  c: Compose,
  cwd: string,
  dropEnv: Iterable<string>,
  services: string[],
  argv: string[],
  timeoutMs = 60_000,
  ids?: string[],
): Promise<Map<string, ExecOutcome>> {
  const dropped = [...dropEnv];
  const byService = await containersByService(c, cwd, dropped, ids);
  const outcomes = await Promise.all(
    services.map(async (svc): Promise<[string, ExecOutcome]> => {
      const ids = byService.get(svc) ?? [];
      const r =
        ids.length === 1
          ? await docker(['exec', ids[0]!, ...argv], timeoutMs)
          : await compose(c, ['exec', '-T', svc, ...argv], { cwd, dropEnv: dropped, timeoutMs });
      return [svc, { exitCode: r.exitCode, stdout: String(r.stdout ?? ''), all: String(r.all ?? '') }];
    }),
  );
  return new Map(outcomes);
}

/** Container ids by service name, for the project in <cwd>. Empty when Compose lists none. */
export async function containersByService(
  c: Compose,
  cwd: string,
  dropEnv: string[],
  known?: string[],
): Promise<Map<string, string[]>> {
  const map = new Map<string, string[]>();
  let ids = known;
  if (!ids?.length) {
    const ps = await compose(c, ['ps', '-q'], { cwd, dropEnv });
    if (ps.exitCode !== 0) return map;
    ids = String(ps.stdout ?? '')
      .split('\n')
      .map((s) => s.trim())
      .filter(Boolean);
  }
  if (ids.length === 0) return map;
  const inspect = await docker([
    'inspect',
    '--format',
    `{{.Id}}|{{.State.Running}}|{{index .Config.Labels "${SERVICE_LABEL}"}}`,
    ...ids,
  ]);
  if (inspect.exitCode !== 0) return map;
  for (const line of String(inspect.stdout ?? '').split('\n')) {
    const [id, running, service] = line.trim().split('|');
    // A stopped container is left to `compose exec` too: its error names the service the way Compose does.
    if (!id || !service || running !== 'true') continue;
    map.set(service, [...(map.get(service) ?? []), id]);
  }
  return map;
}
