// Never lose the key: an install harden-init has set up before whose .env no longer holds the encryption
// key (line deleted or emptied, .env deleted or garbage) must not silently get a new one, because a new
// key makes everything Appwrite encrypted with the old one unreadable. Pure: the caller reads the files.
import { shellQuote } from '../core/shell-quote.js';

export interface KeyBackup {
  /** Path of the backed-up .env. */
  path: string;
  env: Record<string, string>;
}

export interface KeyGuardInput {
  dir: string;
  /** The variables that encrypt stored data (Appwrite: _APP_OPENSSL_KEY_V1; Langflow: LANGFLOW_SECRET_KEY). */
  keyNames: string[];
  /** harden-init has written here before: state.json (even corrupt) or .harden-init/backups exists. */
  setUpBefore: boolean;
  /** The current .env's values; undefined when .env is absent. */
  env: Record<string, string> | undefined;
  /** Backed-up .env files, newest first. */
  backups: KeyBackup[];
  /** --new-encryption-key */
  newKeyFlag: boolean;
  interactive: boolean;
}

export type KeyDecision =
  | { kind: 'ok'; warning?: string }
  | { kind: 'refuse'; message: string; hint: string }
  | { kind: 'confirm'; message: string; question: string };

export const NEW_KEY_FLAG = '--new-encryption-key';

/** The install's .env as the messages name it (a trailing slash of --dir dropped). */
const envPath = (dir: string) => `${dir.replace(/\/+$/, '')}/.env`;

export function lossText(names: string[]): string {
  return (
    `${names.join(' and ')} encrypt${names.length === 1 ? 's' : ''} the data Appwrite stores for you: a new key ` +
    `makes stored passwords, OAuth secrets and API keys unreadable, for good`
  );
}

export function decideKey(i: KeyGuardInput): KeyDecision {
  const missing = i.keyNames.filter((k) => !i.env?.[k]);
  if (missing.length === 0) {
    if (i.newKeyFlag) {
      return {
        kind: 'refuse',
        message:
          `${NEW_KEY_FLAG}: .env already holds ${i.keyNames.join(', ')}; harden-init ` +
          `never replaces an existing encryption key.`,
        hint: `Drop ${NEW_KEY_FLAG}.`,
      };
    }
    return { kind: 'ok' };
  }
  if (!i.setUpBefore) return { kind: 'ok' }; // a first install: a new key is what it needs
  const where = i.env === undefined ? `${i.dir}/.env is missing` : `.env has no value for ${missing.join(', ')}`;
  const message =
    `${where}, but harden-init has set up this install before. ` + `${lossText(missing)}. Nothing was written.`;
  if (i.newKeyFlag) {
    if (!i.interactive)
      return {
        kind: 'ok',
        warning: `${where}: making a new ${missing.join(', ')} as asked (${NEW_KEY_FLAG}). ${lossText(missing)}.`,
      };
    return {
      kind: 'confirm',
      message: `${where}. ${lossText(missing)}.`,
      question: `Make a NEW ${missing.join(', ')} anyway, giving up everything encrypted with the old one?`,
    };
  }
  const backup = i.backups.find((b) => missing.every((k) => b.env[k]));
  const target = envPath(i.dir);
  const hint = backup
    ? `The newest backup that holds ${missing.join(', ')} is ${backup.path}. Restore it (it replaces the whole .env ` +
      `with that version), then re-run:\n  cp ${shellQuote(backup.path)} ${shellQuote(target)}\nOnly if the data ` +
      `encrypted with the old key may be lost: re-run with ${NEW_KEY_FLAG}.`
    : `No backup in .harden-init/backups holds ${missing.join(', ')}. If you have the key elsewhere (another ` +
      `copy of .env), put the line back into ${target} and re-run. Only if the data encrypted with the old key ` +
      `may be lost: re-run with ${NEW_KEY_FLAG}.`;
  return { kind: 'refuse', message, hint };
}

export interface DbPasswordInput {
  dir: string;
  /** The bundled database's passwords that a run would otherwise generate, missing from .env. */
  missing: string[];
  /** The target's title, for the message (Appwrite, Langflow). */
  product: string;
  /** Where the database keeps its data (the target's stack.dbLocation), for the message. */
  location?: string;
  /** Backed-up .env files, newest first. */
  backups: KeyBackup[];
  /** Encrypted archives of `harden-init backup` in the install, newest first (their contents cannot be read here). */
  archives: string[];
}

/**
 * The bundled database sets its password only when its data directory is first created: a new value in .env
 * would lock the product out of its own data. A password missing from an existing install's .env is therefore
 * refused (exit 2), never regenerated; the operator puts the old one back (from the newest backup that holds it).
 */
export function refuseLostDbPassword(i: DbPasswordInput): { message: string; hint: string } | undefined {
  if (i.missing.length === 0) return undefined;
  const names = i.missing.join(', ');
  const one = i.missing.length === 1;
  const target = envPath(i.dir);
  const message =
    `.env has no value for ${names}, but this install's bundled ` +
    `database${i.location ? ` (${i.location})` : ''} still holds the old password${one ? '' : 's'}: a new one would ` +
    `lock ${i.product} out of its data. harden-init never makes up a replacement. Nothing was written.`;
  const backup = i.backups.find((b) => i.missing.every((k) => b.env[k]));
  const lines: string[] = [];
  if (backup) {
    lines.push(...putBack(i.dir, i.missing, backup), 'then re-run.');
  } else {
    lines.push(`No backup in .harden-init/backups holds ${names}.`);
    if (i.archives[0]) {
      lines.push(
        `The newest archive of harden-init backup here, ${i.archives[0]}, holds the .env of its day: age ` +
          `-d -i <key file> ${shellQuote(i.archives[0])} | tar -xO .env | grep -E ` +
          `'^(${i.missing.join('|')})=' (without -i for a passphrase).`,
      );
    }
    lines.push(
      `If you have the password elsewhere (another copy of .env), put the line back into ${target} and re-run.`,
    );
  }
  lines.push(
    `Only if the database's data is gone on purpose (its volume or directory removed): write a new ` +
      `value into the line yourself, then re-run.`,
  );
  return { message, hint: lines.join('\n') };
}

/** How to put lost lines of .env back from a backup that holds them all: the sentence and one `grep` per line. */
function putBack(dir: string, missing: string[], backup: KeyBackup): string[] {
  const target = envPath(dir);
  const lines = missing.length === 1 ? 'line' : 'lines';
  return [
    `The newest backup that holds ${missing.join(', ')} is ${backup.path}. Put the ${lines} back into ${target}:`,
    ...missing.map((k) => `  grep '^${k}=' ${shellQuote(backup.path)} >> ${shellQuote(target)}`),
  ];
}

/**
 * A run that keeps the install and may not ask (an upgrade) never starts without an encryption key: refused,
 * naming the newest backup that holds it; undefined when none is missing.
 */
export function refuseLostKeys(i: {
  dir: string;
  missing: string[];
  backups: KeyBackup[];
}): { message: string; hint: string } | undefined {
  if (i.missing.length === 0) return undefined;
  const names = i.missing.join(', ');
  const target = envPath(i.dir);
  const backup = i.backups.find((b) => i.missing.every((k) => b.env[k]));
  return {
    message:
      `.env has no value for ${names}: ${lossText(i.missing)}. An upgrade never runs without it. ` +
      'Nothing was changed.',
    hint: backup
      ? [...putBack(i.dir, i.missing, backup), 'then upgrade.'].join('\n')
      : `No backup in .harden-init/backups holds ${names}: put the line back into ${target} from another copy of ` +
        '.env, then upgrade.',
  };
}
