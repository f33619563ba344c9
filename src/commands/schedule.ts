// `harden-init backup --schedule daily|weekly` and `--unschedule`: a systemd service + timer where systemd is the
// init (/run/systemd/system exists, sd_booted(3)), else a line in /etc/cron.d. The scheduled run is an ordinary
// `harden-init backup` as root, with the absolute paths of this node and of harden-init's own bin, encrypted to
// an age recipient (no secret on the server: preferred) or with a passphrase from a root-only file.
// Everything is checked before anything is written; a re-run replaces what an earlier one wrote.
import { existsSync, lstatSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import * as p from '@clack/prompts';
import pc from 'picocolors';
import { exec, failure } from '../core/exec.js';
import { CliError, EXIT, stepError, usageError } from '../core/errors.js';
import { type Io, resolveIn } from '../core/io.js';
import { createUi, isInteractive, type Ui } from '../ui/ui.js';
import { shellQuote } from '../core/shell-quote.js';
import { writeFileAtomic } from '../apply/atomic.js';
import { kindOf, mkdirExact } from '../core/safe-fs.js';
import { STATE_DIR } from '../engine/state.js';
import {
  checkRecipient,
  installDirOf,
  passphraseFromEnv,
  passphraseFromFile,
  type BackupRequest as Request,
} from './backup/options.js';
import {
  cronFile,
  isNpxCachePath,
  MARKER,
  scheduleNames,
  serviceUnit,
  timerUnit,
  unsafeArgument,
  type Frequency,
  type ScheduledCommand,
} from './schedule-units.js';

/** How many archives a scheduled backup keeps when --keep is not given (unbounded archives fill the disk). */
export const DEFAULT_SCHEDULED_KEEP = 7;

export interface ScheduleEnv {
  scheduler: 'systemd' | 'cron';
  systemdDir: string;
  cronDir: string;
  secretDir: string;
  /** Whether systemctl is run (only for the real unit directory). */
  useSystemctl: boolean;
  /** The run's environment (PATH, DOCKER_HOST, the directories moved for tests). */
  env: NodeJS.ProcessEnv;
}

/**
 * Where schedule writes. The directories can be moved for tests (HARDEN_INIT_SYSTEMD_DIR, HARDEN_INIT_CRON_DIR,
 * HARDEN_INIT_SECRET_DIR) and the init chosen (HARDEN_INIT_SCHEDULER=systemd|cron); systemctl is only ever run on
 * the real /etc/systemd/system.
 */
export function scheduleEnv(env: NodeJS.ProcessEnv): ScheduleEnv {
  const forced = env.HARDEN_INIT_SCHEDULER;
  if (forced !== undefined && forced !== 'systemd' && forced !== 'cron')
    throw usageError(`HARDEN_INIT_SCHEDULER: one of systemd, cron (got "${forced}")`);
  const scheduler = forced ?? (existsSync('/run/systemd/system') ? 'systemd' : 'cron');
  const systemdDir = env.HARDEN_INIT_SYSTEMD_DIR || '/etc/systemd/system';
  return {
    scheduler,
    systemdDir,
    cronDir: env.HARDEN_INIT_CRON_DIR || '/etc/cron.d',
    secretDir: env.HARDEN_INIT_SECRET_DIR || '/etc/harden-init',
    useSystemctl: !env.HARDEN_INIT_SYSTEMD_DIR,
    env,
  };
}

/** Every file a schedule for `dir` can have written (whichever init), by the same names each time. */
export function scheduleFiles(dir: string, e: ScheduleEnv) {
  const n = scheduleNames(dir);
  return {
    names: n,
    service: join(e.systemdDir, n.service),
    timer: join(e.systemdDir, n.timer),
    cron: join(e.cronDir, n.plain),
    passphrase: join(e.secretDir, `${n.plain}.passphrase`),
  };
}

function findOnPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const d of (env.PATH ?? '').split(delimiter)) {
    if (d && existsSync(join(d, name))) return join(d, name);
  }
  return undefined;
}

