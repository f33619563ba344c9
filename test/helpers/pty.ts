// Drives the built CLI (bin/harden-init.js) in a real pseudo-terminal, as a person at a keyboard would.
// The transcript is the raw terminal output; matching is done on it with ANSI escapes stripped.
import pty from 'node-pty';
import { afterEach, beforeAll } from 'vitest';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { questionFor } from '../../src/targets/appwrite/questions.js';
import { join, resolve } from 'node:path';
import { NO_DOCKER, RELEASES_DIR } from './run-bin.js';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const BIN = join(ROOT, 'bin', 'harden-init.js');

export const KEY = {
  enter: '\r',
  up: '\x1b[A',
  down: '\x1b[B',
  backspace: '\x7f',
  ctrlC: '\x03',
  ctrlU: '\x15',
} as const;

// CSI (incl. private modes like ?25l), OSC (BEL or ST terminated), and two-char escapes.
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;

export function stripAnsi(s: string): string {
  return s.replace(ANSI, '');
}

export interface PtyExit {
  exitCode: number;
  signal?: number;
}

export interface PtySession {
  /** Sends raw bytes (keys) to the terminal. */
  write(data: string): void;
  /**
   * Waits until `what` appears in the (ANSI-stripped) output after the previous match, then moves the
   * read position past it. Rejects with the transcript tail on timeout or if the process exits first.
   */
  waitFor(what: string | RegExp, timeoutMs?: number): Promise<string>;
  /** Waits for `what`, then sends `keys`. */
  answer(what: string | RegExp, keys: string, timeoutMs?: number): Promise<void>;
  /** Resolves with the exit code; rejects with the transcript tail on timeout. */
  exit(timeoutMs?: number): Promise<PtyExit>;
  /** Everything the program wrote, raw. */
  raw(): string;
  /** Everything the program wrote, ANSI escapes stripped. */
  text(): string;
  tail(chars?: number): string;
  kill(): void;
}

export interface SpawnOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  cols?: number;
  rows?: number;
}

const DEFAULT_TIMEOUT = 15_000;

/**
 * Like runBin, the child sees no Docker engine and reads releases from test/fixtures/releases unless
 * `opts.env` says otherwise (a key set to undefined removes it).
 */
export function spawnCli(args: string[], opts: SpawnOptions = {}): PtySession {
  const env: Record<string, string> = {};
  const merged: Record<string, string | undefined> = {
    ...process.env,
    DOCKER_HOST: NO_DOCKER,
    HARDEN_INIT_RELEASES_DIR: RELEASES_DIR,
  };
  // Never let a password from the outer environment answer a prompt for us; keep clack's TTY rendering.
  delete merged.HARDEN_INIT_DB_PASSWORD;
  delete merged.HARDEN_INIT_SMTP_PASSWORD;
  delete merged.CI;
  Object.assign(merged, opts.env);
  for (const [k, v] of Object.entries(merged)) if (v !== undefined) env[k] = v;

  const term = pty.spawn(process.execPath, [BIN, ...args], {
    name: 'xterm-256color',
    cols: opts.cols ?? 120,
    rows: opts.rows ?? 40,
    cwd: opts.cwd ?? ROOT,
    env,
  });

  let raw = '';
  let pos = 0; // read position in the stripped text
  let exited: PtyExit | undefined;
  const listeners = new Set<() => void>();
  const notify = () => {
    for (const l of [...listeners]) l();
  };
  term.onData((d) => {
    raw += d;
    notify();
  });
  term.onExit(({ exitCode, signal }) => {
    exited = { exitCode, signal };
    notify();
  });

  const text = () => stripAnsi(raw);
  const tail = (chars = 2500) => {
    const t = text();
    return t.length > chars ? `…${t.slice(-chars)}` : t;
  };

  const until = <T>(check: () => T | undefined, timeoutMs: number, describe: () => string): Promise<T> =>
    new Promise<T>((resolveP, rejectP) => {
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        listeners.delete(tick);
        if (timer) clearTimeout(timer);
      };
      const tick = () => {
        let v: T | undefined;
        try {
          v = check();
        } catch (e) {
          done();
          rejectP(e);
          return;
        }
        if (v !== undefined) {
          done();
          resolveP(v);
        }
      };
      timer = setTimeout(() => {
        done();
        rejectP(new Error(`${describe()} (timed out after ${timeoutMs} ms)\n--- transcript tail ---\n${tail()}`));
      }, timeoutMs);
      listeners.add(tick);
      tick();
    });

  const session: PtySession = {
    write(data) {
      term.write(data);
    },
    waitFor(what, timeoutMs = DEFAULT_TIMEOUT) {
      return until(
        () => {
          const t = text();
          const rest = t.slice(pos);
          let at = -1;
          let len = 0;
          if (typeof what === 'string') {
            at = rest.indexOf(what);
            len = what.length;
          } else {
            const m = new RegExp(what.source, what.flags.replace('g', '')).exec(rest);
            if (m) {
              at = m.index;
              len = m[0].length;
            }
          }
          if (at >= 0) {
            pos += at + len;
            return rest.slice(at, at + len);
          }
          if (exited)
            throw new Error(
              `process exited (code ${exited.exitCode}) before ${JSON.stringify(String(what))} appeared\n--- transcript tail ---\n${tail()}`,
            );
          return undefined;
        },
        timeoutMs,
        () => `waiting for ${JSON.stringify(String(what))}`,
      );
    },
    async answer(what, keys, timeoutMs) {
      await session.waitFor(what, timeoutMs);
      term.write(keys);
    },
    exit(timeoutMs = DEFAULT_TIMEOUT) {
      return until(
        () => exited,
        timeoutMs,
        () => 'waiting for the process to exit',
      );
    },
    raw: () => raw,
    text,
    tail,
    kill() {
      if (!exited) {
        try {
          term.kill();
        } catch {
          /* already gone */
        }
      }
    },
  };
  return session;
}

/**
 * The terminals and temporary directories of one test file: every session is ended and every directory removed after
 * each test. The file runs the built CLI, so it fails at once when dist/ is missing.
 */
export function ptyScratch(prefix: string): {
  tmp(): string;
  track(s: PtySession): PtySession;
  lastDir(): string | undefined;
} {
  let sessions: PtySession[] = [];
  let dirs: string[] = [];
  beforeAll(() => {
    if (!existsSync(join(ROOT, 'dist', 'cli.mjs')))
      throw new Error('dist/cli.mjs is missing: run `npm run build` first');
  });
  afterEach(() => {
    for (const s of sessions) s.kill();
    sessions = [];
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    dirs = [];
  });
  return {
    tmp() {
      const d = mkdtempSync(join(tmpdir(), prefix));
      dirs.push(d);
      return d;
    },
    track(s) {
      sessions.push(s);
      return s;
    },
    lastDir: () => dirs.at(-1),
  };
}

/** Every question of an Appwrite first install answered with its default (domain and e-mail typed). */
export async function answerFirstInstall(s: PtySession, domainShown = false): Promise<void> {
  const q = (id: Parameters<typeof questionFor>[0]) => questionFor(id).message;
  if (!domainShown) await s.waitFor(q('domain'));
  s.write('appwrite.example.com');
  await s.answer('appwrite.example.com', KEY.enter);
  await s.answer(q('https'), KEY.enter);
  await s.waitFor(q('email'));
  s.write('admin@example.com');
  await s.answer('admin@example.com', KEY.enter);
  await s.answer(q('console'), KEY.enter);
  await s.answer(q('dbEngine'), KEY.enter);
  await s.answer(q('db'), KEY.enter);
  await s.answer(q('smtpHost'), KEY.enter);
}
