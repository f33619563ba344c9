// Reads what is already in the install directory. Missing files are simply absent, never an error; a file
// that is a symbolic link, a directory, a FIFO or a device is a clear error (exit 1): it is never opened
// (a FIFO would block) and never followed (a link could point anywhere).
import { isAbsolute, join } from 'node:path';
import { ambiguousEntries, ambiguousEnvMessage, parseEnv, type EnvFile } from './envfile.js';
import { usageError } from '../core/errors.js';
import {
  adoptPending,
  BACKUP_DIR,
  parsePending,
  parseState,
  PENDING_FILE,
  STATE_DIR,
  STATE_FILE,
  type State,
} from './state.js';
import { assertDirOrMissing, kindOf, readRegular } from '../core/safe-fs.js';

export interface Existing {
  dir: string;
  env?: EnvFile;
  envText?: string;
  compose?: string;
  proposedCompose?: string;
  stateText?: string;
  state?: State;
  /** state.json exists but could not be read as a state: rebuilt from .env (see warnings). */
  stateCorrupt?: boolean;
  /** The state was taken from the journal of an interrupted run (see PENDING_FILE). */
  pendingAdopted?: boolean;
  /** .harden-init/backups exists (harden-init has changed this install before). */
  hasBackups?: boolean;
  /** Things the user should know about what was found. */
  warnings?: string[];
}

export function readExisting(dir: string): Existing {
  assertDirOrMissing(join(dir, STATE_DIR));
  assertDirOrMissing(join(dir, BACKUP_DIR));
  const envText = readRegular(join(dir, '.env'));
  const compose = readRegular(join(dir, 'docker-compose.yml'));
  const stateText = readRegular(join(dir, STATE_FILE));
  const warnings: string[] = [];
  let state = stateText === undefined ? undefined : parseState(stateText);
  const stateCorrupt = stateText !== undefined && state === undefined;
  if (stateCorrupt) {
    warnings.push(
      `${STATE_FILE} is not readable as harden-init's state (corrupt or from another tool): the settings are read ` +
        `from .env instead and the file is rewritten.`,
    );
  }
  let pendingAdopted = false;
  const pending = parsePending(readRegular(join(dir, PENDING_FILE)));
  // A journal whose state is already state.json's describes a finished commit (killed before its removal).
  if (pending && !(state && JSON.stringify(pending.state) === JSON.stringify(state))) {
    // Every file the journal names (a target's extra files and harden-init's own copies too), read as it is now;
    // a name that would leave the install directory is never read (it counts as missing).
    const inside = (path: string) => !isAbsolute(path) && !path.split(/[\\/]/).includes('..');
    const onDisk: Record<string, string | undefined> = Object.fromEntries(
      Object.keys(pending.after).map((path) => [path, inside(path) ? readRegular(join(dir, path)) : undefined]),
    );
    const adopted = adoptPending(pending, onDisk);
    if (adopted) {
      state = adopted;
      pendingAdopted = true;
    }
  }
  const env = envText === undefined ? undefined : parseEnv(envText);
  const ambiguous = env ? ambiguousEntries(env) : [];
  if (ambiguous.length > 0) {
    throw usageError(
      ambiguousEnvMessage(join(dir, '.env'), ambiguous),
      "Write such a value in single quotes (KEY='value'), the form every reader takes literally, then run " +
        'harden-init again. Nothing was written.',
    );
  }
  return {
    dir,
    envText,
    env,
    compose,
    proposedCompose: readRegular(join(dir, 'docker-compose.proposed.yml')),
    stateText,
    state,
    stateCorrupt,
    pendingAdopted,
    hasBackups: kindOf(join(dir, BACKUP_DIR)) === 'dir',
    warnings,
  };
}

export function isExistingInstall(e: Existing): boolean {
  return (
    e.env !== undefined ||
    e.compose !== undefined ||
    e.state !== undefined ||
    Boolean(e.stateCorrupt) ||
    Boolean(e.hasBackups)
  );
}
