// Crash-safe file replacement: a reader (or a crash) sees the old file or the new one, never half of one.
// - every byte is written (a short write, e.g. on a full disk, is continued, and an error is thrown when
//   the disk refuses more), then fsynced, before the rename; on any failure the temporary file is removed
//   and the old file is untouched;
// - the temporary file has an unpredictable name and is created exclusively (O_EXCL: a planted file or
//   symbolic link at that name makes the open fail instead of being followed), owner-only from the start;
// - the target itself must be a regular file or absent: a link is refused, never written through.
import { closeSync, fchmodSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { assertRegularOrMissing } from '../core/safe-fs.js';

export function tempNameFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${randomBytes(12).toString('hex')}.harden-init.tmp`);
}

/** Writes all of `data` to `fd`, continuing after short writes; throws when the file system takes no more. */
export function writeAll(fd: number, data: Buffer, write: typeof writeSync = writeSync): void {
  let offset = 0;
  while (offset < data.length) {
    const n = write(fd, data, offset, data.length - offset);
    if (!(n > 0)) throw new Error(`could not write: only ${offset} of ${data.length} bytes were accepted`);
    offset += n;
  }
}

export function writeFileAtomic(path: string, content: string | Uint8Array, mode: number): void {
  assertRegularOrMissing(path);
  const dir = dirname(path);
  const tmp = tempNameFor(path);
  // Never wider than owner read/write while the content is being written, nor wider than the final mode.
  const fd = openSync(tmp, 'wx', mode & 0o600);
  let ok = false;
  try {
    writeAll(fd, typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content));
    fchmodSync(fd, mode); // exact, whatever the umask
    fsyncSync(fd);
    closeSync(fd);
    ok = true;
  } finally {
    if (!ok) {
      try {
        closeSync(fd);
      } catch {
        /* already closed */
      }
      rmSync(tmp, { force: true });
    }
  }
  try {
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  fsyncDir(dir);
}

export function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some file systems refuse fsync on directories; the rename is still atomic.
  }
}
