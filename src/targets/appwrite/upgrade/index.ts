// Appwrite's `upgrade` group (the contract in ../../types.ts): one step at a time as Appwrite's guide requires
// (path.ts); each step backed up with a database dump, written as a re-run at the new release would write it, with
// the hand edits of docker-compose.yml carried (carry.ts), then started, migrated and verified. A failure after the
// files changed stops with the exact state and the rollback command.
import pc from 'picocolors';
import type { HistoryEntry } from '../../../engine/state.js';
import type { MergeResult } from '../../../engine/compose-merge.js';
import type { TargetUpgrade, UpgradeEnd, UpgradeRoute } from '../../types.js';
import type { Answers } from '../answers.js';
import { notCarriedOf } from './carry.js';
import { resumeStep } from './finish.js';
import { endOf, plan } from './preview.js';
import type { Run } from './prepare-step.js';
import { check, route } from './route.js';
import { runStep } from './step.js';

/** The unfinished step first, then every step of the route; the last merge holds the edits no step carried. */
async function run(r: Run, rt: UpgradeRoute): Promise<{ done: HistoryEntry[]; end: UpgradeEnd }> {
  const done: HistoryEntry[] = [];
  if (rt.resume) {
    r.ui.step(pc.bold(`Resuming: Appwrite ${rt.resume.from} → ${rt.resume.to} (stopped: ${rt.resume.result})`));
    done.push(await resumeStep(r, rt.resume));
  }
  // A step's not-carried edits are in no file the next step reads: handed on, so the last proposal holds them all.
  let lastMerge: MergeResult | undefined;
  for (const [i, s] of rt.steps.entries()) {
    r.ui.step(pc.bold(`Step ${i + 1}/${rt.steps.length}: Appwrite ${s.from} → ${s.to}`));
    const res = await runStep(r, s, lastMerge ? notCarriedOf(lastMerge) : []);
    done.push(res.entry);
    lastMerge = res.merge ?? lastMerge;
  }
  return { done, end: endOf(rt, lastMerge, false) };
}

export const appwriteUpgrade: TargetUpgrade<Answers> = {
  encryptionKeys: ['_APP_OPENSSL_KEY_V1'], // the one key of 1.9 and 2.x (`_APP_OPENSSL_KEY_V1` in every variables.php)
  route,
  check,
  plan,
  run,
};
