// The wizard: argv → release → answers → plan → (dry-run | apply) → start → verify. One run, first install
// or re-run; the release's own files come from its image before the first question.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pc from 'picocolors';
import type { Request } from './args.js';
import { CliError, EXIT, usageError, stepError } from './errors.js';
import { createUi, type Ui } from './ui.js';
import { checkConsistency, existingAnswers, headlessCommand, parseGiven, resolveHeadless, type Partial2 } from './resolve.js';
import { askAnswers, askDbPassword, chooseComposePolicy, confirmWrite } from './wizard.js';
import { fileDiffs, summary } from './report.js';
import { shellQuote } from './shell-quote.js';
import { guardDbPath, guardEncryptionKey, validatedFromInstall } from './safety.js';
import { acquireLock } from '../apply/lock.js';
import { QUESTIONS } from '../questions.js';
import { sensitiveNames, templateFromUpstream, type Template } from '../engine/template.js';
import { isExistingInstall, readExisting, type Existing } from '../engine/existing.js';
import { plan as makePlan, COMPOSE_FILE, type ComposePolicy, type DbMove, type Plan, type PlannedFile } from '../engine/plan.js';
import { getEnv } from '../engine/envfile.js';
import { applyPlan } from '../apply/apply.js';
import { looseModes, tightenModes } from '../apply/permissions.js';
import { passwordError } from '../validate.js';
import type { Answers } from '../answers.js';
import { preflight, type PortWanted } from '../docker/preflight.js';
import type { Compose } from '../docker/compose.js';
import { startStack, verifyStack, urlHost, type VerifyOutcome } from './stack.js';
import { reportVerify, stackContext, verifyJson } from './verify-command.js';
import { chooseRelease, releaseFromCompose } from '../targets/appwrite/release-choice.js';
import { NEWEST_RELEASE, lineOf } from '../targets/appwrite/releases.js';
import { dockerReachable, obtainRelease } from '../targets/appwrite/upstream/source.js';
import { cacheFiles } from '../targets/appwrite/upstream/cache.js';
import type { Finding } from '../targets/appwrite/rules/refuse.js';
import { RenderError } from '../targets/appwrite/render/generator.js';
import { gatewayPorts } from '../targets/appwrite/rules/publish.js';

export const DB_PASSWORD_ENV = 'HARDEN_INIT_DB_PASSWORD';
export const SMTP_PASSWORD_ENV = 'HARDEN_INIT_SMTP_PASSWORD';

