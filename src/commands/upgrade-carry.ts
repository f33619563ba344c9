// An upgrade step's compose file when the operator edited docker-compose.yml by hand: the three-way merge
// (src/engine/compose-merge.ts) of BASE (what harden-init wrote for the old release), THEIRS (the file on disk) and
// NEXT (harden-init's file for the new release), with the hardening check deciding which clean edits may stay.
//
// BASE is exact or absent, never guessed: the copy harden-init keeps of the file it last wrote
// (.harden-init/compose-written.yml, written by upgrades), else the old release re-rendered from its cached or
// described files with the recorded answers — each used only when its sha256 is the one state.json recorded.
import { isMaskedName } from '../engine/diff.js';
import { sha256 } from '../engine/state.js';
import { describeEdit, type Edit, type MergeResult } from '../engine/compose-merge.js';
import { ownModel } from '../audit/compose-model.js';
import { runAudit } from '../audit/run.js';
import { rank, type AuditFinding, type TargetAudit } from '../audit/types.js';
import { COMPOSE_FILE, PROPOSED_COMPOSE_FILE } from '../engine/plan.js';

/** The copy of the compose file harden-init last wrote as its own (without hand edits): the next upgrade's BASE. */
export const WRITTEN_COMPOSE = '.harden-init/compose-written.yml';

export interface Base { text: string; how: string }

/** BASE, from the first source whose text has the recorded sha256; undefined when none has. */
export async function composeBase(recorded: string, sources: { how: string; text: () => Promise<string | undefined> | string | undefined }[]): Promise<Base | undefined> {
  for (const s of sources) {
    let text: string | undefined;
    try {
      text = await s.text();
    } catch {
      text = undefined; // a release that cannot be read any more is simply no source
    }
    if (text !== undefined && sha256(text) === recorded) return { text, how: s.how };
  }
  return undefined;
}

/** Findings at or above this severity make a hand edit "weakening": it is not carried but proposed. */
const REFUSE_AT = rank('medium');

export interface HardeningInput {
  audit: TargetAudit;
  dir: string;
  dirArg: string;
  target: string;
  release: string;
  /** The .env the step writes, as key → value. */
  env: Record<string, string>;
}

/**
 * The hardening check of a merged file: findings (medium and worse) that NEXT alone does not have. `check` runs the
 * same rules (its own YAML reading: no Compose needed, nothing started).
 */
export function hardeningJudge(h: HardeningInput, next: string): (text: string) => string | undefined {
  const findingsOf = (text: string): AuditFinding[] => runAudit({
    dir: h.dir, dirArg: h.dirArg, target: h.target, env: h.env, envPresent: true, envMode: 0o600,
    composeFile: COMPOSE_FILE, composeText: text, compose: ownModel(text, h.env, h.dir), composeSource: 'own YAML parse',
    release: h.release,
  }, h.audit);
  const key = (f: AuditFinding) => `${f.id}\u0000${f.subject}\u0000${f.what}`;
  const baseline = new Set(findingsOf(next).map(key));
  return (text) => {
    const worse = findingsOf(text).filter((f) => rank(f.severity) <= REFUSE_AT && !baseline.has(key(f)));
    return worse.length ? `weakens the hardening (${worse.map((f) => `${f.severity}: ${f.what}`).join('; ')})` : undefined;
  };
}

/** An edit for the operator's eyes: values of secret-looking names hidden. */
export function editLine(e: Edit): string {
  return describeEdit(e, (path) => !path.some((k) => isMaskedName(k)));
}

/** What the operator is told: every edit carried and every one not (and where it went). */
export function carryLines(r: MergeResult, how: string): { carried: string[]; notCarried: string[] } {
  const carried = r.carried.map((e) => `carried: ${editLine(e)}`);
  const notCarried = r.conflicts.map((c) => `NOT carried: ${editLine(c.edit)} — ${c.reason}; proposed in ${PROPOSED_COMPOSE_FILE}`);
  if (r.layoutOnly) notCarried.push(`${COMPOSE_FILE} differs from harden-init's file only in comments or layout: not carried (the old file stays in the step's backup)`);
  if (r.edits.length || r.layoutOnly) carried.unshift(`hand edits of ${COMPOSE_FILE} (three-way, BASE from ${how}): ${r.carried.length} carried, ${r.conflicts.length} not`);
  return { carried, notCarried };
}
