// The backup an upgrade step takes before it changes anything, as `rollback` reads it back: the install's files
// (stored flat, '/' as '__') and a manifest that names the step, the files that were absent and the database dump.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { BACKUP_DIR, STATE_FILE, type HistoryEntry } from '../engine/state.js';
import { COMPOSE_FILE, PROPOSED_COMPOSE_FILE, WRITTEN_COMPOSE_FILE } from '../engine/plan.js';
import { kindOf, readRegular } from '../core/safe-fs.js';

/** The manifest of one step's backup directory (rollback reads it). */
export const STEP_MANIFEST = 'upgrade.json';

export interface StepManifest extends HistoryEntry {
  /** Install files copied here (install-relative paths; stored with '/' as '__'). */
  files: string[];
  /** Install files that did not exist before the step (rollback removes them). */
  absent: string[];
  dumpBytes?: number;
  engine?: 'postgresql' | 'mariadb';
}

/** Files of the install a step backs up (those that exist) and rollback restores. */
export const STEP_FILES = [
  '.env',
  COMPOSE_FILE,
  'docker-compose.override.yml',
  PROPOSED_COMPOSE_FILE,
  WRITTEN_COMPOSE_FILE,
  STATE_FILE,
];
export const backupName = (path: string) => path.replace(/\//g, '__');

export interface BackupChoice {
  name: string;
  abs: string;
  manifest?: StepManifest;
}

/** The backups of an install, oldest first (names are ISO times, so they sort by time). */
export function listBackups(dir: string): BackupChoice[] {
  const root = join(dir, BACKUP_DIR);
  if (kindOf(root) !== 'dir') return [];
  return readdirSync(root)
    .filter((n) => kindOf(join(root, n)) === 'dir')
    .sort()
    .map((name) => {
      const abs = join(root, name);
      const m = readRegular(join(abs, STEP_MANIFEST));
      let manifest: StepManifest | undefined;
      try {
        manifest = m ? (JSON.parse(m) as StepManifest) : undefined;
      } catch {
        manifest = undefined;
      }
      return { name, abs, manifest };
    });
}

/** --backup NAME, else the newest upgrade step's backup, else the newest backup. */
export function chooseBackup(all: BackupChoice[], wanted?: string): BackupChoice | undefined {
  if (wanted !== undefined) return all.find((b) => b.name === wanted);
  return [...all].reverse().find((b) => b.manifest) ?? all[all.length - 1];
}
