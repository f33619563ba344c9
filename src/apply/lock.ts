// One writer per install: `.harden-init/lock`, created exclusively (O_EXCL), holding pid, ISO time and
// host name. A second run waits briefly for it, then refuses naming the holder. The holder touches the file every
// minute while it runs (a backup or an upgrade may take far longer than any fixed limit), so a lock is stale when
// its process is gone (same host) or when nobody has touched it for 10 minutes (a holder on another host that
// died, or a pid reused by an unrelated process); a stale lock is taken over with a warning.
import { closeSync, openSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { stepError } from '../core/errors.js';
import { STATE_DIR } from '../engine/state.js';
import { assertRegularOrMissing, mkdirExact, removeIfEmpty } from '../core/safe-fs.js';
import { randomBytes } from 'node:crypto';

export const LOCK_FILE = `${STATE_DIR}/lock`;
export const STALE_AFTER_MS = 10 * 60 * 1000;
/** How often a holder touches its lock: well inside STALE_AFTER_MS, so a live holder is never judged stale. */
export const HEARTBEAT_MS = 60 * 1000;

export interface LockInfo {
  pid: number;
  time: string;
  host: string;
}

export interface LockOptions {
  /** How long to wait for another run to finish (default 5 s). */
  waitMs?: number;
  pollMs?: number;
  warn?: (message: string) => void;
  now?: () => number;
  host?: string;
  isAlive?: (pid: number) => boolean;
}

export interface Lock {
  path: string;
  release(): void;
}

export function parseLock(text: string): LockInfo | undefined {
  const [pid, time, host] = text.split('\n');
  if (!pid || !/^\d+$/.test(pid) || !time || Number.isNaN(Date.parse(time)) || host === undefined) return undefined;
  return { pid: Number(pid), time, host };
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

/** Why a lock may be taken over, or undefined when its holder may still be writing. Pure. */
export function staleReason(
  info: LockInfo | undefined,
  mtimeMs: number,
  o: { now: number; host: string; isAlive: (pid: number) => boolean },
): string | undefined {
  // The modification time is the holder's heartbeat; the time written inside is only when it started.
  if (o.now - mtimeMs > STALE_AFTER_MS) return `nobody has touched it for more than ${STALE_AFTER_MS / 60_000} minutes`;
  if (info && info.host === o.host && !o.isAlive(info.pid)) return `process ${info.pid} no longer runs`;
  return undefined;
}

const held = new Set<Lock>();
let exitHook = false;

/** Releases every lock this process holds (also called on exit, as a backstop to `finally`). */
export function releaseAllLocks(): void {
  for (const l of [...held]) l.release();
}

export async function acquireLock(installDir: string, o: LockOptions = {}): Promise<Lock> {
  const waitMs = o.waitMs ?? 5000;
  const pollMs = o.pollMs ?? 100;
  const now = o.now ?? Date.now;
  const host = o.host ?? hostname();
  const isAlive = o.isAlive ?? processAlive;
  const path = join(installDir, LOCK_FILE);
  const deadline = now() + waitMs;
  let created: string[] = [];
  for (;;) {
    // Directories made only for the lock are removed again if the run ends without writing anything.
    created = [
      ...created,
      ...mkdirExact(installDir, 0o700, { allowLinkedDir: true }),
      ...mkdirExact(join(installDir, STATE_DIR), 0o700),
    ];
    assertRegularOrMissing(path);
    const content = `${process.pid}\n${new Date(now()).toISOString()}\n${host}\n`;
    const lock = tryCreate(path, content, created, now);
    if (lock === 'retry') continue;
    if (lock) return lock;
    let text = '';
    let mtimeMs = now();
    try {
      text = readFileSync(path, 'utf8');
      mtimeMs = statSync(path).mtimeMs;
    } catch {
      continue;
    } // released meanwhile
    const info = parseLock(text);
    const stale = staleReason(info, mtimeMs, { now: now(), host, isAlive });
    if (stale) {
      takeOver(path, text, info, stale, o.warn);
      continue;
    }
    if (now() >= deadline) throw heldError(path, info);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** The lock file created exclusively: the lock; undefined when another run holds it; 'retry' when its folder went. */
function tryCreate(path: string, content: string, created: string[], now: () => number): Lock | undefined | 'retry' {
  try {
    const fd = openSync(path, 'wx', 0o600);
    try {
      writeSync(fd, content);
    } finally {
      closeSync(fd);
    }
    // unref: the heartbeat never keeps a finished run alive.
    const beat = setInterval(() => {
      try {
        const t = new Date(now());
        utimesSync(path, t, t);
      } catch {
        /* released */
      }
    }, HEARTBEAT_MS);
    beat.unref();
    const lock: Lock = {
      path,
      release: () => {
        if (!held.delete(lock)) return;
        clearInterval(beat);
        try {
          if (readFileSync(path, 'utf8') === content) rmSync(path, { force: true });
        } catch {
          /* already gone */
        }
        removeIfEmpty(created);
      },
    };
    held.add(lock);
    if (!exitHook) {
      process.once('exit', releaseAllLocks);
      exitHook = true;
    }
    return lock;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'retry'; // the directory vanished under us (another run cleaned up): retry
    if (code !== 'EEXIST') throw e;
    return undefined;
  }
}

/**
 * Moves a stale lock aside under a unique name, then checks it was still the lock judged stale: a lock taken in
 * between by a live run is put back instead of being broken.
 */
function takeOver(
  path: string,
  text: string,
  info: LockInfo | undefined,
  stale: string,
  warn: LockOptions['warn'],
): void {
  const aside = `${path}.stale-${randomBytes(6).toString('hex')}`;
  try {
    renameSync(path, aside);
  } catch {
    return;
  }
  let same = false;
  try {
    same = readFileSync(aside, 'utf8') === text;
  } catch {
    /* gone */
  }
  if (same) {
    rmSync(aside, { force: true });
    const holder = info ? ` (pid ${info.pid} on ${info.host}, since ${info.time})` : '';
    warn?.(`Took over a stale lock ${path}${holder}: ${stale}.`);
  } else {
    try {
      renameSync(aside, path);
    } catch {
      /* the other run finished */
    }
  }
}

function heldError(path: string, info: LockInfo | undefined): ReturnType<typeof stepError> {
  return stepError(
    `Another harden-init run is changing this install: ${path} is held by ` +
      `${info ? `pid ${info.pid} on ${info.host} since ${info.time}` : 'a run that is starting'}. Nothing was written.`,
    `Wait for it to finish and re-run. If no such process exists, remove ${path} (a lock nobody touches for ` +
      `${STALE_AFTER_MS / 60_000} minutes is taken over by itself).`,
  );
}
