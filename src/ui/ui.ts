// Human output goes through clack (it also renders fine without a TTY); --json silences it so stdout
// carries only the JSON result.
import * as p from '@clack/prompts';

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
}

/** The line a cancelled run ends with. */
/** Whether to ask: no --yes, no --json, and a terminal on both stdin and stdout. The one rule every command uses. */
export function isInteractive(flags: { yes?: boolean; json?: boolean }): boolean {
  return !flags.yes && !flags.json && Boolean(process.stdin.isTTY && process.stdout.isTTY);
}

export function cancelled(msg: string): void {
  p.cancel(msg);
}

export function createUi(json: boolean): Ui {
  if (json) {
    const none = () => {};
    return { intro: none, info: none, step: none, warn: none, success: none, note: none, outro: none, raw: none, error: none };
  }
  return {
    intro: (t) => p.intro(t),
    info: (m) => p.log.info(m),
    step: (m) => p.log.step(m),
    warn: (m) => p.log.warn(m),
    error: (m) => p.log.error(m),
    success: (m) => p.log.success(m),
    note: (body, title) => p.note(body, title),
    outro: (m) => p.outro(m),
    raw: (line) => process.stdout.write(`${line}\n`),
  };
}