/** harden-init's own bin as the scheduled run will call it (symbolic links resolved: a stable file). */
// The process's own argv: the program file of this very process, whatever the run's io.
export function ownBin(argv1 = process.argv[1]): string {
  if (!argv1) throw stepError("Cannot tell where harden-init's own program file is (process.argv[1] is empty).");
  try {
    return realpathSync(argv1);
  } catch {
    return resolve(argv1);
  }
}

async function askPassphrase(ui: Ui): Promise<string> {
  const first = await p.password({
    message: 'Passphrase for the scheduled backups (not shown; stored root-only on this server)',
    validate: (v) => ((v ?? '').length < 12 ? 'At least 12 characters (20+ random ones are better).' : undefined),
    ...ui.streams,
  });
  if (p.isCancel(first)) throw new CliError('Cancelled: nothing was written.', EXIT.cancelled);
  const again = await p.password({ message: 'The same passphrase again', ...ui.streams });
  if (p.isCancel(again)) throw new CliError('Cancelled: nothing was written.', EXIT.cancelled);
  if (again !== first) throw usageError('The two passphrases differ. Nothing was written.');
  return first;
}

/** A file schedule wrote (its first line is the marker), or refuse to touch it. */
function ours(path: string): boolean {
  const kind = kindOf(path);
  if (kind === 'missing') return false;
  if (kind !== 'file')
    throw stepError(
      `${path} is not a regular file: harden-init did not write it and leaves it alone.`,
      'Move it out of the way, then re-run.',
    );
  if (!readFileSync(path, 'utf8').startsWith(MARKER))
    throw stepError(
      `${path} exists and was not written by harden-init: not replaced or removed.`,
      'Move it out of the way, then re-run.',
    );
  return true;
}

async function systemctl(args: string[], ui: Ui): Promise<void> {
  // systemctl can wait on a busy or hung systemd for good; a minute is far more than enable or daemon-reload take.
  const r = await exec('systemctl', args, { all: true, timeout: 60_000 });
  if (r.exitCode !== 0) throw stepError(failure(r, 3));
  ui.success(`systemctl ${args.join(' ')}`);
}

type Files = ReturnType<typeof scheduleFiles>;
type Encryption = { recipient: string } | { passphraseFile: string; write?: string };

/** A schedule being made: what was checked, and what the writing steps did. */
interface Schedule {
  req: Request;
  ui: Ui;
  io: Io;
  dir: string;
  e: ScheduleEnv;
  files: Files;
  frequency: Frequency;
  bin: string;
  keep: number;
  outDir?: string;
  encryption: Encryption;
  cmd: ScheduledCommand;
  written: string[];
  removed: string[];
  active: boolean;
}

export async function scheduleCommand(req: Request, VERSION: string, io: Io): Promise<number> {
  const ui = createUi(req.json, io);
  const dir = installDirOf(req.dir, io);
  const e = scheduleEnv(io.env);
  const files = scheduleFiles(dir, e);
  if (req.unschedule) return unschedule(req, ui, VERSION, dir, e, files);

  // 1. Everything checked before anything is written.
  const frequency = req.schedule as Frequency;
  const bin = checkedBin(dir);
  const keep = req.keep ?? DEFAULT_SCHEDULED_KEEP;
  const outDir = checkedOutDir(req.out, io);
  const encryption = await chooseEncryption(req, ui, io, files);
  checkScheduler(e, encryption);
  const cmd = scheduledCommand(dir, bin, keep, outDir, encryption, e.env);
  checkReplaced(files);
  const s: Schedule = {
    req,
    ui,
    io,
    dir,
    e,
    files,
    frequency,
    bin,
    keep,
    outDir,
    encryption,
    cmd,
    written: [],
    removed: [],
    active: false,
  };

  // 2. Write, 3. activate, 4. tell.
  ui.intro(`${pc.inverse(` harden-init ${VERSION} `)} backup --schedule ${frequency} ${dir}`);
  const steps = [writePassphrase, writeSchedule, activate];
  for (const step of steps) await step(s);
  return report(s);
}

