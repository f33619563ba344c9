// The wizard: argv → target → release → answers → plan → (dry-run | apply) → start → verify. One run, first
// install or re-run. Everything product-specific comes from the target (src/targets/<id>/) through its contract.
import { join, resolve } from 'node:path';
import pc from 'picocolors';
import type { SetupRequest as Request } from '../commands/requests.js';
import { CliError, EXIT, usageError, stepError } from '../core/errors.js';
import { createUi, type Ui } from '../ui/ui.js';
import { checkConsistency, existingAnswers, headlessCommand, parseGiven, resolveHeadless, type Partial2 } from '../install/resolve.js';
import { askAnswers, askDbPassword, chooseComposePolicy, confirmWrite, type ChangeGuard } from '../ui/wizard.js';
import { fileDiffs, planReport, summaryText, writeQuestion } from '../install/plan-report.js';
import { shellQuote } from '../core/shell-quote.js';
import { dbPathGuard, guardDbPasswords, guardDbPath, guardEncryptionKey, validatedFromInstall } from '../install/safety.js';
import { sensitiveNames } from '../engine/template.js';
import { isExistingInstall, readExisting, type Existing } from '../engine/existing.js';
import { plan as makePlan, COMPOSE_FILE, type ComposePolicy, type DbMove, type Plan } from '../engine/plan.js';
import { getEnv, parseEnv, toRecord } from '../engine/envfile.js';
import { generateSecret, KNOWN_WEAK_VALUES } from '../engine/secrets.js';
import { applyPlan } from '../apply/apply.js';
import { acquireLock } from '../apply/lock.js';
import { guardInstallDir } from '../apply/install-dir.js';
import { readRegular } from '../apply/safe-fs.js';
import { looseModes, tightenModes } from '../apply/permissions.js';
import { passwordError } from '../validate.js';
import { portChecks, preflight, type PortWanted } from '../docker/preflight.js';
import { composeProjectNames, dockerReachable, type Compose } from '../docker/compose.js';
import { startStack, verifyStack, type VerifyOutcome } from '../install/stack.js';
import { reportVerify, stackContext, verifyJson } from '../install/verify-report.js';
import { TARGETS } from '../targets/index.js';
import { startRead, type ReleaseRead } from '../install/release-read.js';
import type { BaseAnswers, Finding, Target, TargetTemplate } from '../targets/types.js';

export async function setup(req: Request, version: string): Promise<number> {
  const reads: ReleaseRead[] = [];
  try {
    return await setupRun(req, version, reads);
  } finally {
    for (const r of reads) r.stop(); // a read still running (a pull) must not outlive the run that needed it
  }
}

