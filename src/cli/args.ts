// argv → a typed request. The question flags come from the targets' question lists.
import { parseArgs } from 'node:util';
import { TARGETS as REGISTRY, DEFAULT_TARGET } from '../targets/index.js';
import { usageError } from '../core/errors.js';

export const TARGETS = Object.keys(REGISTRY);
/** Every target's question flags (a flag's meaning is checked against the chosen target's own list). */
const QUESTION_FLAGS = [...new Set(Object.values(REGISTRY).flatMap((t) => t.questions.map((q) => q.flag)))];
export const COMMANDS = ['verify', 'check', 'backup', 'restore', 'upgrade', 'rollback', 'rotate-key', 'rotate-secret'] as const;

export interface Request {
  command: 'setup' | (typeof COMMANDS)[number];
  target: string;
  dir?: string;
  /** Raw question flag values by flag name (without the dashes). */
  given: Record<string, string>;
  yes: boolean;
  dryRun: boolean;
  /** --diff: the plan shows every new file in full (secrets still masked), not one line each. */
  diff: boolean;
  noStart: boolean;
  json: boolean;
  showSecrets: boolean;
  replaceCompose: boolean;
  allowDbMove: boolean;
  /** --new-encryption-key: make a new encryption key for an install whose key is lost (data loss, confirmed). */
  newEncryptionKey: boolean;
  /** --allow-db-path-nonempty: accept a non-empty --db-path that does not look like a database directory. */
  allowDbPathNonEmpty: boolean;
  allowInsecureRelease: boolean;
  /** Services and variables accepted as upstream wrote them (--accept-upstream, repeatable). */
  acceptUpstream: string[];
  /** Seconds to wait for the stack to become healthy. */
  timeout: number;
  /** backup: --out FILE|DIR, --recipient AGE_PUBLIC_KEY, --passphrase-env VAR, --keep N. */
  out?: string;
  recipient?: string;
  passphraseEnv?: string;
  keep?: number;
  /** backup/restore: --passphrase-file F (owner-only); backup: --schedule daily|weekly, --unschedule. */
  passphraseFile?: string;
  schedule?: 'daily' | 'weekly';
  unschedule: boolean;
  /** restore: the archive (positional), --identity FILE, --force (a different encryption key). */
  archive?: string;
  identity?: string;
  force: boolean;
  /** check: the lowest severity that fails the check (--fail-on; default high). */
  failOn?: string;
  /** Whether the target was named on the command line (check detects it otherwise). */
  targetGiven: boolean;
  /** upgrade: --to <version>; rollback: --backup <timestamp>, --with-db (load the dump taken before that step). */
  to?: string;
  backup?: string;
  withDb: boolean;
  /** upgrade: --resume (continue the step a failed run left, at its start and migration). */
  resume: boolean;
  /** rotate-secret: the .env variables to give new values (positional). */
  secretNames?: string[];
  help: boolean;
  version: boolean;
}

/** Question flags that take no value (`--mqtt`, `--no-mqtt`). */
const BOOLEAN_QUESTIONS = ['mqtt'];

