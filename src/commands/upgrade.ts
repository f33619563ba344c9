// `harden-init upgrade`: moves an install to a newer release through its target's `upgrade` group (for Appwrite,
// src/targets/appwrite/upgrade/: one step at a time, each backed up with a database dump, written, started,
// migrated and verified). This file is the generic part: the install read, the target found (refused when it has
// no upgrade), the plan shown and confirmed, the lock, and the report; the target gets the pieces of the layers
// above it (answers, backup, stack) as its `deps`.
import pc from 'picocolors';
import * as p from '@clack/prompts';
import type { UpgradeRequest as Request } from './requests.js';
import { CliError, EXIT, stepError, usageError } from '../core/errors.js';
import { createUi, isInteractive, type Ui } from '../ui/ui.js';
import type { Io } from '../core/io.js';
import { readExisting } from '../engine/existing.js';
import { STATE_FILE } from '../engine/state.js';
import { shellQuote } from '../core/shell-quote.js';
import { existingAnswers, parseGiven, resolveHeadless } from '../install/resolve.js';
import { installDir } from '../install/install-dir.js';
import { guardSecretsKept } from '../install/safety.js';
import { confirmWrite } from '../ui/wizard.js';
import { acquireLock } from '../apply/lock.js';
import { detectCompose, dockerReachable } from '../docker/compose.js';
import { serviceCount, startStack, verifyStack } from '../install/stack.js';
import { checkRelease, reportVerify, stackContext } from '../install/verify-report.js';
import { DEFAULT_TARGET, TARGETS } from '../targets/index.js';
import type {
  BaseAnswers,
  Target,
  TargetUpgrade,
  UpgradeDeps,
  UpgradeEnd,
  UpgradeInstall,
  UpgradeRoute,
  UpgradeRun,
} from '../targets/types.js';
import { dumpStream, waitDbReady } from './db-dump.js';
import { backupShape, backupSpec, formatBytes } from './backup.js';

/** Everything a run knows; each step reads the part it declares and may fill in more. */
interface Context extends UpgradeRun<BaseAnswers> {
  req: Request;
  io: Io;
  version: string;
  ui: Ui;
  upgrade: TargetUpgrade<BaseAnswers>;
  route: UpgradeRoute;
  interactive: boolean;
  planned?: { lines: string[]; end: UpgradeEnd };
}

/** A step ends the run when it returns an exit code. */
type Step = (c: Context) => unknown;

/** The install's target (a state.json without one predates a second product); refused when it has no upgrade. */
async function upgradableTarget(
  dir: string,
  id: string,
): Promise<{ target: Target<BaseAnswers>; upgrade: TargetUpgrade<BaseAnswers> }> {
  const target = Object.hasOwn(TARGETS, id) ? await TARGETS[id]!.load() : undefined;
  if (target?.upgrade) return { target, upgrade: target.upgrade };
  const able = (await Promise.all(Object.values(TARGETS).map((e) => e.load())))
    .filter((t) => t.upgrade)
    .map((t) => t.title);
  throw usageError(`harden-init upgrade moves ${able.join(' and ')} installs; ${dir} holds ${id}.`);
}

/** The install at --dir, managed by harden-init, its target and the answers it stands for. */
async function readInstall(
  req: Request,
  ui: Ui,
  io: Io,
): Promise<UpgradeInstall<BaseAnswers> & { upgrade: TargetUpgrade<BaseAnswers> }> {
  const { dir, dirArg } = installDir(req.dir, `./${DEFAULT_TARGET}`, io);
  const existing = readExisting(dir);
  if (!existing.env || existing.compose === undefined) {
    throw usageError(
      `No install in ${dir}: .env and docker-compose.yml are needed.`,
      'Pass --dir with the install directory.',
    );
  }
  const { state } = existing;
  if (!state) {
    throw usageError(
      `${dir} was not set up by harden-init (no ${STATE_FILE}): an upgrade starts from an install harden-init manages.`,
      `Adopt it first at the release it runs: npx harden-init --dir ${shellQuote(dirArg)} (its ` +
        `secrets and settings are kept), then upgrade.`,
    );
  }
  const { target, upgrade } = await upgradableTarget(dir, state.target || DEFAULT_TARGET);
  const given = parseGiven(target.questions, req.given, target.title);
  if (given.release !== undefined) throw usageError('upgrade takes the new release as --to <version>, not --release.');
  const current = existingAnswers(target, existing).answers;
  target.checkExisting?.(current as Partial<BaseAnswers>, given as Partial<BaseAnswers>, true);
  return {
    target,
    upgrade,
    dir,
    dirArg,
    ui,
    flags: req,
    given: given as Partial<BaseAnswers>,
    existing: { ...existing, state },
    current: current as Partial<BaseAnswers>,
    env: io.env,
  };
}

/** What the target's upgrade takes from the layers above it. */
function depsFor(c: Pick<Context, 'target' | 'ui' | 'req' | 'dir' | 'env'>): UpgradeDeps<BaseAnswers> {
  const { target, ui, req, dir } = c;
  return {
    existingAnswers: (e) => existingAnswers(target, e).answers as Partial<BaseAnswers>,
    headless: (given, current) => resolveHeadless(target.questions, given, current) as BaseAnswers,
    database: (composeText) => backupShape(backupSpec(target), composeText).db,
    dumpStream,
    waitDbReady,
    formatBytes,
    stack: (composeTool, answers, template) => {
      const ctx = stackContext(ui, req, dir, composeTool, target, answers, template, c.env);
      return {
        env: ctx.env,
        start: () => startStack(ctx),
        services: () => serviceCount(ctx),
        verify: async () => reportVerify(ui, await verifyStack(ctx), target.verify.running.label),
        checkRelease: (pinned) => checkRelease(ui, answers, pinned),
      };
    },
    taskLog: (title) => (ui.tty ? p.taskLog({ title, limit: 12, ...ui.streams }) : undefined),
  };
}

