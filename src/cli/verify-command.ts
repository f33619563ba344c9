// `harden-init verify`, and the pieces of verification the setup run shares with it.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pc from 'picocolors';
import type { VerifyRequest as Request } from '../commands/verify.js';
import { EXIT, stepError, usageError } from '../core/errors.js';
import { createUi, type Ui } from './ui.js';
import { existingAnswers, lenientAnswers } from './resolve.js';
import { urlHost, verifyStack, type StackContext, type VerifyOutcome } from './stack.js';
import { detectCompose, type Compose } from '../docker/compose.js';
import { readExisting } from '../engine/existing.js';
import { guardInstallDir } from '../apply/install-dir.js';
import { parseEnv, toRecord } from '../engine/envfile.js';
import { COMPOSE_FILE } from '../engine/plan.js';
import { sensitiveNames } from '../engine/template.js';
import { TARGETS, DEFAULT_TARGET } from '../targets/index.js';
import type { BaseAnswers as Answers, Target, TargetTemplate as Template } from '../targets/types.js';

export function stackContext(ui: Ui, req: { json: boolean; timeout: number }, dir: string, composeTool: Compose, target: Target<Answers>, answers: Answers, template: Template): StackContext {
  const env = toRecord(parseEnv(readFileSync(join(dir, '.env'), 'utf8')));
  const sensitive = sensitiveNames(template);
  return {
    ui, json: req.json, dir, compose: composeTool, target, answers, env,
    composeText: readFileSync(join(dir, COMPOSE_FILE), 'utf8'),
    shown: new Set([...Object.keys(target.managedValues(answers, template)), ...template.secrets.generate]),
    verifiable: new Set(template.variables),
    live: Boolean(process.stdout.isTTY),
    sensitive, timeoutMs: req.timeout * 1000,
    hardened: hardenedValues(target, answers, template),
  };
}

/** The target's security switches with the values harden-init sets for these answers. */
function hardenedValues(target: Target<Answers>, answers: Answers, template: Template): Record<string, string> {
  const managed = target.managedValues(answers, template);
  return Object.fromEntries(target.securitySwitches.filter((k) => managed[k] !== undefined).map((k) => [k, managed[k]!]));
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

export async function verifyCommand(req: Request, VERSION: string): Promise<number> {
  const ui = createUi(req.json);
  const dir = resolve(req.dir ?? `./${req.target}`);
  guardInstallDir(dir);
  const existing = readExisting(dir);
  if (!existing.env || existing.compose === undefined) {
    throw usageError(`No install in ${dir}: .env and docker-compose.yml are needed.`, 'Pass --dir, or install first with harden-init.');
  }
  // The install says which product it is; an older state without a target is Appwrite's.
  const entry = TARGETS[existing.state?.target ?? req.target] ?? TARGETS[DEFAULT_TARGET]!;
  const target = await entry.load();
  // The release the install runs, and its template (Appwrite: what `vars` prints, from the cache or image).
  const prepared = await target.prepare({
    dir, dirArg: req.dir ?? dir, given: {}, existing: { state: existing.state, compose: existing.compose, present: true },
    allowInsecureRelease: true, acceptUpstream: [], dockerAvailable: true, onLine: () => {},
  });
  const template = prepared.template;
  const answers = lenientAnswers(target.questions, { ...existingAnswers(target, existing).answers, release: prepared.release }) as Answers;
  ui.intro(pc.inverse(` harden-init ${VERSION} `) + ` verify ${dir}`);
  const composeTool = await detectCompose();
  if (!composeTool) throw stepError('Docker Compose not found (neither `docker compose` nor `docker-compose`).', 'Install the Compose plugin: https://docs.docker.com/compose/install/');
  const ctx = stackContext(ui, req, dir, composeTool, target, answers, template);
  const outcome = await verifyStack(ctx);
  let code = reportVerify(ui, outcome, target.running.label);
  const release = target.id === 'appwrite' ? await checkRelease(ui, answers, prepared.release) : undefined;
  if (release?.mismatch) code = EXIT.drift;
  ui.outro(code === EXIT.ok ? 'The running stack matches the files.' : 'The running stack differs from the files.');
  if (req.json) {
    process.stdout.write(`${JSON.stringify({ ok: code === EXIT.ok, dir, ...verifyJson(outcome), ...(release ? { release: { pinned: prepared.release, running: release.running ?? null } } : {}) }, null, 2)}\n`);
  }
  return code;
}

/** Appwrite: the release /v1/health/version reports must be the one the files pin (warned when not). */
export async function checkRelease(ui: Ui, answers: Answers, pinned: string): Promise<{ running?: string; mismatch?: string }> {
  const { runningRelease, releaseMismatch } = await import('../verify/release-check.js');
  const running = await runningRelease({ port: answers.httpPort, httpsPort: (answers as { httpsPort?: number }).httpsPort, host: urlHost(answers.domain) });
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
      name: r.name, ok: r.ok,
      expected: r.secret && r.expected ? '********' : r.expected,
      running: r.secret && r.running ? '********' : r.running ?? null,
    })),
  };
}
