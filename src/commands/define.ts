// One command: its help lines, the flags it takes (node:util parseArgs shapes plus help text) and run(), which
// receives those flags typed from the declaration. A flag a command does not declare is an unknown option.
import { parseArgs } from 'node:util';
import { usageError } from '../core/errors.js';
import type { Io } from '../core/io.js';

export interface FlagSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** The line --help shows for it (flags without one are not listed under Options). */
  description?: string;
  /** The value's name in --help (`--dir <path>`); for a boolean, extra names (`--mqtt, --no-mqtt`). */
  valueName?: string;
}
export type FlagSpecs = Record<string, FlagSpec>;

type FlagValue<S extends FlagSpec> = S['type'] extends 'boolean'
  ? S['multiple'] extends true
    ? boolean[]
    : boolean
  : S['multiple'] extends true
    ? string[]
    : string;
/** The parsed flags of a declaration: a value for each flag given, undefined for one not given. */
export type Flags<A extends FlagSpecs> = { [K in keyof A]?: FlagValue<A[K]> };

export interface CommandMeta {
  name: string;
  /** Its lines in --help's Usage section. */
  usage: string[];
}

export interface RunContext<A extends FlagSpecs> {
  flags: Flags<A>;
  /** The arguments that are not flags, without the command's own name. */
  positionals: string[];
  version: string;
  /** The run's environment, working directory and streams. */
  io: Io;
}

export interface Command<A extends FlagSpecs = FlagSpecs> {
  meta: CommandMeta;
  args: A;
  run(ctx: RunContext<A>): Promise<number>;
}

export function defineCommand<const A extends FlagSpecs>(command: Command<A>): Command<A> {
  return command;
}

/** Taken by every command: --help prints the help, --version the version. */
export const globalFlags = {
  help: { type: 'boolean', short: 'h', description: 'this text', valueName: 'help, -h' },
  version: { type: 'boolean', short: 'v', description: 'the version', valueName: 'version, -v' },
} as const satisfies FlagSpecs;

/** A flag the command does not declare (the caller names the commands that do). */
export class UnknownFlag extends Error {
  constructor(
    readonly flag: string,
    message: string,
  ) {
    super(message);
  }
}

/** argv (without the command name) → the command's flags and positionals; usage errors for anything else. */
export function parseFlags<A extends FlagSpecs>(
  args: A,
  argv: string[],
): { flags: Flags<A> & Flags<typeof globalFlags>; positionals: string[] } {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {};
  for (const [name, spec] of Object.entries({ ...args, ...globalFlags }) as [string, FlagSpec][]) {
    options[name] = {
      type: spec.type,
      ...(spec.short ? { short: spec.short } : {}),
      ...(spec.multiple ? { multiple: true } : {}),
    };
  }
  try {
    const parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { flags: parsed.values as Flags<A> & Flags<typeof globalFlags>, positionals: parsed.positionals };
  } catch (e) {
    const message = String((e as Error).message).replace(/^TypeError \[[A-Z_]+\]: /, '');
    if ((e as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const flag = /Unknown option '([^']+)'/.exec(message)?.[1];
      if (flag) throw new UnknownFlag(flag, message);
    }
    throw usageError(message, 'Run harden-init --help for the options.');
  }
}

/** A whole number at least 1 (`--keep`, `--timeout`), or a usage error naming the flag. */
export function positiveInt(flag: string, raw: string, what = 'a whole number'): number {
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw usageError(`--${flag}: must be ${what}, at least 1 (got "${raw}")`);
  return Number(raw);
}
