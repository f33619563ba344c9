// Reads what is already in the install directory. Missing files are simply absent, never an error.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv, type EnvFile } from './envfile.js';
import { parseState, STATE_FILE, type State } from './state.js';

export interface Existing {
  dir: string;
  env?: EnvFile;
  envText?: string;
  compose?: string;
  proposedCompose?: string;
  stateText?: string;
  state?: State;
}

function readIfPresent(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw e;
  }
}

export function readExisting(dir: string): Existing {
  const envText = readIfPresent(join(dir, '.env'));
  const compose = readIfPresent(join(dir, 'docker-compose.yml'));
  const stateText = readIfPresent(join(dir, STATE_FILE));
  return {
    dir,
    envText,
    env: envText === undefined ? undefined : parseEnv(envText),
    compose,
    proposedCompose: readIfPresent(join(dir, 'docker-compose.proposed.yml')),
    stateText,
    state: stateText === undefined ? undefined : parseState(stateText),
  };
}

export function isExistingInstall(e: Existing): boolean {
  return e.env !== undefined || e.compose !== undefined || e.state !== undefined;
}
