// `harden-init rotate-key [langflow] [--dir D]`: replaces LANGFLOW_SECRET_KEY and re-encrypts every credential Langflow
// stored with it (templates/langflow/rotate_secret_key.py, run with the install's own Langflow image). Order, each
// step undone by the ones after it failing:
//   1. the encrypted backup (backup.ts's own flow): the archive holds .env with the OLD key and the database;
//   2. Langflow stopped (the database stays up): nothing writes a value with the old key meanwhile;
//   3. the new key (the generator setup uses), kept in .harden-init/rotate-key.pending before the database changes,
//      so an interrupted run never loses the key the data is under;
//   4. the script: one transaction; a value the old key cannot decrypt rolls it back, naming table, row and field;
//   5. .env written atomically (the plan writer: the old .env kept in .harden-init/backups/<time>/);
//   6. Langflow started, healthy, its key equal to .env's, and every stored value decrypting with it (the script's
//      verify mode, inside the running container).
// A failure before 4 commits changes nothing; after it, the data is re-encrypted back to the old key and the old
// .env written again, and Langflow is started as it was.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import pc from 'picocolors';
import { DEFAULT_TARGET } from '../targets/index.js';
import { defineCommand } from './define.js';
import {
  dirFlag,
  jsonFlag,
  noMore,
  optionalTarget,
  passphraseFlags,
  recipientFlag,
  timeoutFlag,
  timeoutOf,
  yesFlag,
} from './flags.js';
import { CliError, EXIT, stepError, usageError } from '../core/errors.js';
import type { Io } from '../core/io.js';
import { createUi, isInteractive, type Ui } from '../ui/ui.js';
import { shellQuote } from '../core/shell-quote.js';
import { getEnv, parseEnv, serializeEnv, setEnv, toRecord } from '../engine/envfile.js';
import { STATE_DIR } from '../engine/state.js';
import { readYaml } from '../engine/yaml-read.js';
import { compose, detectCompose, docker, type Compose } from '../docker/compose.js';
import { acquireLock } from '../apply/lock.js';
import { applyPlan } from '../apply/apply.js';
import { writeFileAtomic } from '../apply/atomic.js';
import { kindOf, mkdirExact, readRegular } from '../core/safe-fs.js';
import { backupCommand, backupShape, backupTarget, readInstall } from './backup.js';
import { encryptionFrom } from './backup/options.js';
import {
  SERVICE,
  describeCounts,
  describeFailures,
  runScript,
  scriptFailure,
  type RunWhere,
  type ScriptReport,
} from './rotate-key-script.js';

export const KEY_VARIABLE = 'LANGFLOW_SECRET_KEY';
/** The new key while the database may already be under it and .env is not yet written (mode 0600). */
export const PENDING_FILE = `${STATE_DIR}/rotate-key.pending`;
const OVERRIDE_FILE = 'docker-compose.override.yml';

interface Ctx {
  ui: Ui;
  dir: string;
  where: RunWhere;
  compose: Compose;
  dropEnv: string[];
  timeoutMs: number;
}

/** What the steps of one rotation share: the install as read before anything was locked or changed. */
interface Rotation extends Ctx {
  req: Request;
  VERSION: string;
  io: Io;
  oldKey: string;
  envText: string;
  /** The generator setup uses for this key (its exact length and alphabet are Langflow's Fernet key). */
  newSecretKey: () => string;
}

export async function rotateKeyCommand(req: Request, VERSION: string, io: Io): Promise<number> {
  const install = await readLangflowInstall(req, io);
  const { ui, dir } = install;
  ui.intro(`${pc.inverse(` harden-init ${VERSION} `)} rotate-key ${dir}${req.dryRun ? ' (dry run)' : ''}`);
  // A usage error before anything is locked or stopped (the backup reads the same flags again).
  if (!req.dryRun) encryptionFrom(req, ui, io);
  if (!req.dryRun && !req.yes) await confirmRotation(req, ui, io);

  await acquireLock(dir, { warn: (m) => ui.warn(m) }); // released by main, after the command
  const ctx = await readyToRun(install);
  const { oldKey, envText } = install;
  await settleInterrupted(ctx, oldKey, envText);

  if (req.dryRun) return await dryRun(ctx, req, oldKey, install.newSecretKey());
  const run: Rotation = { ...install, ...ctx, req, VERSION, io };
  return await rotate(run);
}

