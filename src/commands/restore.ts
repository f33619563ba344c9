// `harden-init restore FILE`: decrypts the archive and verifies every part against its manifest BEFORE anything
// is touched; shows what will be replaced and asks (or --yes); refuses over an install whose encryption key
// differs (unless --force); then stops the stack, restores the files (atomically, the replaced ones kept in
// .harden-init/backups/), the volumes and the database (through its own container, started alone), starts the
// stack, waits until healthy and verifies the running containers (Appwrite: `vars`, Langflow: `printenv`). What an
// archive holds and how is the target's `backup` description (src/targets/types.ts).
import { closeSync, createReadStream, fstatSync, openSync, readFileSync, type Stats } from 'node:fs';
import pc from 'picocolors';
import { defineCommand } from './define.js';
import { dirFlag, jsonFlag, noMore, passphraseFlags, timeoutFlag, timeoutOf, yesFlag } from './flags.js';
import { CliError, EXIT, stepError, usageError } from '../core/errors.js';
import { createUi, isInteractive, type Ui } from '../ui/ui.js';
import { type Io, resolveIn } from '../core/io.js';
import { shellQuote } from '../core/shell-quote.js';
import { confirmWrite } from '../ui/wizard.js';
import { startStack, verifyStack } from '../install/stack.js';
import { reportVerify, stackContext, verifyJson } from '../install/verify-report.js';
import { existingAnswers, lenientAnswers } from '../install/resolve.js';
import { readExisting, type Existing } from '../engine/existing.js';
import { parseEnv, toRecord } from '../engine/envfile.js';
import type { BaseAnswers, Target, TargetBackup } from '../targets/types.js';
import { compose, detectCompose, docker, type Compose } from '../docker/compose.js';
import { acquireLock } from '../apply/lock.js';
import { installDir } from '../install/install-dir.js';
import { applyPlan } from '../apply/apply.js';
import { kindOf } from '../core/safe-fs.js';
import type { PlannedFile } from '../engine/plan.js';
import {
  ArchiveError,
  decrypt,
  parseIdentityFile,
  streamParts,
  verifyArchive,
  type KeySpec,
  type Manifest,
  type ManifestPart,
} from './archive.js';
import { backupShape, backupTarget, formatBytes, installFiles, targetIdOf } from './backup.js';
import type { BackupShape } from './backup.js';
import { passphraseFromEnv, passphraseFromFile } from './backup/options.js';
import { StreamError, loadDump, projectName, restoreVolume, volumeName, waitDbReady, type Engine } from './db-dump.js';
import { STATE_FILE } from '../engine/state.js';

function keyFrom(req: Request, io: Io): KeySpec {
  const given = [
    req.identity && '--identity',
    req.passphraseEnv && '--passphrase-env',
    req.passphraseFile && '--passphrase-file',
  ].filter(Boolean);
  if (given.length > 1)
    throw usageError(`${given.join(' and ')} exclude each other: give the one the archive was made with.`);
  if (req.identity) {
    let text: string;
    try {
      text = readFileSync(resolveIn(io, req.identity), 'utf8');
    } catch (e) {
      throw usageError(`--identity: cannot read ${req.identity}: ${(e as Error).message}`);
    }
    const identities = parseIdentityFile(text);
    if (!identities.length)
      throw usageError(
        `--identity ${req.identity}: no AGE-SECRET-KEY-… line in it (it must be ` +
          `the secret key file made by age-keygen).`,
      );
    return { identities };
  }
  if (req.passphraseEnv) return { passphrase: passphraseFromEnv(req.passphraseEnv, io) };
  if (req.passphraseFile) return { passphrase: passphraseFromFile(resolveIn(io, req.passphraseFile)) };
  throw usageError(
    'Which key opens the archive? Give --identity <age key file>, --passphrase-env ' +
      '<VARIABLE> or --passphrase-file <FILE>.',
  );
}

/** The archive file as a stream of chunks; the same open file for both passes, so it cannot be swapped between them. */
function fileChunks(fd: number): AsyncIterable<Uint8Array> {
  return createReadStream('', {
    fd,
    start: 0,
    autoClose: false,
    highWaterMark: 1024 * 1024,
  }) as AsyncIterable<Uint8Array>;
}

