// Entry point: argv → the command table (src/commands/index.ts) → the command's run. Exit codes: core/errors.ts.
// Safe to import: nothing runs until main() or run() is called, and only bin/harden-init.js calls run().
// Each command's code (prompts, YAML, Docker) is imported when that command runs.
import { isatty } from 'node:tty';
import { parseArgs } from 'node:util';
import type { Command, FlagSpecs, Flags, parseFlags } from '../commands/define.js';
import type { CommandName } from '../commands/index.js';
import { EXIT, toCliError, usageError } from '../core/errors.js';
import type { Io } from '../core/io.js';

export type { Writer } from '../core/io.js';

declare const __VERSION__: string | undefined;
export const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : '0.0.0-dev';

/** Everything a run takes from its process (its io, and the command line). */
export interface CliIo extends Io {
  argv: string[];
}

/** The real process (what bin/ runs with). */
export function processIo(): CliIo {
  const { env, stdout, stderr, stdin } = process;
  return { argv: process.argv.slice(2), env, stdout, stderr, stdin, stdinIsTTY: isatty(0), cwd: currentDir() };
}

/** bin/harden-init.js: runs with the real process and leaves the exit code for Node to use. */
export async function run(): Promise<void> {
  process.exitCode = await main(processIo());
}

// In-process runs take turns: the install locks a run holds are the process's (released after each run).
let turn: Promise<unknown> = Promise.resolve();

/** One run: the command line's command with the io it is given (no part of the process is changed). */
export async function main(io: CliIo): Promise<number> {
  const mine = turn.then(() => dispatch(io));
  turn = mine.catch(() => undefined);
  return mine;
}

async function dispatch(io: CliIo): Promise<number> {
  const { argv } = io;
  let json = argv.includes('--json');
  try {
    // The version alone needs nothing else loaded (no command, no targets).
    if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
      io.stdout.write(`${VERSION}\n`);
      return EXIT.ok;
    }
    const { command, flags, positionals } = await parseCommandLine(argv);
    json = flags.json === true;
    if (flags.help) {
      io.stdout.write(`${await (await import('./help.js')).helpText(VERSION)}\n`);
      return EXIT.ok;
    }
    if (flags.version) {
      io.stdout.write(`${VERSION}\n`);
      return EXIT.ok;
    }
    const run = () => command.run({ flags: flags as Flags<FlagSpecs>, positionals, version: VERSION, io });
    return await (await import('../core/child-env.js')).withChildEnv(io.env, run);
  } catch (e) {
    return await reportError(e, json, io);
  } finally {
    // Whatever install lock the command still holds is released here, for every command alike (a command that
    // took none releases nothing); lock.ts also releases on exit, as a backstop.
    (await import('../apply/lock.js')).releaseAllLocks();
  }
}

/** argv → the command, its flags and its other arguments. */
export async function parseCommandLine(
  argv: string[],
): Promise<{ name: CommandName; command: Command; flags: Record<string, unknown>; positionals: string[] }> {
  const { name, rest } = await commandOf(argv);
  const command = await (await import('../commands/index.js')).loadCommand(name);
  const { flags, positionals } = await parse(command, rest);
  const { TARGETS } = await import('../targets/index.js');
  const first = positionals[0];
  if (name === 'setup' && first !== undefined && !(first in TARGETS)) {
    const { NAMED } = await import('../commands/index.js');
    throw usageError(
      `Unknown target or command "${first}": use one of ${[...Object.keys(TARGETS), ...NAMED].join(', ')}.`,
    );
  }
  return { name, command, flags, positionals };
}

/**
 * The command named on the command line (its first positional argument naming one), and the arguments after
 * its name. Without one it is setup, whose first positional, if any, must name a target.
 */
async function commandOf(argv: string[]): Promise<{ name: CommandName; rest: string[] }> {
  const { NAMED } = await import('../commands/index.js');
  const positionals = parseArgs({ args: argv, strict: false, allowPositionals: true }).positionals;
  const named = positionals.find((p) => (NAMED as string[]).includes(p)) as CommandName | undefined;
  if (named) {
    const at = argv.indexOf(named);
    return { name: named, rest: [...argv.slice(0, at), ...argv.slice(at + 1)] };
  }
  return { name: 'setup', rest: argv };
}

/** The command's flags; a flag it does not declare is a usage error naming the commands that take it. */
async function parse(command: Command, argv: string[]): Promise<ReturnType<typeof parseFlags>> {
  const { parseFlags, UnknownFlag } = await import('../commands/define.js');
  try {
    return parseFlags(command.args, argv);
  } catch (e) {
    if (!(e instanceof UnknownFlag)) throw e;
    const owners = (await (await import('../commands/index.js')).loadAll())
      .filter(
        (c) =>
          c !== command &&
          Object.entries(c.args).some(
            ([n, s]) => `--${n}` === e.flag || (s.short !== undefined && `-${s.short}` === e.flag),
          ),
      )
      .map((c) => (c.meta.name === 'setup' ? 'harden-init [target]' : `harden-init ${c.meta.name}`));
    const label = command.meta.name === 'setup' ? 'harden-init' : `harden-init ${command.meta.name}`;
    throw usageError(
      `Unknown option '${e.flag}' for ` +
        `${label}${owners.length ? `: ${e.flag} belongs to ${owners.join(' and ')}` : ''}.`,
      'Run harden-init --help for the options.',
    );
  }
}

async function reportError(e: unknown, json: boolean, io: Io): Promise<number> {
  const err = toCliError(e, io.env); // unexpected errors: one line and a hint; the stack only with DEBUG
  if (json)
    io.stdout.write(`${JSON.stringify({ ok: false, exitCode: err.exitCode, error: err.message, hint: err.hint })}\n`);
  const pc = (await import('picocolors')).default;
  // Through ui.ts, whose named import lets the bundler keep only the prompts used (a dynamic import of the whole
  // library kept all of it: ~30 KB of the package).
  if (err.exitCode === EXIT.cancelled) (await import('../ui/ui.js')).cancelled(err.message, io);
  else io.stderr.write(`${pc.red('✘')} ${err.message}\n${err.hint ? `${pc.dim(err.hint)}\n` : ''}`);
  return err.exitCode;
}

/** process.cwd(), or '' when the directory no longer exists (uv_cwd fails). */
function currentDir(): string {
  try {
    return process.cwd();
  } catch {
    return '';
  }
}
