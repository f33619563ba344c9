// `harden-init upgrade`: moves an Appwrite install to a newer release, one step at a time as Appwrite's guide
// requires (targets/appwrite/upgrade/path.ts). Each step: the files and a database dump into .harden-init/backups/<time>/, the
// release's own files from its image, the same plan as a re-run (secrets kept, new ones generated, renamed
// variables carried, dropped ones removed), up -d, health, Appwrite's `migrate`, `vars` verification. A failure
// after the files changed stops with the exact state and the rollback command.
import { closeSync, copyFileSync, constants, fsyncSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join, relative } from 'node:path';
import pc from 'picocolors';
import * as p from '@clack/prompts';
import type { UpgradeRequest as Request } from './requests.js';
import { CliError, EXIT, stepError, usageError } from '../core/errors.js';
import { createUi, isInteractive, type Ui } from '../ui/ui.js';
import { type Io, resolveIn } from '../core/io.js';
import { shellQuote } from '../core/shell-quote.js';
import { readExisting, type Existing } from '../engine/existing.js';
import { deleteEnv, getEnv, parseEnv, setEnv, toRecord } from '../engine/envfile.js';
import { BACKUP_DIR, serializeState, sha256, STATE_FILE, type HistoryEntry, type State } from '../engine/state.js';
import { plan as makePlan, COMPOSE_FILE, PROPOSED_COMPOSE_FILE, WRITTEN_COMPOSE_FILE as WRITTEN_COMPOSE, type Plan } from '../engine/plan.js';
import { interpolatedNames } from '../engine/compose-text.js';
import { existingAnswers, parseGiven, resolveHeadless } from '../install/resolve.js';
import type { PartialAnswers } from '../core/question.js';
import { confirmWrite } from '../ui/wizard.js';
import { applyPlan } from '../apply/apply.js';
import { acquireLock } from '../apply/lock.js';
import { guardInstallDir } from '../apply/install-dir.js';
import { writeFileAtomic } from '../apply/atomic.js';
import { chmodNoFollow, kindOf, mkdirExact, readRegular } from '../apply/safe-fs.js';
import { compose, detectCompose, docker, dockerReachable, tail, type Compose } from '../docker/compose.js';
import { waitHealthy } from '../verify/health.js';
import { serviceCount, startStack, verifyStack } from '../install/stack.js';
import { checkRelease, reportVerify, stackContext } from '../install/verify-report.js';
import { urlHost } from '../core/url-host.js';
import { TARGETS } from '../targets/index.js';
import type { BaseAnswers, Target } from '../targets/types.js';
import { releaseFromInstall } from '../targets/appwrite/release-choice.js';
import { INSECURE_REASON, parseRelease, releaseCheck } from '../targets/appwrite/releases.js';
import { releaseFiles, type ReleaseFiles } from '../targets/appwrite/release-files.js';
import type { Template } from '../targets/appwrite/template.js';
import type { Answers } from '../targets/appwrite/answers.js';
import { mergeCompose, type Conflict, type MergeResult } from '../engine/compose-merge.js';
import { YamlReadError } from '../engine/yaml-read.js';
import { carryLines, composeBase, hardeningJudge, notCarriedJson, notCarriedOf, notCarriedSummary } from '../targets/appwrite/upgrade/carry.js';
import { carryEdits, describeChanges, stepChanges, upgradePath, type StepChanges, type UpgradeStep } from '../targets/appwrite/upgrade/path.js';
import { dumpStream, waitDbReady, type Engine } from './db-dump.js';
import { backupShape, backupSpec, formatBytes } from './backup.js';

/** The manifest of one step's backup directory (rollback reads it). */
export const STEP_MANIFEST = 'upgrade.json';

export interface StepManifest extends HistoryEntry {
  /** Install files copied here (install-relative paths; stored with '/' as '__'). */
  files: string[];
  /** Install files that did not exist before the step (rollback removes them). */
  absent: string[];
  dumpBytes?: number;
  engine?: Engine;
}