export async function restoreCommand(req: Request, VERSION: string, io: Io): Promise<number> {
  const ui = createUi(req.json, io);
  const { dir } = installDir(req.dir, './appwrite', io);
  const file = resolveIn(io, req.archive);
  if (kindOf(file) !== 'file') throw usageError(`${file}: no such archive (a regular file is needed).`);
  const key = keyFrom(req, io);
  ui.intro(`${pc.inverse(` harden-init ${VERSION} `)} restore ${file} → ${dir}`);

  // The install lock for the whole restore, verification to verify: no setup re-run, upgrade or backup meanwhile.
  await acquireLock(dir, { warn: (m) => ui.warn(m) }); // released by main, after the command
  const fd = openSync(file, 'r');
  try {
    const before = fstatSync(fd);
    // 1-3: nothing is touched before the archive is verified, the key checked and the plan confirmed.
    const archive = await readArchive({ req, ui, file, fd, key });
    const c: Planned = {
      req,
      ui,
      io,
      dir,
      file,
      fd,
      before,
      key,
      archive,
      ...currentInstall(req, dir, archive),
      ...partsOf(archive),
    };
    await confirmRestore(c);
    const composeTool = await detectCompose();
    if (!composeTool) throw stepError('Docker Compose not found (neither `docker compose` nor `docker-compose`).');
    const d: Restoring = { ...c, composeTool, dropEnv: Object.keys(archive.env) };
    const steps = [stopStack, restoreInstallFiles, createContainers, restoreStreamedParts];
    for (const step of steps) await step(d);
    return await startAndVerify(d);
  } finally {
    closeSync(fd);
  }
}

/** The archive, decrypted and verified part by part, and the product it is of. */
interface Archive {
  manifest: Manifest;
  files: Map<string, Buffer>;
  composeText: string;
  env: Record<string, string>;
  target: Target;
  spec: TargetBackup;
}

/** Everything a restore knows once its plan is made, before anything is changed. */
interface Planned {
  req: Request;
  ui: Ui;
  io: Io;
  dir: string;
  file: string;
  fd: number;
  before: Stats;
  key: KeySpec;
  archive: Archive;
  existing: Existing;
  currentEnv?: Record<string, string>;
  keyDiffers: boolean;
  shape: BackupShape;
  restoreFiles: { path: string; mode: number }[];
  archivedDb?: ManifestPart;
  volumes: ManifestPart[];
  dirs: ManifestPart[];
}

/** And once Docker is there: what the steps that change the install use. */
interface Restoring extends Planned {
  composeTool: Compose;
  /** The archive's .env names, kept out of every compose call's environment. */
  dropEnv: string[];
}

/** 1. Decrypt and verify the whole archive; nothing is touched before this succeeds. */
async function readArchive(c: Pick<Planned, 'req' | 'ui' | 'file' | 'fd' | 'key'>): Promise<Archive> {
  const { req, ui, file } = c;
  let verified;
  try {
    verified = await verifyArchive(await decrypt(fileChunks(c.fd), c.key));
  } catch (e) {
    if (e instanceof ArchiveError)
      throw usageError(
        `${file}: ${e.message}. Nothing was changed.`,
        'A backup is restored only when every part matches its manifest.',
      );
    throw e;
  }
  const { manifest, files } = verified;
  const envText = files.get('.env')?.toString('utf8');
  const composeText = files.get('docker-compose.yml')?.toString('utf8');
  if (envText === undefined || composeText === undefined)
    throw usageError(`${file}: the archive holds no .env or docker-compose.yml.`);
  // The product: the archived state says so, else the manifest (archives before
  // Langflow support: none), else the images.
  let archivedState: { target?: unknown } | undefined;
  try {
    archivedState = JSON.parse(files.get(STATE_FILE)?.toString('utf8') ?? 'null') ?? undefined;
  } catch {
    archivedState = undefined;
  }
  const { target, spec } = await backupTarget(
    targetIdOf(typeof archivedState?.target === 'string' ? archivedState.target : manifest.target, composeText),
  );
  ui.success(
    `Archive verified: ${manifest.parts.length} parts match the manifest (made ${manifest.created} by ` +
      `${manifest.tool}, ${target.title}${manifest.release ? ` ${manifest.release}` : ''})`,
  );
  if (req.dir === undefined && target.id !== 'appwrite') {
    throw usageError(
      `${file} is a backup of a ${target.title} install: say where it goes with --dir (e.g. ` +
        `--dir ./${target.id}). Nothing was changed.`,
    );
  }
  return { manifest, files, composeText, env: toRecord(parseEnv(envText)), target, spec };
}

