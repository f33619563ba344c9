// An upgrade step's compose file when the operator edited docker-compose.yml by hand: the three-way merge
// (src/engine/compose-merge.ts) of BASE (what harden-init wrote for the old release), THEIRS (the file on disk) and
// NEXT (harden-init's file for the new release), with the hardening check deciding which clean edits may stay.
//
// BASE is exact or absent, never guessed: the copy harden-init keeps of the file it last wrote
// (.harden-init/compose-written.yml, written with every docker-compose.yml harden-init writes), else the old release
// re-rendered from its cached or described files with the recorded answers — each used only when its sha256 is the one
// state.json recorded.
import { isMaskedName } from '../../../engine/diff.js';
import { KNOWN_SECRET_NAMES } from '../secret-names.js';
import { sha256 } from '../../../engine/state.js';
import { readYamlDocument } from '../../../engine/yaml-read.js';
import {
  describeEdit,
  editHolds,
  type Conflict,
  type Edit,
  type MergeResult,
  type Verdict,
} from '../../../engine/compose-merge.js';
import { RULES, type Rule } from '../rules/index.js';
import { KNOWN_CAPABILITIES, capabilitiesOf } from '../rules/refuse.js';
import { eachService } from '../render/doc.js';
import type { Answers } from '../answers.js';
import { ownModel } from '../../../audit/compose-model.js';
import { runAudit } from '../../../audit/run.js';
import { rank, type AuditFinding, type TargetAudit } from '../../../audit/types.js';
import { COMPOSE_FILE, PROPOSED_COMPOSE_FILE } from '../../../engine/plan.js';

export interface Base {
  text: string;
  how: string;
}

/** BASE, from the first source whose text has the recorded sha256; undefined when none has. */
export async function composeBase(
  recorded: string,
  sources: { how: string; text: () => Promise<string | undefined> | string | undefined }[],
): Promise<Base | undefined> {
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
  /** The run's environment (where the rules look for release descriptions). */
  runEnv: NodeJS.ProcessEnv;
  /** The step's answers and the names accepted as upstream wrote them (what the rules render with). */
  answers: Answers;
  accepted: ReadonlySet<string>;
}

const YAML_OUT = { lineWidth: 0, flowCollectionPadding: false } as const;
/** What the texts judged here are, when one is not readable. */
const MERGED = 'the compose file with the hand edits carried';

/**
 * The hardening check of each carried edit, three parts, each compared with NEXT alone (what harden-init renders
 * passes by definition):
 * 1. what the render refuses in upstream's file (refuse.ts: ports, the Docker socket, host paths, privileged, root,
 *    host namespaces, capabilities, devices, unconfined) newly asked for → refused;
 * 2. the rendering rules run again on the merged file (those that leave NEXT unchanged): a rule that undoes the
 *    edit (publish-gateway-only removing a port) → refused; a rule that only adds to it (log rotation and
 *    no-new-privileges on a service of their own) → carried, hardened, and said so;
 * 3. `harden-init check`'s rules (its own YAML reading; nothing started): a new finding of medium or worse → refused.
 */
export function hardeningJudge(h: HardeningInput, next: string): (text: string, edit: Edit) => Verdict {
  const findingsOf = (text: string): AuditFinding[] =>
    runAudit(
      {
        dir: h.dir,
        dirArg: h.dirArg,
        target: h.target,
        env: h.env,
        envPresent: true,
        envMode: 0o600,
        composeFile: COMPOSE_FILE,
        composeText: text,
        compose: ownModel(text, h.env, h.dir, MERGED),
        composeSource: 'own YAML parse',
        release: h.release,
        runEnv: h.runEnv,
      },
      h.audit,
    );
  const key = (f: AuditFinding) => `${f.id}\u0000${f.subject}\u0000${f.what}`;
  const baseline = new Set(findingsOf(next).map(key));
  const capsOf = (text: string): Set<string> => {
    const out = new Set<string>();
    eachService(readYamlDocument(text, MERGED), (name, svc) => {
      for (const c of capabilitiesOf(svc))
        if (!(KNOWN_CAPABILITIES[name] ?? []).includes(c.cap)) out.add(`service ${name} ${c.detail}`);
    });
    return out;
  };
  const baseCaps = capsOf(next);
  const rulesThatChange = (text: string, rules: readonly Rule[]): { text: string; fired: string[] } => {
    const doc = readYamlDocument(text, MERGED);
    const fired: string[] = [];
    let now = doc.toString(YAML_OUT);
    for (const r of rules) {
      r.apply({ doc, answers: h.answers, accepted: h.accepted });
      const after = doc.toString(YAML_OUT); // the same document printed again: equal text unless the rule changed it
      if (after !== now) fired.push(r.id);
      now = after;
    }
    return { text: fired.length ? now : text, fired };
  };
  // Rules that change NEXT itself are not fixed points there (the socket proxy's): they cannot judge an edit.
  const stable = RULES.filter((r) => rulesThatChange(next, [r]).fired.length === 0);
  return (text, edit) => {
    const caps = [...capsOf(text)].filter((c) => !baseCaps.has(c));
    if (caps.length) return { refused: `harden-init refuses it (${caps.join('; ')})` };
    const hardened = rulesThatChange(text, stable);
    if (hardened.fired.length && !editHolds(hardened.text, edit))
      return { refused: `harden-init's rules would undo it (${hardened.fired.join(', ')})` };
    const worse = findingsOf(hardened.text).filter((f) => rank(f.severity) <= REFUSE_AT && !baseline.has(key(f)));
    if (worse.length)
      return { refused: `weakens the hardening (${worse.map((f) => `${f.severity}: ${f.what}`).join('; ')})` };
    return hardened.fired.length
      ? { text: hardened.text, note: `hardened by harden-init's rules: ${hardened.fired.join(', ')}` }
      : undefined;
  };
}

