// The wizard after its answers, imported only then (the first question does not wait for this code): the release's
// files, the checks across answers, the plan, the write, the stack's start and verification.
import { CliError, EXIT } from '../../core/errors.js';
import { checkConsistency, headlessCommand } from '../../install/resolve.js';
import { guardDbPasswords, guardDbPath, guardEncryptionKey, validatedFromInstall } from '../../install/safety.js';
import { shellQuote } from '../../core/shell-quote.js';
import type { BaseAnswers } from '../../targets/types.js';
import type { AnsweredContext, SetupContext } from './context.js';
import { operatorSecrets, showOnce } from './secrets.js';
import { makePlan, refuseUnknowns, show, summarize } from './plan.js';
import { confirm, write } from './write.js';
import { filesWritten, startAndVerify } from './finish.js';

export async function afterAnswers(ctx: SetupContext, answers: BaseAnswers): Promise<number> {
  const { req } = ctx;
  const target = await ctx.entry.load();
  // From here on a failure should not cost the operator their typing: the hint carries the command.
  const extras = [
    ...(req.allowInsecureRelease ? ['--allow-insecure-release'] : []),
    ...req.acceptUpstream.map((n) => `--accept-upstream ${shellQuote(n)}`),
  ];
  try {
    const a = await settle({ ...ctx, target, answers, extras });
    await check(a);
    const planned = await makePlan(a, await operatorSecrets(a));
    await summarize(planned);
    const dryRun = show(planned);
    if (dryRun !== undefined) return dryRun;
    await confirm(planned);
    planned.written = write(planned);
    showOnce(planned);
    return planned.composeTool ? await startAndVerify(planned, planned.composeTool) : await filesWritten(planned);
  } catch (e) {
    if (ctx.interactive && e instanceof CliError && e.exitCode !== EXIT.cancelled) {
      const command = headlessCommand(target, target.normalize(answers), ctx.dirArg, extras);
      throw new CliError(
        e.message,
        e.exitCode,
        `${e.hint ? `${e.hint}\n` : ''}Once fixed, run this to skip the questions:\n  ${command}`,
      );
    }
    throw e;
  }
}

/** The release's files (their progress shown until read), what the read said, and the key guard on keys they add. */
async function settle(c: Omit<AnsweredContext, 'prepared' | 'template'>): Promise<AnsweredContext> {
  const { ui, read } = c;
  const prepared = await read.wait(c.answers.release);
  for (const w of prepared.warnings) ui.warn(w);
  for (const n of prepared.notes) ui.info(n);
  const template = prepared.template;
  // The key guard ran before the questions on the keys known without the files; one the files add is checked now.
  const added = template.secrets.encryptionKeys.filter((k) => !read.encryptionKeys.includes(k));
  if (added.length)
    await guardEncryptionKey(ui, {
      dir: c.dir,
      existing: c.existing,
      keyNames: added,
      newKeyFlag: c.req.newEncryptionKey,
      interactive: c.interactive,
    });
  return { ...c, prepared, template };
}

/** Checks across the answers, hand edits through the same validators, upstream's refusals, the database guards. */
async function check(
  c: Pick<
    AnsweredContext,
    | 'req'
    | 'ui'
    | 'target'
    | 'template'
    | 'dir'
    | 'existing'
    | 'current'
    | 'given'
    | 'answers'
    | 'interactive'
    | 'pathsAccepted'
  >,
): Promise<void> {
  const { req, ui, target, answers, current } = c;
  checkConsistency(target.questions, c.given, answers, target.title);
  target.check?.(answers);
  // hand edits pass the same validators
  Object.assign(answers, validatedFromInstall(target.questions, target.answerEnvNames, c.given, current, answers));
  // What the release's files ask for that the rules refuse is said right after the answers, before any other question.
  refuseUnknowns(target.render.compose(c.template, target.normalize(answers), new Set(req.acceptUpstream)).findings);
  await guardDbPath(ui, answers, {
    dir: c.dir,
    previous: current.dbPath as string | undefined,
    interactive: c.interactive,
    allowNonEmpty: req.allowDbPathNonEmpty,
    confirmed: c.pathsAccepted,
  });
  guardDbPasswords({
    dir: c.dir,
    existing: c.existing,
    target,
    template: c.template,
    answers,
    previous: current as Partial<BaseAnswers>,
  });
  const shownWarnings = new Set<string>();
  if (!c.interactive) {
    for (const q of target.questions) {
      const w = q.when(answers) ? q.warn?.(answers[q.id]) : undefined;
      if (w) shownWarnings.add(w);
    }
  }
  for (const w of target.report.warnings(answers)) shownWarnings.add(w);
  for (const w of shownWarnings) ui.warn(w);
}
