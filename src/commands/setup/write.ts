// The write: confirmed (or nothing to change), file modes tightened, the ports checked when the stack will start,
// then the plan's files applied atomically (the previous versions kept in a backup directory).
import { join } from 'node:path';
import { CliError, EXIT, stepError } from '../../core/errors.js';
import { writeQuestion } from '../../install/plan-report.js';
import { confirmWrite } from '../../ui/wizard.js';
import type { Ui } from '../../ui/ui.js';
import { applyPlan } from '../../apply/apply.js';
import { readRegular } from '../../core/safe-fs.js';
import { tightenModes } from '../../apply/permissions.js';
import { parseEnv, toRecord } from '../../engine/envfile.js';
import { COMPOSE_FILE, type Plan } from '../../engine/plan.js';
import { portChecks, type PortWanted } from '../../docker/preflight.js';
import { composeProjectNames } from '../../docker/compose.js';
import type { BaseAnswers, Target } from '../../targets/types.js';
import type { PlannedContext } from './context.js';

export async function confirm(
  c: Pick<PlannedContext, 'io' | 'ui' | 'plan' | 'interactive' | 'dir' | 'composeTool' | 'target'>,
): Promise<void> {
  const { ui, plan } = c;
  if (plan.changes.length === 0) {
    ui.success('Nothing to change: the install already matches these settings.');
  } else if (c.interactive && !(await confirmWrite(ui, writeQuestion(plan.changes)))) {
    throw new CliError('Cancelled: nothing was written.', EXIT.cancelled);
  }
  for (const fixed of tightenModes(c.dir)) ui.warn(`Fixed permissions: ${fixed}`);
  if (c.composeTool) await checkPorts(ui, c.target, plan, c.dir, c.io.env);
}

export function write(c: Pick<PlannedContext, 'ui' | 'plan' | 'dir' | 'target'>): {
  written: string[];
  backupDir?: string;
} {
  const { plan, dir } = c;
  if (plan.changes.length === 0) return { written: [] };
  let result: { written: string[]; backupDir?: string };
  try {
    const dirs = [
      ...(plan.answers.db === 'path' ? [{ path: String(plan.answers.dbPath), mode: 0o700 }] : []),
      ...(c.target.render.hostDirs?.(plan.answers) ?? []),
    ];
    result = applyPlan(dir, plan.changes, dirs);
  } catch (e) {
    throw stepError(
      `Writing the install failed: ${(e as Error).message}`,
      'Files already replaced are complete; the backup directory holds the previous versions.',
    );
  }
  c.ui.success(
    `${writeQuestion(result.written.map((path) => ({ path })))
      .replace(/^Write/, 'Wrote')
      .replace(/\?$/, '')} in ${dir}${result.backupDir ? ` (previous versions in ${result.backupDir})` : ''}`,
  );
  return result;
}

/** The host ports the stack will publish must be free (or held by this stack). */
async function checkPorts(
  ui: Ui,
  target: Target<BaseAnswers>,
  plan: Plan,
  dir: string,
  shellEnv: NodeJS.ProcessEnv,
): Promise<void> {
  const ports: PortWanted[] = target.stack.publishedPorts(plan.answers).map((spec) => {
    const parts = spec.split(':');
    return { port: Number(parts[parts.length - 2]), host: parts.length === 3 ? parts[0]! : '0.0.0.0' };
  });
  // The install's own running containers may hold its ports (a re-run of a running install): compose recreates them.
  const env = toRecord(parseEnv(plan.files.find((x) => x.path === '.env')!.content));
  // kept hand edit
  const composeText = plan.files.find((x) => x.path === COMPOSE_FILE)?.content ?? readRegular(join(dir, COMPOSE_FILE));
  const own = {
    gateway: target.stack.gatewayContainer,
    projects: composeProjectNames(dir, env, composeText, shellEnv),
  };
  const checks = await portChecks(
    ports,
    (c) => {
      if (c.ok) ui.success(c.label);
    },
    own,
  );
  const failed = checks.find((c) => !c.ok);
  if (failed) throw stepError(`Preflight failed: ${failed.label}. Nothing was written.`, failed.hint);
}