/** The install is there, and this harden-init is one a timer can call for good (not npx's cache). */
function checkedBin(dir: string): string {
  if (kindOf(join(dir, '.env')) !== 'file' || kindOf(join(dir, 'docker-compose.yml')) !== 'file') {
    throw usageError(
      `--dir ${shellQuote(dir)}: no install there (.env and docker-compose.yml are needed). Nothing was written.`,
      'Pass --dir with the install directory.',
    );
  }
  const bin = ownBin();
  if (isNpxCachePath(bin)) {
    throw usageError(
      `harden-init runs from npx's cache (${bin}): npx may delete or replace that copy at any time, and the ` +
        `scheduled backup would stop. Nothing was written.`,
      'Install it permanently first: npm i -g harden-init, then run harden-init backup --schedule … again.',
    );
  }
  return bin;
}

function checkedOutDir(out: string | undefined, io: Pick<Io, 'cwd'>): string | undefined {
  if (out === undefined) return undefined;
  const outDir = resolveIn(io, out);
  if (kindOf(outDir) !== 'dir')
    throw usageError(
      `--out ${outDir}: a scheduled backup needs an existing directory (each run writes a ` +
        `new archive there). Nothing was written.`,
    );
  return outDir;
}

/** --recipient, --passphrase-file, --passphrase-env (stored in a root-only file), or a passphrase asked for. */
async function chooseEncryption(req: Request, ui: Ui, io: Io, files: Files): Promise<Encryption> {
  const chosen = [
    req.recipient && '--recipient',
    req.passphraseEnv && '--passphrase-env',
    req.passphraseFile && '--passphrase-file',
  ].filter(Boolean);
  if (chosen.length > 1) throw usageError(`${chosen.join(' and ')} exclude each other: give one. Nothing was written.`);
  if (req.recipient) return { recipient: checkRecipient(req.recipient) };
  if (req.passphraseFile) {
    const abs = resolveIn(io, req.passphraseFile);
    passphraseFromFile(abs, ui);
    return { passphraseFile: abs };
  }
  if (req.passphraseEnv)
    return { passphraseFile: files.passphrase, write: passphraseFromEnv(req.passphraseEnv, io, ui) };
  if (isInteractive(req, io)) return { passphraseFile: files.passphrase, write: await askPassphrase(ui) };
  throw usageError(
    'A scheduled backup is encrypted too: give --recipient <age public key> (best: no secret on the server), ' +
      '--passphrase-env <VARIABLE> or --passphrase-file <FILE>. Nothing was written.',
    'age-keygen -o key.txt on another machine; its "public key:" line is the recipient.',
  );
}

/** A scheduler there is, and root when the files go into the system's directories. */
function checkScheduler(e: ScheduleEnv, encryption: Encryption): void {
  if (e.scheduler === 'cron' && kindOf(e.cronDir) !== 'dir') {
    throw usageError(
      `Neither systemd (no /run/systemd/system) nor cron (${e.cronDir} does not exist) ` +
        `schedules jobs here. Nothing was written.`,
      'Install cron (apt-get install cron), then re-run.',
    );
  }
  if (e.scheduler === 'systemd' && kindOf(e.systemdDir) !== 'dir')
    throw usageError(`${e.systemdDir} does not exist. Nothing was written.`);
  const systemPaths =
    (e.scheduler === 'systemd' ? e.useSystemctl : !e.env.HARDEN_INIT_CRON_DIR) ||
    ('write' in encryption && !e.env.HARDEN_INIT_SECRET_DIR);
  if (process.getuid?.() !== 0 && systemPaths) {
    throw usageError(
      'Scheduling writes into /etc and the backup runs as root: run it as root (sudo harden-init ' +
        'backup --schedule …). Nothing was written.',
    );
  }
}