/** 2. What is there now, and the key check: another key is replaced only with --force. */
function currentInstall(
  req: Request,
  dir: string,
  a: Archive,
): Pick<Planned, 'existing' | 'currentEnv' | 'keyDiffers'> {
  const KEY_NAME = a.spec.keyVariable;
  const existing = readExisting(dir);
  const currentEnv = existing.envText !== undefined ? toRecord(parseEnv(existing.envText)) : undefined;
  const keyDiffers = currentEnv?.[KEY_NAME] !== undefined && currentEnv[KEY_NAME] !== a.env[KEY_NAME];
  if (keyDiffers && !req.force) {
    throw usageError(
      `The install in ${dir} has a different encryption key (${KEY_NAME}) than the archive. Nothing was changed.`,
      `${a.target.title} encrypts stored secrets (passwords, OAuth secrets, API keys) with this key: data encrypted ` +
        `with one key is unreadable with another. ` +
        "Restoring replaces this install's .env, database and files with the archive's (its key included); pass " +
        '--force if that is what you want, or choose another --dir.',
    );
  }
  return { existing, currentEnv, keyDiffers };
}

/** What the archive restores: its files, its dump, its volumes and host directories. */
function partsOf(a: Archive): Pick<Planned, 'shape' | 'restoreFiles' | 'archivedDb' | 'volumes' | 'dirs'> {
  return {
    shape: backupShape(a.spec, a.composeText),
    restoreFiles: installFiles(a.spec).filter((f) => a.files.has(f.path)),
    archivedDb: a.manifest.parts.find((p) => p.engine),
    volumes: a.manifest.parts.filter((p) => p.volume),
    dirs: a.manifest.parts.filter((p) => p.bind),
  };
}

/** 3. The plan, shown; confirmation. */
async function confirmRestore(c: Planned): Promise<void> {
  const { ui, io, dir, req, shape, archivedDb, dirs } = c;
  const lines = [
    ...c.restoreFiles.map(
      (f) =>
        `${f.path.padEnd(30)} ${
          kindOf(`${dir}/${f.path}`) === 'file'
            ? 'replaced (the current one is kept in .harden-init/backups/)'
            : 'created'
        }`,
    ),
    ...(archivedDb
      ? [
          `${`database (${archivedDb.engine})`.padEnd(30)} replaced by the dump (${formatBytes(archivedDb.size)}): ` +
            `everything written since the backup is lost`,
        ]
      : dirs.length
        ? []
        : ["database                       not in the archive (external): restore it with your server's tools"]),
    ...c.volumes.map((v) => `${`volume ${v.volume}`.padEnd(30)} contents replaced (${formatBytes(v.size)})`),
    ...dirs.map(
      (d) =>
        `${`directory ${
          shape.binds.find((b) => b.service === d.bind!.service && b.path === d.bind!.path)?.source ?? d.bind!.path
        }`.padEnd(30)} contents replaced (${formatBytes(d.size)}; a SQLite database in it too)`,
    ),
  ];
  if (c.keyDiffers) lines.push(`${c.archive.spec.keyVariable.padEnd(30)} REPLACED by the archive's key (--force)`);
  ui.note(lines.join('\n'), 'Restore will replace');
  const interactive = isInteractive(req, io);
  if (!req.yes) {
    if (!interactive)
      throw usageError(
        "Restoring replaces the install's files, database and volumes: confirm with --yes (no terminal to ask in).",
      );
    if (!(await confirmWrite(ui, 'Stop the stack and restore?', false)))
      throw new CliError('Cancelled: nothing was changed.', EXIT.cancelled);
  }
}

/** 4. The running stack stopped (with the current .env's names kept out of compose's environment). */
async function stopStack(c: Restoring): Promise<void> {
  if (c.existing.compose === undefined) return;
  const oldDrop = c.currentEnv ? Object.keys(c.currentEnv) : [];
  const stop = await compose(c.composeTool, ['stop'], { cwd: c.dir, dropEnv: oldDrop, timeoutMs: 300_000 });
  if (stop.exitCode !== 0)
    throw stepError(
      `docker compose stop failed: ${String(stop.all ?? '')
        .trim()
        .split('\n')
        .slice(-5)
        .join('\n')}`,
    );
  c.ui.success('Stack stopped');
}

