// `harden-init backup`: one encrypted archive of the install — .env (the encryption key!), the compose files,
// harden-init's state, a consistent database dump taken through the running database container, and the product's
// data volumes — written atomically with mode 0600, never in clear on disk. See archive.ts for the format. What
// each product's archive holds is its target's `backup` description (src/targets/types.ts, TargetBackup).
import { closeSync, fsyncSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import pc from 'picocolors';
import { defineCommand, positiveInt } from './define.js';
import { dirFlag, jsonFlag, noMore, passphraseFlags, recipientFlag, yesFlag } from './flags.js';
import { encryptionFrom, installDirOf, type BackupRequest as Request } from './backup/options.js';
import { EXIT, stepError, usageError } from '../core/errors.js';
import { type Io, resolveIn } from '../core/io.js';
import { createUi, type Ui } from '../ui/ui.js';
import { shellQuote } from '../core/shell-quote.js';
import { readExisting, type Existing } from '../engine/existing.js';
import { parseEnv, toRecord, type EnvFile } from '../engine/envfile.js';
import { STATE_DIR, STATE_FILE } from '../engine/state.js';
import { detectCompose, compose, docker, type Compose } from '../docker/compose.js';
import { acquireLock } from '../apply/lock.js';
import { fsyncDir, tempNameFor } from '../apply/atomic.js';
import { kindOf, mkdirExact, readRegular } from '../core/safe-fs.js';
import {
  ArchiveError,
  encrypt,
  FORMAT,
  FORMAT_VERSION,
  tarArchive,
  type KeySpec,
  type Manifest,
  type PartInput,
} from './archive.js';
import { DB_SCRIPTS, StreamError, dumpStream, projectName, volumeName, volumeStream, type Engine } from './db-dump.js';
import { readYaml } from '../engine/yaml-read.js';
import { TARGETS, recognizeImages } from '../targets/index.js';
import type { Recognized, Target, TargetBackup } from '../targets/types.js';

export const ARCHIVE_PREFIX = 'harden-init-backup-';
export const ARCHIVE_SUFFIX = '.age';
/** Where archives go without --out: inside the install's state directory (owner-only). Copy them off the host. */
export const DEFAULT_ARCHIVE_DIR = `${STATE_DIR}/archives`;

/** Files of the install that go into every archive (those that exist), with the mode they are restored with. */
export const INSTALL_FILES: { path: string; mode: number; required?: boolean }[] = [
  { path: '.env', mode: 0o600, required: true },
  { path: 'docker-compose.yml', mode: 0o644, required: true },
  { path: 'docker-compose.override.yml', mode: 0o644 },
  { path: STATE_FILE, mode: 0o600 },
];

/** An install as the commands that change a running one read it: both files there, and the product it is. */
export interface InstallAtHand {
  dir: string;
  existing: Existing & { env: EnvFile; compose: string; envText: string };
  /** undefined: neither state.json nor the compose file's images say. */
  targetId: string | undefined;
}

/** The install at --dir: refused unless its directory is this user's alone and .env and the compose file are there. */
export function readInstall(given: string | undefined, io: Pick<Io, 'cwd'>): InstallAtHand {
  const dir = installDirOf(given, io); // resolved and guarded
  const existing = readExisting(dir);
  if (!existing.env || existing.compose === undefined || existing.envText === undefined) {
    throw usageError(
      `No install in ${dir}: .env and docker-compose.yml are needed.`,
      'Pass --dir with the install directory.',
    );
  }
  return {
    dir,
    existing: existing as InstallAtHand['existing'],
    targetId: targetIdOf(existing.state?.target, existing.compose),
  };
}

/** Every file of the install an archive of this target holds: the common ones, then the target's own. */
export function installFiles(spec: TargetBackup): { path: string; mode: number }[] {
  return [...INSTALL_FILES, ...spec.files.filter((f) => !INSTALL_FILES.some((c) => c.path === f.path))];
}

/** The product an install is of: its state.json says so; else its compose file's images (an install made by hand). */
export function targetIdOf(stateTarget: string | undefined, composeText: string): string | undefined {
  return stateTarget || recognizedCompose(composeText)?.target;
}

/** What the compose file's images say of the install (the target that knows them, and their release). */
function recognizedCompose(composeText: string | undefined): Recognized | undefined {
  let doc: { services?: Record<string, { image?: unknown } | null> } | undefined;
  try {
    doc = readYaml(composeText ?? '', 'docker-compose.yml') as typeof doc;
  } catch {
    return undefined;
  }
  return recognizeImages(Object.values(doc?.services ?? {}).map((s) => String(s?.image ?? '')));
}

/** The release an install runs: state.json's, else what its compose file's images pin (an install made by hand). */
function releaseOf(existing: InstallAtHand['existing'], targetId: string): string | undefined {
  const recorded = existing.state?.release ?? existing.state?.templateVersion;
  if (recorded) return recorded;
  const found = recognizedCompose(existing.compose);
  return found?.target === targetId ? found.release : undefined;
}

/** The target's backup description (src/targets/<id>/index.ts, the contract's `backup`). */
export async function backupTarget(
  id: string | undefined,
): Promise<{ id: string; target: Target; spec: TargetBackup }> {
  const entry = id ? TARGETS[id] : undefined;
  if (!id || !entry)
    throw usageError(
      `Cannot tell which product this install is${id ? ` ("${id}" is not one harden-init knows)` : ''}: neither ` +
        `.harden-init/state.json nor the compose file's images say.`,
    );
  const target = await entry.load();
  return { id, target, spec: backupSpec(target) };
}

/** A loaded target's backup description; refused (usage) for a target that has none. */
export function backupSpec(target: Target): TargetBackup {
  if (!target.backup) throw usageError(`harden-init cannot back up a ${target.title} install yet.`);
  return target.backup;
}

/**
 * What an install's compose file holds of what the target's `backup` names: the one reading of it that backup,
 * restore, upgrade (its dump before each step) and rollback (--with-db) share.
 */
export interface BackupShape {
  /** The bundled database (the first of the target's database services the file declares), or undefined. */
  db?: { engine: Engine; service: string };
  /** The target's data volumes the file declares. */
  volumes: string[];
  volumeNames: Record<string, string>;
  /** The image of the target's helper service: volumes are read and written through it. */
  helperImage?: string;
  topName?: string;
  /** The target's host directories that the file bind-mounts: the host path behind each container path. */
  binds: { service: string; path: string; source: string }[];
}

type ComposeDoc = {
  name?: unknown;
  services?: Record<string, { image?: unknown; volumes?: unknown } | null>;
  volumes?: Record<string, { name?: unknown } | null>;
};

/** The absolute host path a service bind-mounts at `path` (short "src:dst[:mode]" or long syntax), if any. */
export function bindSource(service: { volumes?: unknown } | null | undefined, path: string): string | undefined {
  for (const v of Array.isArray(service?.volumes) ? service.volumes : []) {
    if (typeof v === 'string') {
      const [src, dst] = v.split(':');
      if (dst === path && src?.startsWith('/')) return src;
    } else if (v && typeof v === 'object') {
      const o = v as { type?: unknown; source?: unknown; target?: unknown };
      if (o.type === 'bind' && o.target === path && typeof o.source === 'string' && o.source.startsWith('/'))
        return o.source;
    }
  }
  return undefined;
}

export function backupShape(spec: TargetBackup, composeText: string): BackupShape {
  const doc = (readYaml(composeText, 'docker-compose.yml') ?? {}) as ComposeDoc;
  const services = doc.services ?? {};
  const db = spec.databases.find((d) => services[d.service]);
  const declared = doc.volumes ?? {};
  const volumes = spec.volumes.filter((v) => Object.prototype.hasOwnProperty.call(declared, v));
  const volumeNames: Record<string, string> = {};
  for (const v of volumes) {
    const n = declared[v]?.name;
    if (typeof n === 'string' && !n.includes('$')) volumeNames[v] = n;
  }
  const image = services[spec.helperService]?.image;
  const binds = (spec.hostDirs ?? []).flatMap((h) => {
    const source = bindSource(services[h.service], h.path);
    return source ? [{ ...h, source }] : [];
  });
  return {
    db: db ? { engine: db.engine, service: db.service } : undefined,
    volumes,
    volumeNames,
    helperImage: typeof image === 'string' ? image : undefined,
    topName: typeof doc.name === 'string' ? doc.name : undefined,
    binds,
  };
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

export function archiveFileName(release: string | undefined, now: Date, target = 'appwrite'): string {
  const stamp = now.toISOString().replace(/[-:]/g, ''); // 20261125T193000.123Z: names sort by time
  return `${ARCHIVE_PREFIX}${stamp}${release ? `-${target}-${release}` : ''}${ARCHIVE_SUFFIX}`;
}

/** Archives --keep would delete: harden-init's own archive names in that directory, all but the newest `keep`. */
export function toPrune(names: string[], keep: number): string[] {
  const ours = names.filter((n) => n.startsWith(ARCHIVE_PREFIX) && n.endsWith(ARCHIVE_SUFFIX)).sort();
  return ours.slice(0, Math.max(0, ours.length - keep));
}

/** A backup being made: the install and its key, then what each step found or wrote. */
interface Backup {
  req: Request;
  ui: Ui;
  io: Io;
  VERSION: string;
  key: KeySpec;
  dir: string;
  targetId: string;
  target: Target;
  spec: TargetBackup;
  now: Date;
  release?: string;
  out: string;
  dropEnv: string[];
  env: Record<string, string>;
  shape: BackupShape;
  composeTool: Compose;
  volumes: { key: string; name: string }[];
  parts: PartInput[];
  size: number;
  recorded: Manifest['parts'];
  pruned: string[];
}

export async function backupCommand(
  req: Request,
  VERSION: string,
  io: Io,
  o: { lockHeld?: boolean } = {},
): Promise<number> {
  installDirOf(req.dir, io); // guarded also before a schedule: its timer would back up this directory as root
  if (req.schedule || req.unschedule) return (await import('./schedule.js')).scheduleCommand(req, VERSION, io);
  const ui = createUi(req.json, io);
  const key = encryptionFrom(req, ui, io);
  const { dir, existing, targetId: found } = readInstall(req.dir, io);
  const { id: targetId, target, spec } = await backupTarget(found);
  const now = new Date();
  const release = releaseOf(existing, targetId);
  const out = outPath(dir, req.out, release, now, io, targetId);
  ui.intro(`${pc.inverse(` harden-init ${VERSION} `)} backup ${dir}`);

  const env = toRecord(parseEnv(existing.envText!));
  const shape = backupShape(spec, existing.compose);
  // The install lock first: a backup never runs during a setup re-run, an upgrade or a restore (nor they during it).
  // rotate-key backs up inside its own hold of the lock (lockHeld).
  if (!o.lockHeld) await acquireLock(dir, { warn: (m) => ui.warn(m) }); // released by main, after the command
  const composeTool = await detectCompose();
  if (!composeTool)
    throw stepError(
      'Docker Compose not found (neither `docker compose` nor `docker-compose`).',
      'A backup reads the database and the volumes through Docker.',
    );
  const b: Backup = {
    req,
    ui,
    io,
    VERSION,
    key,
    dir,
    targetId,
    target,
    spec,
    now,
    release,
    out,
    env,
    dropEnv: Object.keys(env),
    shape,
    composeTool,
    volumes: [],
    parts: [],
    size: 0,
    recorded: [],
    pruned: [],
  };
  const steps = [checkDatabase, findVolumes, collectParts, writeArchive];
  for (const step of steps) await step(b);
  return report(b);
}

/** The database: dumped through its running container, or skipped (external server). */
async function checkDatabase(b: Backup): Promise<void> {
  const { shape, ui, dir } = b;
  if (shape.db) {
    const id = String(
      (await compose(b.composeTool, ['ps', '-q', shape.db.service], { cwd: dir, dropEnv: b.dropEnv })).stdout,
    ).trim();
    const running = id
      ? String((await docker(['inspect', '--format', '{{.State.Running}}', id])).stdout).trim() === 'true'
      : false;
    if (!running) {
      throw stepError(
        `The database container (${shape.db.service}) is not running: a consistent dump is taken through it.`,
        `Start the stack first: cd ${shellQuote(dir)} && docker compose up -d`,
      );
    }
  } else if (shape.binds.length) {
    ui.info(
      `No database service: ${shape.binds.map((x) => x.source).join(', ')} (e.g. a SQLite file) is saved as a ` +
        `directory while ${[...new Set(shape.binds.map((x) => x.service))].join(', ')} is paused.`,
    );
  } else {
    ui.warn(
      'The database is external (no bundled database service): it is NOT in this backup. Back up your database ' +
        'server with its own tools, at the same time as this archive.',
    );
  }
}

/** The target's data volumes that exist, and the image they are read through. */
async function findVolumes(b: Backup): Promise<void> {
  const { shape } = b;
  const project = projectName(b.dir, b.env, shape);
  for (const k of shape.volumes) {
    const v = await volumeName(k, project, shape);
    if (v.exists) b.volumes.push({ key: k, name: v.name });
    else b.ui.warn(`Volume ${k} (${v.name}) does not exist yet (the stack never ran?): skipped.`);
  }
  const image = shape.helperImage;
  if (
    (b.volumes.length || shape.binds.length) &&
    (!image || (await docker(['image', 'inspect', image])).exitCode !== 0)
  ) {
    throw stepError(
      `The install's ${b.target.title} image${image ? ` ${image}` : ''} (service ${b.spec.helperService}) is not ` +
        `present locally: the volumes are read through it.`,
    );
  }
}

/** The archive's parts: the install's files, then the streams (dump, volumes, host directories) opened as written. */
async function collectParts(b: Backup): Promise<void> {
  const { dir, dropEnv, composeTool, shape, parts } = b;
  const image = shape.helperImage;
  for (const f of installFiles(b.spec)) {
    const text = readRegular(join(dir, f.path));
    if (text === undefined) continue;
    parts.push({ kind: 'file', name: f.path, data: Buffer.from(text, 'utf8'), mode: f.mode });
  }
  if (shape.db) {
    const db = shape.db;
    parts.push({
      kind: 'stream',
      name: `db/${db.engine}.sql`,
      engine: db.engine,
      open: () => dumpStream(composeTool, dir, dropEnv, db),
    });
  }
  for (const v of b.volumes)
    parts.push({
      kind: 'stream',
      name: `volumes/${v.key}.tar`,
      volume: v.key,
      open: () => volumeStream(image!, v.name),
    });
  for (const x of shape.binds) {
    if (kindOf(x.source) !== 'dir') {
      b.ui.warn(`${x.source} (mounted at ${x.service}:${x.path}) is not a directory: skipped.`);
      continue;
    }
    parts.push({
      kind: 'stream',
      name: `dirs/${x.service}${x.path}.tar`,
      bind: { service: x.service, path: x.path },
      open: () => pausedWhile(composeTool, dir, dropEnv, x.service, volumeStream(image!, x.source)),
    });
  }
}

/** The archive written encrypted, atomically; then --keep's pruning. */
async function writeArchive(b: Backup): Promise<void> {
  const { ui, shape, out, key, req } = b;
  const base: Omit<Manifest, 'parts'> = {
    format: FORMAT,
    version: FORMAT_VERSION,
    created: b.now.toISOString(),
    tool: `harden-init ${b.VERSION}`,
    target: b.targetId,
    release: b.release,
    dir: b.dir,
    ...(shape.db ? { database: { ...shape.db, tool: DB_SCRIPTS[shape.db.engine].tool } } : {}),
  };
  const progress = (part: string, bytes: number, done: boolean) => {
    if (done) ui.success(`${describe(part)}: ${formatBytes(bytes)}`);
    else ui.info(`${describe(part)}: ${formatBytes(bytes)} so far…`);
  };
  ui.step(`Writing ${out} (encrypted with age ${'recipient' in key ? 'to the recipient' : 'with the passphrase'})`);
  for (const p of b.parts) if (p.kind === 'file') ui.success(`${p.name}: ${formatBytes(p.data.length)}`);
  const tar = tarArchive(b.parts, base, progress, (m) => {
    b.recorded = m.parts;
  });
  try {
    b.size = await writeEncrypted(out, await encrypt(tar, key));
  } catch (e) {
    if (e instanceof StreamError || e instanceof ArchiveError) throw stepError(`${e.message}\nNo archive was written.`);
    throw e;
  }
  b.pruned = req.keep !== undefined ? prune(dirname(out), req.keep, basename(out)) : [];
  for (const p of b.pruned) ui.info(`Removed an older archive (--keep ${req.keep}): ${p}`);
}

function report(b: Backup): number {
  const { ui, io, out, key, req, dir } = b;
  ui.success(`Archive written: ${out} (${formatBytes(b.size)}, mode 0600)`);
  ui.note(
    [
      `It holds .env with ${b.spec.keyVariable}: without that key the restored data is unreadable.`,
      'Copy it off this server; keep the passphrase or the identity (secret key) elsewhere.',
      `Restore: harden-init restore ${shellQuote(out)} --dir ${shellQuote(dir)} ${
        'recipient' in key
          ? '--identity <key file>'
          : req.passphraseFile
            ? `--passphrase-file ${shellQuote(resolveIn(io, req.passphraseFile))}`
            : `--passphrase-env ${req.passphraseEnv}`
      }`,
      `Inspect without harden-init: age -d ${'recipient' in key ? '-i <key file> ' : ''}${shellQuote(out)} | tar -tv`,
    ].join('\n'),
    'Backup',
  );
  ui.outro('Backup done.');
  if (req.json) {
    ui.result(
      JSON.stringify(
        {
          ok: true,
          archive: out,
          size: b.size,
          release: b.release ?? null,
          database: b.shape.db ?? null,
          volumes: b.volumes.map((v) => v.key),
          pruned: b.pruned,
          parts: b.recorded,
        },
        null,
        2,
      ),
    );
  }
  return EXIT.ok;
}

/**
 * A stream read while a service is paused (`docker compose pause`): its files, a SQLite database above all, are at rest
 * and consistent; unpaused however the stream ends. A service that is not running is read as it is.
 */
async function* pausedWhile(
  c: Compose,
  dir: string,
  dropEnv: string[],
  service: string,
  data: AsyncIterable<Uint8Array>,
): AsyncGenerator<Uint8Array> {
  const id = String((await compose(c, ['ps', '-q', service], { cwd: dir, dropEnv })).stdout).trim();
  const running = id
    ? String((await docker(['inspect', '--format', '{{.State.Running}}', id])).stdout).trim() === 'true'
    : false;
  if (running) {
    const p = await compose(c, ['pause', service], { cwd: dir, dropEnv, timeoutMs: 60_000 });
    if (p.exitCode !== 0)
      throw new StreamError(
        `docker compose pause ${service} failed: ${String(p.all ?? '')
          .trim()
          .split('\n')
          .slice(-3)
          .join('\n')}`,
      );
  }
  try {
    yield* data;
  } finally {
    if (running) {
      await compose(c, ['unpause', service], { cwd: dir, dropEnv, timeoutMs: 60_000 });
      // Docker reports a container "unhealthy" after a pause until its next health check passes (up to one
      // interval); `verify` right after the backup would fail on that. Wait for it (90 s at most, then go on).
      for (let i = 0; i < 90; i++) {
        const h = await docker([
          'inspect',
          '--format',
          '{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}',
          id,
        ]);
        if (h.exitCode !== 0 || ['healthy', 'none'].includes(String(h.stdout).trim())) break;
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }
}

function describe(part: string): string {
  if (part.startsWith('db/')) return `database dump (${part})`;
  if (part.startsWith('dirs/')) return `directory ${part.slice('dirs/'.length).replace(/\.tar$/, '')}`;
  if (part.startsWith('volumes/')) return `volume ${part.slice('volumes/'.length).replace(/\.tar$/, '')}`;
  return part;
}

/** --out: a file, or a directory (existing, or ending in /) that gets a generated name; default in the install. */
export function outPath(
  dir: string,
  out: string | undefined,
  release: string | undefined,
  now: Date,
  io: Pick<Io, 'cwd'>,
  target?: string,
): string {
  const name = archiveFileName(release, now, target);
  const free = (d: string) => {
    for (let n = 0; ; n++) {
      const candidate = join(d, n === 0 ? name : name.replace(ARCHIVE_SUFFIX, `-${n}${ARCHIVE_SUFFIX}`));
      if (kindOf(candidate) === 'missing') return candidate;
    }
  };
  if (!out) {
    mkdirExact(join(dir, STATE_DIR), 0o700);
    mkdirExact(join(dir, DEFAULT_ARCHIVE_DIR), 0o700);
    return free(join(dir, DEFAULT_ARCHIVE_DIR));
  }
  const abs = resolveIn(io, out);
  if (out.endsWith('/') || kindOf(abs) === 'dir') {
    mkdirExact(abs, 0o700, { allowLinkedDir: true });
    return free(abs);
  }
  if (kindOf(abs) !== 'missing')
    throw usageError(
      `--out ${abs} already exists: an archive is never overwritten.`,
      'Give a new file name, or a directory.',
    );
  if (kindOf(dirname(abs)) !== 'dir') throw usageError(`--out: the directory ${dirname(abs)} does not exist.`);
  return abs;
}

/** Streams the ciphertext into a new owner-only temporary file, fsyncs, renames into place. Returns the size. */
async function writeEncrypted(path: string, cipher: AsyncIterable<Uint8Array>): Promise<number> {
  const tmp = tempNameFor(path);
  const fd = openSync(tmp, 'wx', 0o600);
  let size = 0;
  let ok = false;
  try {
    for await (const b of cipher) {
      let off = 0;
      while (off < b.length) {
        const n = writeSync(fd, b, off, b.length - off);
        if (!(n > 0)) throw stepError(`Could not write ${path}: the disk took only ${size + off} bytes.`);
        off += n;
      }
      size += b.length;
    }
    fsyncSync(fd);
    closeSync(fd);
    ok = true;
  } finally {
    if (!ok) {
      try {
        closeSync(fd);
      } catch {
        /* closed */
      }
      rmSync(tmp, { force: true });
    }
  }
  if (kindOf(path) !== 'missing') {
    rmSync(tmp, { force: true });
    throw stepError(`${path} appeared while the backup was written: not overwritten.`);
  }
  renameSync(tmp, path);
  fsyncDir(dirname(path));
  return size;
}

function prune(outDir: string, keep: number, current: string): string[] {
  const names = readdirSync(outDir).filter((n) => kindOf(join(outDir, n)) === 'file');
  const victims = toPrune(names, keep).filter((n) => n !== current);
  for (const n of victims) rmSync(join(outDir, n), { force: true });
  return victims.map((n) => join(outDir, n));
}

export default defineCommand({
  meta: {
    name: 'backup',
    usage: [
      '  harden-init backup [--dir D] [--out FILE|DIR] (--recipient AGE_PUBLIC_KEY | --passphrase-env VAR | ' +
        '--passphrase-file F) [--keep N] [--json]',
      '                                     one age-encrypted archive: .env, ' +
        'compose, state, database dump, data volumes',
      '  harden-init backup --schedule daily|weekly [--dir D] (--recipient KEY | --passphrase-env VAR | ' +
        '--passphrase-file F) [--keep N] [--out DIR]',
      '  harden-init backup --unschedule [--dir D]',
      '                                     a systemd timer (or /etc/cron.d line) running the ' +
        'backup as root; --unschedule removes it',
    ],
  },
  args: {
    ...dirFlag,
    ...jsonFlag,
    ...yesFlag,
    ...recipientFlag,
    ...passphraseFlags,
    out: { type: 'string' },
    keep: { type: 'string' },
    schedule: { type: 'string' },
    unschedule: { type: 'boolean' },
  },
  async run({ flags, positionals, version, io }) {
    noMore(positionals);
    const keep = flags.keep === undefined ? undefined : positiveInt('keep', flags.keep);
    const schedule = flags.schedule;
    if (schedule !== undefined && schedule !== 'daily' && schedule !== 'weekly')
      throw usageError(`--schedule: one of daily, weekly (got "${schedule}")`);
    if (schedule !== undefined && flags.unschedule === true)
      throw usageError('--schedule and --unschedule exclude each other: give one.');
    return backupCommand(
      {
        dir: flags.dir,
        json: flags.json === true,
        yes: flags.yes === true,
        out: flags.out,
        recipient: flags.recipient,
        passphraseEnv: flags['passphrase-env'],
        passphraseFile: flags['passphrase-file'],
        keep,
        schedule,
        unschedule: flags.unschedule === true,
      },
      version,
      io,
    );
  },
});
