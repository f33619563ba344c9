// The plan: made from the answers and the release's files, a hand-edited compose file's fate asked, then told (its
// summary, what it accepts, warns and generates) and shown (every change; a dry run ends there).
import { join } from 'node:path';
import { fileDiffs, planReport, summaryText } from '../../install/plan-report.js';
import { chooseComposePolicy } from '../../ui/wizard.js';
import { headlessCommand } from '../../install/resolve.js';
import { sensitiveNames } from '../../engine/template.js';
import { plan as enginePlan, COMPOSE_FILE, type ComposePolicy } from '../../engine/plan.js';
import { readRegular } from '../../core/safe-fs.js';
import { looseModes } from '../../apply/permissions.js';
import type { AnsweredContext, PlannedContext } from './context.js';
import { usageError } from '../../core/errors.js';
import type { Finding } from '../../targets/types.js';
import { acceptDbMove } from './db-move.js';
import { finish } from './finish.js';

export async function makePlan(c: AnsweredContext, secretValues: Record<string, string>): Promise<PlannedContext> {
  const { req, ui, target, template, dir, existing, answers } = c;
  const sensitive = sensitiveNames(
    template,
    existing.env?.lines.map((l) => l.key).filter((k): k is string => Boolean(k)),
  );
  const build = (composePolicy: ComposePolicy) =>
    enginePlan(answers, existing, template, {
      target,
      secretValues,
      readFile: (path: string) => readRegular(join(dir, path)),
      composePolicy,
      previous: c.current,
      accepted: req.acceptUpstream,
      extraFiles: c.prepared.files,
    });
  let plan = build(req.replaceCompose ? 'replace' : 'keep');
  refuseUnknowns(plan.findings);
  if (plan.composeEdited && c.interactive && !req.replaceCompose) {
    const proposed = plan.files.find((x) => x.path.endsWith('.proposed.yml'))!;
    const [diff] = fileDiffs(
      { ...plan, changes: [{ ...proposed, path: COMPOSE_FILE, old: existing.compose }] },
      sensitive,
      req.showSecrets,
    );
    ui.note(diff!.text, `${COMPOSE_FILE}: your file (-) vs harden-init's (+)`);
    plan = build(await chooseComposePolicy(ui));
  }
  const command = headlessCommand(target, plan.answers, c.dirArg, c.extras);
  return { ...c, plan, sensitive, command, written: { written: [] } };
}

/** What will be installed, what is accepted as upstream wrote it, a database move (confirmed), and the secrets. */
export async function summarize(
  c: Pick<PlannedContext, 'req' | 'ui' | 'target' | 'plan' | 'dir' | 'rerun' | 'interactive' | 'movesAccepted'>,
): Promise<void> {
  const { ui, plan } = c;
  ui.note(summaryText(c.target.report.summary(plan.answers, c.dir)), c.rerun ? 'Settings' : 'Will install');
  for (const x of plan.accepted)
    ui.warn(`Accepted as upstream wrote it (--accept-upstream ${x.subject}): ${x.accepting}.`);
  if (plan.dbMove && !c.movesAccepted.includes(plan.dbMove.to))
    await acceptDbMove(ui, c.req, c.interactive, plan.dbMove);
  for (const w of plan.warnings) ui.warn(w);
  for (const n of plan.notes) ui.info(n);
  if (plan.generatedSecrets.length)
    ui.info(`New secrets (crypto-random, in .env only): ${plan.generatedSecrets.join(', ')}`);
  if (c.rerun && plan.keptSecrets.length) ui.info(`Kept existing secrets: ${plan.keptSecrets.join(', ')}`);
}

/** The changes, shown in the wizard and in a dry run; a dry run ends here (its exit code returned). */
export function show(
  c: Pick<PlannedContext, 'req' | 'ui' | 'plan' | 'sensitive' | 'interactive' | 'dir' | 'command' | 'written'>,
): number | undefined {
  const { req, ui, plan } = c;
  if (req.dryRun || c.interactive) {
    const shown = planReport(plan, c.sensitive, { showSecrets: req.showSecrets, full: req.diff });
    if (shown) ui.note(shown.overview, shown.title);
    for (const n of shown?.notes ?? []) ui.note(n.text, n.title);
  }
  if (!req.dryRun) return undefined;
  for (const l of looseModes(c.dir))
    ui.warn(`Would fix permissions: ${l.path} is mode ${l.mode.toString(8)}, should be ${l.want.toString(8)}`);
  ui.outro(
    plan.changes.length
      ? `Dry run: ${plan.changes.length} file(s) would change; nothing was written.`
      : 'Dry run: nothing would change.',
  );
  return finish(c);
}

/** Upstream asks for what the rules cannot harden: refuse, naming each finding and how to accept it. */
export function refuseUnknowns(findings: Finding[]): void {
  if (findings.length === 0) return;
  const lines = findings.map((x) => `  - ${x.what}\n    accept with --accept-upstream ${x.subject}: ${x.accepting}`);
  throw usageError(
    `Upstream's files ask for what harden-init's rules do not know how to harden:\n${lines.join('\n')}`,
    'Review each one; accept it by name only if you trust it (nothing was written).',
  );
}
