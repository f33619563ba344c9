// What a run takes from its process: its environment, working directory and streams. main() builds one from the
// real process (or a test gives its own) and every command receives it in its run context, so nothing below the
// commands reads process.env, process.cwd() or process.stdout itself.
import { resolve } from 'node:path';
import { type Readable, Writable } from 'node:stream';

/** Where output goes; a TTY flag of its own (the wizard is interactive only when stdin and stdout are TTYs). */
export interface Writer {
  write(text: string): void;
  isTTY?: boolean;
}

export interface Io {
  env: NodeJS.ProcessEnv;
  /** The directory relative paths (--dir, --out, --identity, …) are resolved against. */
  cwd: string;
  stdout: Writer;
  stderr: Writer;
  stdinIsTTY: boolean;
  /** Where prompts read keys from: the real process's stdin (a run that asks nothing needs none). */
  stdin?: Readable;
}

/** A path given on the command line, made absolute against the run's working directory. */
export function resolveIn(io: Pick<Io, 'cwd'>, path: string): string {
  return resolve(io.cwd, path);
}

/** Whether to ask: no --yes, no --json, and a terminal on both stdin and stdout. The one rule every command uses. */
export function isInteractive(
  flags: { yes?: boolean; json?: boolean },
  io: Pick<Io, 'stdinIsTTY' | 'stdout'>,
): boolean {
  return !flags.yes && !flags.json && Boolean(io.stdinIsTTY && io.stdout.isTTY);
}

/**
 * Whether the run's output takes colours, by the run's own environment (picocolors decides once, from the process's,
 * when it is loaded): NO_COLOR wins, then FORCE_COLOR, a terminal, or CI (which shows them in its log).
 */
export function colorsWanted(io: Pick<Io, 'env' | 'stdout'>): boolean {
  const env = io.env;
  if ('NO_COLOR' in env) return false;
  return 'FORCE_COLOR' in env || Boolean(io.stdout.isTTY && env.TERM !== 'dumb') || 'CI' in env;
}

const streams = new WeakMap<Writer, Writable>();

/** A Writer as the stream the prompt library writes to (the real process's streams are used as they are). */
export function streamOf(w: Writer): Writable {
  if (w instanceof Writable) return w;
  let s = streams.get(w);
  if (!s) {
    s = new Writable({
      write(chunk: Buffer | string, _encoding, done) {
        w.write(typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
        done();
      },
    });
    Object.defineProperty(s, 'isTTY', { get: () => Boolean(w.isTTY) });
    streams.set(w, s);
  }
  return s;
}
