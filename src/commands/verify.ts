// `harden-init verify`: compare the running stack with the files; changes nothing.
import pc from 'picocolors';
import { EXIT, stepError, usageError } from '../core/errors.js';
import { createUi } from '../ui/ui.js';
import type { Io } from '../core/io.js';
import { existingAnswers, lenientAnswers } from '../install/resolve.js';
import { verifyStack } from '../install/stack.js';
import { checkRelease, reportVerify, stackContext, verifyJson } from '../install/verify-report.js';
import { detectCompose } from '../docker/compose.js';
import { readExisting } from '../engine/existing.js';
import { installDir } from '../install/install-dir.js';
import { TARGETS, DEFAULT_TARGET } from '../targets/index.js';
import type { BaseAnswers as Answers } from '../targets/types.js';
import { defineCommand } from './define.js';
import { dirFlag, jsonFlag, noMore, timeoutFlag, timeoutOf } from './flags.js';

export interface VerifyRequest {
  target: string;
  dir?: string;
  json: boolean;
  timeout: number;
}

export default defineCommand({
  meta: {
    name: 'verify',
    usage: [
      '  harden-init verify [--dir D] [--json] [--timeout S]',
      '                                     compare the running stack with the files; changes nothing',
    ],
  },
  args: { ...dirFlag, ...jsonFlag, ...timeoutFlag },
  async run({ flags, positionals, version, io }) {
    noMore(positionals);
    const req: VerifyRequest = {
      target: DEFAULT_TARGET,
      dir: flags.dir,
      json: flags.json === true,
      timeout: timeoutOf(flags),
    };
    return verifyCommand(req, version, io);
  },
});

async function verifyCommand(req: VerifyRequest, VERSION: string, io: Io): Promise<number> {
  const ui = createUi(req.json, io);
  const { dir } = installDir(req.dir, `./${req.target}`, io);
  const existing = readExisting(dir);
  if (!existing.env || existing.compose === undefined) {
    throw usageError(
      `No install in ${dir}: .env and docker-compose.yml are needed.`,
      'Pass --dir, or install first with harden-init.',
    );
  }
  // The install says which product it is; an older state without a target is Appwrite's.
  const entry = TARGETS[existing.state?.target ?? req.target] ?? TARGETS[DEFAULT_TARGET]!;
  const target = await entry.load();
  // The release the install runs, and its template (Appwrite: what `vars` prints, from the cache or image).
  const prepared = await target.prepare({
    dir,
    dirArg: req.dir ?? dir,
    given: {},
    existing: { state: existing.state, compose: existing.compose, present: true },
    allowInsecureRelease: true,
    acceptUpstream: [],
    dockerAvailable: true,
    onLine: () => {},
    env: io.env,
  });
  const template = prepared.template;
  const answers = lenientAnswers(target.questions, {
    ...existingAnswers(target, existing).answers,
    release: prepared.release,
  }) as Answers;
  ui.intro(pc.inverse(` harden-init ${VERSION} `) + ` verify ${dir}`);
  const composeTool = await detectCompose();
  if (!composeTool)
    throw stepError(
      'Docker Compose not found (neither `docker compose` nor `docker-compose`).',
      'Install the Compose plugin: https://docs.docker.com/compose/install/',
    );
  const ctx = stackContext(ui, req, dir, composeTool, target, answers, template, io.env);
  const outcome = await verifyStack(ctx);
  let code = reportVerify(ui, outcome, target.verify.running.label);
  const release = target.id === 'appwrite' ? await checkRelease(ui, answers, prepared.release) : undefined;
  if (release?.mismatch) code = EXIT.drift;
  ui.outro(code === EXIT.ok ? 'The running stack matches the files.' : 'The running stack differs from the files.');
  if (req.json) {
    ui.result(
      JSON.stringify(
        {
          ok: code === EXIT.ok,
          dir,
          ...verifyJson(outcome),
          ...(release ? { release: { pinned: prepared.release, running: release.running ?? null } } : {}),
        },
        null,
        2,
      ),
    );
  }
  return code;
}
