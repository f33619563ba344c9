// The wizard up to its answers. The first question must appear at once (within 1.2× of bare node printing a line),
// so this part loads only what it uses: no rendering, YAML or Docker code; what it starts in the background (the
// release's files, whether Docker answers) begins once the question is on the screen. The rest is in answered.ts,
// imported after the answers.
import pc from 'picocolors';
import type { SetupRequest as Request } from '../requests.js';
import { stepError } from '../../core/errors.js';
import { createUi, isInteractive, type Ui } from '../../ui/ui.js';
import type { Io } from '../../core/io.js';
import { existingAnswers, parseGiven, resolveHeadless } from '../../install/resolve.js';
import { askAnswers } from '../../ui/wizard.js';
import { dbPathGuard, guardEncryptionKey } from '../../install/safety.js';
import { isExistingInstall, readExisting } from '../../engine/existing.js';
import { acquireLock } from '../../apply/lock.js';
import { installDir } from '../../install/install-dir.js';
import { startRead, type ReleaseRead } from '../../install/release-read.js';
import { TARGETS } from '../../targets/index.js';
import type { BaseAnswers } from '../../targets/types.js';
import type { Compose } from '../../docker/compose.js';
import { dbMoveGuard } from './db-move.js';
import type { SetupContext } from './context.js';

/** Everything before the first question, then the answers (asked, or from flags and the install with --yes). */
export async function beforeAnswers(
  req: Request,
  version: string,
  io: Io,
  reads: ReleaseRead[],
): Promise<{ ctx: SetupContext; answers: BaseAnswers }> {
  // The target's early part loads while the flags and the directory are checked (its module has no side effects).
  const entry = TARGETS[req.target]!;
  const loading = (entry.early ?? entry.load)();
  loading.catch(() => {}); // a usage error below ends the run first: the load is then not awaited
  const located = locate(req, version, io);
  const early = await loading;
  const install = await readInstall({ ...located, early });
  const read = await startRelease({ ...located, ...install, early });
  reads.push(read);
  const ctx: SetupContext = {
    ...located,
    ...install,
    early,
    read,
    composeTool: undefined,
    movesAccepted: [],
    pathsAccepted: [],
  };
  intro(ctx);
  ctx.composeTool = ctx.filesOnly ? undefined : await preflight(ctx.ui);
  await beforeQuestions(ctx);
  return { ctx, answers: await ask(ctx) };
}

/** The flags and the install directory, checked before anything is loaded or read. */
function locate(req: Request, version: string, io: Io) {
  const entry = TARGETS[req.target]!;
  const ui = createUi(req.json, io);
  const interactive = isInteractive(req, io);
  const { dir, dirArg } = installDir(req.dir, `./${req.target}`, io);
  const given = parseGiven(entry.questions, req.given, entry.title);
  return { req, version, io, entry, ui, interactive, dir, dirArg, given, filesOnly: req.noStart || req.dryRun };
}

/** One writer per install (the lock, released by main), and what the install there stands for. */
async function readInstall(c: Pick<SetupContext, 'req' | 'dir' | 'early' | 'given'>) {
  const lockWarnings: string[] = []; // said after the title: nothing is printed before it
  if (!c.req.dryRun) await acquireLock(c.dir, { warn: (m) => lockWarnings.push(m) });
  const existing = readExisting(c.dir);
  const rerun = isExistingInstall(existing);
  const { answers: current, notes: currentNotes } = existingAnswers(c.early, existing);
  c.early.checkExisting?.(current as Partial<BaseAnswers>, c.given as Partial<BaseAnswers>, rerun);
  return { lockWarnings, existing, rerun, current, currentNotes };
}

/**
 * The release comes from the release table; its files (an image pull on a fresh server) are read in the background
 * while the questions are asked (release-read.ts). A dry run starts nothing, but may still read the release from a
 * reachable engine. A full run's read starts at once: a missing Docker stops the run at the preflight, and the read.
 */
