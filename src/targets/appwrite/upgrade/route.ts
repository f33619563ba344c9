// Where an Appwrite upgrade goes, before anything is read from Docker or written: the release the install runs,
// the one asked for (--to, else the newest of its line), the steps between (path.ts), the step a failed run left
// unfinished (--resume), and the refusals that change nothing.
import { usageError } from '../../../core/errors.js';
import { shellQuote } from '../../../core/shell-quote.js';
import { toRecord } from '../../../engine/envfile.js';
import type { HistoryEntry, State } from '../../../engine/state.js';
import type { UpgradeInstall, UpgradeRoute } from '../../types.js';
import type { Answers } from '../answers.js';
import { releaseFromInstall } from '../release-choice.js';
import { INSECURE_REASON, parseRelease, releaseCheck } from '../releases.js';
import { upgradePath } from './path.js';

type Install = UpgradeInstall<Answers>;

/** Results after which a step's files are written but its migration did not complete (a resume finishes it). */
const UNFINISHED: readonly HistoryEntry['result'][] = ['start-failed', 'migrate-failed', 'verify-failed'];

/** The last history entry when it stopped after writing the files of the release the install is at. */
export function unfinishedStep(state: State | undefined, at: string): HistoryEntry | undefined {
  const last = state?.history?.[state.history.length - 1];
  return last && UNFINISHED.includes(last.result) && last.to === at ? last : undefined;
}

/** The release the install runs (state.json, else its files), on a line harden-init upgrades. */
function fromRelease({ existing, dir }: Pick<Install, 'existing' | 'dir'>): string {
  const from =
    existing.state.release ??
    existing.state.templateVersion ??
    releaseFromInstall(existing.compose, toRecord(existing.env!));
  if (!from) throw usageError(`Cannot tell which Appwrite release ${dir} runs.`);
  return from;
}

/** --resume and an unfinished step: one goes only with the other. */
function checkResume({ existing, dir, dirArg, flags }: Install, unfinished: HistoryEntry | undefined): void {
  if (flags.resume && !unfinished) {
    const last = existing.state.history?.[existing.state.history.length - 1];
    throw usageError(
      `--resume: no upgrade step of ${dir} is left unfinished ` +
        `(${last ? `the last one, ${last.from} → ${last.to}, ended ${last.result}` : 'it has no upgrade history'}); ` +
        `nothing was changed.`,
    );
  }
  if (unfinished && !flags.resume) {
    throw usageError(
      `The upgrade step ${unfinished.from} → ${unfinished.to} stopped (${unfinished.result}): Appwrite's migration ` +
        `to ${unfinished.to} has not completed, so no other step starts; nothing was changed.`,
      `Continue that step (up -d, health, migrate, verify): npx harden-init upgrade --dir ${shellQuote(dirArg)} ` +
        `--resume --yes — or go back: npx harden-init rollback --dir ${shellQuote(dirArg)} --backup ` +
        `${unfinished.backup.split('/').pop()}${unfinished.dump ? ' --with-db' : ''} --yes`,
    );
  }
  if (flags.resume && flags.noStart)
    throw usageError('--resume starts the stack and runs the migration: it does not go with --no-start.');
}

export function route(i: Install): UpgradeRoute {
  const { existing, flags } = i;
  const from = fromRelease(i);
  const fromCheck = releaseCheck(from);
  if (!fromCheck)
    throw usageError(`The install runs Appwrite ${from}: harden-init upgrades the 1.9 and 2.x lines only.`);
  if (flags.to !== undefined && !parseRelease(flags.to))
    throw usageError(`--to: not a release number (x.y.z): "${flags.to}"`);
  const unfinished = unfinishedStep(existing.state, from);
  checkResume(i, unfinished);
  // A resume finishes the stopped step; it goes further only as far as --to says.
  const to = flags.to ?? (unfinished ? from : fromCheck.newestOfLine);
  const toCheck = releaseCheck(to);
  if (!toCheck) throw usageError(`--to ${to}: harden-init upgrades to Appwrite's 1.9 and 2.x lines only.`);
  const steps = upgradePath(from, to);
  const warnings = [
    ...(toCheck.belowMinimum && steps.length > 0
      ? [
          `SECURITY: ${to} is below the ${toCheck.line} line's minimum ${toCheck.minimum}, as ` +
            `--allow-insecure-release asks. ${INSECURE_REASON}`,
        ]
      : []),
    "Appwrite has no reverse migration: after a step's migration, going back means restoring that step's database " +
      'dump (harden-init rollback --with-db).',
  ];
  return { from, to, steps, resume: unfinished, warnings };
}

export function check({ flags }: Install, r: UpgradeRoute): void {
  const { from, to, steps } = r;
  const toCheck = releaseCheck(to)!;
  if (toCheck.belowMinimum && !flags.allowInsecureRelease && steps.length > 0) {
    throw usageError(
      `--to ${to} is below the ${toCheck.line} line's security minimum ${toCheck.minimum}. ${INSECURE_REASON}`,
      `Upgrade to ${toCheck.newestOfLine} (--to ${toCheck.newestOfLine}), or accept the ` +
        `known holes with --allow-insecure-release.`,
    );
  }
  if (flags.noStart && steps.length > 1) {
    throw usageError(
      `${from} → ${to} takes ${steps.length} steps, and each needs the stack running ` +
        `for Appwrite's migration before the next.`,
      `Without --no-start, or one step at a time: --to ${steps[0]!.to}.`,
    );
  }
}