export async function setup(req: Request, version: string): Promise<number> {
  const ui = createUi(req.json);
  const interactive = !req.yes && !req.json && Boolean(process.stdin.isTTY && process.stdout.isTTY);
  if (req.dir === '') throw usageError('--dir: must not be empty (default ./appwrite).');
  const dirArg = req.dir ?? `./${req.target}`;
  const dir = resolve(dirArg);
  const given = parseGiven(req.given);
  if (!req.dryRun) await acquireLock(dir, { warn: (m) => ui.warn(m) }); // one writer per install; released by main
  const existing = readExisting(dir);
  const rerun = isExistingInstall(existing);
  const { answers: current, notes: currentNotes } = existingAnswers(existing);
  if (current.dbEngine === 'mongodb' as unknown) {
    throw usageError('This install uses MongoDB, which harden-init does not support yet; nothing was changed.', 'Keep managing it with Appwrite\'s own installer for now.');
  }

  if (rerun && current.dbEngine !== undefined && given.dbEngine !== undefined && given.dbEngine !== current.dbEngine) {
    throw usageError(`--db-engine ${String(given.dbEngine)}: this install runs ${String(current.dbEngine)}, and nothing moves data between database engines.`,
      'Keep the engine (leave out --db-engine), or install into a new directory and migrate the data yourself.');
  }
  const choice = chooseRelease({
    given: given.release as string | undefined,
    installed: existing.state?.release ?? existing.state?.templateVersion ?? releaseFromCompose(existing.compose),
    existing: rerun, allowInsecure: req.allowInsecureRelease, newest: NEWEST_RELEASE, dirArg,
  });
  current.release = choice.release;
  if (given.release === undefined) given.release = choice.release;

  ui.intro(pc.inverse(` harden-init ${version} `) + ` Appwrite ${choice.release}${rerun ? ` (re-run on ${dir})` : ''}`);
  for (const w of choice.warnings) ui.warn(w);
  for (const n of [...choice.notes, ...currentNotes]) ui.info(n);
  for (const w of existing.warnings ?? []) ui.warn(w);
  await guardEncryptionKey(ui, { dir, existing, keyNames: ['_APP_OPENSSL_KEY_V1'], newKeyFlag: req.newEncryptionKey, interactive });

  // Docker before the first question: no answer is typed for a run that could not start anyway.
  // A dry run starts nothing either, but may still read the release from a reachable engine.
  const filesOnly = req.noStart || req.dryRun;
  const composeTool = filesOnly ? undefined : await checkDocker(ui);
  const dockerAvailable = composeTool !== undefined || (filesOnly && await dockerReachable());
  const files = await obtainRelease(choice.release, { dir, dockerAvailable, onLine: (l) => ui.raw(pc.dim(`│  ${l}`)) });
  ui.success(`Appwrite ${choice.release}: upstream's files from ${files.source}`);
  const template = templateFromUpstream(files, req.acceptUpstream);

  const answers = interactive ? await askAnswers(given, current) : resolveHeadless(given, current);
  checkConsistency(given, answers);
  Object.assign(answers, validatedFromInstall(given, current, answers)); // hand edits pass the same validators
  await guardDbPath(ui, answers, { dir, previous: current.dbPath as string | undefined, interactive, allowNonEmpty: req.allowDbPathNonEmpty });
  if (!interactive) {
    for (const q of QUESTIONS) {
      const w = q.when(answers) ? q.warn?.(answers[q.id]) : undefined;
      if (w) ui.warn(w);
    }
  }
  for (const w of answerWarnings(answers)) ui.warn(w);
  const dbPassword = await externalDbPassword(answers, existing, current, interactive);
  const smtpPassword = await smtpPasswordOf(answers, existing, interactive);

  const sensitive = sensitiveNames(template, existing.env?.lines.map((l) => l.key).filter((k): k is string => Boolean(k)));
  const extraFiles: PlannedFile[] = files.source.startsWith('image') && files.variablesPhp !== undefined
    ? cacheFiles(files, files.variablesPhp, { dir }).map((f) => ({ ...f, old: readIfPresent(join(dir, f.path)), secret: false }))
    : [];
  let policy: ComposePolicy = req.replaceCompose ? 'replace' : 'keep';
  const makeIt = () => {
    try {
      return makePlan(answers, existing, template, {
        dbPassword, smtpPassword, composePolicy: policy, previous: current as Partial<Answers>, accepted: req.acceptUpstream, extraFiles,
      });
    } catch (e) {
      if (e instanceof RenderError) throw stepError(`Appwrite ${answers.release}'s compose file cannot be rendered: ${e.message}`, `It came from ${files.source}.`);
      throw e;
    }
  };
  let plan = makeIt();
  refuseUnknowns(plan.findings);
  if (plan.composeEdited && interactive && !req.replaceCompose) {
    const proposed = plan.files.find((f) => f.path.endsWith('.proposed.yml'))!;
    const [diff] = fileDiffs({ ...plan, changes: [{ ...proposed, path: COMPOSE_FILE, old: existing.compose }] }, sensitive, req.showSecrets);
    ui.note(diff!.text, `${COMPOSE_FILE}: your file (-) vs harden-init's (+)`);
    policy = await chooseComposePolicy();
    plan = makeIt();
  }

  ui.note(summary(plan.answers, dir), rerun ? 'Settings' : 'Will install');
  for (const f of plan.accepted) ui.warn(`Accepted as upstream wrote it (--accept-upstream ${f.subject}): ${f.accepting}.`);
  if (plan.dbMove) await acceptDbMove(ui, req, interactive, plan.dbMove);
  for (const w of plan.warnings) ui.warn(w);
  for (const n of plan.notes) ui.info(n);
  if (plan.generatedSecrets.length) ui.info(`New secrets (crypto-random, in .env only): ${plan.generatedSecrets.join(', ')}`);
  if (rerun && plan.keptSecrets.length) ui.info(`Kept existing secrets: ${plan.keptSecrets.join(', ')}`);

  if (req.dryRun || (interactive && rerun)) {
    for (const d of fileDiffs(plan, sensitive, req.showSecrets)) ui.note(d.text || '(empty)', d.path);
  }
  const command = headlessCommand(plan.answers, dirArg, [
    ...(req.allowInsecureRelease ? ['--allow-insecure-release'] : []),
    ...req.acceptUpstream.map((n) => `--accept-upstream ${shellQuote(n)}`),
  ]);
  if (req.dryRun) {
    for (const l of looseModes(dir)) ui.warn(`Would fix permissions: ${l.path} is mode ${l.mode.toString(8)}, should be ${l.want.toString(8)}`);
    ui.outro(plan.changes.length ? `Dry run: ${plan.changes.length} file(s) would change; nothing was written.` : 'Dry run: nothing would change.');
    return finish(req, plan, dir, command, { written: [] });
  }
  if (plan.changes.length === 0) {
    ui.success('Nothing to change: the install already matches these settings.');
  } else if (interactive && !(await confirmWrite(`Write ${plan.changes.map((f) => f.path).join(', ')}?`))) {
    throw new CliError('Cancelled: nothing was written.', EXIT.cancelled);
  }
  for (const fixed of tightenModes(dir)) ui.warn(`Fixed permissions: ${fixed}`);
  if (composeTool) await checkPorts(ui, plan.answers);
  let result: { written: string[]; backupDir?: string } = { written: [] };
  if (plan.changes.length > 0) {
    try {
      result = applyPlan(dir, plan.changes, plan.answers.db === 'path' ? [{ path: plan.answers.dbPath!, mode: 0o700 }] : []);
    } catch (e) {
      throw stepError(`Writing the install failed: ${(e as Error).message}`, 'Files already replaced are complete; the backup directory holds the previous versions.');
    }
    const shown = result.written.filter((w) => !w.startsWith('.harden-init/upstream/'));
    ui.success(`Wrote ${shown.join(', ')} in ${dir}${result.backupDir ? ` (previous versions in ${result.backupDir})` : ''}`);
  }
  return finishWritten(req, ui, plan, template, dirArg, dir, command, result, composeTool);
}