async function setupRun(req: Request, version: string, reads: ReleaseRead[]): Promise<number> {
  const entry = TARGETS[req.target]!;
  const ui = createUi(req.json);
  const interactive = !req.yes && !req.json && Boolean(process.stdin.isTTY && process.stdout.isTTY);
  if (req.dir === '') throw usageError(`--dir: must not be empty (default ./${req.target}).`);
  const dirArg = req.dir ?? `./${req.target}`;
  const dir = resolve(dirArg);
  guardInstallDir(dir);
  const given = parseGiven(entry.questions, req.given, entry.title);
  const target = await entry.load();
  const lockWarnings: string[] = []; // said after the title: nothing is printed before it
  if (!req.dryRun) await acquireLock(dir, { warn: (m) => lockWarnings.push(m) }); // one writer per install; released by main
  const existing = readExisting(dir);
  const rerun = isExistingInstall(existing);
  const { answers: current, notes: currentNotes } = existingAnswers(target, existing);
  target.checkExisting?.(current as Partial<BaseAnswers>, given as Partial<BaseAnswers>, rerun);

  // The release comes from the release table; its files (an image pull on a fresh server) are read in the background
  // while the questions are asked (release-read.ts). A dry run starts nothing, but may still read the release from a
  // reachable engine. A full run's read starts at once: a missing Docker stops the run at the preflight, and the read.
  const filesOnly = req.noStart || req.dryRun;
  const read = await startRead(target, {
    dir, dirArg, given: given as Partial<BaseAnswers>,
    existing: { state: existing.state, compose: existing.compose, present: rerun },
    allowInsecureRelease: req.allowInsecureRelease, acceptUpstream: req.acceptUpstream,
    dockerAvailable: filesOnly ? dockerReachable() : true,
  }, { ui, live: interactive });
  reads.push(read);
  current.release = read.release;
  if (given.release === undefined) given.release = read.release;

  ui.intro(pc.inverse(` harden-init ${version} `) + ` ${target.title} ${read.release}${rerun ? ` (re-run on ${dir})` : ''}`);
  for (const w of lockWarnings) ui.warn(w);
  // Docker before the first question: no answer is typed for a run that could not start anyway.
  const composeTool = filesOnly ? undefined : await checkDocker(ui);
  for (const w of read.warnings) ui.warn(w);
  for (const n of [...read.notes, ...currentNotes]) ui.info(n);
  for (const w of existing.warnings ?? []) ui.warn(w);
  await guardEncryptionKey(ui, { dir, existing, keyNames: read.encryptionKeys, newKeyFlag: req.newEncryptionKey, interactive });

  const movesAccepted: string[] = [];
  const pathsAccepted: string[] = [];
  const guards = [dbMoveGuard(target, current, (to) => movesAccepted.push(to)), dbPathGuard(dir, current.dbPath, (p) => pathsAccepted.push(p))];
  const answers = (interactive ? await askAnswers(target.questions, given, current, { rerun, guards }) : resolveHeadless(target.questions, given, current)) as BaseAnswers;
  // From here on a failure should not cost the operator their typing: the hint carries the command.
  const extras = [
    ...(req.allowInsecureRelease ? ['--allow-insecure-release'] : []),
    ...req.acceptUpstream.map((n) => `--accept-upstream ${shellQuote(n)}`),
  ];
  try {
    const prepared = await read.wait(answers.release);
    for (const w of prepared.warnings) ui.warn(w);
    for (const n of prepared.notes) ui.info(n);
    const template = prepared.template;
    // The key guard ran before the questions on the keys known without the files; one the files add is checked now.
    const added = template.secrets.encryptionKeys.filter((k) => !read.encryptionKeys.includes(k));
    if (added.length) await guardEncryptionKey(ui, { dir, existing, keyNames: added, newKeyFlag: req.newEncryptionKey, interactive });
    return await afterAnswers({ req, ui, target, template, prepared, dir, dirArg, existing, rerun, current, given, answers, interactive, composeTool, extras, movesAccepted, pathsAccepted });
  } catch (e) {
    if (interactive && e instanceof CliError && e.exitCode !== EXIT.cancelled) {
      const command = headlessCommand(target, target.normalize(answers), dirArg, extras);
      throw new CliError(e.message, e.exitCode, `${e.hint ? `${e.hint}\n` : ''}Once fixed, run this to skip the questions:\n  ${command}`);
    }
    throw e;
  }
}

interface Flow {
  req: Request; ui: Ui; target: Target<BaseAnswers>; template: TargetTemplate; prepared: { files: { path: string; content: string; mode: number }[] };
  dir: string; dirArg: string; existing: Existing; rerun: boolean; current: Partial2; given: Partial2; answers: BaseAnswers;
  interactive: boolean; composeTool: Compose | undefined; extras: string[];
  /** Database locations, and non-empty database directories, the operator already said yes to in the wizard. */
  movesAccepted?: string[];
  pathsAccepted?: string[];
}

