// After the files are written: compose config → up -d (streamed) → wait healthy → verify with `vars`.
// `harden-init verify` runs the last two alone.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import * as p from '@clack/prompts';
import pc from 'picocolors';
import { compose, docker, tail, type Compose } from '../docker/compose.js';
import { waitHealthy } from '../verify/health.js';
import { execInServices } from '../verify/exec-services.js';
import { expectations, type Expectation } from '../verify/expectations.js';
import { compare, type Comparison, type Row } from '../verify/compare.js';
import { stepError, CliError, EXIT } from '../core/errors.js';
import type { Ui } from '../ui/ui.js';
import type { BaseAnswers as Answers, LiveCheck, Target } from '../targets/types.js';
import { urlHost } from '../core/url-host.js';
import { shellQuote } from '../core/shell-quote.js';
import { readYaml } from '../engine/yaml-read.js';

export interface StackContext {
  ui: Ui;
  json: boolean;
  dir: string;
  compose: Compose;
  answers: Answers;
  /** The product: its health probe and how to read what a running service holds. */
  target: Target<Answers>;
  env: Record<string, string>;
  /** The run's environment (the shell's variables, which compose would let override .env). */
  shellEnv: NodeJS.ProcessEnv;
  composeText: string;
  /** Variables harden-init decides: always shown in the table. */
  shown: Set<string>;
  /** Variables Appwrite's `vars` prints (its variables.php list); others cannot be checked this way. */
  verifiable: Set<string>;
  /** Whether stdout is a terminal (live task log and spinner) or a log file (plain lines). */
  live: boolean;
  sensitive: Set<string>;
  timeoutMs: number;
  /** The target's security switches with their hardened values (a .env that differs is unsafe, not just stale). */
  hardened?: Record<string, string>;
  /** How many services Compose reads from the files: set by startStack's validation, so verify need not ask again. */
  serviceCount?: number;
}

export interface VerifyOutcome {
  comparison: Comparison;
  reasons: string[];
  health: string;
  live: LiveCheck[];
}

/** Security switches .env itself sets to another value than the hardened one ("LANGFLOW_AUTO_LOGIN=True"). */
function unsafeSwitches(ctx: StackContext): string[] {
  return Object.entries(ctx.hardened ?? {})
    .filter(([k, v]) => ctx.env[k] !== undefined && ctx.env[k] !== v)
    .map(([k]) => k);
}

/**
 * Where .env turns a security switch off, "docker compose up -d" would apply that: the advice is a re-run of
 * harden-init, which switches it back (with a warning) and recreates what changed.
 */
function unsafeReason(ctx: StackContext, names: string[]): string {
  const what = names.map((k) => `${k}=${ctx.env[k] || '(empty)'} (hardened: ${ctx.hardened![k]})`).join(', ');
  return (
    `.env itself turns security settings off: ${what}. "docker compose up -d" would apply ` +
    `${names.length === 1 ? 'it' : 'them'}; re-run harden-init in ${ctx.dir} to switch ` +
    `${names.length === 1 ? 'it' : 'them'} back (it says so, and recreates what changed).`
  );
}

/** `config --services` output → service names (Compose v1 may add warnings on stderr only). */
function serviceLines(out: string): string[] {
  return out
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
}

/**
 * Named networks the file gives a fixed subnet that exist on the engine with another one (an install from before
 * the subnet was fixed). Compose does not recreate an existing network, and a fixed container address on it fails
 * ("user specified IP address is supported only when connecting to networks with user configured subnets").
 */
