// The only stage that writes: backs up each file it is about to change, then replaces it atomically.
import { chmodSync, copyFileSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic.js';
import { BACKUP_DIR } from '../engine/state.js';
import type { PlannedFile } from '../engine/plan.js';

export interface ApplyResult {
  written: string[];
  backupDir?: string;
}

export function applyPlan(dir: string, changes: PlannedFile[], extraDirs: { path: string; mode: number }[] = [], now = new Date()): ApplyResult {
  mkdirSync(dir, { recursive: true });
  const toBackUp = changes.filter((f) => f.old !== undefined && existsSync(join(dir, f.path)));
  let backupDir: string | undefined;
  if (toBackUp.length > 0) {
    backupDir = uniqueBackupDir(dir, now);
    for (const f of toBackUp) {
      const target = join(backupDir, f.path.replace(/\//g, '__'));
      copyFileSync(join(dir, f.path), target);
      chmodSync(target, statSync(join(dir, f.path)).mode & 0o777 & ~0o077); // backups are owner-only
    }
  }
  for (const d of extraDirs) {
    if (!existsSync(d.path)) mkdirSync(d.path, { recursive: true, mode: d.mode });
  }
  const written: string[] = [];
  for (const f of changes) {
    writeFileAtomic(join(dir, f.path), f.content, f.mode);
    written.push(f.path);
  }
  const stateDir = join(dir, '.harden-init');
  if (existsSync(stateDir)) chmodSync(stateDir, 0o700);
  return { written, backupDir };
}

function uniqueBackupDir(dir: string, now: Date): string {
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  const root = join(dir, BACKUP_DIR);
  mkdirSync(root, { recursive: true, mode: 0o700 });
  chmodSync(join(dir, '.harden-init'), 0o700);
  let candidate = join(root, stamp);
  for (let n = 1; existsSync(candidate); n++) candidate = join(root, `${stamp}-${n}`);
  mkdirSync(candidate, { mode: 0o700 });
  return candidate;
}