/** The install, refused unless it is Langflow's with a key in .env; nothing is locked or changed yet. */
async function readLangflowInstall(req: Request, io: Io) {
  const { dir, existing, targetId } = readInstall(req.dir, io);
  const ui = createUi(req.json, io);
  if (targetId !== 'langflow') {
    throw usageError(
      `rotate-key rotates Langflow's ${KEY_VARIABLE}; ${dir} is ` +
        `${targetId ? `a ${targetId} install` : 'not an install harden-init recognises'}.`,
      targetId === 'appwrite'
        ? "Appwrite's _APP_OPENSSL_KEY_V1 has no rotation: harden-init keeps it (see docs/safety.md)."
        : undefined,
    );
  }
  if (req.targetGiven && req.target !== 'langflow')
    throw usageError(`rotate-key: ${dir} is a Langflow install, not ${req.target}.`);
  const { target, spec } = await backupTarget(targetId);
  // The generator setup uses for this key (its exact length and alphabet are Langflow's Fernet key).
  const newSecretKey = () => {
    if (!target.render.generateSecret) throw new Error(`no generator for ${KEY_VARIABLE}`);
    return target.render.generateSecret(KEY_VARIABLE);
  };
  const envText = existing.envText;
  const oldKey = getEnv(parseEnv(envText), KEY_VARIABLE);
  if (!oldKey)
    throw usageError(
      `${dir}/.env has no ${KEY_VARIABLE}: there is no key to rotate.`,
      'Langflow then uses the key in its config directory; put that key into .env first ' +
        '(harden-init langflow --dir … keeps it).',
    );
  const shape = backupShape(spec, existing.compose);
  const dropEnv = Object.keys(toRecord(parseEnv(envText)));
  const timeoutMs = req.timeout * 1000;
  return { ui, dir, newSecretKey, envText, oldKey, shape, dropEnv, timeoutMs };
}

async function confirmRotation(req: Request, ui: Ui, io: Io): Promise<void> {
  const interactive = isInteractive(req, io);
  if (!interactive)
    throw usageError(
      'rotate-key stops Langflow and rewrites every stored credential: confirm with --yes (no terminal to ask on).',
    );
  const { confirmWrite } = await import('../ui/wizard.js');
  ui.note(
    [
      `1. an encrypted backup (it keeps the old key), 2. Langflow stopped (the database stays up),`,
      `3. every stored credential re-encrypted with a new ${KEY_VARIABLE}, 4. .env ` +
        `written, 5. Langflow started and checked.`,
      'Everyone signed in must sign in again. A failure leaves the old key in place.',
    ].join('\n'),
    'Rotate the secret key',
  );
  if (!(await confirmWrite(ui, 'Rotate the secret key now?', false)))
    throw new CliError('Cancelled: nothing was changed.', EXIT.cancelled);
}

/** Compose, the running database and the install's Langflow image: what the re-encryption runs with. */
async function readyToRun(i: Awaited<ReturnType<typeof readLangflowInstall>>): Promise<Ctx> {
  const { ui, dir, dropEnv, timeoutMs, shape } = i;
  const composeTool = await detectCompose();
  if (!composeTool)
    throw stepError(
      'Docker Compose not found (neither `docker compose` nor `docker-compose`).',
      "rotate-key runs Langflow's own Python through Compose.",
    );
  const ctx: Ctx = {
    ui,
    dir,
    compose: composeTool,
    dropEnv,
    timeoutMs,
    where: { compose: composeTool, dir, dropEnv, timeoutMs },
  };
  if (shape.db) {
    if (!(await isRunning(ctx, shape.db.service))) {
      throw stepError(
        `The database container (${shape.db.service}) is not running: the credentials are re-encrypted in it.`,
        `Start the stack first: cd ${shellQuote(dir)} && docker compose up -d`,
      );
    }
  }
  const image = overrideImage(dir) ?? shape.helperImage;
  if (!image || (await docker(['image', 'inspect', image])).exitCode !== 0) {
    throw stepError(
      `The install's Langflow image${image ? ` ${image}` : ''} is not present locally: ` +
        `the re-encryption runs with its Python.`,
    );
  }
  return ctx;
}