/** 5. Files, atomically (replaced ones backed up), and the host directories the restored install mounts. */
async function restoreInstallFiles(c: Restoring): Promise<void> {
  const {
    dir,
    archive: { files, target },
  } = c;
  const planned: PlannedFile[] = c.restoreFiles
    .map((f) => ({
      path: f.path,
      content: files.get(f.path)!.toString('utf8'),
      mode: f.mode,
      secret: f.path === '.env',
      old: kindOf(`${dir}/${f.path}`) === 'file' ? readFileSync(`${dir}/${f.path}`, 'utf8') : undefined,
    }))
    .filter((f) => f.old !== f.content);
  // Host directories the restored install mounts (a database on a host path,
  // Langflow's SQLite dir): made as setup makes them.
  const restoredAnswers = existingAnswers(target, readExisting(dir)).answers as Partial<BaseAnswers>;
  const hostDirs = [
    ...(restoredAnswers.db === 'path' && restoredAnswers.dbPath
      ? [{ path: String(restoredAnswers.dbPath), mode: 0o700 }]
      : []),
    ...(restoredAnswers.db ? (target.render.hostDirs?.(restoredAnswers as BaseAnswers) ?? []) : []),
  ];
  const applied = applyPlan(dir, planned, hostDirs);
  c.ui.success(
    planned.length
      ? `Files restored: ` +
          `${applied.written.join(', ')}${applied.backupDir ? ` (the replaced ones in ${applied.backupDir})` : ''}`
      : 'Files: already identical to the archive',
  );
}

/** 6. Containers and volumes created from the restored files, nothing started but the database, alone. */
async function createContainers(c: Restoring): Promise<void> {
  const {
    dir,
    dropEnv,
    shape,
    archivedDb,
    composeTool,
    archive: { target, spec },
  } = c;
  const create = await compose(composeTool, ['up', '--no-start'], { cwd: dir, dropEnv, timeoutMs: 600_000 });
  if (create.exitCode !== 0)
    throw stepError(
      `docker compose up --no-start failed:\n${String(create.all ?? '')
        .trim()
        .split('\n')
        .slice(-10)
        .join('\n')}`,
    );
  const image = shape.helperImage;
  if ((c.volumes.length || c.dirs.length) && (!image || (await docker(['image', 'inspect', image])).exitCode !== 0)) {
    throw stepError(
      `The install's ${target.title} image${image ? ` ${image}` : ''} (service ${spec.helperService}) is not present ` +
        `locally: the volumes are restored through it.`,
    );
  }
  if (archivedDb && shape.db && archivedDb.engine !== shape.db.engine)
    throw stepError(`The dump is of ${archivedDb.engine}, the restored compose file runs ${shape.db.engine}.`);
  if (archivedDb && !shape.db)
    throw stepError('The archive holds a database dump but its compose file has no database service.');
  if (!archivedDb) return;
  const up = await compose(composeTool, ['up', '-d', '--no-deps', shape.db!.service], {
    cwd: dir,
    dropEnv,
    timeoutMs: 300_000,
  });
  if (up.exitCode !== 0)
    throw stepError(
      `Starting the database (${shape.db!.service}) failed:\n${String(up.all ?? '')
        .trim()
        .split('\n')
        .slice(-10)
        .join('\n')}`,
    );
  try {
    await waitDbReady(composeTool, dir, dropEnv, shape.db!, c.req.timeout * 1000);
  } catch (e) {
    if (e instanceof StreamError)
      throw stepError(
        e.message,
        `The stack is stopped, the files are the archive's. See: cd ${shellQuote(dir)} && ` +
          `docker compose logs ${shape.db!.service}`,
      );
    throw e;
  }
  c.ui.success(`Database container ${shape.db!.service} started alone and ready`);
}

/** 7. The streamed parts, re-read from the same open file and re-checked as they go. */
async function restoreStreamedParts(c: Restoring): Promise<void> {
  const after = fstatSync(c.fd);
  if (after.size !== c.before.size || after.mtimeMs !== c.before.mtimeMs)
    throw stepError(`${c.file} changed while it was being restored.`);
  try {
    for await (const { part, data } of streamParts(await decrypt(fileChunks(c.fd), c.key), c.archive.manifest))
      await restorePart(c, part, data);
  } catch (e) {
    if (e instanceof StreamError || e instanceof ArchiveError) {
      throw stepError(
        e.message,
        `The stack is stopped, the files are the archive's. Fix the cause and run the same restore again (it starts ` +
          `over), or start the stack as it is: cd ${shellQuote(c.dir)} && docker compose up -d`,
      );
    }
    throw e;
  }
}

