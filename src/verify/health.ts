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
  let ids: string[] | undefined;
  for (;;) {
    const seen = await pollStates(c, cwd, dropEnv, ids, expectedServices);
    ids = seen.ids;
    const poll = await judgeStates(seen.states, expectedServices, target, cwd, ids);
    if ('done' in poll) return poll.done;
    onWait(poll.last);
    if (Date.now() + delay > deadline) return timedOut(timeoutMs, poll.last, poll.stuck);
    await new Promise((r) => setTimeout(r, delay));
    // Polls are cheap now (see pollStates): the cap keeps the time between "healthy" and noticing it short.
    delay = Math.min(3000, Math.round(delay * 1.5));
  }
}

/** What one poll saw: the end of the wait, or what it still waits for and the container most likely stuck. */
type Poll = { done: HealthResult } | { last: string; stuck: string | undefined };

/**
 * The containers' states, and the ids they were read by. Compose (v1 a Python program) lists the containers only
 * until all of them exist; after that each poll is one `docker inspect` of the same ids, which costs a fraction of a
 * Compose start. A container gone (recreated, removed) makes inspect fail: the ids are listed again.
 */
async function pollStates(
  c: Compose,
  cwd: string,
  dropEnv: string[],
  known: string[] | undefined,
  expectedServices: number,
): Promise<{ ids: string[]; states: ContainerState[] }> {
  const ids = known === undefined || known.length < expectedServices ? await containerIds(c, cwd, dropEnv) : known;
  const states = await inspectStates(ids);
  if (states !== undefined) return { ids, states };
  const relisted = await containerIds(c, cwd, dropEnv);
  return { ids: relisted, states: (await inspectStates(relisted)) ?? [] };
}

async function judgeStates(
  states: ContainerState[],
  expectedServices: number,
  target: HealthTarget,
  cwd: string,
  ids: string[],
): Promise<Poll> {
  if (states.length === 0) {
    // Nothing to wait for: compose has no container of this project (never started, or taken down).
    return {
      done: {
        ok: false,
        reason:
          `No container of this stack exists: start it with "docker compose up ` +
          `-d" in ${cwd} (or re-run harden-init).`,
      },
    };
  }
  const broken = states.find(isBroken);
  if (broken) return { done: await brokenResult(broken) };
  const waiting = states.filter((s) => s.status !== 'running' || (s.health !== '' && s.health !== 'healthy'));
  // The container still starting when the deadline comes: its log usually says why.
  const stuck = (waiting.find((s) => s.health === 'starting') ?? waiting[0])?.name;
  if (states.length < expectedServices)
    return { last: `${states.length} of ${expectedServices} containers exist`, stuck };
  if (waiting.length > 0)
    return { last: `waiting for ${waiting.map((s) => `${s.name} (${s.health || s.status})`).join(', ')}`, stuck };
  const p = await probe(target);
  if (p.ok) return { done: { ok: true, detail: p.detail, ids } };
  return { last: p.detail, stuck };
}

const isBroken = (s: ContainerState): boolean =>
  s.status === 'exited' ||
  s.status === 'dead' ||
  s.status === 'restarting' ||
  s.restarts > 0 ||
  s.health === 'unhealthy';

async function brokenResult(broken: ContainerState): Promise<HealthResult> {
  const logs = await lastLogLines(broken.name);
  const what =
    broken.health === 'unhealthy'
      ? 'is unhealthy'
      : broken.restarts > 0 || broken.status === 'restarting'
        ? `keeps restarting (${broken.restarts} restarts)`
        : `exited`;
  return { ok: false, reason: `Container ${broken.name} ${what}.`, container: broken.name, logs };
}

async function timedOut(timeoutMs: number, last: string, stuck: string | undefined): Promise<HealthResult> {
  const reason = `Not healthy after ${Math.round(timeoutMs / 1000)} s: ${last}.`;
  // A container whose healthcheck keeps failing stays "starting" for its whole start period (Appwrite's: 120 s),
  // so a wait shorter than that never sees "unhealthy": show what it logged
  // (e.g. it cannot log in to its database).
  if (!stuck) return { ok: false, reason };
  return { ok: false, reason, container: stuck, logs: await lastLogLines(stuck) };
}

async function lastLogLines(container: string): Promise<string> {
  const logs = await docker(['logs', '--tail', '20', container]);
  return tail(String(logs.all ?? ''), 20);
}
