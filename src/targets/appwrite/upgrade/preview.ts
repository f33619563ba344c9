// The upgrade plan shown before anything changes: every step and what it changes, later steps worked out from the
// files the earlier ones would write; and what the run's end says of the hand edits no step carried.
import { join } from 'node:path';
import { BACKUP_DIR } from '../../../engine/state.js';
import { COMPOSE_FILE, PROPOSED_COMPOSE_FILE, WRITTEN_COMPOSE_FILE as WRITTEN_COMPOSE } from '../../../engine/plan.js';
import type { MergeResult } from '../../../engine/compose-merge.js';
import { readRegular } from '../../../core/safe-fs.js';
import type { UpgradeEnd, UpgradeRoute } from '../../types.js';
import { notCarriedJson, notCarriedOf, notCarriedSummary } from './carry.js';
import { describeChanges } from './path.js';
import { prepareStep, simulateAfter, type PreparedStep, type Run, type StepStart } from './prepare-step.js';

/** The run's closing list of every hand edit no step carried (each step's own lines were shown with it). */
export function endOf(route: Pick<UpgradeRoute, 'steps'>, last: MergeResult | undefined, dryRun: boolean): UpgradeEnd {
  const list = last ? notCarriedJson(last) : [];
  const json = list.length ? { notCarried: list, proposal: PROPOSED_COMPOSE_FILE } : {};
  const lines = last ? notCarriedSummary(last) : [];
  if (route.steps.length <= 1 || !lines.length) return { json };
  const warning = [
    `Hand edits NOT carried into ${COMPOSE_FILE} over the whole upgrade (${lines.length}); ` +
      `${dryRun ? 'the run would write' : 'review'} ${PROPOSED_COMPOSE_FILE}, the final release's file with them:`,
    ...lines.map((l) => `  - ${l}`),
  ].join('\n');
  return { warning, json };
}

/** The plan's lines of one prepared step. */
function stepLines(prepared: PreparedStep): string[] {
  return [
    ...describeChanges(prepared.changes),
    ...(prepared.plan.generatedSecrets.length
      ? [`new secrets generated: ${prepared.plan.generatedSecrets.join(', ')}`]
      : []),
    ...(prepared.handEdits?.lines.carried ?? []),
    ...(prepared.handEdits?.lines.notCarried ?? []),
  ].map((l) => `   ${l}`);
}

/** Every step and what it changes (a dry run goes on planning only as far as it can tell the files). */
export async function plan(r: Run, route: UpgradeRoute): Promise<{ lines: string[]; end: UpgradeEnd }> {
  const { resume: unfinished, steps } = route;
  const db = r.deps.database(r.existing.compose!); // the database the steps dump, as backup finds it
  const lines: string[] = [];
  if (unfinished) {
    lines.push(
      `0. resume ${unfinished.from} → ${unfinished.to} (stopped: ${unfinished.result}); its files stay as they are`,
    );
    lines.push(
      `   up -d, health, docker compose exec -T appwrite migrate, vars verification (backup before it: ` +
        `${unfinished.backup}${unfinished.dump ? `, dump ${unfinished.dump}` : ''})`,
    );
  }
  let at: StepStart = {
    existing: r.existing,
    current: r.current,
    storedBase: readRegular(join(r.dir, WRITTEN_COMPOSE)),
    pending: [],
  };
  let merge: MergeResult | undefined; // the latest step's merge: it holds every earlier step's not-carried edits
  for (const [i, s] of steps.entries()) {
    lines.push(`${i + 1}. ${s.from} → ${s.to} (${s.why})`);
    let prepared: PreparedStep | undefined;
    try {
      prepared = await prepareStep(r, s, { ...at, pending: merge ? notCarriedOf(merge) : [] });
    } catch (e) {
      if (!r.flags.dryRun) throw e;
      lines.push(`   changes unknown: ${(e as Error).message.split('\n')[0]}`);
    }
    if (prepared) {
      lines.push(...stepLines(prepared));
      merge = prepared.handEdits?.result ?? merge;
      at = {
        existing: simulateAfter(at.existing, prepared),
        current: { ...at.current, ...prepared.plan.answers },
        storedBase: prepared.rendered,
        pending: [],
      };
    }
    lines.push(
      `   before it: ${BACKUP_DIR}/<time>/ (.env, ${COMPOSE_FILE}, state.json${
        db ? `, a ${db.engine} dump through the ${db.service} container` : '; external database: back it up yourself'
      })`,
    );
    lines.push(`   after it: up -d, health, docker compose exec -T appwrite migrate, vars verification`);
    if (!prepared) break;
  }
  return { lines, end: endOf(route, merge, true) };
}