async function startRelease(
  c: Pick<
    SetupContext,
    | 'req'
    | 'io'
    | 'entry'
    | 'early'
    | 'ui'
    | 'interactive'
    | 'dir'
    | 'dirArg'
    | 'given'
    | 'existing'
    | 'rerun'
    | 'current'
    | 'filesOnly'
  >,
): Promise<ReleaseRead> {
  const { req, existing } = c;
  const read = await startRead(
    { ...c.early, title: c.entry.title },
    {
      dir: c.dir,
      dirArg: c.dirArg,
      given: c.given as Partial<BaseAnswers>,
      existing: { state: existing.state, compose: existing.compose, present: c.rerun },
      allowInsecureRelease: req.allowInsecureRelease,
      acceptUpstream: req.acceptUpstream,
      dockerAvailable: c.filesOnly
        ? onceOnScreen(async () => (await import('../../docker/compose.js')).dockerReachable(c.io.env))
        : true,
      env: c.io.env,
    },
    { ui: c.ui, live: c.interactive },
  );
  c.current.release = read.release;
  if (c.given.release === undefined) c.given.release = read.release;
  return read;
}

/**
 * Runs `work` once what is being drawn now (the first question) is on the screen: the steps up to it never wait for
 * real I/O, so the next turn of the event loop comes after it. Loading execa and spawning docker then cost the
 * question nothing.
 */
function onceOnScreen<T>(work: () => Promise<T>): Promise<T> {
  return new Promise<T>((done, fail) => setImmediate(() => work().then(done, fail)));
}

function intro(c: Pick<SetupContext, 'ui' | 'version' | 'entry' | 'read' | 'rerun' | 'dir' | 'lockWarnings'>): void {
  c.ui.intro(
    pc.inverse(` harden-init ${c.version} `) +
      ` ${c.entry.title} ${c.read.release}${c.rerun ? ` (re-run on ${c.dir})` : ''}`,
  );
  for (const w of c.lockWarnings) c.ui.warn(w);
}

/** Docker client, daemon and Compose, before the first question: no answer is typed for a run that could not start. */
async function preflight(ui: Ui): Promise<Compose> {
  const { preflight: check } = await import('../../docker/preflight.js');
  // The failing check is reported once, by the error below (not also as a ✘ line).
  const res = await check((c) => {
    if (c.ok) ui.success(c.label);
  });
  const failed = res.checks.find((c) => !c.ok);
  if (failed || !res.compose)
    throw stepError(
      `Preflight failed: ${failed?.label ?? 'compose not found'}. Nothing was asked or written.`,
      failed?.hint ?? 'Or run with --no-start to only write the files.',
    );
  return res.compose;
}

/** What the release and the install said, and the encryption key guard (on the keys known without the files). */
async function beforeQuestions(
  c: Pick<SetupContext, 'ui' | 'read' | 'currentNotes' | 'existing' | 'dir' | 'req' | 'interactive'>,
): Promise<void> {
  const { ui, read } = c;
  for (const w of read.warnings) ui.warn(w);
  for (const n of [...read.notes, ...c.currentNotes]) ui.info(n);
  for (const w of c.existing.warnings ?? []) ui.warn(w);
  await guardEncryptionKey(ui, {
    dir: c.dir,
    existing: c.existing,
    keyNames: read.encryptionKeys,
    newKeyFlag: c.req.newEncryptionKey,
    interactive: c.interactive,
  });
}

async function ask(
  c: Pick<
    SetupContext,
    'ui' | 'entry' | 'early' | 'dir' | 'given' | 'current' | 'rerun' | 'interactive' | 'movesAccepted' | 'pathsAccepted'
  >,
): Promise<BaseAnswers> {
  const { questions } = c.entry;
  if (!c.interactive) return resolveHeadless(questions, c.given, c.current) as BaseAnswers;
  const guards = [
    dbMoveGuard(c.early, questions, c.current, (to) => c.movesAccepted.push(to)),
    dbPathGuard(c.dir, c.current.dbPath, (p) => c.pathsAccepted.push(p)),
  ];
  return (await askAnswers(questions, c.given, c.current, { ui: c.ui, rerun: c.rerun, guards })) as BaseAnswers;
}
