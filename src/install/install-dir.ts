// The one rule for the install directory of every command: --dir as given (never empty), else the target's
// default ./<target>; resolved, then guarded (no system directory, no directory another user owns or can write).
// One variant, for `check` alone (auditedInstallDir): it audits installs harden-init did not make, so it searches
// further and reports an unsafe directory as a finding instead of refusing it.
import { join } from 'node:path';
import { usageError } from '../core/errors.js';
import { type Io, resolveIn } from '../core/io.js';
import { guardInstallDir } from '../apply/install-dir.js';
import { kindOf } from '../core/safe-fs.js';
import { TARGETS } from '../targets/index.js';

export interface InstallDir {
  /** Absolute. */
  dir: string;
  /** As the user gave it (or the default), for the commands printed back. */
  dirArg: string;
}

/** --dir, else `fallback` (./<target>); a given empty --dir is refused. */
export function installDir(given: string | undefined, fallback: string, io: Pick<Io, 'cwd'>): InstallDir {
  if (given === '') throw usageError(`--dir: must not be empty (default ${fallback}).`);
  const dirArg = given ?? fallback;
  const dir = resolveIn(io, dirArg);
  guardInstallDir(dir);
  return { dir, dirArg };
}

/**
 * The default for a command that learns the product from the install: the first
 * ./<target> holding one, else ./appwrite.
 */
export function foundTargetDir(io: Pick<Io, 'cwd'>): string {
  return (
    Object.keys(TARGETS)
      .map((t) => `./${t}`)
      .find((d) => kindOf(join(resolveIn(io, d), 'docker-compose.yml')) === 'file') ?? './appwrite'
  );
}

/**
 * `check`'s variant of the rule: --dir as given (an empty one counts as not given), else ./<target> when a target is
 * named, else the first of ./appwrite, ./langflow, . where `holdsInstall` finds a compose file (any name compose
 * reads), else the first candidate. Resolved, not guarded: check refuses only a system directory (refuseSystemDir)
 * and reports the other problems of the directory as findings.
 */
export function auditedInstallDir(
  given: string | undefined,
  target: string | undefined,
  holdsInstall: (dir: string) => boolean,
  io: Pick<Io, 'cwd'>,
): InstallDir {
  const resolve = (path: string) => resolveIn(io, path);
  if (given) return { dir: resolve(given), dirArg: given };
  const candidates = target !== undefined ? [`./${target}`] : [...Object.keys(TARGETS).map((t) => `./${t}`), '.'];
  const found = candidates.find((c) => holdsInstall(resolve(c)));
  const dirArg = found ?? candidates[0]!;
  return { dir: resolve(dirArg), dirArg };
}