/** Upstream asks for what the rules cannot harden: refuse, naming each finding and how to accept it. */
function refuseUnknowns(findings: Finding[]): void {
  if (findings.length === 0) return;
  const lines = findings.map((f) => `  - ${f.what}\n    accept with --accept-upstream ${f.subject}: ${f.accepting}`);
  throw usageError(`Upstream's files ask for what harden-init's rules do not know how to harden:\n${lines.join('\n')}`,
    'Review each one; accept it by name only if you trust it (nothing was written).');
}

function answerWarnings(a: Answers): string[] {
  const out: string[] = [];
  if (a.https === 'auto' && a.httpPort !== 80) out.push(`HTTP is on port ${a.httpPort}: Let's Encrypt's HTTP challenge needs port 80 reachable from the internet, so certificates will fail unless something forwards port 80 here.`);
  if (a.https === 'proxy' && a.console === 'ips' && lineOf(a.release) === '1.9') {
    out.push([
      'Appwrite 1.9 takes the client IP from the leftmost X-Forwarded-For entry of any request, so a client can pick its own IP unless your proxy overwrites the header (2.x has _APP_TRUSTED_PROXIES). Set it in your proxy:',
      '  nginx: proxy_set_header X-Forwarded-For $remote_addr;',
      '  Caddy: reverse_proxy 127.0.0.1:' + a.httpPort + ' { header_up X-Forwarded-For {remote_host} }',
    ].join('\n'));
  }
  return out;
}

