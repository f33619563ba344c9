// One job: run a program and collect what it printed, never throwing for a failed run. The options are the ones
// harden-init's call sites use (it replaced the execa package, which weighed ~37 KB of the packed tarball).
// Like execa, a final newline is stripped from stdout/stderr/all (unless stripFinalNewline: false), a program
// that cannot be started (ENOENT) is a failed result, and a timeout kills the child and reports timedOut.
// child_process, readline and stream are loaded by the first run() (core/builtins.ts): a files-only run has none.
import type { ChildProcess } from 'node:child_process';
import type { PassThrough } from 'node:stream';
import { childProcess, readline, stream } from './builtins.js';

export interface RunOptions {
  cwd?: string;
  /** The child's whole environment when extendEnv is false, else merged over process.env. */
  env?: NodeJS.ProcessEnv;
  extendEnv?: boolean;
  /** 'ignore' (the default here), 'inherit', or a string written to the child's stdin. */
  stdin?: 'ignore' | 'inherit';
  input?: string;
  /** Milliseconds until the child is killed (SIGTERM, then SIGKILL 2 s later); 0/undefined: no limit. */
  timeout?: number;
  /** Keep a trailing newline (execa's stripFinalNewline: false). */
  stripFinalNewline?: boolean;
  /** Also collect stdout and stderr interleaved, in arrival order, as `all` (and stream it as `.all`). */
  all?: boolean;
}

export interface RunResult {
  exitCode: number | undefined;
  signal?: string;
  stdout: string;
  stderr: string;
  /** Interleaved stdout + stderr (only with `all: true`). */
  all?: string;
  timedOut: boolean;
  /** Not started, killed, timed out or a non-zero exit. */
  failed: boolean;
  /** Why it could not start (e.g. ENOENT), when it could not. */
  error?: Error;
}

/** The running child's result; `.all` streams interleaved output as it arrives (with `all: true`). */
export type RunPromise = Promise<RunResult> & {
  all?: PassThrough;
  child?: ChildProcess;
  /** The interleaved output line by line as it arrives (needs `all: true`; else yields nothing). */
  iterable(opts?: { from: 'all' }): AsyncIterable<string>;
};

const KILL_GRACE_MS = 2_000;

function strip(s: string, on: boolean): string {
  if (!on) return s;
  if (s.endsWith('\r\n')) return s.slice(0, -2);
  if (s.endsWith('\n')) return s.slice(0, -1);
  return s;
}

export function run(file: string, args: readonly string[] = [], opts: RunOptions = {}): RunPromise {
  const env = opts.extendEnv === false ? opts.env : { ...process.env, ...opts.env };
  const stdinMode = opts.input !== undefined ? 'pipe' : (opts.stdin ?? 'ignore');
  const allStream = opts.all ? new (stream().PassThrough)() : undefined;
  let child: ChildProcess | undefined;
  const promise = new Promise<RunResult>((resolve) => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const all: Buffer[] = [];
    let timedOut = false;
    let startError: Error | undefined;
    let timer: NodeJS.Timeout | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    try {
      child = childProcess().spawn(file, args, { cwd: opts.cwd, env, stdio: [stdinMode, 'pipe', 'pipe'] });
    } catch (e) {
      // Synchronous spawn failures (e.g. a cwd that is not a string) are a failed result too.
      allStream?.end();
      const error = e as Error;
      resolve({ exitCode: undefined, stdout: '', stderr: error.message, all: opts.all ? error.message : undefined, timedOut: false, failed: true, error });
      return;
    }
    const c = child;
    c.stdout?.on('data', (b: Buffer) => { out.push(b); if (allStream) { all.push(b); allStream.write(b); } });
    c.stderr?.on('data', (b: Buffer) => { err.push(b); if (allStream) { all.push(b); allStream.write(b); } });
    if (opts.input !== undefined && c.stdin) {
      c.stdin.on('error', () => {}); // a child that exits without reading its input: EPIPE is not our failure
      c.stdin.end(opts.input);
    }
    if (opts.timeout && opts.timeout > 0) {
      timer = setTimeout(() => {
        timedOut = true;
        c.kill('SIGTERM');
        killTimer = setTimeout(() => c.kill('SIGKILL'), KILL_GRACE_MS);
        killTimer.unref();
      }, opts.timeout);
    }
    c.on('error', (e) => { startError = e; });
    // 'close' comes after the output streams ended (and also after a start 'error').
    c.on('close', (code, signal) => {
      clearTimeout(timer);
      clearTimeout(killTimer);
      allStream?.end();
      const keep = opts.stripFinalNewline !== false;
      let stderr = strip(Buffer.concat(err).toString(), keep);
      if (startError && !stderr) stderr = startError.message;
      const allText = opts.all ? strip(Buffer.concat(all).toString(), keep) || (startError ? startError.message : '') : undefined;
      const exitCode = startError ? undefined : (code ?? undefined);
      resolve({
        exitCode,
        signal: signal ?? undefined,
        stdout: strip(Buffer.concat(out).toString(), keep),
        stderr,
        all: allText,
        timedOut,
        failed: startError !== undefined || timedOut || exitCode !== 0,
        error: startError,
      });
    });
  }) as RunPromise;
  promise.all = allStream;
  promise.child = child;
  promise.iterable = async function* () {
    if (!allStream) return;
    yield* readline().createInterface({ input: allStream, crlfDelay: Infinity });
  };
  return promise;
}