/** The command the timer runs: this node, this harden-init, the backup with the flags chosen. */
function scheduledCommand(
  dir: string,
  bin: string,
  keep: number,
  outDir: string | undefined,
  encryption: Encryption,
  env: NodeJS.ProcessEnv,
): ScheduledCommand {
  const cmd: ScheduledCommand = {
    node: process.execPath,
    bin,
    args: [
      'backup',
      '--dir',
      dir,
      ...('recipient' in encryption
        ? ['--recipient', encryption.recipient]
        : ['--passphrase-file', encryption.passphraseFile]),
      '--keep',
      String(keep),
      ...(outDir ? ['--out', `${outDir}/`] : []),
    ],
    env: env.DOCKER_HOST ? { DOCKER_HOST: env.DOCKER_HOST } : {},
  };
  const bad = unsafeArgument(cmd);
  if (bad !== undefined)
    throw usageError(
      `A path or value holds a control character (a line break?): ${JSON.stringify(bad)}. Nothing was written.`,
    );
  return cmd;
}

/** Files this run replaces must be ours (or absent): checked for all of them before the first write. */
function checkReplaced(files: Files): void {
  for (const f of [files.service, files.timer, files.cron]) ours(f);
  if (kindOf(files.passphrase) !== 'missing' && kindOf(files.passphrase) !== 'file')
    throw stepError(`${files.passphrase} is not a regular file. Nothing was written.`);
}

/** The passphrase given by variable or prompt, stored root-only; an earlier schedule's one removed when not used. */
async function writePassphrase(s: Schedule): Promise<void> {
  const { files, encryption, e, ui } = s;
  if ('write' in encryption && encryption.write !== undefined) {
    mkdirExact(e.secretDir, 0o700);
    writeFileAtomic(files.passphrase, `${encryption.write}\n`, 0o600);
    s.written.push(files.passphrase);
    ui.success(
      `Passphrase stored in ${files.passphrase} (mode 0600, ${process.getuid?.() === 0 ? 'root' : 'your user'} only)`,
    );
  } else if (
    kindOf(files.passphrase) === 'file' &&
    !('passphraseFile' in encryption && encryption.passphraseFile === files.passphrase)
  ) {
    rmSync(files.passphrase);
    s.removed.push(files.passphrase);
  }
}

/** The systemd units or the cron file (the other kind, from an earlier schedule, removed). */
async function writeSchedule(s: Schedule): Promise<void> {
  const { files, dir, cmd, frequency, ui } = s;
  if (s.e.scheduler === 'systemd') {
    writeFileAtomic(files.service, serviceUnit(dir, cmd), 0o644);
    writeFileAtomic(files.timer, timerUnit(dir, frequency), 0o644);
    s.written.push(files.service, files.timer);
    if (ours(files.cron)) {
      rmSync(files.cron);
      s.removed.push(files.cron);
    }
    ui.success(`Wrote ${files.service} and ${files.timer}`);
  } else {
    const log = join(dir, STATE_DIR, 'backup.log');
    mkdirExact(join(dir, STATE_DIR), 0o700); // the shell opens the log before the backup runs: its directory must exist
    writeFileAtomic(files.cron, cronFile(dir, frequency, cmd, log), 0o644);
    s.written.push(files.cron);
    for (const f of [files.service, files.timer])
      if (ours(f)) {
        rmSync(f);
        s.removed.push(f);
      }
    ui.success(`Wrote ${files.cron} (output of each run appended to ${log})`);
  }
  for (const f of s.removed) ui.info(`Removed ${f} (from an earlier schedule)`);
}

/**
 * systemd: daemon-reload and enable the timer (when systemctl is there and the units are
 * the system's); cron reads its directory.
 */
