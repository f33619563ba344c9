// The part of a step after its files are written: up -d, the health wait, Appwrite's migration, `vars`
// verification. The history entry (state.json and the step's manifest) records where it stopped, so a failed step
// can be resumed here (--resume) or rolled back with the backup taken before it.
import { join } from 'node:path';
import pc from 'picocolors';
import { CliError, EXIT } from '../../../core/errors.js';
import { shellQuote } from '../../../core/shell-quote.js';
import { urlHost } from '../../../core/url-host.js';
import { readExisting } from '../../../engine/existing.js';
import { serializeState, STATE_FILE, type HistoryEntry, type State } from '../../../engine/state.js';
import { COMPOSE_FILE } from '../../../engine/plan.js';
import { writeFileAtomic } from '../../../apply/atomic.js';
import { readRegular } from '../../../core/safe-fs.js';
import { STEP_MANIFEST } from '../../../apply/step-backup.js';
import { compose, type Compose } from '../../../docker/compose.js';
import { waitHealthy } from '../../../verify/health.js';
import type { UpgradeStack, UpgradeStep } from '../../types.js';
import type { Answers } from '../answers.js';
import type { Template } from '../template.js';
import { releaseFiles } from '../release-files.js';
import { stepAnswers, type Run } from './prepare-step.js';

/** A step whose files are written, on its way to running: what finishing it reads. */
interface Finishing {
  r: Run;
  composeTool: Compose;
  s: UpgradeStep;
  entry: HistoryEntry;
  answers: Answers;
  stack: UpgradeStack;
}

/** The error a step stops with once its files changed: the state it left, the way back and the way on. */
function failure(c: Pick<Finishing, 'r' | 's' | 'entry'>, what: string, stackState: string): CliError {
  const { r, s, entry } = c;
  const rel = r.dirArg;
  const lines = [
    `Step ${s.from} → ${s.to} stopped: ${what}`,
    `State now: .env, ${COMPOSE_FILE} and ${STATE_FILE} are Appwrite ${s.to}'s; ${stackState}.`,
    `Before this step: the files in ` +
      `${entry.backup}/${entry.dump ? `, the database dump ${entry.dump}` : ' (no database dump was taken)'}.`,
  ];
  const hint = [
    `Go back to ${s.from}: npx harden-init rollback --dir ${shellQuote(rel)} --backup ` +
      `${entry.backup.split('/').pop()}${entry.dump ? ' --with-db' : ''}`,
    `Or fix the cause and continue this step (up -d, health, migrate, verify): npx harden-init upgrade --dir ` +
      `${shellQuote(rel)} --resume${r.flags.to ? ` --to ${r.flags.to}` : ''} --yes`,
  ].join('\n');
  return new CliError(lines.join('\n'), EXIT.failed, hint);
}

/** Rewrites the last history entry's result in state.json and the step's manifest (atomic writes). */
function recordResult(dir: string, entry: HistoryEntry, result: HistoryEntry['result']): void {
  entry.result = result;
  const text = readRegular(join(dir, STATE_FILE));
  if (text) {
    const st = JSON.parse(text) as State;
    const last = st.history?.[st.history.length - 1];
    if (last && last.when === entry.when) {
      last.result = result;
      writeFileAtomic(join(dir, STATE_FILE), serializeState(st), 0o600);
    }
  }
  const m = join(dir, entry.backup, STEP_MANIFEST);
  const mt = readRegular(m);
  if (mt) writeFileAtomic(m, `${JSON.stringify({ ...JSON.parse(mt), result }, null, 2)}\n`, 0o600);
}

/** `docker compose exec -T appwrite migrate`, its output streamed; returns the exit code. */
async function migrate(r: Run, c: Compose, dropEnv: string[]): Promise<number> {
  const { ui, flags, dir } = r;
  const title = 'docker compose exec -T appwrite migrate';
  const log = flags.json ? undefined : r.deps.taskLog(title);
  if (!log && !flags.json) ui.step(title);
  const run = compose(c, ['exec', '-T', 'appwrite', 'migrate'], { cwd: dir, dropEnv });
  for await (const line of run.iterable({ from: 'all' })) {
    if (log) log.message(String(line));
    else ui.raw(`│  ${String(line)}`);
  }
  const res = await run;
  const code = res.exitCode ?? 1;
  if (log) {
    if (code === 0) log.success('migrate done', { showLog: false });
    else log.error(`migrate exited ${code}`, { showLog: true });
  }
  return code;
}

