// Entry point: argv → answers → plan → (dry-run | apply) → next steps. Exit codes per DESIGN.md.
import { resolve } from 'node:path';
import * as p from '@clack/prompts';
import pc from 'picocolors';
import { parseRequest, type Request } from './args.js';
import { CliError, EXIT, usageError, stepError } from './errors.js';
import { helpText } from './help.js';
import { createUi, type Ui } from './ui.js';
import { checkConsistency, existingAnswers, headlessCommand, parseGiven, resolveHeadless } from './resolve.js';
import { askAnswers, askDbPassword, chooseComposePolicy, confirmWrite } from './wizard.js';
import { fileDiffs, summary } from './report.js';
import { QUESTIONS } from '../questions.js';
import { loadTemplate, sensitiveNames, type Template } from '../engine/template.js';
import { isExistingInstall, readExisting } from '../engine/existing.js';
import { plan as makePlan, COMPOSE_FILE, type ComposePolicy, type DbMove, type Plan } from '../engine/plan.js';
import { getEnv } from '../engine/envfile.js';
import { applyPlan } from '../apply/apply.js';
import { looseModes, tightenModes } from '../apply/permissions.js';
import { passwordError } from '../validate.js';
import type { Answers } from '../answers.js';
import { preflight, type PortWanted } from '../docker/preflight.js';
import type { Compose } from '../docker/compose.js';
import { startStack, verifyStack, urlHost, type VerifyOutcome } from './stack.js';
import { reportVerify, stackContext, verifyCommand, verifyJson } from './verify-command.js';

declare const __VERSION__: string | undefined;
const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : '0.0.0-dev';
export const DB_PASSWORD_ENV = 'HARDEN_INIT_DB_PASSWORD';

export async function main(argv: string[]): Promise<number> {
  let json = argv.includes('--json');
  try {
    const req = parseRequest(argv);
    json = req.json;
    if (req.help) { process.stdout.write(`${helpText(VERSION)}\n`); return EXIT.ok; }
    if (req.version) { process.stdout.write(`${VERSION}\n`); return EXIT.ok; }
    if (req.command === 'verify') return await verifyCommand(req, VERSION);
    if (req.command !== 'setup') throw usageError(`"harden-init ${req.command}" is not available in this version yet.`);
    if (req.target !== 'appwrite') throw usageError(`Target "${req.target}" is not supported yet; this version installs appwrite.`);
    return await setup(req);
  } catch (e) {
    return reportError(e, json);
  }
}

