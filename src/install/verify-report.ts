// The pieces of verification the commands share: the stack context, the verdict, its JSON, the release check.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT } from '../core/errors.js';
import type { Ui } from '../ui/ui.js';
import { urlHost, type StackContext, type VerifyOutcome } from './stack.js';
import type { Compose } from '../docker/compose.js';
import { parseEnv, toRecord } from '../engine/envfile.js';
import { COMPOSE_FILE } from '../engine/plan.js';
import { sensitiveNames } from '../engine/template.js';
import type { BaseAnswers as Answers, Target, TargetTemplate as Template } from '../targets/types.js';

export function stackContext(
  ui: Ui,
  req: { json: boolean; timeout: number },
  dir: string,
  composeTool: Compose,
  target: Target<Answers>,
  answers: Answers,
  template: Template,
  shellEnv: NodeJS.ProcessEnv,
): StackContext {
  const env = toRecord(parseEnv(readFileSync(join(dir, '.env'), 'utf8')));
  const sensitive = sensitiveNames(template);
  return {
    ui,
    json: req.json,
    dir,
    compose: composeTool,
    target,
    answers,
    env,
    shellEnv,
    composeText: readFileSync(join(dir, COMPOSE_FILE), 'utf8'),
    shown: new Set([...Object.keys(target.render.managedValues(answers, template)), ...template.secrets.generate]),
    verifiable: new Set(template.variables),
    live: ui.tty,
    sensitive,
    timeoutMs: req.timeout * 1000,
    hardened: hardenedValues(target, answers, template),
  };
}

/** The target's security switches with the values harden-init sets for these answers. */
function hardenedValues(target: Target<Answers>, answers: Answers, template: Template): Record<string, string> {
  const managed = target.render.managedValues(answers, template);
  return Object.fromEntries(
    target.render.securitySwitches.filter((k) => managed[k] !== undefined).map((k) => [k, managed[k]!]),
  );
}

export function reportVerify(ui: Ui, outcome: VerifyOutcome, label = 'vars'): number {
  const { drift, rows } = outcome.comparison;
  const failedLive = outcome.live.filter((c) => !c.ok);
  if (drift.length === 0 && failedLive.length === 0) {
    ui.success(`Verified with ${label}: ${rows.length} variables match .env in every container that receives them.`);
    return EXIT.ok;
  }
  if (drift.length) ui.warn(`Drift: ${drift.map((r) => `${r.name} (${r.drifted.join(', ')})`).join('; ')}`);
  if (failedLive.length) ui.warn(`Live checks failed: ${failedLive.map((c) => `${c.name} (${c.detail})`).join('; ')}`);
  for (const reason of outcome.reasons) ui.warn(reason);
  return EXIT.drift;
}

/** Appwrite: the release /v1/health/version reports must be the one the files pin (warned when not). */
export async function checkRelease(
  ui: Ui,
  answers: Answers,
  pinned: string,
): Promise<{ running?: string; mismatch?: string }> {
  const { runningRelease, releaseMismatch } = await import('../verify/release-check.js');
  const running = await runningRelease({
    port: answers.httpPort,
    httpsPort: (answers as { httpsPort?: number }).httpsPort,
    host: urlHost(answers.domain),
  });
  const mismatch = releaseMismatch(pinned, running);
  if (mismatch) ui.warn(mismatch);
  else ui.success(`Release: the running Appwrite reports ${running.version}, the release the files pin.`);
  return { running: running.version, mismatch };
}

export function verifyJson(o: VerifyOutcome) {
  return {
    health: o.health,
    drift: o.comparison.drift.map((r) => ({ name: r.name, services: r.drifted })),
    reasons: o.reasons,
    live: o.live,
    variables: o.comparison.rows.map((r) => ({
      name: r.name,
      ok: r.ok,
      expected: r.secret && r.expected ? '********' : r.expected,
      running: r.secret && r.running ? '********' : (r.running ?? null),
    })),
  };
}
