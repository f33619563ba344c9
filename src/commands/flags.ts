// Flag groups several commands take, spread into each command's `args`, and the readers of their values.
import { usageError } from '../core/errors.js';
import { TARGETS } from '../targets/index.js';
import { positiveInt, type FlagSpecs } from './define.js';

export const dirFlag = {
  dir: { type: 'string', description: 'install directory (default ./<target>, e.g. ./appwrite)', valueName: 'path' },
} as const satisfies FlagSpecs;

export const jsonFlag = {
  json: { type: 'boolean', description: 'machine-readable result on stdout; implies no prompts' },
} as const satisfies FlagSpecs;

export const yesFlag = {
  yes: {
    type: 'boolean',
    short: 'y',
    description: "no prompts: defaults, or the existing install's values, for what is not given",
    valueName: 'yes, -y',
  },
} as const satisfies FlagSpecs;

export const timeoutFlag = {
  timeout: {
    type: 'string',
    description: 'how long to wait for the stack to become healthy (default 300)',
    valueName: 'seconds',
  },
} as const satisfies FlagSpecs;

/** How a backup archive is encrypted (backup, rotate-key) or decrypted (restore: --identity instead of --recipient). */
export const passphraseFlags = {
  'passphrase-env': { type: 'string' },
  'passphrase-file': { type: 'string' },
} as const satisfies FlagSpecs;

export const recipientFlag = { recipient: { type: 'string' } } as const satisfies FlagSpecs;

/** Question flags that take no value (`--mqtt`, `--no-mqtt`). */
const BOOLEAN_QUESTIONS = ['mqtt'];
const QUESTION_FLAGS = [...new Set(Object.values(TARGETS).flatMap((t) => t.questions.map((q) => q.flag)))];

/** Every target's question flags (a flag's meaning is checked against the chosen target's own list). */
export const questionFlags: FlagSpecs = Object.fromEntries([
  ...QUESTION_FLAGS.map((flag) => [flag, { type: BOOLEAN_QUESTIONS.includes(flag) ? 'boolean' : 'string' }] as const),
  ...BOOLEAN_QUESTIONS.map((flag) => [`no-${flag}`, { type: 'boolean' }] as const),
]);

/** The question flags given, by flag name: raw values, 'on'/'off' for the boolean ones. */
export function givenFrom(flags: Record<string, unknown>): Record<string, string> {
  const given: Record<string, string> = {};
  for (const flag of QUESTION_FLAGS) {
    const raw = flags[flag];
    if (typeof raw === 'string') given[flag] = raw;
    else if (raw === true) given[flag] = 'on';
    if (BOOLEAN_QUESTIONS.includes(flag) && flags[`no-${flag}`] === true) {
      if (raw === true) throw usageError(`--${flag} and --no-${flag} contradict each other.`);
      given[flag] = 'off';
    }
  }
  return given;
}

/** --timeout in seconds (default 300). */
export function timeoutOf(flags: { timeout?: string }): number {
  return flags.timeout === undefined ? 300 : positiveInt('timeout', flags.timeout, 'a whole number of seconds');
}

/** No positionals beyond those a command takes. */
export function noMore(rest: string[]): void {
  if (rest.length > 0) throw usageError(`Unexpected argument "${rest[0]}".`, 'Run harden-init --help for the options.');
}

/** An optional product name first (`check appwrite`, `rotate-key langflow`). */
export function optionalTarget(
  positionals: string[],
  fallback: string,
): { target: string; targetGiven: boolean; rest: string[] } {
  const [first, ...rest] = positionals;
  if (first !== undefined && first in TARGETS) return { target: first, targetGiven: true, rest };
  return { target: fallback, targetGiven: false, rest: positionals };
}
