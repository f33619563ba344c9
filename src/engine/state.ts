// .harden-init/state.json: what harden-init decided last time, without secrets, so a re-run can offer it
// as defaults and can tell whether docker-compose.yml was edited by hand since.
import { createHash } from 'node:crypto';
import type { AnyAnswers as Answers } from '../core/question.js';

export const STATE_DIR = '.harden-init';
export const STATE_FILE = `${STATE_DIR}/state.json`;
export const BACKUP_DIR = `${STATE_DIR}/backups`;

export interface State {
  schema: 1;
  target: string;
  /** The release installed (earlier versions of harden-init wrote only templateVersion: 1.9.5). */
  templateVersion: string;
  release?: string;
  /** The release image's id and the sha256 of its compose file the install was rendered from. */
  imageId?: string;
  upstreamSha256?: string;
  /**
   * The release cache entry the install was rendered from and the sha256 of each of its files, recorded when the
   * entry was written: every later use of the entry checks it against these first (see upstream/cache.ts).
   */
  upstreamCache?: UpstreamCacheRecord;
  answers: Answers;
  /** sha256 of the docker-compose.yml harden-init last wrote. */
  composeSha256?: string;
  /** Release changes made by `harden-init upgrade`, oldest first. */
  history?: HistoryEntry[];
}

export interface UpstreamCacheRecord {
  /** The entry's folder, relative to the install: .harden-init/upstream/<release>-<first 12 hex of the image id>. */
  entry: string;
  /** File name in the entry → sha256 of its content. */
  sha256: Record<string, string>;
}

/** One upgrade step as state.json records it (also written as upgrade.json in that step's backup directory). */
export interface HistoryEntry {
  from: string;
  to: string;
  /** ISO time the step started. */
  when: string;
  /** The backup directory of the files before the step (relative to the install). */
  backup: string;
  /** The database dump taken before the step, when the stack ran (relative to the install). */
  dump?: string;
  /** Image ids of appwrite/appwrite:<from> and :<to> when known. */
  fromImageId?: string;
  toImageId?: string;
  /** How the step ended: done, or where it stopped. */
  result: 'done' | 'files-written' | 'migrate-failed' | 'start-failed' | 'verify-failed';
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

/**
 * The journal of a run that writes several files: written before the first of them, removed after
 * state.json (always the last file written). It holds the state the run is committing and, for each file
 * it replaces, the hash before and after. A run killed midway leaves every file either as it was or as
 * the journal says; the next run recognises that (see adoptPending) and finishes the commit, instead of
 * mistaking harden-init's own half-written change for a hand edit.
 */
export const PENDING_FILE = `${STATE_DIR}/pending.json`;

export interface Pending {
  schema: 1;
  state: State;
  /** path → sha256 of the content being written. */
  after: Record<string, string>;
  /** path → sha256 of the content it replaces, null when the file did not exist. */
  before: Record<string, string | null>;
}

export function serializePending(p: Pending): string {
  return `${JSON.stringify(p, null, 2)}\n`;
}

export function parsePending(text: string | undefined): Pending | undefined {
  if (text === undefined) return undefined;
  try {
    const p = JSON.parse(text) as Pending;
    if (
      p?.schema !== 1 ||
      typeof p.after !== 'object' ||
      typeof p.before !== 'object' ||
      !parseState(JSON.stringify(p.state))
    )
      return undefined;
    return p;
  } catch {
    return undefined;
  }
}

/**
 * Pure: the state to use when a journal is found. `onDisk` maps each journalled path to its current
 * content (undefined = absent). The journal is adopted only when every file is exactly "before" or "after"
 * and at least one is "after" (so the interrupted run did change something); anything else — a hand edit
 * since, or a run that failed before its first write — leaves the journal ignored.
 */
export function adoptPending(p: Pending, onDisk: Record<string, string | undefined>): State | undefined {
  let anyAfter = false;
  for (const [path, after] of Object.entries(p.after)) {
    const text = onDisk[path];
    const now = text === undefined ? null : sha256(text);
    if (now === after) {
      if (after !== p.before[path]) anyAfter = true;
      continue;
    }
    if (now === (p.before[path] ?? null)) continue;
    return undefined;
  }
  if (!anyAfter) return undefined;
  const state = { ...p.state };
  // The compose on disk is harden-init's own (old or new): record it so it is not taken for a hand edit.
  const compose = onDisk['docker-compose.yml'];
  if ('docker-compose.yml' in p.after && compose !== undefined) state.composeSha256 = sha256(compose);
  return state;
}