export async function networksWithOtherSubnet(composeText: string): Promise<string[]> {
  const doc = readYaml(composeText, 'docker-compose.yml') as {
    networks?: Record<string, { name?: unknown; ipam?: { config?: { subnet?: unknown }[] } } | null>;
  } | null;
  const out: string[] = [];
  for (const def of Object.values(doc?.networks ?? {})) {
    const subnet = def?.ipam?.config?.[0]?.subnet;
    if (typeof def?.name !== 'string' || typeof subnet !== 'string') continue;
    const r = await docker([
      'network',
      'inspect',
      def.name,
      '--format',
      '{{range .IPAM.Config}}{{.Subnet}} {{end}}',
    ]).catch(() => undefined);
    if (r && r.exitCode === 0 && !String(r.stdout).trim().split(/\s+/).includes(subnet)) out.push(def.name);
  }
  return out;
}

export async function startStack(ctx: StackContext): Promise<void> {
  const dropEnv = Object.keys(ctx.env);
  // `config --services` validates the files as `config --quiet` does and also counts what the health wait expects
  // (one Compose process fewer: about a second with Compose v1).
  const config = await compose(ctx.compose, ['config', '--services'], { cwd: ctx.dir, dropEnv });
  if (config.exitCode !== 0) {
    throw stepError(
      `docker compose config rejected the files:\n${tail(String(config.all ?? ''))}`,
      'The written files and backups are kept; fix the file or re-run harden-init.',
    );
  }
  ctx.serviceCount = serviceLines(String(config.stdout)).length;
  ctx.ui.success('docker compose config: the files are valid');

  const moved = await networksWithOtherSubnet(ctx.composeText);
  if (moved.length) {
    // Stopped (volumes kept) so `up` creates the network anew with its fixed subnet.
    ctx.ui.warn(
      `The network${moved.length === 1 ? '' : 's'} ${moved.join(', ')} now ` +
        `${moved.length === 1 ? 'has' : 'have'} a fixed subnet: stopping the stack so docker compose recreates ` +
        `${moved.length === 1 ? 'it' : 'them'} (data volumes are kept).`,
    );
    const down = await compose(ctx.compose, ['down', '--remove-orphans'], {
      cwd: ctx.dir,
      dropEnv,
      timeoutMs: 300_000,
    });
    const left = down.exitCode === 0 ? await networksWithOtherSubnet(ctx.composeText) : moved;
    if (left.length) {
      throw stepError(
        `The network${left.length === 1 ? '' : 's'} ${left.join(', ')} could not be recreated with ` +
          `${left.length === 1 ? 'its' : 'their'} fixed subnet (still in ` +
          `use?):\n${tail(String(down.all ?? down.stderr ?? ''))}`,
        `Stop what still uses ${left.length === 1 ? 'it' : 'them'} (docker network inspect ${left[0]}), remove ` +
          `${left.length === 1 ? 'it' : 'them'} with docker network rm, and re-run.`,
      );
    }
  }

  const log = ctx.json
    ? undefined
    : ctx.live
      ? p.taskLog({ title: `docker compose up -d (${ctx.compose.flavor})`, limit: 12, ...ctx.ui.streams })
      : plainLog(ctx.ui, `docker compose up -d (${ctx.compose.flavor})`);
  const up = compose(ctx.compose, ['up', '-d', '--remove-orphans'], { cwd: ctx.dir, dropEnv });
  let output = '';
  for await (const line of up.iterable({ from: 'all' })) {
    output += `${line}\n`;
    log?.message(String(line));
  }
  const result = await up;
  if (result.exitCode !== 0) {
    log?.error('docker compose up failed', { showLog: false });
    throw stepError(
      `docker compose up -d failed (exit ${result.exitCode}):\n${tail(output)}`,
      'The written files and backups are kept; fix the cause and re-run.',
    );
  }
  log?.success('Stack started', { showLog: false });
}

/**
 * The number of services the health wait expects: startStack's count, or Compose
 * asked when the stack was not started here.
 */
export async function serviceCount(ctx: StackContext): Promise<number> {
  ctx.serviceCount ??= serviceLines(
    String(
      (await compose(ctx.compose, ['config', '--services'], { cwd: ctx.dir, dropEnv: Object.keys(ctx.env) })).stdout,
    ),
  ).length;
  return ctx.serviceCount;
}