async function afterAnswers(f: Flow): Promise<number> {
  const { req, ui, target, template, dir, dirArg, existing, rerun, current, given, answers, interactive, composeTool } = f;
  checkConsistency(target.questions, given, answers, target.title);
  target.check?.(answers);
  Object.assign(answers, validatedFromInstall(target.questions, target.answerEnvNames, given, current, answers)); // hand edits pass the same validators
  // What the release's files ask for that the rules refuse is said right after the answers, before any other question.
  refuseUnknowns(target.renderCompose(template, target.normalize(answers), new Set(req.acceptUpstream)).findings);
  await guardDbPath(ui, answers, { dir, previous: current.dbPath as string | undefined, interactive, allowNonEmpty: req.allowDbPathNonEmpty, confirmed: f.pathsAccepted });
  guardDbPasswords({ dir, existing, target, template, answers, previous: current as Partial<BaseAnswers> });
  const shownWarnings = new Set<string>();
  if (!interactive) {
    for (const q of target.questions) {
      const w = q.when(answers) ? q.warn?.(answers[q.id]) : undefined;
      if (w) shownWarnings.add(w);
    }
  }
  for (const w of target.warnings(answers)) shownWarnings.add(w);
  for (const w of shownWarnings) ui.warn(w);
  const secretValues = await operatorSecrets(target, answers, existing, current, interactive);

  const sensitive = sensitiveNames(template, existing.env?.lines.map((l) => l.key).filter((k): k is string => Boolean(k)));
  const read = (path: string) => readRegular(join(dir, path));
  const extraFiles = f.prepared.files;
  let policy: ComposePolicy = req.replaceCompose ? 'replace' : 'keep';
  const makeIt = () => makePlan(answers, existing, template, {
    target, secretValues, readFile: read, composePolicy: policy, previous: current, accepted: req.acceptUpstream, extraFiles,
  });
  let plan = makeIt();
  refuseUnknowns(plan.findings);
  if (plan.composeEdited && interactive && !req.replaceCompose) {
    const proposed = plan.files.find((x) => x.path.endsWith('.proposed.yml'))!;
    const [diff] = fileDiffs({ ...plan, changes: [{ ...proposed, path: COMPOSE_FILE, old: existing.compose }] }, sensitive, req.showSecrets);
    ui.note(diff!.text, `${COMPOSE_FILE}: your file (-) vs harden-init's (+)`);
    policy = await chooseComposePolicy();
    plan = makeIt();
  }

  ui.note(summaryText(target.summary(plan.answers, dir)), rerun ? 'Settings' : 'Will install');
  for (const x of plan.accepted) ui.warn(`Accepted as upstream wrote it (--accept-upstream ${x.subject}): ${x.accepting}.`);
  if (plan.dbMove && !f.movesAccepted?.includes(plan.dbMove.to)) await acceptDbMove(ui, req, interactive, plan.dbMove);
  for (const w of plan.warnings) ui.warn(w);
  for (const n of plan.notes) ui.info(n);
  if (plan.generatedSecrets.length) ui.info(`New secrets (crypto-random, in .env only): ${plan.generatedSecrets.join(', ')}`);
  if (rerun && plan.keptSecrets.length) ui.info(`Kept existing secrets: ${plan.keptSecrets.join(', ')}`);

  if (req.dryRun || interactive) {
    const shown = planReport(plan, sensitive, { showSecrets: req.showSecrets, full: req.diff });
    if (shown) ui.note(shown.overview, shown.title);
    for (const n of shown?.notes ?? []) ui.note(n.text, n.title);
  }
  const command = headlessCommand(target, plan.answers, dirArg, f.extras);
  if (req.dryRun) {
    for (const l of looseModes(dir)) ui.warn(`Would fix permissions: ${l.path} is mode ${l.mode.toString(8)}, should be ${l.want.toString(8)}`);
    ui.outro(plan.changes.length ? `Dry run: ${plan.changes.length} file(s) would change; nothing was written.` : 'Dry run: nothing would change.');
    return finish(req, plan, dir, command, { written: [] });
  }
  if (plan.changes.length === 0) {
    ui.success('Nothing to change: the install already matches these settings.');
  } else if (interactive && !(await confirmWrite(writeQuestion(plan.changes)))) {
    throw new CliError('Cancelled: nothing was written.', EXIT.cancelled);
  }
  for (const fixed of tightenModes(dir)) ui.warn(`Fixed permissions: ${fixed}`);
  if (composeTool) await checkPorts(ui, target, plan, dir);
  let result: { written: string[]; backupDir?: string } = { written: [] };
  if (plan.changes.length > 0) {
    try {
      const dirs = [...(plan.answers.db === 'path' ? [{ path: String(plan.answers.dbPath), mode: 0o700 }] : []), ...(target.hostDirs?.(plan.answers) ?? [])];
      result = applyPlan(dir, plan.changes, dirs);
    } catch (e) {
      throw stepError(`Writing the install failed: ${(e as Error).message}`, 'Files already replaced are complete; the backup directory holds the previous versions.');
    }
    ui.success(`${writeQuestion(result.written.map((path) => ({ path }))).replace(/^Write/, 'Wrote').replace(/\?$/, '')} in ${dir}${result.backupDir ? ` (previous versions in ${result.backupDir})` : ''}`);
  }
  showOnce(f, plan);
  return finishWritten(f, plan, command, result);
}

