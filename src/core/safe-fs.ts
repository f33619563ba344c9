// File-system primitives that never follow a symbolic link they did not expect and never open what is not
// a regular file (a FIFO would block forever). Everything that harden-init reads from or writes to in an
// install directory goes through these, so a planted link cannot redirect a write of the secrets.
import { chmodSync, lstatSync, mkdirSync, readFileSync, rmdirSync, statSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';
import { stepError } from './errors.js';

export type Kind = 'missing' | 'file' | 'dir' | 'symlink' | 'other';

export function kindOf(path: string): Kind {
  let st: Stats;
  try {
    st = lstatSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return 'missing';
    throw e;
  }
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'dir';
  return 'other';
}

function describe(kind: Kind): string {
  return kind === 'symlink'
    ? 'a symbolic link'
    : kind === 'dir'
      ? 'a directory'
      : kind === 'other'
        ? 'not a regular file (a FIFO, socket or device)'
        : kind === 'file'
          ? 'a regular file'
          : kind;
}

/** Throws (exit 1) unless `path` is absent or a regular file, never a link. */
export function assertRegularOrMissing(path: string): Kind {
  const kind = kindOf(path);
  if (kind === 'missing' || kind === 'file') return kind;
  throw stepError(
    `${path} is ${describe(kind)}; harden-init only reads and replaces regular files here and never follows a link.`,
    kind === 'symlink'
      ? 'Replace the link with the file it points to (cp --remove-destination "$(readlink -f F)" F), then re-run.'
      : 'Move it out of the way (it is not something harden-init wrote), then re-run.',
  );
}

/** Throws (exit 1) unless `path` is absent or a real directory (not a link to one). */
export function assertDirOrMissing(path: string): Kind {
  const kind = kindOf(path);
  if (kind === 'missing' || kind === 'dir') return kind;
  throw stepError(
    `${path} is ${describe(kind)}, not a directory; harden-init never writes or changes modes through a link.`,
    'Move it out of the way, then re-run.',
  );
}

/** Reads a regular file; absent → undefined; a link, directory, FIFO or device → a clear error (exit 1). */
export function readRegular(path: string): string | undefined {
  if (assertRegularOrMissing(path) === 'missing') return undefined;
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** Sets a mode without following a link (Node has no lchmod on Linux: refuse links instead). */
export function chmodNoFollow(path: string, mode: number): void {
  const kind = kindOf(path);
  if (kind === 'symlink')
    throw stepError(
      `${path} is a symbolic link; harden-init does not change modes through a link.`,
      'Replace the link with a real file or directory, then re-run.',
    );
  if (kind === 'missing') return;
  chmodSync(path, mode);
}

/**
 * Creates `path` (and missing parents) and gives every directory it creates exactly `mode` (parents 0755),
 * whatever the umask. An existing directory is left as it is; an existing link or file is refused.
 * Returns the directories it created, outermost first.
 */
export function mkdirExact(
  path: string,
  mode: number,
  opts: { parentMode?: number; allowLinkedDir?: boolean } = {},
): string[] {
  const parentMode = opts.parentMode ?? 0o755;
  const missing: string[] = [];
  let p = path;
  for (;;) {
    const kind = kindOf(p);
    if (kind === 'dir') break;
    if (kind === 'symlink' && p === path && opts.allowLinkedDir && isDirFollowing(p)) break;
    if (kind === 'missing') {
      missing.unshift(p);
      const up = dirname(p);
      if (up === p) break;
      p = up;
      continue;
    }
    if (kind === 'symlink' && p !== path) break; // a linked parent (e.g. /srv -> /data) is the admin's choice
    assertDirOrMissing(p);
  }
  for (const d of missing) {
    try {
      mkdirSync(d, { mode: 0o700 });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      assertDirOrMissing(d);
      continue; // another process made it first: not ours to chmod
    }
    chmodSync(d, d === path ? mode : parentMode);
  }
  return missing;
}

/** Removes directories (innermost first) if they are still empty; never anything else. */
export function removeIfEmpty(dirs: string[]): void {
  for (const d of [...dirs].reverse()) {
    try {
      rmdirSync(d);
    } catch {
      return;
    }
  }
}

function isDirFollowing(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
