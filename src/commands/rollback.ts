// `harden-init rollback`: puts back the install files of one backup byte for byte (the newest upgrade step's by
// default) and, with --with-db, loads the database dump taken before that step — the only way back across
// Appwrite's migration, which has no reverse. The files it replaces are kept in a new backup first.
import { constants, copyFileSync, createReadStream, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import pc from 'picocolors';
import type { RollbackRequest as Request } from './requests.js';
import { CliError, EXIT, stepError, usageError } from '../core/errors.js';
import { createUi, isInteractive } from '../ui/ui.js';
import { type Io, resolveIn } from '../core/io.js';
import { shellQuote } from '../core/shell-quote.js';
import { confirmWrite } from '../ui/wizard.js';
import { parseEnv, toRecord } from '../engine/envfile.js';
import { BACKUP_DIR, STATE_FILE } from '../engine/state.js';
import { COMPOSE_FILE } from '../engine/plan.js';
import { acquireLock } from '../apply/lock.js';
import { guardInstallDir } from '../apply/install-dir.js';
import { writeFileAtomic } from '../apply/atomic.js';
import { chmodNoFollow, kindOf, mkdirExact, readRegular } from '../apply/safe-fs.js';
import { compose, detectCompose, tail } from '../docker/compose.js';
import { loadDump, waitDbReady } from './db-dump.js';
import { backupShape, backupTarget, formatBytes } from './backup.js';
import { STEP_FILES, STEP_MANIFEST, backupName, type StepManifest } from './upgrade.js';

const MODES: Record<string, number> = { '.env': 0o600, [STATE_FILE]: 0o600 };

export interface BackupChoice { name: string; abs: string; manifest?: StepManifest }

/** The backups of an install, oldest first (names are ISO times, so they sort by time). */
export function listBackups(dir: string): BackupChoice[] {
  const root = join(dir, BACKUP_DIR);
  if (kindOf(root) !== 'dir') return [];
  return readdirSync(root).filter((n) => kindOf(join(root, n)) === 'dir').sort().map((name) => {
    const abs = join(root, name);
    const m = readRegular(join(abs, STEP_MANIFEST));
    let manifest: StepManifest | undefined;
    try { manifest = m ? JSON.parse(m) as StepManifest : undefined; } catch { manifest = undefined; }
    return { name, abs, manifest };
  });
}

/** --backup NAME, else the newest upgrade step's backup, else the newest backup. */
export function chooseBackup(all: BackupChoice[], wanted?: string): BackupChoice | undefined {
  if (wanted !== undefined) return all.find((b) => b.name === wanted);
  return [...all].reverse().find((b) => b.manifest) ?? all[all.length - 1];
}

export async function rollbackCommand(req: Request, VERSION: string, io: Io): Promise<number> {
  const ui = createUi(req.json, io);
  if (req.dir === '') throw usageError('--dir: must not be empty (default ./appwrite).');
  const dirArg = req.dir ?? './appwrite';
  const dir = resolveIn(io, dirArg);
  guardInstallDir(dir);
  const all = listBackups(dir);
  if (all.length === 0) throw usageError(`No backups in ${join(dir, BACKUP_DIR)}: nothing to roll back to.`);
  const b = chooseBackup(all, req.backup);
  if (!b) throw usageError(`--backup ${req.backup}: no such backup. There are: ${all.map((x) => x.name).join(', ')}`);
  const files = readdirSync(b.abs).filter((n) => n !== STEP_MANIFEST && !/^db-.*\.sql$/.test(n));
  const paths = files.map((n) => STEP_FILES.find((f) => backupName(f) === n) ?? n.replace(/__/g, '/'));
  const m = b.manifest;
  const dumpName = m?.dump ? m.dump.split('/').pop()! : undefined;
  if (req.withDb && !dumpName) throw usageError(`--with-db: backup ${b.name} holds no database dump${m ? '' : ' (it is not an upgrade step\'s backup)'}; nothing was changed.`);
  const remove = (m?.absent ?? []).filter((f) => kindOf(join(dir, f)) === 'file');

  ui.intro(`${pc.inverse(` harden-init ${VERSION} `)} rollback ${dir}`);
  const lines = [
    `backup: ${relative(dir, b.abs)}/${m ? ` (taken before the upgrade step ${m.from} → ${m.to}, ${m.when})` : ''}`,
    `files put back byte for byte: ${paths.join(', ')}`,
    ...(remove.length ? [`files the step created, removed: ${remove.join(', ')}`] : []),
    req.withDb ? `database: the dump ${m!.dump} (${m!.dumpBytes !== undefined ? formatBytes(m!.dumpBytes) : 'size unknown'}) replaces the current database` : 'database: left as it is',
  ];
  ui.step('Rollback');
  for (const l of lines) ui.raw(`│  ${l}`); // not wrapped: paths stay whole
  if (m && !req.withDb) ui.warn(`The database stays as it is: if Appwrite ${m.to}'s migration ran, Appwrite ${m.from} may not run on it. Add --with-db to load the dump taken before the step.`);
  const interactive = isInteractive(req, io);
  if (!interactive && !req.yes) throw usageError('rollback replaces the install\'s files: confirm with --yes (no terminal to ask in).');
  if (interactive && !(await confirmWrite(ui, 'Roll back?', false))) throw new CliError('Cancelled: nothing was changed.', EXIT.cancelled);

  await acquireLock(dir, { warn: (w) => ui.warn(w) });
  // What is replaced now is kept too (so a rollback is itself undoable).
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
  ui.success(`Files restored from ${relative(dir, b.abs)}/ (the replaced ones are in ${relative(dir, keep)}/)`);

  if (req.noStart) {
    ui.outro(req.withDb ? 'Files restored; --no-start: load the dump yourself before starting.' : 'Files restored. Start the stack: docker compose up -d');
    return EXIT.ok;
  }
  const c = await detectCompose();
  if (!c) throw stepError('Docker Compose not found: the files are restored; start the stack yourself.');
  const envText = readFileSync(join(dir, '.env'), 'utf8');
  const dropEnv = Object.keys(toRecord(parseEnv(envText)));
  // Upgrade steps (whose dumps --with-db loads) are Appwrite's: the restored file is read as Appwrite's backup reads it.
  const shape = backupShape((await backupTarget('appwrite')).spec, readFileSync(join(dir, COMPOSE_FILE), 'utf8'));
  const run = async (args: string[], what: string) => {
    const r = await compose(c, args, { cwd: dir, dropEnv });
    if (r.exitCode !== 0) throw stepError(`${what} failed:\n${tail(String(r.all ?? ''))}`, `The files are restored; fix the cause and run: cd ${shellQuote(dirArg)} && docker compose up -d`);
  };
  if (req.withDb) {
    if (!shape.db) throw stepError('The restored compose file has no bundled database service: load the dump into your server yourself.', `The dump: ${m!.dump}`);
    const db = shape.db;
    ui.step(`Loading ${m!.dump} into ${db.service}`);
    await run(['stop'], 'docker compose stop');
    await run(['up', '-d', '--remove-orphans', db.service], `docker compose up -d ${db.service}`);
    await waitDbReady(c, dir, dropEnv, db, req.timeout * 1000);
    const path = join(dir, m!.dump!);
    await loadDump(c, dir, dropEnv, db, createReadStream(path));
    ui.success(`Database restored from ${m!.dump}`);
  }
  await run(['up', '-d', '--remove-orphans'], 'docker compose up -d');
  ui.success('Stack started with the restored files.');
  ui.outro(`Rolled back${m ? ` to Appwrite ${m.from}` : ''}. Check it: npx harden-init verify --dir ${shellQuote(dirArg)}`);
  if (req.json) ui.result(JSON.stringify({ ok: true, dir, backup: b.name, restored: paths, removed: remove, database: req.withDb }));
  return EXIT.ok;
}