/** Files of the install a step backs up (those that exist) and rollback restores. */
export const STEP_FILES = ['.env', COMPOSE_FILE, 'docker-compose.override.yml', PROPOSED_COMPOSE_FILE, WRITTEN_COMPOSE, STATE_FILE];
export const backupName = (path: string) => path.replace(/\//g, '__');

interface Ctx {
  req: Request;
  ui: Ui;
  io: Io;
  dir: string;
  dirArg: string;
  target: Target<BaseAnswers>;
  given: PartialAnswers;
  composeTool?: Compose;
  dockerAvailable: boolean;
}

/** One step prepared: the new release's template, answers, the plan, and what changes. */
interface PreparedStep {
  step: UpgradeStep;
  template: Template;
  answers: BaseAnswers;
  plan: Plan;
  changes: StepChanges;
  carried: { renamed: string[]; dropped: string[] };
  /** harden-init's own file for the new release (written as the next step's BASE). */
  rendered: string;
  /** The hand edits of docker-compose.yml, merged three-way (undefined: none, or --replace-compose). */
  handEdits?: { result: MergeResult; base: string; how: string; lines: { carried: string[]; notCarried: string[] } };
}

export async function upgradeCommand(req: Request, VERSION: string, io: Io): Promise<number> {
  const ui = createUi(req.json, io);
  if (req.dir === '') throw usageError('--dir: must not be empty (default ./appwrite).');
  const dirArg = req.dir ?? './appwrite';
  const dir = resolveIn(io, dirArg);
  guardInstallDir(dir);
  const existing = readExisting(dir);
  if (!existing.env || existing.compose === undefined) {
    throw usageError(`No install in ${dir}: .env and docker-compose.yml are needed.`, 'Pass --dir with the install directory.');
  }
  if (!existing.state) {
    throw usageError(`${dir} was not set up by harden-init (no ${STATE_FILE}): an upgrade starts from an install harden-init manages.`,
      `Adopt it first at the release it runs: npx harden-init --dir ${shellQuote(dirArg)} (its secrets and settings are kept), then upgrade.`);
  }
  if (existing.state.target && existing.state.target !== 'appwrite') throw usageError(`harden-init upgrade moves Appwrite installs; ${dir} holds ${existing.state.target}.`);
  const target = await TARGETS.appwrite!.load();
  const given = parseGiven(target.questions, req.given, target.title);
  if (given.release !== undefined) throw usageError('upgrade takes the new release as --to <version>, not --release.');
  const current = existingAnswers(target, existing).answers;
  target.checkExisting?.(current as Partial<BaseAnswers>, given as Partial<BaseAnswers>, true);

  const from = existing.state.release ?? existing.state.templateVersion ?? releaseFromInstall(existing.compose, toRecord(existing.env));
  if (!from) throw usageError(`Cannot tell which Appwrite release ${dir} runs.`);
  const fromCheck = releaseCheck(from);
  if (!fromCheck) throw usageError(`The install runs Appwrite ${from}: harden-init upgrades the 1.9 and 2.x lines only.`);
  if (req.to !== undefined && !parseRelease(req.to)) throw usageError(`--to: not a release number (x.y.z): "${req.to}"`);
  const unfinished = unfinishedStep(existing.state, from);
  if (req.resume && !unfinished) {
    const last = existing.state.history?.[existing.state.history.length - 1];
    throw usageError(`--resume: no upgrade step of ${dir} is left unfinished (${last ? `the last one, ${last.from} → ${last.to}, ended ${last.result}` : 'it has no upgrade history'}); nothing was changed.`);
  }
  if (unfinished && !req.resume) {
    throw usageError(`The upgrade step ${unfinished.from} → ${unfinished.to} stopped (${unfinished.result}): Appwrite's migration to ${unfinished.to} has not completed, so no other step starts; nothing was changed.`,
      `Continue that step (up -d, health, migrate, verify): npx harden-init upgrade --dir ${shellQuote(dirArg)} --resume --yes — or go back: npx harden-init rollback --dir ${shellQuote(dirArg)} --backup ${unfinished.backup.split('/').pop()}${unfinished.dump ? ' --with-db' : ''} --yes`);
  }
  if (req.resume && req.noStart) throw usageError('--resume starts the stack and runs the migration: it does not go with --no-start.');
  // A resume finishes the stopped step; it goes further only as far as --to says.
  const to = req.to ?? (unfinished ? from : fromCheck.newestOfLine);
  const toCheck = releaseCheck(to);
  if (!toCheck) throw usageError(`--to ${to}: harden-init upgrades to Appwrite's 1.9 and 2.x lines only.`);
  const steps = upgradePath(from, to);
  ui.intro(`${pc.inverse(` harden-init ${VERSION} `)} upgrade ${dir}: Appwrite ${from} → ${to}`);
  if (steps.length === 0 && !unfinished) {
    ui.outro(`The install already runs Appwrite ${from}: nothing to upgrade.`);
    if (req.json) ui.result(JSON.stringify({ ok: true, dir, from, to, steps: [] }));
    return EXIT.ok;
  }
  if (toCheck.belowMinimum && !req.allowInsecureRelease && steps.length > 0) {
    throw usageError(`--to ${to} is below the ${toCheck.line} line's security minimum ${toCheck.minimum}. ${INSECURE_REASON}`,
      `Upgrade to ${toCheck.newestOfLine} (--to ${toCheck.newestOfLine}), or accept the known holes with --allow-insecure-release.`);
  }
  if (!getEnv(existing.env, '_APP_OPENSSL_KEY_V1')) {
    throw usageError(`.env has no _APP_OPENSSL_KEY_V1: an upgrade never runs without the key that encrypts the stored data.`,
      `Run npx harden-init --dir ${shellQuote(dirArg)} first: it names the backup that holds the key.`);
  }
  if (req.noStart && steps.length > 1) {
    throw usageError(`${from} → ${to} takes ${steps.length} steps, and each needs the stack running for Appwrite's migration before the next.`,
      `Without --no-start, or one step at a time: --to ${steps[0]!.to}.`);
  }
  const interactive = isInteractive(req, io);
  if (!req.dryRun && !interactive && !req.yes) throw usageError('upgrade changes the install and its database: confirm with --yes (no terminal to ask in).');

  const filesOnly = req.noStart || req.dryRun;
  let composeTool: Compose | undefined;
  if (!filesOnly) {
    composeTool = await detectCompose();
    if (!composeTool || !(await dockerReachable(io.env))) throw stepError('Docker (engine and Compose) is needed to upgrade a running install; nothing was changed.', 'Or write the files of a single step with --no-start.');
  }
  const dockerAvailable = composeTool !== undefined || await dockerReachable(io.env);
  const ctx: Ctx = { req, ui, io, dir, dirArg, target, given, composeTool, dockerAvailable };

  // The plan: every step and what it changes (later steps from the files the earlier ones would write).
  const shape = backupShape(backupSpec(target), existing.compose); // the database the steps dump, as backup finds it
  const planLines: string[] = [];
  if (unfinished) {
    planLines.push(`0. resume ${unfinished.from} → ${unfinished.to} (stopped: ${unfinished.result}); its files stay as they are`);
    planLines.push(`   up -d, health, docker compose exec -T appwrite migrate, vars verification (backup before it: ${unfinished.backup}${unfinished.dump ? `, dump ${unfinished.dump}` : ''})`);
  }
  let sim: Existing = existing;
  let unknownFromHere = false; // a dry run goes on planning only as far as it can tell the files
  let simCurrent: PartialAnswers = current;
  let simWritten = readRegular(join(dir, WRITTEN_COMPOSE));
  let simMerge: MergeResult | undefined; // the latest step's merge: it holds every earlier step's not-carried edits
  for (const [i, s] of steps.entries()) {
    planLines.push(`${i + 1}. ${s.from} → ${s.to} (${s.why})`);
    let prepared: PreparedStep | undefined;
    try {
      prepared = await prepareStep(ctx, s, sim, simCurrent, simWritten, simMerge ? notCarriedOf(simMerge) : []);
    } catch (e) {
      if (!req.dryRun) throw e;
      planLines.push(`   changes unknown: ${(e as Error).message.split('\n')[0]}`);
      unknownFromHere = true;
    }
    if (prepared) {
      for (const l of describeChanges(prepared.changes)) planLines.push(`   ${l}`);
      if (prepared.plan.generatedSecrets.length) planLines.push(`   new secrets generated: ${prepared.plan.generatedSecrets.join(', ')}`);
      for (const l of [...prepared.handEdits?.lines.carried ?? [], ...prepared.handEdits?.lines.notCarried ?? []]) planLines.push(`   ${l}`);
      sim = simulateAfter(sim, prepared);
      simWritten = prepared.rendered;
      simMerge = prepared.handEdits?.result ?? simMerge;
      simCurrent = { ...simCurrent, ...prepared.plan.answers };
    }
    planLines.push(`   before it: ${BACKUP_DIR}/<time>/ (.env, ${COMPOSE_FILE}, state.json${shape.db ? `, a ${shape.db.engine} dump through the ${shape.db.service} container` : '; external database: back it up yourself'})`);
    planLines.push(`   after it: up -d, health, docker compose exec -T appwrite migrate, vars verification`);
    if (unknownFromHere) break;
  }
  ui.step(`Upgrade plan: ${unfinished ? `resume${steps.length ? ', then ' : ''}` : ''}${!unfinished || steps.length ? `${steps.length} step${steps.length === 1 ? '' : 's'}` : ''}`);
  for (const l of planLines) ui.raw(`│  ${l}`); // not wrapped: every name stays whole
  if (toCheck.belowMinimum && steps.length > 0) ui.warn(`SECURITY: ${to} is below the ${toCheck.line} line's minimum ${toCheck.minimum}, as --allow-insecure-release asks. ${INSECURE_REASON}`);
  ui.warn('Appwrite has no reverse migration: after a step\'s migration, going back means restoring that step\'s database dump (harden-init rollback --with-db).');
  if (req.dryRun) {
    if (steps.length > 1) reportNotCarried(ui, simMerge, true);
    ui.outro('Dry run: nothing was changed.');
    if (req.json) ui.result(JSON.stringify({ ok: true, dir, dryRun: true, from, to, steps, plan: planLines, ...notCarriedField(simMerge) }));
    return EXIT.ok;
  }
  if (interactive && !(await confirmWrite(ui, unfinished ? `Resume ${unfinished.from} → ${unfinished.to}${steps.length ? `, then upgrade to ${to} in ${steps.length} step(s)` : ''}?` : `Upgrade Appwrite ${from} → ${to} in ${steps.length} step(s)?`))) {
    throw new CliError('Cancelled: nothing was changed.', EXIT.cancelled);
  }

  await acquireLock(dir, { warn: (m) => ui.warn(m) }); // released by main
  const done: HistoryEntry[] = [];
  if (unfinished) {
    ui.step(pc.bold(`Resuming: Appwrite ${unfinished.from} → ${unfinished.to} (stopped: ${unfinished.result})`));
    done.push(await resumeStep(ctx, unfinished));
  }
  // A step's not-carried edits are in no file the next step reads: handed on, so the last proposal holds them all.
  let lastMerge: MergeResult | undefined;
  for (const [i, s] of steps.entries()) {
    ui.step(pc.bold(`Step ${i + 1}/${steps.length}: Appwrite ${s.from} → ${s.to}`));
    const r = await runStep(ctx, s, lastMerge ? notCarriedOf(lastMerge) : []);
    done.push(r.entry);
    lastMerge = r.merge ?? lastMerge;
  }
  if (steps.length > 1) reportNotCarried(ui, lastMerge, false);
  ui.outro(`Appwrite ${to} is ${req.noStart ? 'written (start it, then run its migration)' : 'running and verified'}.`);
  if (req.json) ui.result(JSON.stringify({ ok: true, dir, from, to, steps: done, ...notCarriedField(lastMerge) }, null, 2));
  return EXIT.ok;
}

/** The run's closing list of every hand edit no step carried (each step's own lines were shown with it). */
function reportNotCarried(ui: Ui, last: MergeResult | undefined, dryRun: boolean): void {
  const lines = last ? notCarriedSummary(last) : [];
  if (!lines.length) return;
  ui.warn([`Hand edits NOT carried into ${COMPOSE_FILE} over the whole upgrade (${lines.length}); ${dryRun ? 'the run would write' : 'review'} ${PROPOSED_COMPOSE_FILE}, the final release's file with them:`,
    ...lines.map((l) => `  - ${l}`)].join('\n'));
}

const notCarriedField = (last: MergeResult | undefined) => {
  const list = last ? notCarriedJson(last) : [];
  return list.length ? { notCarried: list, proposal: PROPOSED_COMPOSE_FILE } : {};
};

/** What the files would be after a step (for planning the next one without writing). */
function simulateAfter(e: Existing, s: PreparedStep): Existing {
  const env = s.plan.files.find((f) => f.path === '.env')!.content;
  const composeFile = s.plan.files.find((f) => f.path === COMPOSE_FILE);
  const stateText = s.plan.files.find((f) => f.path === STATE_FILE)!.content;
  return { ...e, envText: env, env: parseEnv(env), compose: composeFile?.content ?? e.compose, stateText, state: JSON.parse(stateText) as State };
}

async function prepareStep(ctx: Ctx, s: UpgradeStep, existing: Existing, current: PartialAnswers, storedBase: string | undefined, pending: Conflict[]): Promise<PreparedStep> {
  const { target, dir, req } = ctx;
  const opts = { dir, dockerAvailable: ctx.dockerAvailable, acceptUpstream: req.acceptUpstream, env: ctx.io.env };
  const { template, cache } = await releaseFiles(s.to, { ...opts, onLine: (l) => ctx.ui.raw(pc.dim(`│  ${l}`)) });
  // The old release's files: its variable names, and (for a hand-edited compose) the file harden-init wrote for it.
  const old = await releaseFiles(s.from, opts).catch(() => undefined);
  const answers = target.normalize(resolveHeadless(target.questions, { ...ctx.given, release: s.to }, { ...current, release: s.to }) as BaseAnswers);
  target.check?.(answers);
  const rendered = target.render.compose(template, answers, new Set(req.acceptUpstream));
  if (rendered.findings.length) {
    const lines = rendered.findings.map((x) => `  - ${x.what}\n    accept with --accept-upstream ${x.subject}: ${x.accepting}`);
    throw usageError(`Appwrite ${s.to}'s files ask for what harden-init's rules do not know how to harden:\n${lines.join('\n')}`,
      'Review each one; accept it by name only if you trust it. Nothing was changed by this step.');
  }
  const changes = stepChanges(
    { version: s.from, compose: existing.compose!, variables: old ? old.template.variables : existing.env!.lines.map((l) => l.key).filter((k): k is string => Boolean(k)) },
    { version: s.to, compose: rendered.text, variables: template.variables },
  );
  const envRecord = toRecord(existing.env!);
  const keep = new Set([...interpolatedNames(rendered.text), ...Object.keys(target.render.managedValues(answers, template))]);
  const edits = carryEdits(envRecord, changes, keep);
  let env = existing.env!;
  for (const [k, v] of Object.entries(edits.set)) env = setEnv(env, k, v);
  for (const k of edits.remove) env = deleteEnv(env, k);
  const read = (path: string) => readRegular(join(dir, path));
  const plan = makePlan(answers, { ...existing, env }, template, {
    target, readFile: read, composePolicy: 'replace', previous: current as Partial<BaseAnswers>, accepted: req.acceptUpstream,
    extraFiles: cache, // the plan writes the copy of its own compose file (WRITTEN_COMPOSE) with it
  });
  if (plan.dbMove) throw usageError(`The database location would change (${plan.dbMove.from} → ${plan.dbMove.to}): an upgrade never moves data.`);
  const prepared: PreparedStep = { step: s, template, answers: plan.answers, plan, changes, carried: { renamed: edits.renamed, dropped: edits.dropped }, rendered: rendered.text };
  const handEdits = await mergeHandEdits(ctx, s, existing, old, storedBase, rendered.text, plan, pending);
  if (!handEdits) return prepared;
  // Services and ports as harden-init's own files change them (the hand edits are listed on their own).
  const ownChanges = stepChanges(
    { version: s.from, compose: handEdits.base, variables: [] },
    { version: s.to, compose: rendered.text, variables: [] },
  );
  for (const k of ['servicesAdded', 'servicesRemoved', 'portsAdded', 'portsRemoved'] as const) changes[k] = ownChanges[k];
  // The file written: the new release's with the clean edits; the rest proposed beside it. state.json keeps the
  // sha256 of harden-init's own file, so the edits still count as hand edits (a re-run keeps them; the next
  // upgrade carries them again).
  const files = plan.files.flatMap((f) => {
    if (f.path === PROPOSED_COMPOSE_FILE && handEdits.result.proposal) return [];
    if (f.path !== COMPOSE_FILE) return [f];
    const merged = { ...f, content: handEdits.result.text };
    return handEdits.result.proposal
      ? [merged, { path: PROPOSED_COMPOSE_FILE, old: existing.proposedCompose, content: handEdits.result.proposal, mode: 0o644, secret: false }]
      : [merged];
  });
  return { ...prepared, plan: { ...plan, files, changes: files.filter((f) => f.old !== f.content) }, handEdits };
}

/**
 * The three-way merge when docker-compose.yml is not the file harden-init wrote: undefined when it is (or with
 * --replace-compose); a usage error (nothing changed) when harden-init cannot tell exactly what it wrote.
 */
async function mergeHandEdits(ctx: Ctx, s: UpgradeStep, existing: Existing, old: ReleaseFiles | undefined, storedBase: string | undefined,
  next: string, plan: Plan, pending: Conflict[]): Promise<PreparedStep['handEdits']> {
  const recorded = existing.state?.composeSha256;
  const step = `${s.from} → ${s.to}`;
  if (recorded === undefined || sha256(existing.compose!) === recorded || ctx.req.replaceCompose) {
    if (!pending.length) return undefined;
    // No hand edit to carry (an earlier step carried none), but earlier steps' not-carried ones still go into the proposal.
    const result = mergeCompose(existing.compose!, existing.compose!, next, { pending, step });
    return { result, base: existing.compose!, how: 'the file on disk', lines: carryLines(result, 'the file on disk') };
  }
  const answers = existing.state?.answers ? ctx.target.normalize(existing.state.answers as BaseAnswers) : undefined;
  const base = await composeBase(recorded, [
    { how: WRITTEN_COMPOSE, text: () => storedBase },
    { how: `Appwrite ${s.from}'s files re-rendered with the recorded answers`, text: () => (old && answers ? ctx.target.render.compose(old.template, answers, new Set(ctx.req.acceptUpstream)).text : undefined) },
  ]);
  if (!base) {
    throw usageError(`${COMPOSE_FILE} was edited by hand since harden-init wrote it, and harden-init cannot tell exactly what it wrote for ${s.from} (no ${WRITTEN_COMPOSE} and the re-rendered file differs), so it cannot carry the edits: it stops here (nothing was changed).`,
      'Keep your edits in docker-compose.override.yml (which harden-init never touches) and re-run with --replace-compose: the edited file goes into the first step\'s backup.');
  }
  const envText = plan.files.find((f) => f.path === '.env')!.content;
  const judge = ctx.target.audit
    ? hardeningJudge({ audit: ctx.target.audit, dir: ctx.dir, dirArg: ctx.dirArg, target: 'appwrite', release: s.to, env: toRecord(parseEnv(envText)),
      runEnv: ctx.io.env,
      answers: plan.answers as Answers, accepted: new Set(ctx.req.acceptUpstream) }, next)
    : undefined;
  let result: MergeResult;
  try {
    result = mergeCompose(base.text, existing.compose!, next, { admit: judge, pending, step });
  } catch (e) {
    // The YAML reader's own message already names the file, the line and what is wrong.
    const why = e instanceof YamlReadError ? e.message : `${COMPOSE_FILE} is not readable as YAML (${(e as Error).message.split('\n')[0]})`;
    throw usageError(`${why}: its hand edits cannot be carried; nothing was changed.`,
      'Fix the file, or re-run with --replace-compose (the edited file goes into the first step\'s backup).');
  }
  return { result, base: base.text, how: base.how, lines: carryLines(result, base.how) };
}

/** Results after which a step's files are written but its migration did not complete (a resume finishes it). */
const UNFINISHED: readonly HistoryEntry['result'][] = ['start-failed', 'migrate-failed', 'verify-failed'];

/** The last history entry when it stopped after writing the files of the release the install is at. */
export function unfinishedStep(state: State | undefined, at: string): HistoryEntry | undefined {
  const last = state?.history?.[state.history.length - 1];
  return last && UNFINISHED.includes(last.result) && last.to === at ? last : undefined;
}

/** A step a failed run left: its files as they are now, then up -d, health, migrate, verify (finishStep). */
async function resumeStep(ctx: Ctx, entry: HistoryEntry): Promise<HistoryEntry> {
  const composeTool = ctx.composeTool!;
  const existing = readExisting(ctx.dir);
  const current = existingAnswers(ctx.target, existing).answers;
  const { template } = await releaseFiles(entry.to, { dir: ctx.dir, dockerAvailable: true, acceptUpstream: ctx.req.acceptUpstream, env: ctx.io.env, onLine: (l) => ctx.ui.raw(pc.dim(`│  ${l}`)) });
  const answers = ctx.target.normalize(resolveHeadless(ctx.target.questions, { ...ctx.given, release: entry.to }, { ...current, release: entry.to }) as BaseAnswers);
  return finishStep(ctx, composeTool, { from: entry.from, to: entry.to, why: 'resumed' }, entry, answers, template);
}

function stamp(now: Date): string {
  return now.toISOString().replace(/[:.]/g, '-');
}

/** A new backup directory for one step: .harden-init/backups/<time>/ (mode 0700). */
function newBackupDir(dir: string, now: Date): { abs: string; name: string } {
  const root = join(dir, BACKUP_DIR);
  mkdirExact(join(dir, '.harden-init'), 0o700);
  mkdirExact(root, 0o700);
  for (let n = 0; ; n++) {
    const name = n === 0 ? stamp(now) : `${stamp(now)}-${n}`;
    if (kindOf(join(root, name)) !== 'missing') continue;
    if (mkdirExact(join(root, name), 0o700).length > 0) return { abs: join(root, name), name };
  }
}

async function dbRunning(c: Compose, dir: string, dropEnv: string[], service: string): Promise<boolean> {
  const id = String((await compose(c, ['ps', '-q', service], { cwd: dir, dropEnv })).stdout).trim();
  return id ? String((await docker(['inspect', '--format', '{{.State.Running}}', id])).stdout).trim() === 'true' : false;
}

/** Streams the dump into a new 0600 file; returns its size. A failure removes the partial file. */
async function dumpToFile(c: Compose, dir: string, dropEnv: string[], db: { engine: Engine; service: string }, path: string, ui: Ui): Promise<number> {
  const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  let size = 0;
  let ok = false;
  let shown = 0;
  try {
    for await (const chunk of dumpStream(c, dir, dropEnv, db)) {
      const b = Buffer.from(chunk);
      let off = 0;
      while (off < b.length) off += writeSync(fd, b, off, b.length - off);
      size += b.length;
      if (size - shown > 64 * 1024 * 1024) { shown = size; ui.info(`database dump: ${formatBytes(size)} so far…`); }
    }
    fsyncSync(fd);
    ok = true;
  } finally {
    closeSync(fd);
    if (!ok) rmSync(path, { force: true });
  }
  return size;
}

function failure(ctx: Ctx, s: UpgradeStep, what: string, entry: HistoryEntry, stackState: string): CliError {
  const rel = ctx.dirArg;
  const lines = [
    `Step ${s.from} → ${s.to} stopped: ${what}`,
    `State now: .env, ${COMPOSE_FILE} and ${STATE_FILE} are Appwrite ${s.to}'s; ${stackState}.`,
    `Before this step: the files in ${entry.backup}/${entry.dump ? `, the database dump ${entry.dump}` : ' (no database dump was taken)'}.`,
  ];
  const hint = [
    `Go back to ${s.from}: npx harden-init rollback --dir ${shellQuote(rel)} --backup ${entry.backup.split('/').pop()}${entry.dump ? ' --with-db' : ''}`,
    `Or fix the cause and continue this step (up -d, health, migrate, verify): npx harden-init upgrade --dir ${shellQuote(rel)} --resume${ctx.req.to ? ` --to ${ctx.req.to}` : ''} --yes`,
  ].join('\n');
  return new CliError(lines.join('\n'), EXIT.failed, hint);
}

/** Rewrites the last history entry's result in state.json and the step's manifest (atomic writes). */
function recordResult(dir: string, entry: HistoryEntry, result: HistoryEntry['result']): void {
  entry.result = result;
  const text = readRegular(join(dir, STATE_FILE));
  if (text) {
    const st = JSON.parse(text) as State;
    const last = st.history?.[st.history.length - 1];
    if (last && last.when === entry.when) { last.result = result; writeFileAtomic(join(dir, STATE_FILE), serializeState(st), 0o600); }
  }
  const m = join(dir, entry.backup, STEP_MANIFEST);
  const mt = readRegular(m);
  if (mt) writeFileAtomic(m, `${JSON.stringify({ ...JSON.parse(mt), result }, null, 2)}\n`, 0o600);
}

/** One step; `merge` (its hand-edit merge) carries the run's not-carried edits on to the next step. */
async function runStep(ctx: Ctx, s: UpgradeStep, pending: Conflict[]): Promise<{ entry: HistoryEntry; merge?: MergeResult }> {
  const { ui, dir, req, composeTool } = ctx;
  const existing = readExisting(dir);
  const current = existingAnswers(ctx.target, existing).answers;
  const prepared = await prepareStep(ctx, s, existing, current, readRegular(join(dir, WRITTEN_COMPOSE)), pending); // refusals happen here, before anything changes
  const merge = prepared.handEdits?.result;
  for (const l of describeChanges(prepared.changes)) ui.info(l);
  for (const l of prepared.handEdits?.lines.carried ?? []) ui.info(l);
  for (const l of prepared.handEdits?.lines.notCarried ?? []) ui.warn(l);
  for (const r of prepared.carried.renamed) ui.info(`Carried: ${r}`);
  if (prepared.carried.dropped.length) ui.info(`Removed from .env (Appwrite ${s.to} no longer reads them): ${prepared.carried.dropped.join(', ')}`);
  if (prepared.plan.generatedSecrets.length) ui.info(`New secrets (crypto-random, in .env only): ${prepared.plan.generatedSecrets.join(', ')}`);
  if (prepared.plan.keptSecrets.length) ui.info(`Kept existing secrets: ${prepared.plan.keptSecrets.join(', ')}`);
  for (const w of prepared.plan.warnings) ui.warn(w);

  // 1. Backup of the files, then the database dump (a failed dump stops: nothing changed yet).
  const now = new Date();
  const b = newBackupDir(dir, now);
  const files: string[] = [];
  const absent: string[] = [];
  for (const f of STEP_FILES) {
    const src = join(dir, f);
    if (kindOf(src) !== 'file') { absent.push(f); continue; }
    const dst = join(b.abs, backupName(f));
    copyFileSync(src, dst, constants.COPYFILE_EXCL);
    chmodNoFollow(dst, 0o600);
    files.push(f);
  }
  ui.success(`Files backed up: ${relative(dir, b.abs)}/ (${files.join(', ')})`);
  const env = toRecord(existing.env!);
  const dropEnv = Object.keys(env);
  const shape = backupShape(backupSpec(ctx.target), existing.compose!);
  const entry: HistoryEntry = {
    from: s.from, to: s.to, when: now.toISOString(), backup: relative(dir, b.abs),
    fromImageId: existing.state?.imageId, toImageId: prepared.template.imageId, result: 'files-written',
  };
  let dumpBytes: number | undefined;
  if (composeTool && shape.db) {
    const db = shape.db;
    const dumpPath = join(b.abs, `db-${db.engine}.sql`);
    try {
      if (!(await dbRunning(composeTool, dir, dropEnv, db.service))) {
        ui.info(`The ${db.service} container is not running: starting it alone for the dump.`);
        const up = await compose(composeTool, ['up', '-d', db.service], { cwd: dir, dropEnv });
        if (up.exitCode !== 0) throw new Error(`starting ${db.service} for the dump failed:\n${tail(String(up.all ?? ''))}`);
        await waitDbReady(composeTool, dir, dropEnv, db, req.timeout * 1000);
      }
      dumpBytes = await dumpToFile(composeTool, dir, dropEnv, db, dumpPath, ui);
    } catch (e) {
      // Nothing of this step stays: its backup holds only copies, and an upgrade without a dump never starts.
      rmSync(b.abs, { recursive: true, force: true });
      throw stepError(`The database dump failed, so the upgrade stops before changing anything: the install is at ${s.from}, no file was written.\n${(e as Error).message}`,
        `Fix the ${db.service} container (the message above says why the dump failed), then run the upgrade again.`);
    }
    entry.dump = relative(dir, dumpPath);
    ui.success(`Database dump: ${entry.dump} (${formatBytes(dumpBytes)}, mode 0600)`);
  } else if (!shape.db) {
    ui.warn('The database is external: it is NOT dumped. Back up your database server now with its own tools; there is no reverse migration.');
  } else {
    ui.warn('No Docker: no database dump taken (the stack is not touched by --no-start). Take one before you start the new release.');
  }
  const manifest: StepManifest = { ...entry, files, absent, dumpBytes, engine: shape.db?.engine };
  writeFileSync(join(b.abs, STEP_MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600, flag: 'wx' });

  // 2. The files: the plan of a re-run at the new release, with the history entry in state.json.
  const changes = prepared.plan.changes.map((f) => {
    if (f.path !== STATE_FILE) return f;
    const st = JSON.parse(f.content) as State;
    st.history = [...(existing.state?.history ?? []), entry];
    return { ...f, content: serializeState(st) };
  });
  const dirs = [...(prepared.answers.db === 'path' ? [{ path: String(prepared.answers.dbPath), mode: 0o700 }] : []), ...(ctx.target.render.hostDirs?.(prepared.answers) ?? [])];
  try {
    applyPlan(dir, changes, dirs, now);
  } catch (e) {
    throw stepError(`Writing Appwrite ${s.to}'s files failed: ${(e as Error).message}`,
      `Each file is whole (old or new). Put the old ones back with: npx harden-init rollback --dir ${shellQuote(ctx.dirArg)} --backup ${b.name}`);
  } finally {
    dropDuplicateBackup(dir, b);
  }
  ui.success(`Wrote Appwrite ${s.to}'s files: ${changes.filter((f) => !f.path.startsWith('.harden-init/upstream/')).map((f) => f.path).join(', ')}`);
  if (!composeTool) {
    ui.note(`cd ${shellQuote(ctx.dirArg)} && docker compose up -d\nthen: docker compose exec appwrite migrate\nthen: npx harden-init verify --dir ${shellQuote(ctx.dirArg)}`, 'Start the new release');
    return { entry, merge };
  }

  // 3. Start, health, migrate, verify.
  return { entry: await finishStep(ctx, composeTool, s, entry, prepared.answers, prepared.template), merge };
}

/**
 * The part of a step after its files are written: up -d, the health wait, Appwrite's migration, `vars`
 * verification; the history entry records where it stopped (a resumed step starts here again).
 */
async function finishStep(ctx: Ctx, composeTool: Compose, s: UpgradeStep, entry: HistoryEntry, answers: BaseAnswers, template: Template): Promise<HistoryEntry> {
  const { ui, dir, req } = ctx;
  const ctxStack = stackContext(ui, req, dir, composeTool, ctx.target, answers, template, ctx.io.env);
  try {
    await startStack(ctxStack);
  } catch (e) {
    recordResult(dir, entry, 'start-failed');
    throw failure(ctx, s, `docker compose up -d failed: ${(e as Error).message}`, entry, 'the stack may run a mix of old and new containers; the database is not migrated yet');
  }
  const newDropEnv = Object.keys(ctxStack.env);
  const services = await serviceCount(ctxStack); // counted by startStack's validation
  const health = await waitHealthy(composeTool, dir, newDropEnv,
    { port: answers.httpPort, host: urlHost(answers.domain), path: ctx.target.verify.health.path, judge: ctx.target.verify.health.judge },
    services, req.timeout * 1000);
  if (!health.ok) {
    recordResult(dir, entry, 'start-failed');
    throw failure(ctx, s, `the stack did not become healthy: ${health.reason}${health.logs ? `\n${health.logs}` : ''}`, entry, 'the new containers run (not healthy); the database is not migrated yet');
  }
  ui.success(`Stack healthy: ${health.detail}`);
  const code = await migrate(ctx, composeTool, newDropEnv);
  if (code !== 0) {
    recordResult(dir, entry, 'migrate-failed');
    throw failure(ctx, s, `Appwrite's migration (docker compose exec -T appwrite migrate) exited ${code}.`, entry, `the stack runs ${s.to}; the database may be partly migrated`);
  }
  ui.success(`Migration to ${s.to} done.`);
  const outcome = await verifyStack(ctxStack);
  const vcode = reportVerify(ui, outcome, ctx.target.verify.running.label);
  if (vcode !== EXIT.ok) {
    recordResult(dir, entry, 'verify-failed');
    throw new CliError(`Step ${s.from} → ${s.to}: the running stack differs from the files (see above); the upgrade stops here. The database is migrated to ${s.to}.`, EXIT.drift,
      `Fix the difference (the reasons above), then continue: npx harden-init upgrade --dir ${shellQuote(ctx.dirArg)} --resume${req.to ? ` --to ${req.to}` : ''} --yes`);
  }
  const release = await checkRelease(ui, answers, s.to);
  if (release.mismatch) {
    recordResult(dir, entry, 'verify-failed');
    throw new CliError(`Step ${s.from} → ${s.to}: ${release.mismatch} The upgrade stops here.`, EXIT.drift,
      `Recreate the stack from the files (cd ${shellQuote(ctx.dirArg)} && docker compose up -d --force-recreate), check the image ${s.to} is Appwrite's, then continue: npx harden-init upgrade --dir ${shellQuote(ctx.dirArg)} --resume${req.to ? ` --to ${req.to}` : ''} --yes`);
  }
  recordResult(dir, entry, 'done');
  return entry;
}

/** applyPlan's own backup of this step (<time>-1) duplicates the step's full backup byte for byte: removed. */
function dropDuplicateBackup(dir: string, b: { abs: string; name: string }): void {
  const dup = join(dir, BACKUP_DIR, `${b.name}-1`);
  if (kindOf(dup) !== 'dir') return;
  for (const n of readdirSync(dup)) {
    const mine = readRegular(join(b.abs, n));
    if (mine === undefined || mine !== readFileSync(join(dup, n), 'utf8')) return;
  }
  rmSync(dup, { recursive: true, force: true });
}

/** `docker compose exec -T appwrite migrate`, its output streamed; returns the exit code. */
async function migrate(ctx: Ctx, c: Compose, dropEnv: string[]): Promise<number> {
  const { ui, req, dir } = ctx;
  const title = 'docker compose exec -T appwrite migrate';
  const log = req.json ? undefined : ui.tty ? p.taskLog({ title, limit: 12, ...ui.streams }) : undefined;
  if (!log && !req.json) ui.step(title);
  const run = compose(c, ['exec', '-T', 'appwrite', 'migrate'], { cwd: dir, dropEnv });
  for await (const line of run.iterable({ from: 'all' })) {
    if (log) log.message(String(line));
    else ui.raw(`│  ${String(line)}`);
  }
  const r = await run;
  const code = r.exitCode ?? 1;
  if (log) { if (code === 0) log.success('migrate done', { showLog: false }); else log.error(`migrate exited ${code}`, { showLog: true }); }
  return code;
}