async function activate(s: Schedule): Promise<void> {
  const { e, ui, files } = s;
  if (e.scheduler !== 'systemd') {
    s.active = true;
    return;
  } // cron reads /etc/cron.d by itself
  if (!e.useSystemctl)
    ui.warn(
      `Units written to ${e.systemdDir} (HARDEN_INIT_SYSTEMD_DIR), not the system's directory: systemctl was not run.`,
    );
  else if (!findOnPath('systemctl', e.env))
    ui.warn(
      'systemctl is not available: the units are written but not enabled. Run: systemctl ' +
        'daemon-reload && systemctl enable --now ' +
        files.names.timer,
    );
  else {
    await systemctl(['daemon-reload'], ui);
    await systemctl(['enable', '--now', files.names.timer], ui);
    s.active = true;
  }
}

function report(s: Schedule): number {
  const { ui, e, cmd, files, dir, encryption, frequency, keep } = s;
  ui.note(
    [
      `Runs ${frequency}${
        e.scheduler === 'systemd'
          ? ' (a random delay up to 1 h; a run missed while the machine was off is made up at boot)'
          : ''
      }, as root:`,
      `  ${[cmd.node, cmd.bin, ...cmd.args].map(shellQuote).join(' ')}`,
      `Keeps the ${keep} newest archives in ` +
        `${s.outDir ?? join(dir, STATE_DIR, 'archives')}; copy them off this server.`,
      'recipient' in encryption
        ? 'Encrypted to your age recipient: this server holds nothing that opens the archives.'
        : `The passphrase is read from ${encryption.passphraseFile} (root only). An age recipient (--recipient) ` +
          `keeps no secret on the server: better.`,
      `It calls this harden-init (${s.bin}) and this node (${cmd.node}): keep them where they are (e.g. installed ` +
        `with npm i -g harden-init); after moving either, schedule again.`,
      e.scheduler === 'systemd'
        ? `See: systemctl list-timers ${files.names.timer}; journalctl -u ${files.names.service}`
        : '',
      `Remove: harden-init backup --unschedule --dir ${shellQuote(dir)}`,
    ]
      .filter(Boolean)
      .join('\n'),
    'Scheduled backup',
  );
  ui.outro(s.active ? 'Backup scheduled.' : 'Backup schedule written (not activated).');
  if (s.req.json)
    ui.result(
      JSON.stringify(
        {
          ok: true,
          scheduler: e.scheduler,
          frequency,
          keep,
          written: s.written,
          removed: s.removed,
          active: s.active,
          command: [cmd.node, cmd.bin, ...cmd.args],
        },
        null,
        2,
      ),
    );
  return EXIT.ok;
}

async function unschedule(
  req: Request,
  ui: Ui,
  VERSION: string,
  dir: string,
  e: ScheduleEnv,
  files: Files,
): Promise<number> {
  ui.intro(`${pc.inverse(` harden-init ${VERSION} `)} backup --unschedule ${dir}`);
  const removed: string[] = [];
  const haveUnits = ours(files.timer) || ours(files.service);
  if (haveUnits && e.useSystemctl && findOnPath('systemctl', e.env) && existsSync('/run/systemd/system')) {
    await systemctl(['disable', '--now', files.names.timer], ui);
  }
  for (const f of [files.timer, files.service, files.cron]) {
    if (ours(f)) {
      rmSync(f);
      removed.push(f);
    }
  }
  // The passphrase file schedule made (it carries no marker: it holds only the passphrase), by its fixed name.
  if (kindOf(files.passphrase) === 'file' && lstatSync(files.passphrase).isFile()) {
    rmSync(files.passphrase);
    removed.push(files.passphrase);
  }
  if (haveUnits && e.useSystemctl && findOnPath('systemctl', e.env) && existsSync('/run/systemd/system'))
    await systemctl(['daemon-reload'], ui);
  for (const f of removed) ui.success(`Removed ${f}`);
  ui.outro(removed.length ? 'Backup schedule removed.' : `No backup was scheduled for ${dir}: nothing to remove.`);
  if (req.json) ui.result(JSON.stringify({ ok: true, removed }, null, 2));
  return EXIT.ok;
}
