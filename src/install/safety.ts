// The setup flow's safety checks, each a thin wrapper around a pure decision (engine/key-guard.ts,
// core/db-path.ts, the question validators): they read the file system or ask, the decisions do not.
import { lstatSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { AnyAnswers as Answers, PartialAnswers, Question } from '../core/question.js';
import { CliError, EXIT, usageError } from '../core/errors.js';
import { confirmWrite, type ChangeGuard } from '../ui/wizard.js';
import type { Ui } from '../ui/ui.js';
import { decideKey, NEW_KEY_FLAG, refuseLostDbPassword, refuseLostKeys, type KeyBackup } from '../engine/key-guard.js';
import { checkDbPath, type PathProbe } from '../core/db-path.js';
import { parseEnv, toRecord } from '../engine/envfile.js';
import { BACKUP_DIR, STATE_DIR } from '../engine/state.js';
import type { Existing } from '../engine/existing.js';
import type { BaseAnswers, Target, TargetTemplate } from '../targets/types.js';
import { kindOf, readRegular } from '../core/safe-fs.js';

/** Backed-up .env files of an install, newest first (backup directories are named by UTC time stamp). */
export function findEnvBackups(dir: string): KeyBackup[] {
  const root = join(dir, BACKUP_DIR);
  if (kindOf(root) !== 'dir') return [];
  const stamps = readdirSync(root).filter((n) => kindOf(join(root, n)) === 'dir');
  stamps.sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
  const out: KeyBackup[] = [];
  for (const s of stamps) {
    const path = join(root, s, '.env');
    try {
      const text = readRegular(path);
      if (text !== undefined) out.push({ path, env: toRecord(parseEnv(text)) });
    } catch {
      /* not a regular file: not a backup we can offer */
    }
  }
  return out;
}

/** Refuses (exit 2) to replace a lost encryption key unless asked for with --new-encryption-key (and confirmed). */
export async function guardEncryptionKey(
  ui: Ui,
  o: { dir: string; existing: Existing; keyNames: string[]; newKeyFlag: boolean; interactive: boolean },
): Promise<void> {
  const e = o.existing;
  const decision = decideKey({
    dir: o.dir,
    keyNames: o.keyNames,
    setUpBefore: e.stateText !== undefined || Boolean(e.hasBackups) || Boolean(e.pendingAdopted),
    env: e.env ? toRecord(e.env) : undefined,
    backups: findEnvBackups(o.dir),
    newKeyFlag: o.newKeyFlag,
    interactive: o.interactive,
  });
  if (decision.kind === 'ok') {
    if (decision.warning) ui.warn(decision.warning);
    return;
  }
  if (decision.kind === 'refuse') throw usageError(decision.message, decision.hint);
  ui.warn(decision.message);
  if (!(await confirmWrite(ui, decision.question, false)))
    throw new CliError(`Cancelled: nothing was written (${NEW_KEY_FLAG} not confirmed).`, EXIT.cancelled);
}

/** Archives `harden-init backup` wrote into the install (its default place), newest first. */
function findArchives(dir: string): string[] {
  const root = join(dir, STATE_DIR, 'archives');
  if (kindOf(root) !== 'dir') return [];
  return readdirSync(root)
    .filter((n) => n.endsWith('.age') && kindOf(join(root, n)) === 'file')
    .map((n) => ({ path: join(root, n), t: lstatSync(join(root, n)).mtimeMs }))
    .sort((a, b) => b.t - a.t)
    .map((x) => x.path);
}

/** Exit 2 when a bundled database's password is missing, naming the newest backup or archive that holds it. */
function refuseMissingDbPasswords(
  dir: string,
  target: Target<BaseAnswers>,
  answers: Partial<BaseAnswers>,
  missing: string[],
): void {
  const refusal = refuseLostDbPassword({
    dir,
    missing,
    product: target.title,
    location: target.stack.dbLocation(answers),
    backups: missing.length ? findEnvBackups(dir) : [],
    archives: missing.length ? findArchives(dir) : [],
  });
  if (refusal) throw usageError(refusal.message, refusal.hint);
}

/**
 * Refuses (exit 2) a re-run that would generate a new password for a bundled database that already holds
 * one: the install used this database, at this place, before, and .env lost the password. An external
 * server's password is the operator's and never generated (operatorSecrets asks for it or refuses).
 */
export function guardDbPasswords(o: {
  dir: string;
  existing: Existing;
  target: Target<BaseAnswers>;
  template: TargetTemplate;
  answers: BaseAnswers;
  previous: Partial<BaseAnswers>;
}): void {
  const { target, answers, previous } = o;
  if (!o.existing.env || !target.stack.bundledDbPasswords || previous.db === undefined) return;
  const before = target.stack.bundledDbPasswords(previous);
  // Another place than before is a new, empty database (a move the operator
  // accepts separately): a new password is right.
  if (before.length === 0 || target.stack.dbLocation(previous) !== target.stack.dbLocation(answers)) return;
  const env = toRecord(o.existing.env);
  const generated = target.render.secretsToGenerate(answers, o.template);
  const missing = target.stack
    .bundledDbPasswords(answers)
    .filter((k) => before.includes(k) && generated.includes(k) && !env[k]);
  refuseMissingDbPasswords(o.dir, target, answers, missing);
}

/**
 * The refusals of a run that keeps the install's answers and may not ask (an upgrade): the encryption key and every
 * password the bundled database was set up with must still be in .env. Nothing here makes up a new one for data
 * that holds the old; the message names the newest backup that still has the line.
 */
export function guardSecretsKept(o: {
  dir: string;
  existing: Existing;
  target: Target<BaseAnswers>;
  answers: Partial<BaseAnswers>;
  keyNames: readonly string[];
}): void {
  const { target, answers } = o;
  if (!o.existing.env) return;
  const env = toRecord(o.existing.env);
  const lostKeys = o.keyNames.filter((k) => !env[k]);
  const lost = refuseLostKeys({
    dir: o.dir,
    missing: lostKeys,
    backups: lostKeys.length ? findEnvBackups(o.dir) : [],
  });
  if (lost) throw usageError(lost.message, lost.hint);
  if (!target.stack.bundledDbPasswords || answers.db === undefined) return;
  const missing = target.stack.bundledDbPasswords(answers).filter((k) => !env[k]);
  refuseMissingDbPasswords(o.dir, target, answers, missing);
}

/** The real file system for core/db-path.ts; links are followed here, and resolved for the checks. */
export const fsProbe: PathProbe = {
  kind(path) {
    try {
      const st = statSync(path);
      return st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other';
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR'
        ? 'missing'
        : 'other';
    }
  },
  list(path) {
    try {
      return readdirSync(path);
    } catch {
      return [];
    }
  },
  realpath(path) {
    let rest = '';
    let p = path;
    for (;;) {
      try {
        return join(realpathSync(p), rest);
      } catch {
        /* climb */
      }
      const up = dirname(p);
      if (up === p) return path;
      rest = join(p.slice(up.length + (up.endsWith('/') ? 0 : 1)), rest);
      p = up;
    }
  },
};

export const ALLOW_NONEMPTY_FLAG = '--allow-db-path-nonempty';

/**
 * In the wizard: a non-empty --db-path that is not a database's is confirmed right after it is typed; a no asks again.
 */
export function dbPathGuard(
  dir: string,
  previous: unknown,
  accepted: (path: string) => void,
  probe: PathProbe = fsProbe,
): ChangeGuard {
  const needs = (a: PartialAnswers) => {
    if (a.db !== 'path' || typeof a.dbPath !== 'string') return undefined;
    const r = checkDbPath(a.dbPath, dir, probe);
    return r.ok && r.needsConfirm && r.path !== previous ? { path: r.path, why: r.needsConfirm } : undefined;
  };
  return {
    ids: ['dbPath'],
    check: (a) => needs(a)?.why,
    question: (a) => `Use ${needs(a)?.path ?? String(a.dbPath)} for the database anyway?`,
    accepted: (a) => {
      const n = needs(a);
      if (n) accepted(n.path);
    },
  };
}

/**
 * --db-path: refused (exit 2, nothing written) for system directories, the install directory and its
 * parents, and non-directories; a non-empty directory that is not a database's needs a confirmation, or
 * --allow-db-path-nonempty without prompts. Normalises answers.dbPath in place.
 */
export async function guardDbPath(
  ui: Ui,
  a: Answers & { db?: unknown; dbPath?: string },
  o: {
    dir: string;
    previous?: string;
    interactive: boolean;
    allowNonEmpty: boolean;
    probe?: PathProbe;
    confirmed?: string[];
  },
): Promise<void> {
  if (a.db !== 'path' || a.dbPath === undefined) return;
  const r = checkDbPath(a.dbPath, o.dir, o.probe ?? fsProbe);
  if (!r.ok) throw usageError(`--db-path: ${r.error}`, 'Nothing was written.');
  a.dbPath = r.path;
  if (!r.needsConfirm || r.path === o.previous || o.confirmed?.includes(r.path)) return;
  if (o.allowNonEmpty) {
    ui.warn(r.needsConfirm);
    return;
  }
  if (!o.interactive)
    throw usageError(
      `--db-path: ${r.needsConfirm}`,
      `Choose an empty or new directory, or re-run with ${ALLOW_NONEMPTY_FLAG} if that is really the place.`,
    );
  ui.warn(r.needsConfirm);
  if (!(await confirmWrite(ui, `Use ${r.path} for the database anyway?`, false)))
    throw new CliError('Cancelled: nothing was written.', EXIT.cancelled);
}

/**
 * Values taken over from the install (hand edits of .env or state.json included) pass the same validators
 * as answers; the first that fails is a usage error naming the variable and what is allowed. Returns the
 * canonical forms (lower-cased e-mails, canonical IPs, no duplicates) to use instead.
 */
export function validatedFromInstall(
  questions: Question[],
  envNames: Record<string, string>,
  given: PartialAnswers,
  current: PartialAnswers,
  a: Answers,
): Partial<Answers> {
  const out: PartialAnswers = {};
  for (const q of questions) {
    const value = a[q.id];
    if (given[q.id] !== undefined || value === undefined || current[q.id] === undefined) continue;
    if (JSON.stringify(value) !== JSON.stringify(current[q.id]) || !q.when(a)) continue;
    const r = q.parse(q.format(value));
    if (r.error !== undefined) {
      const name = envNames[q.id];
      throw usageError(
        `${name ? `${name} in .env` : `${q.id} (from the install)`}: ${r.error}.`,
        `Correct it${name ? ` in .env` : ''}, or give --${q.flag} with a valid value. Nothing was written.`,
      );
    }
    out[q.id] = r.value;
  }
  return out as Partial<Answers>;
}