/**
 * A first password the operator needs (e.g. Langflow's superuser): where it is. Its value only with --show-secrets:
 * output often ends in a log (CI, a terminal multiplexer's scrollback) that outlives the secret's first use.
 */
function showOnce(f: Flow, plan: Plan): void {
  const keys = (f.target.showOnce ?? []).filter((k) => plan.generatedSecrets.includes(k) || f.req.showSecrets);
  if (keys.length === 0 || f.req.json) return;
  const envPath = join(f.dir, '.env');
  if (!f.req.showSecrets) {
    f.ui.note(keys.map((k) => `${k}: in ${envPath} (mode 0600); read it with: grep '^${k}=' ${shellQuote(envPath)}`).join('\n'),
      'Your first password (not printed; --show-secrets prints it)');
    return;
  }
  const env = toRecord(parseEnv(plan.files.find((x) => x.path === '.env')!.content));
  f.ui.note(keys.map((k) => `${k}=${env[k] ?? ''}`).join('\n'), 'Shown as asked (--show-secrets): store it now (it is in .env, mode 0600)');
}

/** Upstream asks for what the rules cannot harden: refuse, naming each finding and how to accept it. */
function refuseUnknowns(findings: Finding[]): void {
  if (findings.length === 0) return;
  const lines = findings.map((x) => `  - ${x.what}\n    accept with --accept-upstream ${x.subject}: ${x.accepting}`);
  throw usageError(`Upstream's files ask for what harden-init's rules do not know how to harden:\n${lines.join('\n')}`,
    'Review each one; accept it by name only if you trust it (nothing was written).');
}

async function finishWritten(f: Flow, plan: Plan, command: string, result: { written: string[]; backupDir?: string }): Promise<number> {
  const { req, ui, target, template, dir, dirArg, composeTool } = f;
  const url = target.url(plan.answers);
  if (!composeTool) {
    const weak = await wellKnownRotatable(f, plan);
    if (weak.length) ui.warn(`Not rotated: ${weak.join(', ')} (well-known example value${weak.length === 1 ? '' : 's'}). This run starts no stack, and a database password is changed in the running database first. Once the stack runs: harden-init rotate-secret ${weak.join(' ')} --dir ${shellQuote(dirArg)}`);
    ui.note(`cd ${shellQuote(dir)} && docker compose up -d\n(or docker-compose up -d with Compose v1)`, 'Start or update the stack');
    ui.outro(`Then open ${target.title}: ${url}`);
    ui.raw(`Run this again without questions:\n  ${command}`);
    return finish(req, plan, dir, command, result);
  }
  const ctx = stackContext(ui, req, dir, composeTool, target, plan.answers, template);
  await startStack(ctx);
  const outcome = await verifyStack(ctx);
  const code = reportVerify(ui, outcome, target.running.label);
  if (code === EXIT.ok) await rotateWellKnown(f, plan, composeTool);
  if (code === EXIT.ok) {
    ui.note(target.nextSteps(plan.answers, dirArg).join('\n'), 'Next');
    ui.outro(`${target.title} ${plan.answers.release} is running: ${url}`);
  } else {
    ui.outro('The running stack differs from the files (see above).');
  }
  ui.raw(`Run this again without questions:\n  ${command}`);
  return finish(req, plan, dir, command, result, outcome, code);
}

