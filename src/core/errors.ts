// Exit codes: scripts and schedulers act on them (documented in docs/usage.md and docs/check.md), so they never
// change: 0 done, 1 a step failed, 2 bad usage or input, 3 drift or findings, 130 cancelled.
export const EXIT = { ok: 0, failed: 1, usage: 2, drift: 3, cancelled: 130 } as const;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    readonly hint?: string,
  ) {
    super(message);
  }
}

export const usageError = (message: string, hint?: string) => new CliError(message, EXIT.usage, hint);
export const stepError = (message: string, hint?: string) => new CliError(message, EXIT.failed, hint);
export const cancelled = () => new CliError('Cancelled: nothing was written.', EXIT.cancelled);

/**
 * Any error as a CliError. An unexpected one (a bug, or an error no step explained) is one line plus a
 * hint; its stack trace is shown only with DEBUG set, so no trace (which may quote file contents) is
 * printed by default.
 */
export function toCliError(e: unknown, env: NodeJS.ProcessEnv = {}): CliError {
  if (e instanceof CliError) return e;
  const err = e as NodeJS.ErrnoException | undefined;
  const first = String(err?.message ?? e)
    .split('\n')[0]!
    .slice(0, 300);
  const debug = Boolean(env.DEBUG);
  return new CliError(
    `Unexpected error: ${first}${debug && err?.stack ? `\n${err.stack}` : ''}`,
    EXIT.failed,
    debug ? undefined : 'Re-run with DEBUG=1 for details (the stack trace); please report it if it looks like a bug.',
  );
}
