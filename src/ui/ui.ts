// Human output goes through clack (it also renders fine without a TTY); --json silences it so stdout
// carries only the JSON result. The streams are the run's (its io), handed to clack through its common options.
import * as p from '@clack/prompts';
import { type Io, streamOf } from '../core/io.js';

export { isInteractive } from '../core/io.js';

export interface Ui {
  intro(title: string): void;
  info(msg: string): void;
  step(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
  success(msg: string): void;
  note(body: string, title: string): void;
  outro(msg: string): void;
  /** A line printed as is: never wrapped, so it can be copied into a shell. */
  raw(line: string): void;
  /** The run's result on stdout, also with --json (whose JSON it is). */
  result(text: string): void;
  /** Whether the output is a terminal (live spinners and task logs only there). */
  tty: boolean;
  /** clack's common options for this run's streams: spread into a prompt's, a spinner's or a task log's options. */
  streams: p.CommonOptions;
}

/** clack's common options (input and output) for a run's io. */
export function clackStreams(io: Pick<Io, 'stdout' | 'stdin'>): p.CommonOptions {
  return { output: streamOf(io.stdout), ...(io.stdin ? { input: io.stdin } : {}) };
}

/** The line a cancelled run ends with. */
export function cancelled(msg: string, io: Pick<Io, 'stdout' | 'stdin'>): void {
  p.cancel(msg, clackStreams(io));
}

export function createUi(json: boolean, io: Pick<Io, 'stdout' | 'stdin'>): Ui {
  const streams = clackStreams(io);
  const result = (text: string) => io.stdout.write(`${text}\n`);
  const tty = Boolean(io.stdout.isTTY);
  if (json) {
    const none = () => {};
    return {
      intro: none,
      info: none,
      step: none,
      warn: none,
      success: none,
      note: none,
      outro: none,
      raw: none,
      error: none,
      result,
      tty,
      streams,
    };
  }
  return {
    intro: (t) => p.intro(t, streams),
    info: (m) => p.log.info(m, streams),
    step: (m) => p.log.step(m, streams),
    warn: (m) => p.log.warn(m, streams),
    error: (m) => p.log.error(m, streams),
    success: (m) => p.log.success(m, streams),
    note: (body, title) => p.note(body, title, streams),
    outro: (m) => p.outro(m, streams),
    raw: (line) => io.stdout.write(`${line}\n`),
    result,
    tty,
    streams,
  };
}