const GENERAL = {
  dir: { type: 'string' },
  yes: { type: 'boolean', short: 'y' },
  'dry-run': { type: 'boolean' },
  diff: { type: 'boolean' },
  'no-start': { type: 'boolean' },
  json: { type: 'boolean' },
  'show-secrets': { type: 'boolean' },
  'replace-compose': { type: 'boolean' },
  'allow-db-move': { type: 'boolean' },
  'new-encryption-key': { type: 'boolean' },
  'allow-db-path-nonempty': { type: 'boolean' },
  'allow-insecure-release': { type: 'boolean' },
  'accept-upstream': { type: 'string', multiple: true },
  'no-mqtt': { type: 'boolean' },
  timeout: { type: 'string' },
  out: { type: 'string' },
  recipient: { type: 'string' },
  'passphrase-env': { type: 'string' },
  keep: { type: 'string' },
  'passphrase-file': { type: 'string' },
  schedule: { type: 'string' },
  unschedule: { type: 'boolean' },
  identity: { type: 'string' },
  force: { type: 'boolean' },
  'fail-on': { type: 'string' },
  to: { type: 'string' },
  backup: { type: 'string' },
  'with-db': { type: 'boolean' },
  resume: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

export function parseRequest(argv: string[]): Request {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = { ...GENERAL };
  for (const flag of QUESTION_FLAGS) options[flag] = { type: BOOLEAN_QUESTIONS.includes(flag) ? 'boolean' : 'string' };
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw usageError(String((e as Error).message).replace(/^TypeError \[[A-Z_]+\]: /, ''), 'Run harden-init --help for the options.');
  }
  const v = parsed.values as Record<string, string | boolean | undefined>;
  const [first, ...rest] = parsed.positionals;
  let command: Request['command'] = 'setup';
  let target = DEFAULT_TARGET;
  if (first !== undefined) {
    if ((COMMANDS as readonly string[]).includes(first)) command = first as Request['command'];
    else if ((TARGETS as readonly string[]).includes(first)) target = first;
    else throw usageError(`Unknown target or command "${first}": use one of ${[...TARGETS, ...COMMANDS].join(', ')}.`);
  }
  let targetGiven = first !== undefined && command === 'setup';
  // `check appwrite`: the product may follow the command.
  if ((command === 'check' || command === 'rotate-key') && rest[0] !== undefined && (TARGETS as readonly string[]).includes(rest[0])) { target = rest.shift()!; targetGiven = true; }
  const archive = command === 'restore' ? rest.shift() : undefined;
  const secretNames = command === 'rotate-secret' ? rest.splice(0) : undefined;
  if (command === 'restore' && archive === undefined && v.help !== true) throw usageError('restore: which archive? harden-init restore FILE [--dir D] [--identity F | --passphrase-env VAR] [--yes] [--force]');
  if (rest.length > 0) throw usageError(`Unexpected argument "${rest[0]}".`, 'Run harden-init --help for the options.');
  let keep: number | undefined;
  if (typeof v.keep === 'string') {
    if (!/^\d+$/.test(v.keep) || Number(v.keep) < 1) throw usageError(`--keep: must be a whole number, at least 1 (got "${v.keep}")`);
    keep = Number(v.keep);
  }
  const schedule = typeof v.schedule === 'string' ? v.schedule : undefined;
  if (schedule !== undefined && schedule !== 'daily' && schedule !== 'weekly') throw usageError(`--schedule: one of daily, weekly (got "${schedule}")`);
  if ((schedule !== undefined || v.unschedule === true) && command !== 'backup') throw usageError('--schedule and --unschedule belong to harden-init backup.');
  if (v['passphrase-file'] !== undefined && command !== 'backup' && command !== 'restore' && command !== 'rotate-key') throw usageError('--passphrase-file belongs to harden-init backup, restore and rotate-key.');
  if (schedule !== undefined && v.unschedule === true) throw usageError('--schedule and --unschedule exclude each other: give one.');
  if (v.resume === true && command !== 'upgrade') throw usageError('--resume belongs to harden-init upgrade.');
  const given: Record<string, string> = {};
  for (const flag of QUESTION_FLAGS) {
    const raw = v[flag];
    if (typeof raw === 'string') given[flag] = raw;
    else if (raw === true) given[flag] = 'on';
    if (BOOLEAN_QUESTIONS.includes(flag) && v[`no-${flag}`] === true) {
      if (raw === true) throw usageError(`--${flag} and --no-${flag} contradict each other.`);
      given[flag] = 'off';
    }
  }
  const failOn = typeof v['fail-on'] === 'string' ? v['fail-on'] : undefined;
  if (failOn !== undefined && !['critical', 'high', 'medium', 'low'].includes(failOn)) throw usageError(`--fail-on: one of critical, high, medium, low (got "${failOn}")`);
  let timeout = 300;
  if (typeof v.timeout === 'string') {
    if (!/^\d+$/.test(v.timeout) || Number(v.timeout) < 1) throw usageError(`--timeout: must be a whole number of seconds, at least 1 (got "${v.timeout}")`);
    timeout = Number(v.timeout);
  }
  return {
    command,
    target,
    dir: typeof v.dir === 'string' ? v.dir : undefined,
    given,
    yes: v.yes === true,
    dryRun: v['dry-run'] === true,
    diff: v.diff === true,
    noStart: v['no-start'] === true,
    json: v.json === true,
    showSecrets: v['show-secrets'] === true,
    replaceCompose: v['replace-compose'] === true,
    allowDbMove: v['allow-db-move'] === true,
    newEncryptionKey: v['new-encryption-key'] === true,
    allowDbPathNonEmpty: v['allow-db-path-nonempty'] === true,
    allowInsecureRelease: v['allow-insecure-release'] === true,
    acceptUpstream: ((v as Record<string, unknown>)['accept-upstream'] as string[] | undefined) ?? [],
    timeout,
    out: typeof v.out === 'string' ? v.out : undefined,
    recipient: typeof v.recipient === 'string' ? v.recipient : undefined,
    passphraseEnv: typeof v['passphrase-env'] === 'string' ? v['passphrase-env'] : undefined,
    keep,
    passphraseFile: typeof v['passphrase-file'] === 'string' ? v['passphrase-file'] : undefined,
    schedule: schedule as Request['schedule'],
    unschedule: v.unschedule === true,
    archive,
    identity: typeof v.identity === 'string' ? v.identity : undefined,
    force: v.force === true,
    failOn,
    targetGiven,
    to: typeof v.to === 'string' ? v.to : undefined,
    backup: typeof v.backup === 'string' ? v.backup : undefined,
    withDb: v['with-db'] === true,
    resume: v.resume === true,
    secretNames,
    help: v.help === true,
    version: v.version === true,
  };
}