/** An edit for the operator's eyes: values of secret-looking names hidden. */
export function editLine(e: Edit): string {
  return describeEdit(e, (path) => !path.some((k) => isMaskedName(k, KNOWN_SECRET_NAMES)));
}

/** Where a not-carried edit went: into the proposal, or only into its list (its place is gone there too). */
function whereTo(r: MergeResult, c: Conflict): string {
  const miss = r.unwritten.find((u) => u.conflict === c);
  if (!miss) return `proposed in ${PROPOSED_COMPOSE_FILE}`;
  return `listed in ${PROPOSED_COMPOSE_FILE}, not written there either${miss.why === c.reason ? '' : ` (${miss.why})`}`;
}

/** Every edit not carried so far in this run: the earlier steps' (still pending) and this step's own. */
export function notCarriedOf(r: MergeResult): Conflict[] {
  return [...r.pending, ...r.conflicts];
}

/** What the operator is told: every edit carried and every one not (and where it went). */
export function carryLines(r: MergeResult, how: string): { carried: string[]; notCarried: string[] } {
  const noteOf = new Map(r.notes.map((n) => [n.edit, n.note]));
  const carried = r.carried.map((e) => `carried: ${editLine(e)}${noteOf.has(e) ? ` (${noteOf.get(e)})` : ''}`);
  const notCarried = [
    ...r.pending.map(
      (c) => `still NOT carried (since step ${c.step}): ${editLine(c.edit)} — ${c.reason}; ${whereTo(r, c)}`,
    ),
    ...r.conflicts.map((c) => `NOT carried: ${editLine(c.edit)} — ${c.reason}; ${whereTo(r, c)}`),
  ];
  if (r.layoutOnly)
    notCarried.push(
      `${COMPOSE_FILE} differs from harden-init's file only in comments or layout: not carried ` +
        `(the old file stays in the step's backup)`,
    );
  if (r.edits.length || r.layoutOnly)
    carried.unshift(
      `hand edits of ${COMPOSE_FILE} (three-way, BASE from ${how}): ` +
        `${r.carried.length} carried, ${r.conflicts.length} not`,
    );
  return { carried, notCarried };
}

/** The run's closing list (the last step's merge holds every step's): one line per edit not carried, with its step. */
export function notCarriedSummary(r: MergeResult): string[] {
  return notCarriedOf(r).map(
    (c) => `${c.step ? `step ${c.step}: ` : ''}${editLine(c.edit)} — ${c.reason}; ${whereTo(r, c)}`,
  );
}

/** The same for --json: step, edit, why, and whether docker-compose.proposed.yml holds it (or why not). */
export function notCarriedJson(
  r: MergeResult,
): { step?: string; edit: string; reason: string; proposed: boolean; notProposedBecause?: string }[] {
  return notCarriedOf(r).map((c) => {
    const miss = r.unwritten.find((u) => u.conflict === c);
    return {
      step: c.step,
      edit: editLine(c.edit),
      reason: c.reason,
      proposed: !miss,
      ...(miss ? { notProposedBecause: miss.why } : {}),
    };
  });
}
