// Secret files must be owner-only on every run, also when nothing else changes: an install adopted from
// another installer, or a chmod by hand, may have left .env readable by everyone on the host.
import { chmodSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { STATE_DIR } from '../engine/state.js';

const RULES: { path: string; mode: number }[] = [
  { path: '.env', mode: 0o600 },
  { path: STATE_DIR, mode: 0o700 },
];

/** Paths whose mode is wider than it should be, with both modes. */
export function looseModes(dir: string): { path: string; mode: number; want: number }[] {
  return RULES.flatMap(({ path, mode }) => {
    const full = join(dir, path);
    if (!existsSync(full)) return [];
    const current = statSync(full).mode & 0o777;
    return (current & ~mode) !== 0 ? [{ path, mode: current, want: mode }] : [];
  });
}

export function tightenModes(dir: string): string[] {
  return looseModes(dir).map(({ path, mode, want }) => {
    chmodSync(join(dir, path), want);
    return `${path}: mode ${mode.toString(8)} → ${want.toString(8)} (it holds secrets or their history)`;
  });
}