/** The intro; an install already at the release asked for ends here. */
function introduce(c: Pick<Context, 'ui' | 'req' | 'version' | 'dir' | 'target' | 'route'>): number | undefined {
  const {
    ui,
    req,
    dir,
    route: { from, to, steps, resume },
  } = c;
  ui.intro(`${pc.inverse(` harden-init ${c.version} `)} upgrade ${dir}: ${c.target.title} ${from} → ${to}`);
  if (steps.length > 0 || resume) return;
  ui.outro(`The install already runs ${c.target.title} ${from}: nothing to upgrade.`);
  if (req.json) ui.result(JSON.stringify({ ok: true, dir, from, to, steps: [] }));
  return EXIT.ok;
}

/**
 * A lost encryption key or bundled database password, then the target's refusals of this route with these flags,
 * then: without a terminal, only --yes confirms.
 */
function checkRoute(c: Context): void {
  guardSecretsKept({
    dir: c.dir,
    existing: c.existing,
    target: c.target,
    answers: c.current,
    keyNames: c.upgrade.encryptionKeys,
  });
  c.upgrade.check(c, c.route);
  c.interactive = isInteractive(c.req, c.io);
  if (!c.req.dryRun && !c.interactive && !c.req.yes) {
    throw usageError('upgrade changes the install and its database: confirm with --yes (no terminal to ask in).');
  }
}

/** Docker (engine and Compose) for a run that starts the stack; whether an engine answers for one that does not. */
async function findDocker(c: Pick<Context, 'req' | 'composeTool' | 'dockerAvailable' | 'env'>): Promise<void> {
  if (!(c.req.noStart || c.req.dryRun)) {
    c.composeTool = await detectCompose();
    if (!c.composeTool || !(await dockerReachable(c.env))) {
      throw stepError(
        'Docker (engine and Compose) is needed to upgrade a running install; nothing was changed.',
        'Or write the files of a single step with --no-start.',
      );
    }
  }
  c.dockerAvailable = c.composeTool !== undefined || (await dockerReachable(c.env));
}

/** The plan: every step and what it changes, then what the operator takes on. */
async function showPlan(c: Context): Promise<void> {
  const {
    ui,
    route: { steps, resume },
  } = c;
  c.planned = await c.upgrade.plan(c, c.route);
  const count = !resume || steps.length ? `${steps.length} step${steps.length === 1 ? '' : 's'}` : '';
  ui.step(`Upgrade plan: ${resume ? `resume${steps.length ? ', then ' : ''}` : ''}${count}`);
  for (const l of c.planned.lines) ui.raw(`│  ${l}`); // not wrapped: every name stays whole
  for (const w of c.route.warnings) ui.warn(w);
}

/** A dry run ends after the plan. */
function dryRunEnd(c: Pick<Context, 'req' | 'ui' | 'dir' | 'route' | 'planned'>): number | undefined {
  if (!c.req.dryRun) return;
  const {
    ui,
    dir,
    route: { from, to, steps },
    planned,
  } = c;
  if (planned!.end.warning) ui.warn(planned!.end.warning);
  ui.outro('Dry run: nothing was changed.');
  if (c.req.json)
    ui.result(
      JSON.stringify({ ok: true, dir, dryRun: true, from, to, steps, plan: planned!.lines, ...planned!.end.json }),
    );
  return EXIT.ok;
}

async function confirm(c: Pick<Context, 'interactive' | 'route' | 'target' | 'ui'>): Promise<void> {
  if (!c.interactive) return;
  const { from, to, steps, resume } = c.route;
  const question = resume
    ? `Resume ${resume.from} → ${resume.to}${steps.length ? `, then upgrade to ${to} in ${steps.length} step(s)` : ''}?`
    : `Upgrade ${c.target.title} ${from} → ${to} in ${steps.length} step(s)?`;
  if (!(await confirmWrite(c.ui, question))) throw new CliError('Cancelled: nothing was changed.', EXIT.cancelled);
}

async function lock(c: Pick<Context, 'dir' | 'ui'>): Promise<void> {
  await acquireLock(c.dir, { warn: (m) => c.ui.warn(m) }); // released by main
}

/** The steps, then the report. */
async function runSteps(c: Context): Promise<number> {
  const {
    ui,
    req,
    dir,
    route: { from, to },
  } = c;
  const { done, end } = await c.upgrade.run(c, c.route);
  if (end.warning) ui.warn(end.warning);
  ui.outro(
    `${c.target.title} ${to} is ` +
      `${req.noStart ? 'written (start it, then run its migration)' : 'running and verified'}.`,
  );
  if (req.json) ui.result(JSON.stringify({ ok: true, dir, from, to, steps: done, ...end.json }, null, 2));
  return EXIT.ok;
}

export async function upgradeCommand(req: Request, VERSION: string, io: Io): Promise<number> {
  const ui = createUi(req.json, io);
  const install = await readInstall(req, ui, io);
  const c: Context = {
    ...install,
    req,
    version: VERSION,
    ui,
    route: install.upgrade.route(install),
    io,
    interactive: false,
    dockerAvailable: false,
    deps: depsFor({ ...install, ui, req }),
  };
  const steps: Step[] = [introduce, checkRoute, findDocker, showPlan, dryRunEnd, confirm, lock, runSteps];
  for (const step of steps) {
    const code = await step(c);
    if (typeof code === 'number') return code;
  }
  return EXIT.ok;
}
