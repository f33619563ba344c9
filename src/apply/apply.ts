// The only stage that writes: backs up each file it is about to change, then replaces it atomically.
// Order: backups; the journal (.harden-init/pending.json) when state.json changes; .env; the compose
// files; state.json LAST; then the journal is removed. A crash at any point leaves each file whole (old
// or new) and the next run converges (see adoptPending in engine/state.ts).
import { chownSync, constants, copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic.js';
import { assertRegularOrMissing, chmodNoFollow, kindOf, mkdirExact } from '../core/safe-fs.js';
import {
  BACKUP_DIR,
  PENDING_FILE,
  serializePending,
  sha256,
  STATE_DIR,
  STATE_FILE,
  type Pending,
} from '../engine/state.js';
import type { PlannedFile } from '../engine/plan.js';

export interface ApplyResult {
  written: string[];
  backupDir?: string;
}

/**
 * Test seam: HARDEN_INIT_TEST_KILL_AFTER=<path> kills this process (SIGKILL) right after that file is in place.
 * Read from the process's own environment, not the run's: it is about this process (only the bin runs are killed).
 */
export const KILL_AFTER_ENV = 'HARDEN_INIT_TEST_KILL_AFTER';

function killPoint(path: string): void {
  if (process.env[KILL_AFTER_ENV] === path) process.kill(process.pid, 'SIGKILL');
}

const ORDER = (path: string) => (path === '.env' ? 0 : path === STATE_FILE ? 2 : 1);

export function applyPlan(
  dir: string,
  changes: PlannedFile[],
  extraDirs: { path: string; mode: number; uid?: number; gid?: number }[] = [],
  now = new Date(),
): ApplyResult {
  mkdirExact(dir, 0o700, { allowLinkedDir: true });
  for (const f of changes) assertRegularOrMissing(join(dir, f.path));
  const toBackUp = changes.filter((f) => f.old !== undefined && kindOf(join(dir, f.path)) === 'file');
  let backupDir: string | undefined;
  if (toBackUp.length > 0) {
    backupDir = uniqueBackupDir(dir, now);
    for (const f of toBackUp) {
      const target = join(backupDir, f.path.replace(/\//g, '__'));
      // EXCL: the backup directory is new, so anything already at the name was planted; never write through it.
      copyFileSync(join(dir, f.path), target, constants.COPYFILE_EXCL);
      chmodNoFollow(target, 0o600); // backups are owner-only
    }
  }
  for (const d of extraDirs) {
    mkdirExact(d.path, d.mode, { allowLinkedDir: true });
    // A container user other than root must own its data directory (e.g. Langflow's 1000:0); only root can give it.
    if (d.uid !== undefined && d.gid !== undefined && process.getuid?.() === 0) chownSync(d.path, d.uid, d.gid);
  }

  const ordered = [...changes].sort((a, b) => ORDER(a.path) - ORDER(b.path));
  const stateChange = ordered.find((f) => f.path === STATE_FILE);
  const journal = stateChange && ordered.length > 1;
  if (journal) {
    mkdirExact(join(dir, STATE_DIR), 0o700);
    const pending: Pending = {
      schema: 1,
      state: JSON.parse(stateChange.content),
      after: Object.fromEntries(ordered.filter((f) => f !== stateChange).map((f) => [f.path, sha256(f.content)])),
      before: Object.fromEntries(
        ordered.filter((f) => f !== stateChange).map((f) => [f.path, f.old === undefined ? null : sha256(f.old)]),
      ),
    };
    writeFileAtomic(join(dir, PENDING_FILE), serializePending(pending), 0o600);
  }
  const written: string[] = [];
  try {
    for (const f of ordered) {
      if (f.path.includes('/')) mkdirExact(join(dir, f.path, '..'), 0o700);
      writeFileAtomic(join(dir, f.path), f.content, f.mode);
      written.push(f.path);
      killPoint(f.path);
    }
  } finally {
    // A failure before the first write: our journal describes nothing that happened.
    if (journal && written.length === 0) rmSync(join(dir, PENDING_FILE), { force: true });
  }
  // state.json, written last, now describes every file: any journal (ours, or an adopted one) is done.
  if (stateChange) rmSync(join(dir, PENDING_FILE), { force: true });
  chmodNoFollow(join(dir, STATE_DIR), 0o700);
  return { written, backupDir };
}

function uniqueBackupDir(dir: string, now: Date): string {
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  const root = join(dir, BACKUP_DIR);
  mkdirExact(join(dir, STATE_DIR), 0o700);
  mkdirExact(root, 0o700);
  chmodNoFollow(join(dir, STATE_DIR), 0o700);
  for (let n = 0; ; n++) {
    const candidate = n === 0 ? join(root, stamp) : join(root, `${stamp}-${n}`);
    if (kindOf(candidate) !== 'missing') continue;
    const made = mkdirExact(candidate, 0o700);
    if (made.length > 0) return candidate; // ours; a concurrent maker of the same name wins, we try the next
  }
}