async function restorePart(c: Restoring, part: ManifestPart, data: AsyncIterable<Buffer>): Promise<void> {
  const { ui, shape } = c;
  const image = shape.helperImage;
  if (part.engine) {
    await loadDump(
      c.composeTool,
      c.dir,
      c.dropEnv,
      { engine: part.engine as Engine, service: shape.db!.service },
      data,
    );
    ui.success(`Database restored from ${part.name} (${formatBytes(part.size)})`);
  } else if (part.bind) {
    const b = shape.binds.find((x) => x.service === part.bind!.service && x.path === part.bind!.path);
    if (!b)
      throw stepError(
        `The archive holds the host directory mounted at ${part.bind.service}:${part.bind.path}, but the ` +
          `restored compose file mounts none there.`,
      );
    await restoreVolume(image!, b.source, data);
    ui.success(`Directory ${b.source} restored (${formatBytes(part.size)})`);
  } else if (part.volume) {
    const v = await volumeName(part.volume, projectName(c.dir, c.archive.env, shape), shape);
    if (!v.exists)
      throw stepError(`Volume ${part.volume} (${v.name}) was not created by docker compose up --no-start.`);
    await restoreVolume(image!, v.name, data);
    ui.success(`Volume ${part.volume} restored (${formatBytes(part.size)})`);
  } else {
    for await (const _ of data) {
      /* unknown streamed part: verified, not used */
    }
  }
}

/** 8. Start, wait healthy, verify with the target's check (Appwrite: vars). */
async function startAndVerify(c: Restoring): Promise<number> {
  const {
    ui,
    dir,
    req,
    file,
    archive: { target, manifest },
  } = c;
  const restored = readExisting(dir);
  const prepared = await target.prepare({
    dir,
    dirArg: dir,
    given: manifest.release ? { release: manifest.release } : {},
    existing: { state: restored.state, compose: c.archive.composeText, present: true },
    allowInsecureRelease: true,
    acceptUpstream: [],
    dockerAvailable: true,
    onLine: () => {},
    env: c.io.env,
  });
  const answers = lenientAnswers(target.questions, {
    ...existingAnswers(target, restored).answers,
    release: prepared.release,
  }) as BaseAnswers;
  const ctx = stackContext(ui, req, dir, c.composeTool, target, answers, prepared.template, c.io.env);
  await startStack(ctx);
  const outcome = await verifyStack(ctx);
  const code = reportVerify(ui, outcome, target.verify.running.label);
  ui.outro(
    code === EXIT.ok ? `Restored ${file} and verified.` : 'Restored, but the running stack differs from the files.',
  );
  if (req.json)
    ui.result(
      JSON.stringify(
        { ok: code === EXIT.ok, dir, archive: file, manifest: summary(manifest), ...verifyJson(outcome) },
        null,
        2,
      ),
    );
  return code;
}

function summary(m: Manifest) {
  return {
    created: m.created,
    release: m.release ?? null,
    parts: m.parts.map((p) => ({ name: p.name, size: p.size, sha256: p.sha256 })),
  };
}

export interface RestoreRequest {
  /** The archive (the positional argument). */
  archive: string;
  dir?: string;
  json: boolean;
  yes: boolean;
  /** --force: restore an archive made with a different encryption key. */
  force: boolean;
  /** --identity KEY_FILE, --passphrase-env VAR, --passphrase-file F: what opens the archive. */
  identity?: string;
  passphraseEnv?: string;
  passphraseFile?: string;
  timeout: number;
}
type Request = RestoreRequest;

export default defineCommand({
  meta: {
    name: 'restore',
    usage: [
      '  harden-init restore FILE [--dir D] (--identity KEY_FILE | --passphrase-env VAR | ' +
        '--passphrase-file F) [--yes] [--force] [--json]',
      '                                     verify the archive, then restore ' +
        'files, database and volumes; start; verify',
    ],
  },
  args: {
    ...dirFlag,
    ...jsonFlag,
    ...yesFlag,
    ...timeoutFlag,
    ...passphraseFlags,
    identity: { type: 'string' },
    force: { type: 'boolean' },
  },
  async run({ flags, positionals, version, io }) {
    const [archive, ...rest] = positionals;
    if (archive === undefined)
      throw usageError(
        'restore: which archive? harden-init restore FILE [--dir D] [--identity F | ' +
          '--passphrase-env VAR] [--yes] [--force]',
      );
    noMore(rest);
    return restoreCommand(
      {
        archive,
        dir: flags.dir,
        json: flags.json === true,
        yes: flags.yes === true,
        force: flags.force === true,
        identity: flags.identity,
        passphraseEnv: flags['passphrase-env'],
        passphraseFile: flags['passphrase-file'],
        timeout: timeoutOf(flags),
      },
      version,
      io,
    );
  },
});