/** The six steps, in order (see the top of this file); from the .env write on, a failure is undone. */
async function rotate(run: Rotation): Promise<number> {
  const { ui, req, VERSION, io } = run;
  // 1. The backup, through backup's own entry point, inside this run's lock.
  ui.step('1/6 Encrypted backup (it holds .env with the old key, and the database)');
  const backup = await backupInside(req, VERSION, io);
  if (backup.code !== EXIT.ok) throw stepError('The backup failed: nothing was changed.');
  const { wasRunning, restart } = await stopLangflow(run);
  const newKey = keepPendingKey(run);
  const report = await reencrypt(run, newKey, wasRunning, restart);
  let envWritten = false;
  try {
    await switchOver(run, newKey, report, () => {
      envWritten = true;
    });
  } catch (e) {
    await undo(run, { oldKey: run.oldKey, newKey, envText: run.envText, envWritten, wasRunning });
    const msg = (e as Error).message;
    throw stepError(
      `${msg}\nUndone: the credentials were re-encrypted back to the old key, .env holds the old key ` +
        `again${wasRunning ? ` and ${SERVICE} was started with it` : ''}.`,
      `The backup from before the rotation: ${backup.archive ?? 'see above'}.`,
    );
  }
  return rotated(run, backup, { report });
}

/** 2. Langflow stopped; the database stays up. */
async function stopLangflow(run: Pick<Rotation, 'ui' | 'dir' | 'compose' | 'dropEnv' | 'where' | 'timeoutMs'>) {
  const { ui, dir, dropEnv, compose: composeTool } = run;
  const wasRunning = await isRunning(run, SERVICE);
  ui.step(`2/6 Stopping ${SERVICE}${wasRunning ? '' : ' (it was not running)'}`);
  if (wasRunning) {
    const s = await compose(composeTool, ['stop', SERVICE], { cwd: dir, dropEnv, timeoutMs: 120_000 });
    if (s.exitCode !== 0)
      throw stepError(
        `docker compose stop ${SERVICE} failed: nothing was changed.\n${String(s.all ?? '')
          .trim()
          .split('\n')
          .slice(-3)
          .join('\n')}`,
      );
  }
  const restart = async () => {
    if (wasRunning) await compose(composeTool, ['start', SERVICE], { cwd: dir, dropEnv, timeoutMs: 120_000 });
  };
  return { wasRunning, restart };
}

/** 3. The new key, on disk before the database is changed. */
function keepPendingKey(run: Pick<Rotation, 'dir' | 'newSecretKey'>): string {
  const newKey = run.newSecretKey();
  mkdirExact(join(run.dir, STATE_DIR), 0o700);
  const pending = `${JSON.stringify({ key: newKey, started: new Date().toISOString() })}\n`;
  writeFileAtomic(join(run.dir, PENDING_FILE), pending, 0o600);
  return newKey;
}

