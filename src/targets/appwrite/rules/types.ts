// A hardening rule: one change to upstream's rendered compose file, with its reason and what Appwrite
// still needs afterwards (README's deviation table is generated from these fields).
import type { Document } from 'yaml';
import type { Answers } from '../answers.js';

export interface HardenContext {
  doc: Document;
  answers: Answers;
  /** Services and variables the operator accepted as upstream wrote them (--accept-upstream). */
  accepted: ReadonlySet<string>;
  /** Files a rule writes beside the compose file (e.g. traefik's routes), collected for the install. */
  files?: { path: string; content: string; mode: number }[];
}

export interface Rule {
  id: string;
  /** What the rule changes, in one line. */
  what: string;
  /** Why: the risk upstream's file leaves open. */
  why: string;
  /** What Appwrite still gets, so the change breaks nothing (checked against upstream code). */
  keeps: string;
  apply(ctx: HardenContext): void;
}
