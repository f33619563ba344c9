// What backup and its schedule share: the request, the install directory, and the key an archive is encrypted with.
import { lstatSync, readFileSync } from 'node:fs';
import { usageError } from '../../core/errors.js';
import { type Io, resolveIn } from '../../core/io.js';
import { shellQuote } from '../../core/shell-quote.js';
import type { Ui } from '../../ui/ui.js';
import { kindOf } from '../../core/safe-fs.js';
import { foundTargetDir, installDir } from '../../install/install-dir.js';
import { recipientProblem, type KeySpec } from '../archive.js';

export interface BackupRequest {
  dir?: string;
  json: boolean;
  yes: boolean;
  /** --out FILE|DIR, --recipient AGE_PUBLIC_KEY, --passphrase-env VAR, --passphrase-file F (owner-only), --keep N. */
  out?: string;
  recipient?: string;
  passphraseEnv?: string;
  passphraseFile?: string;
  keep?: number;
  /** --schedule daily|weekly, --unschedule: a timer running this backup. */
  schedule?: 'daily' | 'weekly';
  unschedule?: boolean;
}

/**
 * --dir, else the first of ./appwrite and ./langflow (each target's default)
 * that holds a compose file; else ./appwrite.
 */
export function installDirOf(given: string | undefined, io: Pick<Io, 'cwd'>): string {
  return installDir(given, foundTargetDir(io), io).dir;
}

/** The encryption of a backup: --recipient, --passphrase-env or --passphrase-file (exactly one). */
export function encryptionFrom(req: BackupRequest, ui: Ui, io: Pick<Io, 'cwd' | 'env'>): KeySpec {
  const given = [
    req.recipient && '--recipient',
    req.passphraseEnv && '--passphrase-env',
    req.passphraseFile && '--passphrase-file',
  ].filter(Boolean);
  if (given.length > 1) throw usageError(`${given.join(' and ')} exclude each other: give one.`);
  if (req.recipient) return { recipient: checkRecipient(req.recipient) };
  if (req.passphraseEnv) return { passphrase: passphraseFromEnv(req.passphraseEnv, io, ui) };
  if (req.passphraseFile) return { passphrase: passphraseFromFile(resolveIn(io, req.passphraseFile), ui) };
  throw usageError(
    'A backup is always encrypted: give --recipient <age public key>, --passphrase-env ' +
      '<VARIABLE> or --passphrase-file <FILE>.',
    'An age key pair (age-keygen) is best: the server then holds no secret that opens the archives.',
  );
}

export function checkRecipient(recipient: string): string {
  const hint =
    'Make a key pair with `age-keygen -o key.txt` (or `age-keygen -pq` for a post-quantum one); its "public key:" ' +
    'line is the recipient. Keep key.txt off this server.';
  if (!/^age1[0-9a-z]+$/.test(recipient))
    throw usageError(`--recipient: not an age public key (age1…): "${recipient.slice(0, 20)}"`, hint);
  // Checked now (checksum, length), not when the archive is already being written.
  const problem = recipientProblem(recipient);
  if (problem)
    throw usageError(`--recipient: not a valid age public key ("${recipient.slice(0, 20)}…": ${problem})`, hint);
  return recipient;
}

/**
 * --passphrase-file: the passphrase in a file only its owner can read (what a scheduled backup uses). Refused
 * when it is a link, not a regular file, readable or writable by group or others, or owned by another user than
 * the one running (or root): anyone who can read it opens every archive. One trailing newline is not part of it.
 */
/** <abs>: resolved by the caller against the run's working directory. */
export function passphraseFromFile(abs: string, ui?: Ui): string {
  const kind = kindOf(abs);
  if (kind !== 'file')
    throw usageError(
      `--passphrase-file ${abs}: ${
        kind === 'missing'
          ? 'no such file'
          : kind === 'symlink'
            ? 'a symbolic link (give the file itself)'
            : 'not a regular file'
      }.`,
    );
  const st = lstatSync(abs);
  if ((st.mode & 0o077) !== 0) {
    throw usageError(
      `--passphrase-file ${abs}: readable or writable by group or others (mode ` +
        `${(st.mode & 0o777).toString(8).padStart(4, '0')}); it must be owner-only.`,
      `chmod 600 ${shellQuote(abs)}`,
    );
  }
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid && st.uid !== 0)
    throw usageError(`--passphrase-file ${abs}: owned by uid ${st.uid}, not by you (uid ${uid}) or root.`);
  const value = readFileSync(abs, 'utf8').replace(/\r?\n$/, '');
  if (!value) throw usageError(`--passphrase-file ${abs}: the file is empty.`);
  if (value.includes('\n'))
    throw usageError(`--passphrase-file ${abs}: more than one line; the passphrase is the file's only line.`);
  if (value.length < 12)
    ui?.warn(
      `The passphrase in ${abs} is short (${value.length} characters): anyone holding an archive can try to guess ` +
        `it offline. Use 20+ random characters.`,
    );
  return value;
}

export function passphraseFromEnv(name: string, io: Pick<Io, 'env'>, ui?: Ui): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
    throw usageError(
      `--passphrase-env: "${name}" is not an environment variable name (it takes the NAME of a ` +
        `variable, never the passphrase itself).`,
    );
  const value = io.env[name];
  if (!value) throw usageError(`--passphrase-env ${name}: that environment variable is not set or empty.`);
  if (value.length < 12)
    ui?.warn(
      `The passphrase in ${name} is short (${value.length} characters): anyone holding an archive can try to guess ` +
        `it offline. Use 20+ random characters.`,
    );
  return value;
}