/** 4. Re-encrypt, in one transaction: a failure rolls it back, and Langflow is started as it was. */
async function reencrypt(
  run: Pick<Rotation, 'ui' | 'dir' | 'where' | 'oldKey'>,
  newKey: string,
  wasRunning: boolean,
  restart: () => Promise<void>,
): Promise<ScriptReport> {
  run.ui.step('3/6 Re-encrypting the stored credentials with a new key (one transaction)');
  const r = await runScript(run.where, 'rotate', { old_key: run.oldKey, new_key: newKey }, 'one-off');
  if (r.exitCode !== 0 || !r.report?.ok) {
    rmSync(join(run.dir, PENDING_FILE), { force: true });
    await restart();
    throw stepError(
      `${scriptFailure(r, 'The re-encryption')}\nNothing was changed: the transaction was rolled back, .env keeps ` +
        `the old key${wasRunning ? ` and ${SERVICE} was started again` : ''}.`,
      r.report?.failures?.length
        ? 'Those values were written with another key (or are damaged): delete or ' +
            're-enter them in Langflow, then rotate again.'
        : undefined,
    );
  }
  for (const line of describeCounts(r.report, 're-encrypted')) run.ui.success(line);
  return r.report;
}

/** 5. .env, atomically, and 6. Langflow started and checked; a throw here is undone by the caller. */
async function switchOver(
  run: Rotation,
  newKey: string,
  report: ScriptReport,
  onEnvWritten: () => void,
): Promise<void> {
  const { ui, dir, dropEnv, timeoutMs, envText, compose: composeTool } = run;
  ui.step('4/6 Writing .env with the new key');
  const content = serializeEnv(setEnv(parseEnv(envText), KEY_VARIABLE, newKey));
  const applied = applyPlan(dir, [{ path: '.env', old: envText, content, mode: 0o600, secret: true }]);
  onEnvWritten();
  rmSync(join(dir, PENDING_FILE), { force: true });
  if (applied.backupDir) ui.info(`The previous .env (old key) is also kept in ${applied.backupDir}.`);

  // 6. Start and check.
  ui.step(`5/6 Starting ${SERVICE} with the new key`);
  const up = await compose(composeTool, ['up', '-d', SERVICE], {
    cwd: dir,
    dropEnv,
    timeoutMs: Math.max(timeoutMs, 120_000),
  });
  if (up.exitCode !== 0)
    throw new Error(
      `docker compose up -d ${SERVICE} failed: ${String(up.all ?? '')
        .trim()
        .split('\n')
        .slice(-3)
        .join('\n')}`,
    );
  await waitHealthy(run, SERVICE);
  ui.step("6/6 Checking: the running key is .env's, and every stored credential decrypts with it");
  const env = await compose(composeTool, ['exec', '-T', SERVICE, 'printenv', KEY_VARIABLE], {
    cwd: dir,
    dropEnv,
    timeoutMs: 60_000,
  });
  if (String(env.stdout ?? '').trim() !== newKey)
    throw new Error(`${SERVICE} does not run with the new ${KEY_VARIABLE} of .env`);
  const v = await runScript(run.where, 'verify', { key: newKey }, 'running');
  if (v.exitCode !== 0 || !v.report?.ok) throw new Error(scriptFailure(v, 'The check with the new key'));
  if (!sameCounts(report, v.report)) {
    throw new Error('The check with the new key found other values than were re-encrypted.');
  }
  ui.success(`Every stored credential decrypts with the new key in the running ${SERVICE} container.`);
}

/** The summary (and the --json result) of a rotation that went through. */
function rotated(
  run: Pick<Rotation, 'ui' | 'dir' | 'req'>,
  backup: { archive?: string; json?: unknown },
  r: { report: ScriptReport },
): number {
  const { ui, dir, req } = run;
  const summary = [
    `${KEY_VARIABLE} replaced; ${r.report.updated_rows ?? 0} row(s) re-encrypted.`,
    'Everyone signed in must sign in again: sessions were signed with the old key.',
    `The old key is in the backup${backup.archive ? ` ${backup.archive}` : ''} (and in .harden-init/backups/); to ` +
      `undo, restore it: harden-init restore <archive> --dir ${shellQuote(dir)}.`,
  ];
  ui.note(summary.join('\n'), 'Key rotated');
  ui.outro('Secret key rotated.');
  if (req.json)
    ui.result(
      JSON.stringify(
        {
          ok: true,
          dir,
          archive: backup.archive ?? null,
          backup: backup.json ?? null,
          fields: r.report.fields ?? {},
          updatedRows: r.report.updated_rows ?? 0,
          skippedTables: r.report.skipped_tables ?? [],
        },
        null,
        2,
      ),
    );
  return EXIT.ok;
}

