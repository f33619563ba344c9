// `harden-init rollback`: puts back the install files of one backup byte for byte (the newest upgrade step's by
// default) and, with --with-db, loads the database dump taken before that step — the only way back across a
// migration that has no reverse (Appwrite's). The files it replaces are kept in a new backup first. The backup's
// layout is src/apply/step-backup.ts; the product is only needed for a step's backup (its name, its database).
import { constants, copyFileSync, createReadStream, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import pc from 'picocolors';
import type { RollbackRequest as Request } from './requests.js';
import { CliError, EXIT, stepError, usageError } from '../core/errors.js';
import { createUi, isInteractive, type Ui } from '../ui/ui.js';
import type { Io } from '../core/io.js';
import { shellQuote } from '../core/shell-quote.js';
import { confirmWrite } from '../ui/wizard.js';
import { parseEnv, toRecord } from '../engine/envfile.js';
import { BACKUP_DIR, STATE_FILE } from '../engine/state.js';
import { COMPOSE_FILE } from '../engine/plan.js';
import { acquireLock } from '../apply/lock.js';
import { installDir } from '../install/install-dir.js';
import { writeFileAtomic } from '../apply/atomic.js';
import { chmodNoFollow, kindOf, mkdirExact, readRegular } from '../core/safe-fs.js';
import {
  backupName,
  chooseBackup,
  listBackups,
  STEP_FILES,
  STEP_MANIFEST,
  type BackupChoice,
} from '../apply/step-backup.js';
import { compose, detectCompose, tail, type Compose } from '../docker/compose.js';
import { DEFAULT_TARGET, TARGETS } from '../targets/index.js';
import type { Target } from '../targets/types.js';
import { loadDump, waitDbReady } from './db-dump.js';
import { backupShape, backupSpec, formatBytes, type BackupShape } from './backup.js';

type Run = (args: string[], what: string) => Promise<void>;

const MODES: Record<string, number> = { '.env': 0o600, [STATE_FILE]: 0o600 };

/** Everything a rollback knows once its backup is chosen. */
interface Context {
  req: Request;
  version: string;
  ui: Ui;
  io: Io;
  dir: string;
  dirArg: string;
  backup: BackupChoice;
  /** The backup's file names, and the install paths they go back to (same order). */
  files: string[];
  paths: string[];
  /** Files the step created: removed. */
  remove: string[];
  /** The product the backup is of (its name in messages, its database for --with-db). */
  target: Target;
  /** Where the replaced files are kept. */
  keep?: string;
}

/** The product a backup is of: its copy of state.json names it (older ones name none: the default's). */
async function productOf(b: BackupChoice): Promise<Target> {
  let id: unknown;
  try {
    id = (JSON.parse(readRegular(join(b.abs, backupName(STATE_FILE))) ?? '{}') as { target?: unknown }).target;
  } catch {
    id = undefined;
  }
  return TARGETS[typeof id === 'string' && id && Object.hasOwn(TARGETS, id) ? id : DEFAULT_TARGET]!.load();
}

/** The backup (--backup, else the newest step's) and what it puts back; refusals change nothing. */
async function chooseStep(req: Request, version: string, ui: Ui, io: Io): Promise<Context> {
  const { dir, dirArg } = installDir(req.dir, `./${DEFAULT_TARGET}`, io);
  const all = listBackups(dir);
  if (all.length === 0) throw usageError(`No backups in ${join(dir, BACKUP_DIR)}: nothing to roll back to.`);
  const b = chooseBackup(all, req.backup);
  if (!b) throw usageError(`--backup ${req.backup}: no such backup. There are: ${all.map((x) => x.name).join(', ')}`);
  const files = readdirSync(b.abs).filter((n) => n !== STEP_MANIFEST && !/^db-.*\.sql$/.test(n));
  const paths = files.map((n) => STEP_FILES.find((f) => backupName(f) === n) ?? n.replace(/__/g, '/'));
  const m = b.manifest;
  const dumpName = m?.dump ? m.dump.split('/').pop()! : undefined;
  if (req.withDb && !dumpName)
    throw usageError(
      `--with-db: backup ${b.name} holds no database ` +
        `dump${m ? '' : " (it is not an upgrade step's backup)"}; nothing was changed.`,
    );
  const remove = (m?.absent ?? []).filter((f) => kindOf(join(dir, f)) === 'file');
  return { req, version, ui, io, dir, dirArg, backup: b, files, paths, remove, target: await productOf(b) };
}

/** What will be put back, said; the confirmation (--yes without a terminal). */
async function showAndConfirm(c: Context): Promise<void> {
  const { ui, dir, req, backup: b, paths, remove, target } = c;
  const m = b.manifest;
  ui.intro(`${pc.inverse(` harden-init ${c.version} `)} rollback ${dir}`);
  const lines = [
    `backup: ${relative(dir, b.abs)}/${m ? ` (taken before the upgrade step ${m.from} → ${m.to}, ${m.when})` : ''}`,
    `files put back byte for byte: ${paths.join(', ')}`,
    ...(remove.length ? [`files the step created, removed: ${remove.join(', ')}`] : []),
    req.withDb
      ? `database: the dump ${m!.dump} ` +
        `(${m!.dumpBytes !== undefined ? formatBytes(m!.dumpBytes) : 'size unknown'}) replaces the current database`
      : 'database: left as it is',
  ];
  ui.step('Rollback');
  for (const l of lines) ui.raw(`│  ${l}`); // not wrapped: paths stay whole
  if (m && !req.withDb) {
    ui.warn(
      `The database stays as it is: if ${target.title} ${m.to}'s migration ran, ${target.title} ${m.from} may not ` +
        `run on it. Add --with-db to load the dump taken before the step.`,
    );
  }
  const interactive = isInteractive(req, c.io);
  if (!interactive && !req.yes)
    throw usageError("rollback replaces the install's files: confirm with --yes (no terminal to ask in).");
  if (interactive && !(await confirmWrite(ui, 'Roll back?', false)))
    throw new CliError('Cancelled: nothing was changed.', EXIT.cancelled);
}

async function lock(c: Pick<Context, 'dir' | 'ui'>): Promise<void> {
  await acquireLock(c.dir, { warn: (w) => c.ui.warn(w) });
}

/** The files put back (atomically); what is replaced now is kept too, so a rollback is itself undoable. */
function restoreFiles(c: Context): void {
  const { dir, backup: b, files, paths, remove } = c;
  const keep = join(dir, BACKUP_DIR, `${b.name}-before-rollback-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  mkdirExact(keep, 0o700);
  for (const f of [...new Set([...paths, ...remove])]) {
    if (kindOf(join(dir, f)) !== 'file') continue;
    const dst = join(keep, backupName(f));
    copyFileSync(join(dir, f), dst, constants.COPYFILE_EXCL);
    chmodNoFollow(dst, 0o600);
  }
  for (const [i, f] of paths.entries()) {
    const content = readFileSync(join(b.abs, files[i]!));
    if (f.includes('/')) mkdirExact(join(dir, f, '..'), 0o700);
    writeFileAtomic(join(dir, f), content, MODES[f] ?? 0o644);
  }
  for (const f of remove) rmSync(join(dir, f), { force: true });
  c.ui.success(`Files restored from ${relative(dir, b.abs)}/ (the replaced ones are in ${relative(dir, keep)}/)`);
}

/** --with-db: the stack stopped, the database container started alone, the step's dump loaded into it. */
async function loadStepDump(
  c: Context,
  composeTool: Compose,
  dropEnv: string[],
  db: BackupShape['db'],
  run: Run,
): Promise<void> {
  const { ui, dir, req } = c;
  const m = c.backup.manifest!;
  if (!db)
    throw stepError(
      'The restored compose file has no bundled database service: load the dump into your server yourself.',
      `The dump: ${m.dump}`,
    );
  ui.step(`Loading ${m.dump} into ${db.service}`);
  await run(['stop'], 'docker compose stop');
  await run(['up', '-d', '--remove-orphans', db.service], `docker compose up -d ${db.service}`);
  await waitDbReady(composeTool, dir, dropEnv, db, req.timeout * 1000);
  await loadDump(composeTool, dir, dropEnv, db, createReadStream(join(dir, m.dump!)));
  ui.success(`Database restored from ${m.dump}`);
}

/** The stack started from the restored files (after the dump, with --with-db); --no-start ends before. */
async function startRestored(c: Context): Promise<number> {
  const { ui, dir, dirArg, req, backup: b } = c;
  const m = b.manifest;
  if (req.noStart) {
    ui.outro(
      req.withDb
        ? 'Files restored; --no-start: load the dump yourself before starting.'
        : 'Files restored. Start the stack: docker compose up -d',
    );
    return EXIT.ok;
  }
  const composeTool = await detectCompose();
  if (!composeTool) throw stepError('Docker Compose not found: the files are restored; start the stack yourself.');
  const dropEnv = Object.keys(toRecord(parseEnv(readFileSync(join(dir, '.env'), 'utf8'))));
  // The restored compose file, read as the product's backup reads it (its bundled database).
  const shape = backupShape(backupSpec(c.target), readFileSync(join(dir, COMPOSE_FILE), 'utf8'));
  const run: Run = async (args, what) => {
    const r = await compose(composeTool, args, { cwd: dir, dropEnv });
    if (r.exitCode !== 0)
      throw stepError(
        `${what} failed:\n${tail(String(r.all ?? ''))}`,
        `The files are restored; fix the cause and run: cd ${shellQuote(dirArg)} && docker compose up -d`,
      );
  };
  if (req.withDb) await loadStepDump(c, composeTool, dropEnv, shape.db, run);
  await run(['up', '-d', '--remove-orphans'], 'docker compose up -d');
  ui.success('Stack started with the restored files.');
  ui.outro(
    `Rolled back${m ? ` to ${c.target.title} ${m.from}` : ''}. Check it: npx ` +
      `harden-init verify --dir ${shellQuote(dirArg)}`,
  );
  if (req.json)
    ui.result(
      JSON.stringify({ ok: true, dir, backup: b.name, restored: c.paths, removed: c.remove, database: req.withDb }),
    );
  return EXIT.ok;
}

export async function rollbackCommand(req: Request, VERSION: string, io: Io): Promise<number> {
  const c = await chooseStep(req, VERSION, createUi(req.json, io), io);
  const steps = [showAndConfirm, lock, restoreFiles];
  for (const step of steps) await step(c);
  return startRestored(c);
}