export async function verifyStack(ctx: StackContext): Promise<VerifyOutcome> {
  const dropEnv = Object.keys(ctx.env);
  const health = await awaitHealthy(ctx, dropEnv);
  const exp = expectations(ctx.target.verify.running.services(ctx.composeText), ctx.env).filter((e) =>
    ctx.verifiable.has(e.name),
  );
  const running = await readRunning(ctx, exp, dropEnv, health.ids);
  const comparison = compare(exp, running, ctx.sensitive);
  const unsafe = unsafeSwitches(ctx);
  const reasons = comparison.drift.length
    ? await driftReasons(ctx, comparison.drift, unsafe)
    : unsafe.length
      ? [unsafeReason(ctx, unsafe)]
      : [];
  if (!ctx.json)
    ctx.ui.raw(
      table(
        comparison.rows.filter((r) => ctx.shown.has(r.name) || !r.ok),
        ctx.target.verify.running.label,
      ),
    );
  const live = await runLiveChecks(ctx, dropEnv);
  if (!ctx.json) for (const c of live) (c.ok ? ctx.ui.success : ctx.ui.warn)(`${c.name}: ${c.detail}`);
  return { comparison, reasons, health: health.detail, live };
}

/** The health wait behind a spinner; a stack that does not become healthy ends the run with its last log lines. */
async function awaitHealthy(ctx: StackContext, dropEnv: string[]): Promise<{ detail: string; ids: string[] }> {
  const expected = await serviceCount(ctx);
  const spin = ctx.json ? undefined : ctx.live ? p.spinner(ctx.ui.streams) : plainSpinner(ctx.ui);
  spin?.start('Waiting for the stack to become healthy');
  const health = await waitHealthy(
    ctx.compose,
    ctx.dir,
    dropEnv,
    {
      port: ctx.answers.httpPort,
      host: urlHost(ctx.answers.domain),
      path: ctx.target.verify.health.path,
      judge: ctx.target.verify.health.judge,
    },
    expected,
    ctx.timeoutMs,
    (what) => spin?.message(`Waiting for the stack: ${what}`),
  );
  if (!health.ok) {
    spin?.error('The stack did not become healthy');
    throw new CliError(
      `${health.reason}${health.logs ? `\nLast log lines of ${health.container}:\n${health.logs}` : ''}`,
      EXIT.failed,
      `See all logs with: cd ${shellQuote(ctx.dir)} && docker compose logs`,
    );
  }
  spin?.stop(`Stack healthy: ${health.detail}`);
  return health;
}

/** What each service holds, as the target's reader prints it (the health wait's containers, all at once). */
async function readRunning(
  ctx: StackContext,
  exp: Expectation[],
  dropEnv: string[],
  ids: string[],
): Promise<Map<string, Map<string, string>>> {
  const reader = ctx.target.verify.running;
  const serviceNames = [...new Set(exp.map((e) => e.service))];
  const running = new Map<string, Map<string, string>>();
  const outcomes = await execInServices(ctx.compose, ctx.dir, dropEnv, serviceNames, reader.command, undefined, ids);
  for (const svc of serviceNames) {
    const r = outcomes.get(svc)!;
    if (r.exitCode !== 0)
      throw stepError(`docker compose exec -T ${svc} ${reader.command.join(' ')} failed: ${tail(r.all, 5)}`);
    running.set(svc, reader.parse(r.stdout));
  }
  return running;
}

// Live checks (e.g. Langflow refuses auto-login and the old default password), run inside the services.
async function runLiveChecks(ctx: StackContext, dropEnv: string[]): Promise<LiveCheck[]> {
  if (!ctx.target.verify.liveChecks) return [];
  return ctx.target.verify.liveChecks(async (svc, argv) => {
    const r = await compose(ctx.compose, ['exec', '-T', svc, ...argv], {
      cwd: ctx.dir,
      dropEnv,
      timeoutMs: 60_000,
    });
    return { exitCode: r.exitCode ?? 1, stdout: String(r.stdout) };
  }, ctx.answers);
}