async function dryRun(ctx: Ctx, req: Request, oldKey: string, throwaway: string): Promise<number> {
  // With Langflow running: the dry run only reads (its transaction is rolled back).
  const r = await runScript(ctx.where, 'dry-run', { old_key: oldKey, new_key: throwaway }, 'one-off');
  const rep = r.report;
  if (!rep || (r.exitCode !== 0 && r.exitCode !== 3 && r.exitCode !== 4))
    throw stepError(scriptFailure(r, 'The dry run'));
  for (const line of describeCounts(rep, 'would be re-encrypted')) ctx.ui.info(line);
  let code: number = EXIT.ok;
  if (rep.failures?.length) {
    ctx.ui.warn(
      `${rep.failures.length} stored value(s) cannot be decrypted with the current key; a rotation would stop on ` +
        `them:\n${describeFailures(rep.failures)}`,
    );
    code = EXIT.drift;
  }
  if (rep.refused) {
    ctx.ui.warn(`A rotation would be refused now: there are ${rep.refused}.`);
    code = EXIT.drift;
  }
  ctx.ui.outro(
    code === EXIT.ok
      ? 'Dry run: nothing was changed.'
      : 'Dry run: nothing was changed; the rotation would not go through now.',
  );
  if (req.json)
    ctx.ui.result(
      JSON.stringify(
        {
          ok: code === EXIT.ok,
          dryRun: true,
          dir: ctx.dir,
          fields: rep.fields ?? {},
          skippedTables: rep.skipped_tables ?? [],
          failures: rep.failures ?? [],
          refused: rep.refused ?? null,
        },
        null,
        2,
      ),
    );
  return code;
}

/**
 * The backup inside this run's lock, on this run's output; in --json mode its JSON
 * is caught and put into rotate-key's own.
 */
async function backupInside(
  req: Request,
  VERSION: string,
  io: Io,
): Promise<{ code: number; archive?: string; json?: unknown }> {
  if (!req.json) {
    let archive: string | undefined;
    const write = (text: string) => {
      archive = /Archive written: (\S+\.age)/.exec(text)?.[1] ?? archive;
      io.stdout.write(text);
    };
    const stdout = { write, isTTY: io.stdout.isTTY };
    const code = await backupCommand(req, VERSION, { ...io, stdout }, { lockHeld: true });
    return { code, archive };
  }
  let caught = '';
  const stdout = {
    write: (text: string) => {
      caught += text;
    },
  };
  const code = await backupCommand(req, VERSION, { ...io, stdout }, { lockHeld: true });
  let json: { archive?: string } | undefined;
  try {
    json = JSON.parse(caught) as { archive?: string };
  } catch {
    /* not JSON */
  }
  return { code, archive: json?.archive, json };
}

/**
 * The Langflow image docker-compose.override.yml names, if it names one: compose merges that file, so its image (a
 * custom build on top of Langflow's, say) is the one the one-off container runs, not docker-compose.yml's.
 */
function overrideImage(dir: string): string | undefined {
  const text = readRegular(join(dir, OVERRIDE_FILE));
  if (text === undefined) return undefined;
  const doc = readYaml(text, OVERRIDE_FILE) as
    | { services?: Record<string, { image?: unknown } | null> }
    | null
    | undefined;
  const image = doc?.services?.[SERVICE]?.image;
  return typeof image === 'string' && !image.includes('$') ? image : undefined; // interpolated: compose's to resolve
}

async function isRunning(ctx: Ctx, service: string): Promise<boolean> {
  const id = String(
    (await compose(ctx.compose, ['ps', '-q', service], { cwd: ctx.dir, dropEnv: ctx.dropEnv })).stdout ?? '',
  ).trim();
  if (!id) return false;
  return String((await docker(['inspect', '--format', '{{.State.Running}}', id])).stdout ?? '').trim() === 'true';
}

