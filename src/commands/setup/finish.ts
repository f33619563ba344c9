// The end of a run: with files only, how to start the stack; else the stack started and verified, the well-known
// example values rotated, the next steps. --json prints the run's result as one object.
import { EXIT } from '../../core/errors.js';
import { shellQuote } from '../../core/shell-quote.js';
import { startStack, verifyStack, type VerifyOutcome } from '../../install/stack.js';
import { reportVerify, stackContext, verifyJson } from '../../install/verify-report.js';
import type { Compose } from '../../docker/compose.js';
import type { PlannedContext } from './context.js';
import { rotateWellKnown, wellKnownRotatable } from './secrets.js';

/** Only the files were written (--no-start): how to start the stack, and the command that repeats the run. */
export async function filesWritten(c: PlannedContext): Promise<number> {
  const { ui, target, plan, dirArg } = c;
  const weak = await wellKnownRotatable(c);
  if (weak.length)
    ui.warn(
      `Not rotated: ${weak.join(', ')} (well-known example value${weak.length === 1 ? '' : 's'}). This run starts no ` +
        `stack, and a database password is changed in the running database first. Once the stack runs: harden-init ` +
        `rotate-secret ${weak.join(' ')} --dir ${shellQuote(dirArg)}`,
    );
  ui.note(
    `cd ${shellQuote(c.dir)} && docker compose up -d\n(or docker-compose up -d with Compose v1)`,
    'Start or update the stack',
  );
  ui.outro(`Then open ${target.title}: ${target.report.url(plan.answers)}`);
  ui.raw(`Run this again without questions:\n  ${c.command}`);
  return finish(c);
}

export async function startAndVerify(c: PlannedContext, composeTool: Compose): Promise<number> {
  const { ui, target, plan } = c;
  const stack = stackContext(ui, c.req, c.dir, composeTool, target, plan.answers, c.template, c.io.env);
  await startStack(stack);
  const outcome = await verifyStack(stack);
  const code = reportVerify(ui, outcome, target.verify.running.label);
  if (code === EXIT.ok) {
    await rotateWellKnown(c, composeTool);
    ui.note(target.report.nextSteps(plan.answers, c.dirArg).join('\n'), 'Next');
    ui.outro(`${target.title} ${plan.answers.release} is running: ${target.report.url(plan.answers)}`);
  } else {
    ui.outro('The running stack differs from the files (see above).');
  }
  ui.raw(`Run this again without questions:\n  ${c.command}`);
  return finish(c, outcome, code);
}

export function finish(
  c: Pick<PlannedContext, 'ui' | 'req' | 'plan' | 'dir' | 'command' | 'written'>,
  outcome?: VerifyOutcome,
  code: number = EXIT.ok,
): number {
  const { req, plan, written: result } = c;
  if (req.json) {
    c.ui.result(
      JSON.stringify(
        {
          ok: code === EXIT.ok,
          dir: c.dir,
          dryRun: req.dryRun,
          release: plan.answers.release,
          answers: plan.answers,
          changed: plan.changes.map((f) => f.path),
          written: result.written,
          backupDir: result.backupDir,
          generatedSecrets: plan.generatedSecrets,
          keptSecrets: plan.keptSecrets,
          accepted: plan.accepted.map((f) => ({ subject: f.subject, accepting: f.accepting })),
          composeEdited: plan.composeEdited,
          warnings: plan.warnings,
          notes: plan.notes,
          headlessCommand: c.command,
          verify: outcome ? verifyJson(outcome) : undefined,
        },
        null,
        2,
      ),
    );
  }
  return code;
}