/**
 * Secrets .env keeps from another installer with a published example value (your-secret-key, password, ...), that
 * rotate-secret can change safely (encryption keys never are): their names.
 */
async function wellKnownRotatable(f: Flow, plan: Plan): Promise<string[]> {
  const envFile = plan.files.find((x) => x.path === '.env');
  if (!envFile) return [];
  const env = toRecord(parseEnv(envFile.content));
  const names = plan.keptSecrets.filter((k) => KNOWN_WEAK_VALUES.has(env[k] ?? '') && !f.template.secrets.encryptionKeys.includes(k));
  if (!names.length) return [];
  const { rotationsFor } = await import('../commands/rotate-secret.js');
  const composeText = readRegular(join(f.dir, COMPOSE_FILE)) ?? '';
  const out: string[] = [];
  for (const n of names) {
    try { await rotationsFor(f.target.id, [n], envFile.content, composeText); out.push(n); } catch { /* not rotatable here: the warning stays */ }
  }
  return out;
}

/** After a verified start: the well-known example values are rotated (asked first; with --yes done and said). */
async function rotateWellKnown(f: Flow, plan: Plan, composeTool: Compose): Promise<void> {
  const { req, ui, dir, dirArg, target, template, interactive } = f;
  const names = await wellKnownRotatable(f, plan);
  if (!names.length) return;
  const what = `${names.join(', ')} ${names.length === 1 ? 'holds a' : 'hold'} well-known example value${names.length === 1 ? '' : 's'}`;
  if (req.yes) ui.info(`${what}: rotating ${names.length === 1 ? 'it' : 'them'} now (--yes): database first, then .env, recreate, verify.`);
  else if (!interactive || !(await confirmWrite(`${what}. Rotate ${names.length === 1 ? 'it' : 'them'} now (database first, then .env, recreate, verify)?`, true))) {
    ui.warn(`Not rotated: ${what}. Rotate later with: harden-init rotate-secret ${names.join(' ')} --dir ${shellQuote(dirArg)}`);
    return;
  }
  const { rotateSecrets } = await import('../commands/rotate-secret.js');
  const r = await rotateSecrets({
    ui, dir, compose: composeTool, targetId: target.id, composeText: readRegular(join(dir, COMPOSE_FILE)) ?? '',
    envText: readRegular(join(dir, '.env')) ?? '', names,
    stack: () => stackContext(ui, req, dir, composeTool, target, plan.answers, template),
    generate: (n) => target.generateSecret?.(n) ?? generateSecret(),
  });
  ui.success(`Rotated ${r.rotated.join(', ')}: new crypto-random values in .env (never printed), the stack recreated and verified.`);
}

const dbMoveText = (move: DbMove) => `The database moves from ${move.from} to ${move.to}. harden-init does not copy data: the application will use what is at the new place (an empty database if it is new) and the old data stays where it is. Migrate it first (a dump and restore); on an empty database the first sign-up becomes the console's root user.`;
const DB_MOVE_QUESTION = 'Use the new database location anyway?';

/** In the wizard: a new database location is confirmed right after its questions; a no asks them again. */
function dbMoveGuard(target: Target<BaseAnswers>, current: Partial2, accepted: (to: string) => void): ChangeGuard {
  const from = target.dbLocation(current as Partial<BaseAnswers>);
  const to = (a: Partial2) => target.dbLocation(a as Partial<BaseAnswers>);
  return {
    ids: target.questions.map((q) => q.id).filter((id) => /^db/.test(id)),
    check: (a) => { const t = to(a); return from !== undefined && t !== undefined && t !== from ? dbMoveText({ from, to: t }) : undefined; },
    question: DB_MOVE_QUESTION,
    accepted: (a) => accepted(to(a)!),
  };
}

