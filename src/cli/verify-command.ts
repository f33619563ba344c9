// `harden-init verify`, and the pieces of verification the setup run shares with it.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pc from 'picocolors';
import type { Request } from './args.js';
import { EXIT, stepError, usageError } from './errors.js';
import { createUi, type Ui } from './ui.js';
import { existingAnswers, lenientAnswers } from './resolve.js';
import { verifyStack, type StackContext, type VerifyOutcome } from './stack.js';
import { detectCompose, type Compose } from '../docker/compose.js';
import { readExisting } from '../engine/existing.js';
import { parseEnv, toRecord } from '../engine/envfile.js';
import { COMPOSE_FILE } from '../engine/plan.js';
import { sensitiveNames, templateFromUpstream, type Template } from '../engine/template.js';
import { obtainRelease } from '../targets/appwrite/upstream/source.js';
import { releaseFromCompose } from '../targets/appwrite/release-choice.js';
import { managedValues } from '../targets/appwrite/env-values.js';
import type { Answers } from '../answers.js';

export function stackContext(ui: Ui, req: Request, dir: string, composeTool: Compose, answers: Answers, template: Template): StackContext {
  const env = toRecord(parseEnv(readFileSync(join(dir, '.env'), 'utf8')));
  const sensitive = sensitiveNames(template);
  return {
    ui, json: req.json, dir, compose: composeTool, answers, env,
    composeText: readFileSync(join(dir, COMPOSE_FILE), 'utf8'),
    shown: new Set([...Object.keys(managedValues(answers)), ...template.secrets.generate]),
    verifiable: new Set(template.variables),
    live: Boolean(process.stdout.isTTY),
    sensitive, timeoutMs: req.timeout * 1000,
  };
}

export function reportVerify(ui: Ui, outcome: VerifyOutcome): number {
  const { drift, rows } = outcome.comparison;
  if (drift.length === 0) {
    ui.success(`Verified with vars: ${rows.length} variables match .env in every container that receives them.`);
    return EXIT.ok;
  }
  ui.warn(`Drift: ${drift.map((r) => `${r.name} (${r.drifted.join(', ')})`).join('; ')}`);
  for (const reason of outcome.reasons) ui.warn(reason);
  return EXIT.drift;
}

export async function verifyCommand(req: Request, VERSION: string): Promise<number> {
  const ui = createUi(req.json);
  const dir = resolve(req.dir ?? './appwrite');
  const existing = readExisting(dir);
  if (!existing.env || existing.compose === undefined) {
    throw usageError(`No install in ${dir}: .env and docker-compose.yml are needed.`, 'Pass --dir, or install first with harden-init.');
  }
  const release = existing.state?.release ?? existing.state?.templateVersion ?? releaseFromCompose(existing.compose);
  if (!release) throw usageError(`Cannot tell which Appwrite release the install in ${dir} runs.`, 'Its docker-compose.yml names no appwrite/appwrite:<version> image.');
  // The release's variable list (what `vars` prints) from the install's cache, or its image.
  const template = templateFromUpstream(await obtainRelease(release, { dir, dockerAvailable: true }));
  const answers = lenientAnswers({ ...existingAnswers(existing).answers, release });
  ui.intro(pc.inverse(` harden-init ${VERSION} `) + ` verify ${dir}`);
  const composeTool = await detectCompose();
  if (!composeTool) throw stepError('Docker Compose not found (neither `docker compose` nor `docker-compose`).', 'Install the Compose plugin: https://docs.docker.com/compose/install/');
  const ctx = stackContext(ui, req, dir, composeTool, answers, template);
  const outcome = await verifyStack(ctx);
  const code = reportVerify(ui, outcome);
  ui.outro(code === EXIT.ok ? 'The running stack matches the files.' : 'The running stack differs from the files.');
  if (req.json) {
    process.stdout.write(`${JSON.stringify({ ok: code === EXIT.ok, dir, ...verifyJson(outcome) }, null, 2)}\n`);
  }
  return code;
}

export function verifyJson(o: VerifyOutcome) {
  return {
    health: o.health,
    drift: o.comparison.drift.map((r) => ({ name: r.name, services: r.drifted })),
    reasons: o.reasons,
    variables: o.comparison.rows.map((r) => ({
      name: r.name, ok: r.ok,
      expected: r.secret && r.expected ? '********' : r.expected,
      running: r.secret && r.running ? '********' : r.running ?? null,
    })),
  };
}