/** Until Docker reports the service healthy (or running, without a healthcheck); --timeout bounds it. */
async function waitHealthy(ctx: Ctx, service: string): Promise<void> {
  const deadline = Date.now() + ctx.timeoutMs;
  let last = 'not started';
  while (Date.now() < deadline) {
    const id = String(
      (await compose(ctx.compose, ['ps', '-q', service], { cwd: ctx.dir, dropEnv: ctx.dropEnv })).stdout ?? '',
    ).trim();
    if (id) {
      const h = await docker([
        'inspect',
        '--format',
        '{{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}',
        id,
      ]);
      const [state, health] = String(h.stdout ?? '')
        .trim()
        .split(' ');
      last = `${state ?? '?'}${health && health !== 'none' ? `, ${health}` : ''}`;
      if (state === 'running' && (health === 'healthy' || health === 'none')) return;
      if (state === 'exited' || state === 'dead') break;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`${service} did not become healthy (${last}) within ${Math.round(ctx.timeoutMs / 1000)} s`);
}

function sameCounts(a: ScriptReport, b: ScriptReport): boolean {
  const norm = (r: ScriptReport) =>
    JSON.stringify(
      Object.entries(r.fields ?? {})
        .map(([k, c]) => [k, c.encrypted])
        .sort(),
    );
  return norm(a) === norm(b);
}

/** After the database changed: back to the old key everywhere, and Langflow as it was. */
async function undo(
  ctx: Ctx,
  s: { oldKey: string; newKey: string; envText: string; envWritten: boolean; wasRunning: boolean },
): Promise<void> {
  const { ui, dir } = ctx;
  ui.warn('Undoing: re-encrypting back to the old key.');
  await compose(ctx.compose, ['stop', SERVICE], { cwd: dir, dropEnv: ctx.dropEnv, timeoutMs: 120_000 });
  // The pending file holds the new key until the data is back under the old one.
  writeFileAtomic(
    join(dir, PENDING_FILE),
    `${JSON.stringify({ key: s.newKey, started: new Date().toISOString() })}\n`,
    0o600,
  );
  const back = await runScript(ctx.where, 'rotate', { old_key: s.newKey, new_key: s.oldKey }, 'one-off');
  if (back.exitCode !== 0 || !back.report?.ok) {
    // The data stays under the new key: then .env must hold it, or nothing can read the data.
    if (!s.envWritten) {
      const content = serializeEnv(setEnv(parseEnv(s.envText), KEY_VARIABLE, s.newKey));
      applyPlan(dir, [{ path: '.env', old: s.envText, content, mode: 0o600, secret: true }]);
    }
    rmSync(join(dir, PENDING_FILE), { force: true });
    throw stepError(
      `${scriptFailure(back, 'Re-encrypting back to the old key')}\nThe credentials are under the NEW key, which ` +
        `.env now holds; ${SERVICE} is stopped.`,
      `Start it with: cd ${shellQuote(dir)} && docker compose up -d ${SERVICE}; or restore the backup taken ` +
        `before the rotation (harden-init restore).`,
    );
  }
  if (s.envWritten) {
    const current = readRegular(join(dir, '.env')) ?? '';
    applyPlan(dir, [{ path: '.env', old: current, content: s.envText, mode: 0o600, secret: true }]);
  }
  rmSync(join(dir, PENDING_FILE), { force: true });
  if (s.wasRunning) {
    await compose(ctx.compose, ['up', '-d', SERVICE], {
      cwd: dir,
      dropEnv: ctx.dropEnv,
      timeoutMs: Math.max(ctx.timeoutMs, 120_000),
    });
  }
}

/**
 * A run killed after the database was re-encrypted but before .env was written leaves the new key only in the
 * pending file. Which key the data is under is asked of the data itself: the pending key when it reads the stored
 * values and .env's key does not, then .env gets it; otherwise the pending file is stale and goes.
 */
async function settleInterrupted(ctx: Ctx, oldKey: string, envText: string): Promise<void> {
  const path = join(ctx.dir, PENDING_FILE);
  if (kindOf(path) !== 'file') return;
  let pending: string | undefined;
  try {
    pending = (JSON.parse(readFileSync(path, 'utf8')) as { key?: string }).key;
  } catch {
    /* damaged */
  }
  if (!pending || pending === oldKey) {
    rmSync(path, { force: true });
    return;
  }
  ctx.ui.warn(
    `An earlier rotate-key did not finish (${PENDING_FILE}): checking which key the stored credentials are under.`,
  );
  const withEnv = await runScript(ctx.where, 'verify', { key: oldKey }, 'one-off');
  const withPending = await runScript(ctx.where, 'verify', { key: pending }, 'one-off');
  const encrypted = (r: ScriptReport | undefined) =>
    Object.values(r?.fields ?? {}).reduce((n, c) => n + c.encrypted, 0);
  if (withPending.report?.ok && encrypted(withPending.report) > 0 && !withEnv.report?.ok) {
    const content = serializeEnv(setEnv(parseEnv(envText), KEY_VARIABLE, pending));
    applyPlan(ctx.dir, [{ path: '.env', old: envText, content, mode: 0o600, secret: true }]);
    rmSync(path, { force: true });
    throw stepError(
      `The stored credentials were already under the key of the unfinished rotation; .env now holds that key (the ` +
        `previous .env is in ${STATE_DIR}/backups/).`,
      `Start Langflow with it: cd ${shellQuote(ctx.dir)} && docker compose up -d ${SERVICE}; then run ` +
        `rotate-key again if you want another key.`,
    );
  }
  if (withEnv.report?.ok) {
    rmSync(path, { force: true });
    return;
  }
  throw stepError(
    `An earlier rotate-key did not finish, and neither .env's key nor the one in ${PENDING_FILE} reads every stored ` +
      `credential:\n${describeFailures(withEnv.report?.failures)}`,
    'Restore the backup taken before that rotation (harden-init restore), or remove the pending file ' +
      'once you have decided which key to keep.',
  );
}

export interface RotateKeyRequest {
  target: string;
  targetGiven: boolean;
  dir?: string;
  json: boolean;
  yes: boolean;
  dryRun: boolean;
  timeout: number;
  /** The backup taken first: how it is encrypted. */
  recipient?: string;
  passphraseEnv?: string;
  passphraseFile?: string;
}
type Request = RotateKeyRequest;

export default defineCommand({
  meta: {
    name: 'rotate-key',
    usage: [
      '  harden-init rotate-key [langflow] [--dir D] (--recipient KEY | --passphrase-env VAR | ' +
        '--passphrase-file F) [--yes] [--dry-run] [--json]',
      '                                     Langflow: backup, then a new LANGFLOW_SECRET_KEY ' +
        'with every stored credential re-encrypted;',
      '                                     --dry-run counts what would be re-encrypted',
    ],
  },
  args: {
    ...dirFlag,
    ...jsonFlag,
    ...yesFlag,
    ...timeoutFlag,
    ...recipientFlag,
    ...passphraseFlags,
    'dry-run': { type: 'boolean' },
  },
  async run({ flags, positionals, version, io }) {
    const { target, targetGiven, rest } = optionalTarget(positionals, DEFAULT_TARGET);
    noMore(rest);
    return rotateKeyCommand(
      {
        target,
        targetGiven,
        dir: flags.dir,
        json: flags.json === true,
        yes: flags.yes === true,
        dryRun: flags['dry-run'] === true,
        timeout: timeoutOf(flags),
        recipient: flags.recipient,
        passphraseEnv: flags['passphrase-env'],
        passphraseFile: flags['passphrase-file'],
      },
      version,
      io,
    );
  },
});