/** up -d, then the health wait; a failure records start-failed. */
async function startHealthy(c: Finishing): Promise<void> {
  const { r, entry, answers, stack } = c;
  try {
    await stack.start();
  } catch (e) {
    recordResult(r.dir, entry, 'start-failed');
    throw failure(
      c,
      `docker compose up -d failed: ${(e as Error).message}`,
      'the stack may run a mix of old and new containers; the database is not migrated yet',
    );
  }
  const services = await stack.services(); // counted by start's validation
  const health = await waitHealthy(
    c.composeTool,
    r.dir,
    Object.keys(stack.env),
    {
      port: answers.httpPort,
      host: urlHost(answers.domain),
      path: r.target.verify.health.path,
      judge: r.target.verify.health.judge,
    },
    services,
    r.flags.timeout * 1000,
  );
  if (!health.ok) {
    recordResult(r.dir, entry, 'start-failed');
    throw failure(
      c,
      `the stack did not become healthy: ${health.reason}${health.logs ? `\n${health.logs}` : ''}`,
      'the new containers run (not healthy); the database is not migrated yet',
    );
  }
  r.ui.success(`Stack healthy: ${health.detail}`);
}

/** Appwrite's migration; a failure records migrate-failed. */
async function migrated(c: Finishing): Promise<void> {
  const { r, s, entry } = c;
  const code = await migrate(r, c.composeTool, Object.keys(c.stack.env));
  if (code !== 0) {
    recordResult(r.dir, entry, 'migrate-failed');
    throw failure(
      c,
      `Appwrite's migration (docker compose exec -T appwrite migrate) exited ${code}.`,
      `the stack runs ${s.to}; the database may be partly migrated`,
    );
  }
  r.ui.success(`Migration to ${s.to} done.`);
}

/** `vars` verification and the release the running Appwrite reports; a failure records verify-failed. */
async function verified(c: Finishing): Promise<void> {
  const { r, s, entry, stack } = c;
  const on =
    `npx harden-init upgrade --dir ${shellQuote(r.dirArg)} ` +
    `--resume${r.flags.to ? ` --to ${r.flags.to}` : ''} --yes`;
  if ((await stack.verify()) !== EXIT.ok) {
    recordResult(r.dir, entry, 'verify-failed');
    throw new CliError(
      `Step ${s.from} → ${s.to}: the running stack differs from the files (see above); the upgrade stops ` +
        `here. The database is migrated to ${s.to}.`,
      EXIT.drift,
      `Fix the difference (the reasons above), then continue: ${on}`,
    );
  }
  const release = await stack.checkRelease(s.to);
  if (release.mismatch) {
    recordResult(r.dir, entry, 'verify-failed');
    throw new CliError(
      `Step ${s.from} → ${s.to}: ${release.mismatch} The upgrade stops here.`,
      EXIT.drift,
      `Recreate the stack from the files (cd ${shellQuote(r.dirArg)} && docker compose up -d --force-recreate), ` +
        `check the image ${s.to} is Appwrite's, then continue: ${on}`,
    );
  }
}

/** Start, health, migrate, verify; the history entry records where it stopped (a resumed step starts here again). */
export async function finishStep(
  r: Run,
  composeTool: Compose,
  s: UpgradeStep,
  entry: HistoryEntry,
  answers: Answers,
  template: Template,
): Promise<HistoryEntry> {
  const c: Finishing = { r, composeTool, s, entry, answers, stack: r.deps.stack(composeTool, answers, template) };
  const steps = [startHealthy, migrated, verified];
  for (const step of steps) await step(c);
  recordResult(r.dir, entry, 'done');
  return entry;
}

/** A step a failed run left: its files as they are now, then up -d, health, migrate, verify (finishStep). */
export async function resumeStep(r: Run, entry: HistoryEntry): Promise<HistoryEntry> {
  const existing = readExisting(r.dir);
  const current = r.deps.existingAnswers(existing);
  const { template } = await releaseFiles(entry.to, {
    dir: r.dir,
    dockerAvailable: true,
    acceptUpstream: r.flags.acceptUpstream,
    env: r.env,
    onLine: (l) => r.ui.raw(pc.dim(`│  ${l}`)),
  });
  const answers = stepAnswers(r, current, entry.to);
  return finishStep(r, r.composeTool!, { from: entry.from, to: entry.to, why: 'resumed' }, entry, answers, template);
}
