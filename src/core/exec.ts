// How harden-init starts docker, docker-compose and systemctl: execa with the defaults every call site shares, and
// the one way a failed command is told to the user (its command line, why, and the last lines it printed). Call
// sites use execa's own API on what `exec` returns (exitCode, stdout, all, timedOut, iterable()).
import { execa, type Options, type Result } from 'execa';
import { childEnv } from './child-env.js';

export { childEnv } from './child-env.js';

/** After a timeout the child gets SIGTERM, and SIGKILL this much later if it still runs. */
export const KILL_GRACE_MS = 2_000;

/**
 * execa with harden-init's defaults. A failed run is a result, not a throw (callers read exitCode and say what
 * failed in their own words); stdin gives nothing, so a program that asks never waits for an answer; a `timeout`
 * ends a hung child for good (forceKillAfterDelay). `cleanup` (execa's default, stated because it matters) kills
 * the child when harden-init exits, including on Ctrl-C or SIGTERM: harden-init has no signal handler of its own,
 * and a `docker pull` or `compose up` must not run on after the run that started it is gone.
 */
const run = execa<Defaults>({ reject: false, stdin: 'ignore', cleanup: true, forceKillAfterDelay: KILL_GRACE_MS });

/** A child with those defaults and the run's environment (childEnv()), unless the call brings an env of its own. */
export function exec<O extends Options = Record<never, never>>(
  file: string,
  args: readonly string[] = [],
  options: O = {} as O,
) {
  const own = options.env !== undefined && options.extendEnv === false;
  return run(file, args, own ? options : { ...options, env: childEnv(), extendEnv: false as const });
}

// stdin typed wide: execa types a call's options as the defaults & the call's own, so a literal 'ignore' here
// would make a call's stdin: 'pipe' the impossible 'ignore' & 'pipe'.
type Defaults = { reject: false; stdin: Options['stdin']; cleanup: true; forceKillAfterDelay: number };

/** The last <lines> lines of a command's output (trailing blank lines dropped). */
export function tail(text: string, lines = 20): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** The program of a run that could not be started because it is not on PATH (not a missing cwd), else undefined. */
export function notFound(r: Pick<Result, 'code' | 'originalMessage'>): string | undefined {
  return r.code === 'ENOENT' ? /^spawn (\S+) ENOENT$/.exec(r.originalMessage ?? '')?.[1] : undefined;
}

/**
 * Why a finished command failed, for the user: the command line (harden-init never puts a secret in argv) or
 * <what> when the caller names it better, what ended it (exit code, timeout, signal, not found) and the last
 * <lines> lines of its stderr (else of its output).
 */
export function failure(r: Result, lines = 5, what = `\`${r.escapedCommand}\``): string {
  const missing = notFound(r);
  if (missing) return `${what}: ${missing} not found (is it installed and on PATH?)`;
  const why = r.timedOut
    ? `timed out after ${Math.round(r.durationMs / 1000)} s and was stopped`
    : r.exitCode !== undefined
      ? `failed (exit ${r.exitCode})`
      : r.signal
        ? `was ended by ${r.signal}`
        : `could not run: ${r.originalMessage ?? r.shortMessage ?? 'unknown error'}`;
  const said = tail(String(r.stderr || r.all || r.stdout || ''), lines);
  return `${what} ${why}${said ? `:\n${said}` : ''}`;
}