function mask(row: Row, value: string | undefined, label: string): string {
  if (value === undefined) return row.reported ? '(differs by service)' : `(not printed by ${label})`;
  if (row.secret && value) return '********';
  return value.length > 48 ? `${value.slice(0, 45)}...` : value || '(empty)';
}

export function table(rows: Row[], label = 'vars'): string {
  const cells = rows.map((r) => [
    r.name,
    mask(r, r.expected, label),
    mask(r, r.running, label),
    r.ok ? '✔' : `✘ ${r.drifted.join(', ')}`,
  ]);
  const head = ['variable', 'expected (.env)', 'running', ''];
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const fmt = (c: string[]) =>
    c
      .map((x, i) => x.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [pc.bold(fmt(head)), ...cells.map((c) => (c[3]!.startsWith('✘') ? pc.red(fmt(c)) : fmt(c)))].join('\n');
}

async function driftReasons(ctx: StackContext, drift: Row[], unsafe: string[]): Promise<string[]> {
  const reasons: string[] = [];
  if (drift.length === 0) return reasons;
  if (unsafe.length) reasons.push(unsafeReason(ctx, unsafe));
  const shellSet = drift.filter((r) => ctx.shellEnv[r.name] !== undefined).map((r) => r.name);
  if (shellSet.length) {
    reasons.push(
      `Your shell sets ${shellSet.join(', ')}: compose gives shell variables precedence over .env, so a "docker ` +
        `compose up" run from this shell uses them. Unset them (harden-init itself runs compose without them).`,
    );
  }
  const envChanged = statSync(join(ctx.dir, '.env')).mtimeMs;
  const services = [...new Set(drift.flatMap((r) => r.drifted))];
  const stale: string[] = [];
  for (const svc of services) {
    const id = await compose(ctx.compose, ['ps', '-q', svc], { cwd: ctx.dir, dropEnv: Object.keys(ctx.env) });
    const created = await docker(['inspect', '--format', '{{.Created}}', String(id.stdout).trim()]);
    if (Date.parse(String(created.stdout).trim()) < envChanged) stale.push(svc);
  }
  if (stale.length) {
    // Never advise "up -d" to apply a .env that turns security settings off (the reason above says what to do).
    const advice = unsafe.length
      ? ''
      : `: run "docker compose up -d" in ${ctx.dir} (or re-run harden-init) to recreate them`;
    reasons.push(
      `${stale.length === services.length ? 'The containers were' : `${stale.join(', ')} were`} created before .env ` +
        `last changed, so they still run the old values${advice}.`,
    );
  }
  if (!reasons.length)
    reasons.push(
      'The running values differ from .env: check docker-compose.yml (an explicit value there wins over .env).',
    );
  return reasons;
}

/** taskLog's shape for a log file: each line printed once, no cursor movement. */
function plainLog(ui: Ui, title: string): Pick<ReturnType<typeof p.taskLog>, 'message' | 'success' | 'error'> {
  ui.step(title);
  return {
    message: (line: string) => ui.raw(`│  ${line}`),
    success: (msg: string) => ui.success(msg),
    error: (msg: string) => ui.warn(msg),
  };
}

/** spinner's shape for a log file: start, each new message once, stop. */
function plainSpinner(ui: Ui): Pick<ReturnType<typeof p.spinner>, 'start' | 'message' | 'stop' | 'error'> {
  let last = '';
  const say = (msg?: string) => {
    if (msg && msg !== last) {
      last = msg;
      ui.raw(`│  ${msg}`);
    }
  };
  return {
    start: say,
    message: say,
    stop: (m?: string) => ui.success(m ?? ''),
    error: (m?: string) => ui.warn(m ?? ''),
  };
}

export { urlHost };