/** A new DB location starts from whatever is there: only an explicit yes lets that happen. */
async function acceptDbMove(ui: Ui, req: Request, interactive: boolean, move: DbMove): Promise<void> {
  ui.warn(dbMoveText(move));
  if (req.dryRun || req.allowDbMove) return;
  if (!interactive) throw usageError('The database location changes and its data would not follow (see above).', 'Migrate the data first, then re-run with --allow-db-move (also to start with an empty database on purpose).');
  if (!(await confirmWrite(DB_MOVE_QUESTION, false))) throw new CliError('Cancelled: nothing was written.', EXIT.cancelled);
}

/** Docker client, daemon and Compose, checked before any question. */
async function checkDocker(ui: Ui): Promise<Compose> {
  // The failing check is reported once, by the error below (not also as a ✘ line).
  const res = await preflight((c) => { if (c.ok) ui.success(c.label); });
  const failed = res.checks.find((c) => !c.ok);
  if (failed || !res.compose) throw stepError(`Preflight failed: ${failed?.label ?? 'compose not found'}. Nothing was asked or written.`, failed?.hint ?? 'Or run with --no-start to only write the files.');
  return res.compose;
}

/** The host ports the stack will publish must be free (or held by this stack). */
async function checkPorts(ui: Ui, target: Target<BaseAnswers>, plan: Plan, dir: string): Promise<void> {
  const ports: PortWanted[] = target.publishedPorts(plan.answers).map((spec) => {
    const parts = spec.split(':');
    return { port: Number(parts[parts.length - 2]), host: parts.length === 3 ? parts[0]! : '0.0.0.0' };
  });
  // The install's own running containers may hold its ports (a re-run of a running install): compose recreates them.
  const env = toRecord(parseEnv(plan.files.find((x) => x.path === '.env')!.content));
  const composeText = plan.files.find((x) => x.path === COMPOSE_FILE)?.content ?? readRegular(join(dir, COMPOSE_FILE)); // kept hand edit
  const own = { gateway: target.gatewayContainer, projects: composeProjectNames(dir, env, composeText) };
  const checks = await portChecks(ports, (c) => { if (c.ok) ui.success(c.label); }, own);
  const failed = checks.find((c) => !c.ok);
  if (failed) throw stepError(`Preflight failed: ${failed.label}. Nothing was written.`, failed.hint);
}

function finish(req: Request, plan: Plan, dir: string, command: string, result: { written: string[]; backupDir?: string },
  outcome?: VerifyOutcome, code: number = EXIT.ok): number {
  if (req.json) {
    process.stdout.write(`${JSON.stringify({
      ok: code === EXIT.ok, dir, dryRun: req.dryRun, release: plan.answers.release, answers: plan.answers,
      changed: plan.changes.map((f) => f.path), written: result.written, backupDir: result.backupDir,
      generatedSecrets: plan.generatedSecrets, keptSecrets: plan.keptSecrets,
      accepted: plan.accepted.map((f) => ({ subject: f.subject, accepting: f.accepting })),
      composeEdited: plan.composeEdited, warnings: plan.warnings, notes: plan.notes, headlessCommand: command,
      verify: outcome ? verifyJson(outcome) : undefined,
    }, null, 2)}\n`);
  }
  return code;
}

/**
 * Secrets the operator supplies (an external database's password, SMTP): never a flag (it would show in
 * `ps`); from their environment variable, else kept from .env, else asked with a masked prompt.
 */
async function operatorSecrets(target: Target<BaseAnswers>, a: BaseAnswers, existing: Existing, current: Partial2, interactive: boolean): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const input of target.secretInputs) {
    if (!input.when(a)) continue;
    const fromEnv = process.env[input.envVar];
    if (fromEnv !== undefined) {
      const err = passwordError(fromEnv) ?? input.validate?.(fromEnv);
      if (err) throw usageError(`${input.envVar}: ${err}`);
      out[input.key] = fromEnv;
      continue;
    }
    if (existing.env && getEnv(existing.env, input.key) && input.keepExisting(a, current as Partial<BaseAnswers>)) continue;
    if (interactive) { out[input.key] = await askDbPassword(input.prompt, input.validate); continue; }
    if (input.required) throw usageError(`${input.key} is missing: set ${input.envVar} (it is never taken as a flag, which would show in the process list).`);
  }
  return out;
}