async function setup(req: Request): Promise<number> {
  const ui = createUi(req.json);
  const interactive = !req.yes && !req.json && Boolean(process.stdin.isTTY && process.stdout.isTTY);
  if (req.dir === '') throw usageError('--dir: must not be empty (default ./appwrite).');
  const dirArg = req.dir ?? `./${req.target}`;
  const dir = resolve(dirArg);
  const given = parseGiven(req.given);
  const template = loadTemplate();
  const existing = readExisting(dir);
  const rerun = isExistingInstall(existing);
  const { answers: current, notes: currentNotes } = existingAnswers(existing);

  ui.intro(pc.inverse(` harden-init ${VERSION} `) + ` Appwrite ${template.version}${rerun ? ` (re-run on ${dir})` : ''}`);
  for (const n of currentNotes) ui.info(n);
  const answers = interactive ? await askAnswers(given, current) : resolveHeadless(given, current);
  checkConsistency(given, answers);
  if (!interactive) {
    for (const q of QUESTIONS) {
      const w = q.when(answers) ? q.warn?.(answers[q.id]) : undefined;
      if (w) ui.warn(w);
    }
  }
  const dbPassword = await externalDbPassword(answers, existing, current, interactive);

  const sensitive = sensitiveNames(template);
  let policy: ComposePolicy = req.replaceCompose ? 'replace' : 'keep';
  let plan = makePlan(answers, existing, template, { dbPassword, composePolicy: policy, previous: current as Partial<Answers> });
  if (plan.composeEdited && interactive && !req.replaceCompose) {
    const proposed = plan.files.find((f) => f.path.endsWith('.proposed.yml'))!;
    const [diff] = fileDiffs({ ...plan, changes: [{ ...proposed, path: COMPOSE_FILE, old: existing.compose }] }, sensitive, req.showSecrets);
    ui.note(diff!.text, `${COMPOSE_FILE}: your file (-) vs harden-init's (+)`);
    policy = await chooseComposePolicy();
    plan = makePlan(answers, existing, template, { dbPassword, composePolicy: policy, previous: current as Partial<Answers> });
  }

  ui.note(summary(plan.answers, dir), rerun ? 'Settings' : 'Will install');
  if (plan.dbMove) await acceptDbMove(ui, req, interactive, plan.dbMove);
  for (const w of plan.warnings) ui.warn(w);
  for (const n of plan.notes) ui.info(n);
  if (plan.generatedSecrets.length) ui.info(`New secrets (crypto-random, in .env only): ${plan.generatedSecrets.join(', ')}`);
  if (rerun && plan.keptSecrets.length) ui.info(`Kept existing secrets: ${plan.keptSecrets.join(', ')}`);

  if (req.dryRun || (interactive && rerun)) {
    for (const d of fileDiffs(plan, sensitive, req.showSecrets)) ui.note(d.text || '(empty)', d.path);
  }
  const command = headlessCommand(plan.answers, dirArg);
  if (req.dryRun) {
    for (const l of looseModes(dir)) ui.warn(`Would fix permissions: ${l.path} is mode ${l.mode.toString(8)}, should be ${l.want.toString(8)}`);
    ui.outro(plan.changes.length ? `Dry run: ${plan.changes.length} file(s) would change; nothing was written.` : 'Dry run: nothing would change.');
    return finish(req, plan, dir, command, { written: [] });
  }
  for (const fixed of tightenModes(dir)) ui.warn(`Fixed permissions: ${fixed}`);
  if (plan.changes.length === 0) {
    ui.success('Nothing to change: the install already matches these settings.');
  } else if (interactive && !(await confirmWrite(`Write ${plan.changes.map((f) => f.path).join(', ')}?`))) {
    throw new CliError('Cancelled: nothing was written.', EXIT.cancelled);
  }
  const composeTool = req.noStart ? undefined : await checkCanStart(ui, plan.answers);
  let result: { written: string[]; backupDir?: string } = { written: [] };
  if (plan.changes.length > 0) {
    try {
      result = applyPlan(dir, plan.changes, plan.answers.db === 'path' ? [{ path: plan.answers.dbPath!, mode: 0o700 }] : []);
    } catch (e) {
      throw stepError(`Writing the install failed: ${(e as Error).message}`, 'Files already replaced are complete; the backup directory holds the previous versions.');
    }
    ui.success(`Wrote ${result.written.join(', ')} in ${dir}${result.backupDir ? ` (previous versions in ${result.backupDir})` : ''}`);
  }
  return finishWritten(req, ui, plan, template, dirArg, dir, command, result, composeTool);
}

async function finishWritten(req: Request, ui: Ui, plan: Plan, template: Template, dirArg: string, dir: string, command: string,
  result: { written: string[]; backupDir?: string }, composeTool: Compose | undefined): Promise<number> {
  const url = `${plan.answers.https === 'off' ? 'http' : 'https'}://${urlHost(plan.answers.domain)}/`;
  if (!composeTool) {
    ui.note(`cd ${dir} && docker compose up -d\n(or docker-compose up -d with Compose v1)`, 'Start or update the stack');
    ui.outro(`Then open the Appwrite console: ${url}`);
    ui.raw(`Run this again without questions:\n  ${command}`);
    return finish(req, plan, dir, command, result);
  }
  const ctx = stackContext(ui, req, dir, composeTool, plan.answers, template);
  await startStack(ctx);
  const outcome = await verifyStack(ctx);
  const code = reportVerify(ui, outcome);
  if (code === EXIT.ok) {
    ui.note([
      `Open ${url} and create the first account${plan.answers.console === 'root' ? ' (the root user; invite everyone else from the console)' : ''}.`,
      plan.answers.https === 'auto' ? `Point the DNS name ${plan.answers.domain} at this server; Appwrite requests its certificate over port ${plan.answers.httpPort}.` : '',
      `Check the running stack any time: npx harden-init verify --dir ${dirArg}`,
    ].filter(Boolean).join('\n'), 'Next');
    ui.outro(`Appwrite is running: ${url}`);
  } else {
    ui.outro('The running stack differs from the files (see above).');
  }
  ui.raw(`Run this again without questions:\n  ${command}`);
  return finish(req, plan, dir, command, result, outcome, code);
}

