// Exit codes of the CLI contract (DESIGN.md): 0 done, 1 a step failed, 2 bad usage or input,
// 3 drift or findings, 130 cancelled.
export const EXIT = { ok: 0, failed: 1, usage: 2, drift: 3, cancelled: 130 } as const;

export class CliError extends Error {
  constructor(message: string, readonly exitCode: number, readonly hint?: string) {
    super(message);
  }
}

export const usageError = (message: string, hint?: string) => new CliError(message, EXIT.usage, hint);
export const stepError = (message: string, hint?: string) => new CliError(message, EXIT.failed, hint);
export const cancelled = () => new CliError('Cancelled: nothing was written.', EXIT.cancelled);
