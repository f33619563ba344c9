// .harden-init/state.json: what harden-init decided last time, without secrets, so a re-run can offer it
// as defaults and can tell whether docker-compose.yml was edited by hand since.
import { createHash } from 'node:crypto';
import type { Answers } from '../answers.js';

export const STATE_DIR = '.harden-init';
export const STATE_FILE = `${STATE_DIR}/state.json`;
export const BACKUP_DIR = `${STATE_DIR}/backups`;

export interface State {
  schema: 1;
  target: string;
  templateVersion: string;
  answers: Answers;
  /** sha256 of the docker-compose.yml harden-init last wrote. */
  composeSha256?: string;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function serializeState(state: State): string {
  return `${JSON.stringify(state, null, 2)}\n`;
}

export function parseState(text: string): State | undefined {
  try {
    const s = JSON.parse(text) as State;
    return s && s.schema === 1 && typeof s.answers === 'object' ? s : undefined;
  } catch {
    return undefined;
  }
}
