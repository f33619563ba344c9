// A new database location starts from whatever is there (harden-init copies no data): it is confirmed in the wizard
// right after its questions, and again after the plan when it came from flags.
import { CliError, EXIT, usageError } from '../../core/errors.js';
import { confirmWrite, type ChangeGuard } from '../../ui/wizard.js';
import type { PartialAnswers } from '../../core/question.js';
import type { Ui } from '../../ui/ui.js';
import type { SetupRequest as Request } from '../requests.js';
import type { DbMove } from '../../engine/plan.js';
import type { BaseAnswers, TargetEarly } from '../../targets/types.js';
import type { Question } from '../../core/question.js';

const dbMoveText = (move: DbMove) =>
  `The database moves from ${move.from} to ${move.to}. harden-init does not copy data: the application will use what ` +
  `is at the new place (an empty database if it is new) and the old data stays where it is. Migrate it first (a ` +
  `dump and restore); on an empty database the first sign-up becomes the console's root user.`;
const DB_MOVE_QUESTION = 'Use the new database location anyway?';

/** In the wizard: a new database location is confirmed right after its questions; a no asks them again. */
export function dbMoveGuard(
  target: Pick<TargetEarly, 'stack'>,
  questions: Question[],
  current: PartialAnswers,
  accepted: (to: string) => void,
): ChangeGuard {
  const from = target.stack.dbLocation(current as Partial<BaseAnswers>);
  const to = (a: PartialAnswers) => target.stack.dbLocation(a as Partial<BaseAnswers>);
  return {
    ids: questions.map((q) => q.id).filter((id) => /^db/.test(id)),
    check: (a) => {
      const t = to(a);
      return from !== undefined && t !== undefined && t !== from ? dbMoveText({ from, to: t }) : undefined;
    },
    question: DB_MOVE_QUESTION,
    accepted: (a) => accepted(to(a)!),
  };
}

/** After the plan: a new DB location starts from whatever is there, so only an explicit yes lets that happen. */
export async function acceptDbMove(ui: Ui, req: Request, interactive: boolean, move: DbMove): Promise<void> {
  ui.warn(dbMoveText(move));
  if (req.dryRun || req.allowDbMove) return;
  if (!interactive)
    throw usageError(
      'The database location changes and its data would not follow (see above).',
      'Migrate the data first, then re-run with --allow-db-move (also to start with an empty database on purpose).',
    );
  if (!(await confirmWrite(ui, DB_MOVE_QUESTION, false)))
    throw new CliError('Cancelled: nothing was written.', EXIT.cancelled);
}