async function finishWritten(req: Request, ui: Ui, plan: Plan, template: Template, dirArg: string, dir: string, command: string,
  result: { written: string[]; backupDir?: string }, composeTool: Compose | undefined): Promise<number> {
  const url = `${plan.answers.https === 'off' ? 'http' : 'https'}://${urlHost(plan.answers.domain)}/`;
  if (!composeTool) {
    ui.note(`cd ${shellQuote(dir)} && docker compose up -d\n(or docker-compose up -d with Compose v1)`, 'Start or update the stack');
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
      `Firewall: open ${gatewayPorts(plan.answers).map((p) => p.split(':').slice(-2, -1)[0]).join(', ')} (nothing else is published).`,
      `Check the running stack any time: npx harden-init verify --dir ${shellQuote(dirArg)}`,
    ].filter(Boolean).join('\n'), 'Next');
    ui.outro(`Appwrite ${plan.answers.release} is running: ${url}`);
  } else {
    ui.outro('The running stack differs from the files (see above).');
  }
  ui.raw(`Run this again without questions:\n  ${command}`);
  return finish(req, plan, dir, command, result, outcome, code);
}

/** A new DB location starts from whatever is there: only an explicit yes lets that happen. */
async function acceptDbMove(ui: Ui, req: Request, interactive: boolean, move: DbMove): Promise<void> {
  const what = `The database moves from ${move.from} to ${move.to}. harden-init does not copy data: Appwrite will use what is at the new place (an empty database if it is new) and the old data stays where it is. Migrate it first (a dump and restore); on an empty database the first sign-up becomes the console's root user.`;
  ui.warn(what);
  if (req.dryRun || req.allowDbMove) return;
  if (!interactive) throw usageError('The database location changes and its data would not follow (see above).', 'Migrate the data first, then re-run with --allow-db-move (also to start with an empty database on purpose).');
  if (!(await confirmWrite('Use the new database location anyway?', false))) throw new CliError('Cancelled: nothing was written.', EXIT.cancelled);
}

/** Docker client, daemon and Compose, checked before any question. */
async function checkDocker(ui: Ui): Promise<Compose> {
  const res = await preflight([], (c) => (c.ok ? ui.success(c.label) : ui.error(c.label)));
  const failed = res.checks.find((c) => !c.ok);
  if (failed || !res.compose) throw stepError(`Preflight failed: ${failed?.label ?? 'compose not found'}. Nothing was written.`, failed?.hint ?? 'Or run with --no-start to only write the files.');
  return res.compose;
}

/** The host ports the gateway will publish must be free (or held by this stack). */
async function checkPorts(ui: Ui, a: Answers): Promise<void> {
  const ports: PortWanted[] = gatewayPorts(a).map((spec) => {
    const parts = spec.split(':');
    return { port: Number(parts[parts.length - 2]), host: parts.length === 3 ? parts[0]! : '0.0.0.0' };
  });
  const res = await preflight(ports, (c) => { if (/^Port /.test(c.label)) (c.ok ? ui.success(c.label) : ui.error(c.label)); });
  const failed = res.checks.find((c) => !c.ok);
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

async function externalDbPassword(a: Answers, existing: Existing, current: Partial2, interactive: boolean): Promise<string | undefined> {
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

/** The SMTP password: never a flag (it would show in `ps`); kept from .env when not given again. */
async function smtpPasswordOf(a: Answers, existing: Existing, interactive: boolean): Promise<string | undefined> {
  if (!a.smtpHost) return undefined;
  const fromEnv = process.env[SMTP_PASSWORD_ENV];
  if (fromEnv !== undefined) {
    const err = passwordError(fromEnv);
    if (err) throw usageError(`${SMTP_PASSWORD_ENV}: ${err}`);
    return fromEnv;
  }
  if (existing.env && getEnv(existing.env, '_APP_SMTP_PASSWORD')) return undefined;
  if (interactive && a.smtpUser) return askDbPassword('SMTP password (not shown; stored only in .env)');
  return undefined;
}

function readIfPresent(path: string): string | undefined {
  try { return readFileSync(path, 'utf8'); } catch { return undefined; }
}
