// Waits until the stack is up: every container running (healthy where it has a healthcheck) and the
// health endpoint answering through the published HTTP port. Polls with backoff (0.5 s × 1.5, at most 3 s) up to
// a deadline; a container that exits or restarts ends the wait at once, reported by name with its last log lines.
import { request } from 'node:http';
import { compose, docker, tail, type Compose } from '../docker/compose.js';

export interface ContainerState {
  name: string;
  status: string;
  restarts: number;
  health: string;
}

export type HealthResult =
  | {
      ok: true;
      detail: string /** The stack's containers the wait saw healthy: verify reads them without listing again. */;
      ids: string[];
    }
  | { ok: false; reason: string; container?: string; logs?: string };

export interface HealthTarget {
  port: number;
  host: string;
  path: string;
  /** The product's judgement of one answer (see Target.health). */
  judge: (status: number, body: string, location: string | undefined) => { ok: boolean; detail: string };
}

export async function containerStates(c: Compose, cwd: string, dropEnv: Iterable<string>): Promise<ContainerState[]> {
  return (await inspectStates(await containerIds(c, cwd, dropEnv))) ?? [];
}

/** The project's container ids, as Compose lists them (`ps -q`). */
async function containerIds(c: Compose, cwd: string, dropEnv: Iterable<string>): Promise<string[]> {
  // Bounded like the wait itself: an engine that stopped answering must not hold the wait past its deadline.
  const ps = await compose(c, ['ps', '-q'], { cwd, dropEnv, timeoutMs: 60_000 });
  return String(ps.stdout)
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Each container's state by id (one `docker inspect`); undefined when one of them no longer exists. */
async function inspectStates(ids: string[]): Promise<ContainerState[] | undefined> {
  if (ids.length === 0) return [];
  const fmt = '{{.Name}}|{{.State.Status}}|{{.RestartCount}}|{{if .State.Health}}{{.State.Health.Status}}{{end}}';
  const inspect = await docker(['inspect', '--format', fmt, ...ids]);
  if (inspect.exitCode !== undefined && inspect.exitCode !== 0) return undefined;
  return String(inspect.stdout)
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [name, status, restarts, health] = line.split('|');
      return { name: name!.replace(/^\//, ''), status: status!, restarts: Number(restarts), health: health ?? '' };
    });
}

/** One GET with the configured domain as Host, judged by the product's own rule. */
export function probe(t: HealthTarget, timeoutMs = 5000): Promise<{ ok: boolean; detail: string }> {
  return new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port: t.port, path: t.path, headers: { Host: t.host }, timeout: timeoutMs },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => {
          body += d;
        });
        res.on('end', () => {
          resolve(t.judge(res.statusCode ?? 0, body, res.headers.location));
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (e) => resolve({ ok: false, detail: `${t.path}: ${e.message}` }));
    req.end();
  });
}

export async function waitHealthy(
  c: Compose,
  cwd: string,
  dropEnv: string[],
  target: HealthTarget,
  expectedServices: number,
  timeoutMs: number,
  onWait: (what: string) => void = () => {},
): Promise<HealthResult> {
  const deadline = Date.now() + timeoutMs;
  let delay = 500;
  let last = 'nothing checked yet';
  let stuck: string | undefined; // the container still starting when the deadline comes: its log usually says why
  // Compose (v1 a Python program) lists the containers only until all of them exist; after that each poll is one
  // `docker inspect` of the same ids, which costs a fraction of a Compose start. A container gone (recreated,
  // removed) makes inspect fail: the ids are listed again.
  let ids: string[] | undefined;
  for (;;) {
    if (ids === undefined || ids.length < expectedServices) ids = await containerIds(c, cwd, dropEnv);
    let states = await inspectStates(ids);
    if (states === undefined) {
      ids = await containerIds(c, cwd, dropEnv);
      states = (await inspectStates(ids)) ?? [];
    }
    if (states.length === 0) {
      // Nothing to wait for: compose has no container of this project (never started, or taken down).
      return {
        ok: false,
        reason:
          `No container of this stack exists: start it with "docker compose up ` +
          `-d" in ${cwd} (or re-run harden-init).`,
      };
    }
    const broken = states.find(
      (s) =>
        s.status === 'exited' ||
        s.status === 'dead' ||
        s.status === 'restarting' ||
        s.restarts > 0 ||
        s.health === 'unhealthy',
    );
    if (broken) {
      const logs = await docker(['logs', '--tail', '20', broken.name]);
      const what =
        broken.health === 'unhealthy'
          ? 'is unhealthy'
          : broken.restarts > 0 || broken.status === 'restarting'
            ? `keeps restarting (${broken.restarts} restarts)`
            : `exited`;
      return {
        ok: false,
        reason: `Container ${broken.name} ${what}.`,
        container: broken.name,
        logs: tail(String(logs.all ?? ''), 20),
      };
    }
    const waiting = states.filter((s) => s.status !== 'running' || (s.health !== '' && s.health !== 'healthy'));
    stuck = (waiting.find((s) => s.health === 'starting') ?? waiting[0])?.name;
    if (states.length < expectedServices) last = `${states.length} of ${expectedServices} containers exist`;
    else if (waiting.length > 0)
      last = `waiting for ${waiting.map((s) => `${s.name} (${s.health || s.status})`).join(', ')}`;
    else {
      const p = await probe(target);
      if (p.ok) return { ok: true, detail: p.detail, ids };
      last = p.detail;
    }
    onWait(last);
    if (Date.now() + delay > deadline) {
      const reason = `Not healthy after ${Math.round(timeoutMs / 1000)} s: ${last}.`;
      // A container whose healthcheck keeps failing stays "starting" for its whole start period (Appwrite's: 120 s),
      // so a wait shorter than that never sees "unhealthy": show what it logged
      // (e.g. it cannot log in to its database).
      if (!stuck) return { ok: false, reason };
      const logs = await docker(['logs', '--tail', '20', stuck]);
      return { ok: false, reason, container: stuck, logs: tail(String(logs.all ?? ''), 20) };
    }
    await new Promise((r) => setTimeout(r, delay));
    // Polls are cheap now (see above): the cap keeps the time between "healthy" and noticing it short.
    delay = Math.min(3000, Math.round(delay * 1.5));
  }
}