/** A new DB location starts from whatever is there: only an explicit yes lets that happen. */
async function acceptDbMove(ui: Ui, req: Request, interactive: boolean, move: DbMove): Promise<void> {
  const what = `The database moves from ${move.from} to ${move.to}. harden-init does not copy data: Appwrite will use what is at the new place (an empty database if it is new) and the old data stays where it is. Migrate it first (e.g. mysqldump and restore); on an empty database the first sign-up becomes the console's root user.`;
  ui.warn(what);
  if (req.dryRun || req.allowDbMove) return;
  if (!interactive) throw usageError('The database location changes and its data would not follow (see above).', 'Migrate the data first, then re-run with --allow-db-move (also to start with an empty database on purpose).');
  if (!(await confirmWrite('Use the new database location anyway?', false))) throw new CliError('Cancelled: nothing was written.', EXIT.cancelled);
}

/** Preflight: nothing is written when the stack could not be started anyway. */
async function checkCanStart(ui: Ui, a: Answers): Promise<Compose> {
  const ports: PortWanted[] = a.https === 'auto'
    ? [{ port: a.httpPort, host: '0.0.0.0' }, { port: a.httpsPort, host: '0.0.0.0' }]
    : [{ port: a.httpPort, host: a.https === 'proxy' ? '127.0.0.1' : '0.0.0.0' }];
  const res = await preflight(ports, (c) => (c.ok ? ui.success(c.label) : ui.error(c.label)));
  const failed = res.checks.find((c) => !c.ok);
  if (failed || !res.compose) throw stepError(`Preflight failed: ${failed?.label ?? 'compose not found'}. Nothing was written.`, failed?.hint);
  return res.compose;
}

function finish(req: Request, plan: Plan, dir: string, command: string, result: { written: string[]; backupDir?: string },
  outcome?: VerifyOutcome, code: number = EXIT.ok): number {
  if (req.json) {
    process.stdout.write(`${JSON.stringify({
      ok: code === EXIT.ok, dir, dryRun: req.dryRun, answers: plan.answers,
      changed: plan.changes.map((f) => f.path), written: result.written, backupDir: result.backupDir,
      generatedSecrets: plan.generatedSecrets, keptSecrets: plan.keptSecrets,
      composeEdited: plan.composeEdited, warnings: plan.warnings, notes: plan.notes, headlessCommand: command,
      verify: outcome ? verifyJson(outcome) : undefined,
    }, null, 2)}\n`);
  }
  return code;
}

async function externalDbPassword(a: Answers, existing: ReturnType<typeof readExisting>, current: Partial<Record<keyof Answers, unknown>>, interactive: boolean): Promise<string | undefined> {
  if (a.db !== 'external') return undefined;
  const fromEnv = process.env[DB_PASSWORD_ENV];
  if (fromEnv !== undefined) {
    const err = passwordError(fromEnv);
    if (err) throw usageError(`${DB_PASSWORD_ENV}: ${err}`);
    return fromEnv;
  }
  const wasExternal = current.db === 'external' && existing.env && getEnv(existing.env, '_APP_DB_PASS');
  if (wasExternal) return undefined; // keep the password already in .env
  if (interactive) return askDbPassword();
  throw usageError(`The external database password is missing: set ${DB_PASSWORD_ENV} (it is never taken as a flag, which would show in the process list).`);
}

function reportError(e: unknown, json: boolean): number {
  const err = e instanceof CliError ? e : new CliError(`Unexpected error: ${(e as Error)?.stack ?? String(e)}`, EXIT.failed);
  if (json) process.stdout.write(`${JSON.stringify({ ok: false, exitCode: err.exitCode, error: err.message, hint: err.hint })}\n`);
  if (err.exitCode === EXIT.cancelled) p.cancel(err.message);
  else process.stderr.write(`${pc.red('✘')} ${err.message}\n${err.hint ? `${pc.dim(err.hint)}\n` : ''}`);
  return err.exitCode;
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
