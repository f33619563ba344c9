// One upgrade step, in order: what it changes said; the install's files and a database dump into
// .harden-init/backups/<time>/ (a failed dump stops before anything changed); the files of a re-run at the new
// release written, with the history entry; then start, health, migrate, verify (finish.ts).
import {
  closeSync,
  constants,
  copyFileSync,
  fsyncSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import { stepError } from '../../../core/errors.js';
import { shellQuote } from '../../../core/shell-quote.js';
import { readExisting, type Existing } from '../../../engine/existing.js';
import { toRecord } from '../../../engine/envfile.js';
import { BACKUP_DIR, serializeState, STATE_FILE, type HistoryEntry, type State } from '../../../engine/state.js';
import { WRITTEN_COMPOSE_FILE as WRITTEN_COMPOSE } from '../../../engine/plan.js';
import type { Conflict, MergeResult } from '../../../engine/compose-merge.js';
import { applyPlan } from '../../../apply/apply.js';
import { chmodNoFollow, kindOf, mkdirExact, readRegular } from '../../../core/safe-fs.js';
import { backupName, STEP_FILES, STEP_MANIFEST, type StepManifest } from '../../../apply/step-backup.js';
import { compose, docker, tail, type Compose } from '../../../docker/compose.js';
import type { UpgradeDb, UpgradeStep } from '../../types.js';
import { describeChanges } from './path.js';
import { prepareStep, type PreparedStep, type Run } from './prepare-step.js';
import { finishStep } from './finish.js';

type Db = UpgradeDb;

/** A step under way: prepared, its backup directory made, its history entry. */
interface Stepping {
  r: Run;
  s: UpgradeStep;
  existing: Existing;
  prepared: PreparedStep;
  now: Date;
  backup: { abs: string; name: string };
  entry: HistoryEntry;
  dropEnv: string[];
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
  return id
    ? String((await docker(['inspect', '--format', '{{.State.Running}}', id])).stdout).trim() === 'true'
    : false;
}

/** Streams the dump into a new 0600 file; returns its size. A failure removes the partial file. */
async function dumpToFile(r: Run, c: Compose, dropEnv: string[], db: Db, path: string): Promise<number> {
  const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  let size = 0;
  let ok = false;
  let shown = 0;
  try {
    for await (const chunk of r.deps.dumpStream(c, r.dir, dropEnv, db)) {
      const b = Buffer.from(chunk);
      let off = 0;
      while (off < b.length) off += writeSync(fd, b, off, b.length - off);
      size += b.length;
      if (size - shown > 64 * 1024 * 1024) {
        shown = size;
        r.ui.info(`database dump: ${r.deps.formatBytes(size)} so far…`);
      }
    }
    fsyncSync(fd);
    ok = true;
  } finally {
    closeSync(fd);
    if (!ok) rmSync(path, { force: true });
  }
  return size;
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

/** What the step changes, said before it starts. */
function tell(r: Run, s: UpgradeStep, prepared: PreparedStep): void {
  const { ui } = r;
  for (const l of describeChanges(prepared.changes)) ui.info(l);
  for (const l of prepared.handEdits?.lines.carried ?? []) ui.info(l);
  for (const l of prepared.handEdits?.lines.notCarried ?? []) ui.warn(l);
  for (const x of prepared.carried.renamed) ui.info(`Carried: ${x}`);
  if (prepared.carried.dropped.length)
    ui.info(`Removed from .env (Appwrite ${s.to} no longer reads them): ${prepared.carried.dropped.join(', ')}`);
  if (prepared.plan.generatedSecrets.length)
    ui.info(`New secrets (crypto-random, in .env only): ${prepared.plan.generatedSecrets.join(', ')}`);
  if (prepared.plan.keptSecrets.length) ui.info(`Kept existing secrets: ${prepared.plan.keptSecrets.join(', ')}`);
  for (const w of prepared.plan.warnings) ui.warn(w);
}

/** 1. The install's files copied into the step's backup directory; the history entry the step will record. */
function backupFiles(
  r: Run,
  s: UpgradeStep,
  existing: Existing,
  prepared: PreparedStep,
): Stepping & { files: string[]; absent: string[] } {
  const { dir } = r;
  const now = new Date();
  const b = newBackupDir(dir, now);
  const files: string[] = [];
  const absent: string[] = [];
  for (const f of STEP_FILES) {
    const src = join(dir, f);
    if (kindOf(src) !== 'file') {
      absent.push(f);
      continue;
    }
    const dst = join(b.abs, backupName(f));
    copyFileSync(src, dst, constants.COPYFILE_EXCL);
    chmodNoFollow(dst, 0o600);
    files.push(f);
  }
  r.ui.success(`Files backed up: ${relative(dir, b.abs)}/ (${files.join(', ')})`);
  const entry: HistoryEntry = {
    from: s.from,
    to: s.to,
    when: now.toISOString(),
    backup: relative(dir, b.abs),
    fromImageId: existing.state?.imageId,
    toImageId: prepared.template.imageId,
    result: 'files-written',
  };
  return {
    r,
    s,
    existing,
    prepared,
    now,
    backup: b,
    entry,
    dropEnv: Object.keys(toRecord(existing.env!)),
    files,
    absent,
  };
}

/** 2. The database dump beside the files (started alone when it is not running); a failure removes the backup. */
async function dumpDatabase(c: Stepping, db: Db): Promise<number> {
  const { r, s, backup: b, entry, dropEnv } = c;
  const composeTool = r.composeTool!;
  const dumpPath = join(b.abs, `db-${db.engine}.sql`);
  let dumpBytes: number;
  try {
    if (!(await dbRunning(composeTool, r.dir, dropEnv, db.service))) {
      r.ui.info(`The ${db.service} container is not running: starting it alone for the dump.`);
      const up = await compose(composeTool, ['up', '-d', db.service], { cwd: r.dir, dropEnv });
      if (up.exitCode !== 0)
        throw new Error(`starting ${db.service} for the dump failed:\n${tail(String(up.all ?? ''))}`);
      await r.deps.waitDbReady(composeTool, r.dir, dropEnv, db, r.flags.timeout * 1000);
    }
    dumpBytes = await dumpToFile(r, composeTool, dropEnv, db, dumpPath);
  } catch (e) {
    // Nothing of this step stays: its backup holds only copies, and an upgrade without a dump never starts.
    rmSync(b.abs, { recursive: true, force: true });
    throw stepError(
      `The database dump failed, so the upgrade stops before changing anything: the install is at ${s.from}, no ` +
        `file was written.\n${(e as Error).message}`,
      `Fix the ${db.service} container (the message above says why the dump failed), then run the upgrade again.`,
    );
  }
  entry.dump = relative(r.dir, dumpPath);
  r.ui.success(`Database dump: ${entry.dump} (${r.deps.formatBytes(dumpBytes)}, mode 0600)`);
  return dumpBytes;
}

/** 1 and 2: the files, then the dump (or why there is none), and the step's manifest. */
async function backupStep(r: Run, s: UpgradeStep, existing: Existing, prepared: PreparedStep): Promise<Stepping> {
  const { files, absent, ...c } = backupFiles(r, s, existing, prepared);
  const db = r.deps.database(existing.compose!);
  let dumpBytes: number | undefined;
  if (r.composeTool && db) dumpBytes = await dumpDatabase(c, db);
  else if (!db)
    r.ui.warn(
      'The database is external: it is NOT dumped. Back up your database server now with its ' +
        'own tools; there is no reverse migration.',
    );
  else
    r.ui.warn(
      'No Docker: no database dump taken (the stack is not touched by --no-start). ' +
        'Take one before you start the new release.',
    );
  const manifest: StepManifest = { ...c.entry, files, absent, dumpBytes, engine: db?.engine };
  writeFileSync(join(c.backup.abs, STEP_MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`, {
    mode: 0o600,
    flag: 'wx',
  });
  return c;
}

/** 3. The files: the plan of a re-run at the new release, with the history entry in state.json. */
function writeFiles(c: Stepping): void {
  const { r, s, existing, prepared, entry, backup: b } = c;
  const changes = prepared.plan.changes.map((f) => {
    if (f.path !== STATE_FILE) return f;
    const st = JSON.parse(f.content) as State;
    st.history = [...(existing.state?.history ?? []), entry];
    return { ...f, content: serializeState(st) };
  });
  const dbDir = prepared.answers.db === 'path' ? [{ path: String(prepared.answers.dbPath), mode: 0o700 }] : [];
  const dirs = [...dbDir, ...(r.target.render.hostDirs?.(prepared.answers) ?? [])];
  try {
    applyPlan(r.dir, changes, dirs, c.now);
  } catch (e) {
    throw stepError(
      `Writing Appwrite ${s.to}'s files failed: ${(e as Error).message}`,
      `Each file is whole (old or new). Put the old ones back with: npx harden-init rollback --dir ` +
        `${shellQuote(r.dirArg)} --backup ${b.name}`,
    );
  } finally {
    dropDuplicateBackup(r.dir, b);
  }
  const written = changes.filter((f) => !f.path.startsWith('.harden-init/upstream/')).map((f) => f.path);
  r.ui.success(`Wrote Appwrite ${s.to}'s files: ${written.join(', ')}`);
}

/** One step; `merge` (its hand-edit merge) carries the run's not-carried edits on to the next step. */
export async function runStep(
  r: Run,
  s: UpgradeStep,
  pending: Conflict[],
): Promise<{ entry: HistoryEntry; merge?: MergeResult }> {
  const existing = readExisting(r.dir);
  const current = r.deps.existingAnswers(existing);
  // Refusals happen here, before anything changes.
  const prepared = await prepareStep(r, s, {
    existing,
    current,
    storedBase: readRegular(join(r.dir, WRITTEN_COMPOSE)),
    pending,
  });
  const merge = prepared.handEdits?.result;
  tell(r, s, prepared);
  const c = await backupStep(r, s, existing, prepared);
  writeFiles(c);
  if (!r.composeTool) {
    const start = `cd ${shellQuote(r.dirArg)} && docker compose up -d\nthen: docker compose exec appwrite migrate`;
    r.ui.note(`${start}\nthen: npx harden-init verify --dir ${shellQuote(r.dirArg)}`, 'Start the new release');
    return { entry: c.entry, merge };
  }
  return { entry: await finishStep(r, r.composeTool, s, c.entry, prepared.answers, prepared.template), merge };
}
