// Secret files must be owner-only on every run, also when nothing else changes: an install adopted from
// another installer, or a chmod by hand, may have left .env readable by everyone on the host.
// Modes are read with lstat and set only on real files and directories: never through a symbolic link
// (chmod follows links, so a link would change the mode of whatever it points to).
import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import { PENDING_FILE, STATE_DIR, STATE_FILE } from '../engine/state.js';
import { chmodNoFollow, kindOf } from '../core/safe-fs.js';

// Every file that holds secrets or the install's state, not only .env: a re-run that changes nothing must still
// narrow a state.json (or a journal, or a pending rotation's new values) someone widened by hand.
const RULES: { path: string; mode: number }[] = [
  { path: '.env', mode: 0o600 },
  { path: STATE_DIR, mode: 0o700 },
  { path: STATE_FILE, mode: 0o600 },
  { path: PENDING_FILE, mode: 0o600 },
  { path: `${STATE_DIR}/rotate-key.pending`, mode: 0o600 },
  { path: `${STATE_DIR}/rotate-secret.pending`, mode: 0o600 },
];

/** Paths whose mode is wider than it should be, with both modes. Links are refused (exit 1). */
export function looseModes(dir: string): { path: string; mode: number; want: number }[] {
  return RULES.flatMap(({ path, mode }) => {
    const full = join(dir, path);
    if (kindOf(full) === 'missing') return [];
    chmodNoFollowCheck(full);
    const current = lstatSync(full).mode & 0o777;
    return (current & ~mode) !== 0 ? [{ path, mode: current, want: mode }] : [];
  });
}

function chmodNoFollowCheck(full: string): void {
  if (kindOf(full) === 'symlink') chmodNoFollow(full, 0); // throws the clear "is a symbolic link" error
}

/** Call only once the user has agreed to changes (or --yes): it changes modes on disk. */
export function tightenModes(dir: string): string[] {
  return looseModes(dir).map(({ path, mode, want }) => {
    chmodNoFollow(join(dir, path), want);
    return `${path}: mode ${mode.toString(8)} → ${want.toString(8)} (it holds secrets or their history)`;
  });
}
