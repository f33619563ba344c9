// `harden-init check [appwrite|langflow] [--dir D] [--json] [--fail-on critical|high|medium|low]`: audits any
// install (made by hand, by the official installer or by harden-init) and changes nothing. Exit 0 when nothing is
// at or above --fail-on (default high), 3 otherwise, 2 bad usage, 1 when the install cannot be read.
import { existsSync } from 'node:fs';
import { DEFAULT_TARGET } from '../targets/index.js';
import { defineCommand } from './define.js';
import { dirFlag, jsonFlag, noMore, optionalTarget } from './flags.js';
import { EXIT, stepError, usageError } from '../core/errors.js';
import { colorsWanted, type Io } from '../core/io.js';
import { createUi } from '../ui/ui.js';
import { shellQuote } from '../core/shell-quote.js';
import { TARGETS, recognizeImages } from '../targets/index.js';
import { refuseSystemDir } from '../apply/install-dir.js';
import { auditedInstallDir } from '../install/install-dir.js';
import { auditInput, detectTarget, findComposeFile, readCompose, readFiles, readRunning } from '../audit/read.js';
import { failed, runAudit, summarize } from '../audit/run.js';
import { humanReport, jsonReport } from '../audit/report.js';
import { DEFAULT_FAIL_ON, FAIL_ON, type FailOn } from '../audit/types.js';

export async function checkCommand(req: Request & { failOn?: string; targetGiven?: boolean }, io: Io): Promise<number> {
  const failOn = (req.failOn ?? DEFAULT_FAIL_ON) as FailOn;
  if (!(FAIL_ON as readonly string[]).includes(failOn))
    throw usageError(`--fail-on: one of ${FAIL_ON.join(', ')} (got "${req.failOn}")`);
  const targetGiven = req.targetGiven ?? false;
  const { dir, dirArg } = auditedInstallDir(
    req.dir,
    targetGiven ? req.target : undefined,
    (d) => existsSync(d) && findComposeFile(d) !== undefined,
    io,
  );
  refuseSystemDir(dir);
  if (!existsSync(dir))
    throw stepError(`No install in ${dir}: the directory does not exist.`, 'Pass --dir with the install directory.');
  const raw = readFiles(dir);
  const reading = await readCompose(raw);
  const detected = detectTarget(raw.state, reading.model, recognizeImages);
  if (detected && targetGiven && detected !== req.target) {
    throw usageError(
      `The install in ${dir} is ${TARGETS[detected]?.title ?? detected}, not ` +
        `${TARGETS[req.target]?.title ?? req.target}.`,
      `Run harden-init check --dir ${shellQuote(dirArg)} (the product is detected), or pass the right --dir.`,
    );
  }
  const targetId = detected ?? (targetGiven ? req.target : undefined);
  if (!targetId || !TARGETS[targetId]) {
    throw stepError(
      `Cannot tell which product the install in ${dir} is: no .harden-init/state.json, and no appwrite/appwrite or ` +
        `langflowai/langflow image in ${raw.composeFile}.`,
      'Name it: harden-init check appwrite|langflow --dir D.',
    );
  }
  const entry = TARGETS[targetId]!;
  const target = await entry.load();
  const audit = target.audit;
  if (!audit) throw usageError(`harden-init check has no rules for ${entry.title} yet.`);
  const live = await readRunning(raw, reading.tool, target.verify.running, io.env);
  const input = await auditInput(raw, reading, {
    dir,
    dirArg,
    target: targetId,
    runEnv: io.env,
    release: audit.release(reading.model, raw.state),
    running: live.running,
    runningNote: live.note || undefined,
    reader: target.verify.running,
  });
  const findings = runAudit(input, audit);
  const summary = summarize(findings);
  const exitCode = failed(findings, failOn) ? EXIT.drift : EXIT.ok;
  const ctx = { input, findings, summary, title: entry.title, failOn, exitCode };
  createUi(req.json, io).result(req.json ? jsonReport(ctx) : humanReport(ctx, colorsWanted(io)));
  return exitCode;
}

export interface CheckRequest {
  target: string;
  /** Whether the target was named on the command line (it is detected otherwise). */
  targetGiven: boolean;
  dir?: string;
  json: boolean;
  /** --fail-on: the lowest severity that fails the check (default high). */
  failOn?: string;
}
type Request = CheckRequest;

export default defineCommand({
  meta: {
    name: 'check',
    usage: [
      '  harden-init check [appwrite|langflow] [--dir D] [--json] [--fail-on critical|high|medium|low]',
      '                                     audit any install (files and running ' +
        'stack); changes nothing; exit 3 on findings',
    ],
  },
  args: { ...dirFlag, ...jsonFlag, 'fail-on': { type: 'string' } },
  async run({ flags, positionals, io }) {
    const { target, targetGiven, rest } = optionalTarget(positionals, DEFAULT_TARGET);
    noMore(rest);
    return checkCommand(
      { target, targetGiven, dir: flags.dir, json: flags.json === true, failOn: flags['fail-on'] },
      io,
    );
  },
});
