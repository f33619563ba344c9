// `harden-init rotate-secret NAME... [--dir D]`: a new value for a database password or a secret two services share,
// without locking anything out. Order, each step undone when a later one fails:
//   1. for a bundled database's password: the running database must accept .env's current value (else nothing is
//      changed: .env and the database disagree already);
//   2. the new values kept in .harden-init/rotate-secret.pending (0600) before the database changes, so a run killed
//      between the database and .env never loses the password the database now holds;
//   3. `ALTER USER` in the running database (`docker compose exec -T <db>`; the login password and the SQL go through
//      stdin, never argv), then a login with the new value;
//   4. .env written atomically (the previous one kept in .harden-init/backups/<time>/);
//   5. `docker compose up -d` (Compose recreates every service whose value changed: both ends of a shared secret, the
//      database service with its new environment), then the health wait and the `vars`/`printenv` verification.
// A failure after 3 puts the old password back into the database, the old .env back, and starts the stack again.
// Encryption keys are never rotated here: Appwrite's _APP_OPENSSL_KEY_V1 has no rotation at all, Langflow's
// LANGFLOW_SECRET_KEY is rotate-key's (it re-encrypts what Langflow stored).
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import pc from 'picocolors';
import { defineCommand } from './define.js';
import { dirFlag, jsonFlag, timeoutFlag, timeoutOf, yesFlag } from './flags.js';
import { CliError, EXIT, stepError, usageError } from '../core/errors.js';
import type { Io } from '../core/io.js';
import { createUi, isInteractive, type Ui } from '../ui/ui.js';
import { shellQuote } from '../core/shell-quote.js';
import { exec, tail } from '../core/exec.js';
import { readExisting } from '../engine/existing.js';
import { parseEnv, serializeEnv, setEnv, toRecord } from '../engine/envfile.js';
import { generateSecret, SECRET_CHARSET } from '../engine/secrets.js';
import { STATE_DIR } from '../engine/state.js';
import { childEnv, compose, detectCompose, docker, type Compose } from '../docker/compose.js';
import { acquireLock } from '../apply/lock.js';
import { applyPlan } from '../apply/apply.js';
import { writeFileAtomic } from '../apply/atomic.js';
import { kindOf, mkdirExact } from '../core/safe-fs.js';
import { backupShape, backupTarget, readInstall } from './backup.js';
import type { Engine } from './db-dump.js';
import type { StackContext } from '../install/stack.js';

/** The new values while the database may already hold them and .env does not yet (mode 0600). */
export const PENDING_SECRETS_FILE = `${STATE_DIR}/rotate-secret.pending`;

/** A secret both ends read from .env when their containers are (re)created: a new value needs no other change. */
const ENV_ONLY: Record<string, string[]> = {
  appwrite: ['_APP_EXECUTOR_SECRET', '_APP_JOBS_SECRET', '_APP_GEO_SECRET'],
  langflow: [],
};

export interface DbRotation {
  name: string;
  kind: 'db';
  engine: Engine;
  service: string;
  /** The database account whose password this is. */
  account: string;
  /** MariaDB: the hosts of that account to change (each only where it exists). */
  hosts: string[];
  /** Who runs the ALTER: the .env variable holding the login's password, and the login itself. */
  admin: { user: string; passVar: string };
  /** PostgreSQL: the database to connect to. */
  database?: string;
}
export type Rotation = DbRotation | { name: string; kind: 'env' };

type BundledDb = { engine: Engine; service: string } | undefined;

/**
 * What rotating `name` takes in this install, or why it is refused (a usage error naming the reason). Pure.
 * `db` is the bundled database the compose file declares (backupShape), undefined for an external server.
 */
export function planRotation(targetId: string, name: string, env: Record<string, string>, db: BundledDb): Rotation {
  const specific =
    targetId === 'appwrite'
      ? appwriteRotation(name, env, db)
      : targetId === 'langflow'
        ? langflowRotation(name, env, db)
        : undefined;
  if (specific) return specific;
  if ((ENV_ONLY[targetId] ?? []).includes(name)) return envOnlyRotation(name, env);
  throw unknownSecret(targetId, name);
}

function externalDb(targetId: string, name: string, what: string): CliError {
  return usageError(
    `${name} is the password of ${what}: harden-init cannot change it there.`,
    `Change it on your database server first, then give it to a re-run: HARDEN_INIT_DB_PASSWORD=<new> ` +
      `harden-init${targetId === 'langflow' ? ' langflow' : ''} --dir <dir>.`,
  );
}

/** Appwrite's database passwords, or undefined for a name that is not one of its special cases. */
function appwriteRotation(name: string, env: Record<string, string>, db: BundledDb): Rotation | undefined {
  refuseAppwriteKeys(name);
  if (name !== '_APP_DB_PASS' && name !== '_APP_DB_ROOT_PASS') return undefined;
  if (!db) throw externalDb('appwrite', name, 'your external database server');
  const user = env._APP_DB_USER || 'user';
  if (db.engine === 'postgresql') {
    if (name === '_APP_DB_ROOT_PASS')
      throw usageError(
        "_APP_DB_ROOT_PASS belongs to MariaDB; this install's database is " +
          'PostgreSQL (its only password is _APP_DB_PASS).',
      );
    return {
      name,
      kind: 'db',
      engine: 'postgresql',
      service: db.service,
      account: user,
      hosts: [],
      admin: { user, passVar: '_APP_DB_PASS' },
      database: env._APP_DB_SCHEMA || 'appwrite',
    };
  }
  const root = name === '_APP_DB_ROOT_PASS';
  return {
    name,
    kind: 'db',
    engine: 'mariadb',
    service: db.service,
    account: root ? 'root' : user,
    hosts: root ? ['%', 'localhost'] : ['%'],
    admin: { user: 'root', passVar: '_APP_DB_ROOT_PASS' },
  };
}

function refuseAppwriteKeys(name: string): void {
  if (name === '_APP_OPENSSL_KEY_V1') {
    throw usageError(
      '_APP_OPENSSL_KEY_V1 is not rotated: Appwrite has no key rotation. It encrypts stored passwords, ' +
        'OAuth secrets and API keys, and Appwrite reads them only with the key they were written with, so a ' +
        'new key makes them unreadable for good.',
      'To leave a known key behind, set up a new install (it gets a generated key) and move ' +
        "projects over with Appwrite's Migrations.",
    );
  }
  if (name === '_APP_USAGE_PASS') {
    throw usageError(
      '_APP_USAGE_PASS is embedded in _APP_CONNECTIONS_DB_USAGE and ' +
        '_APP_CONNECTIONS_DB_EXECUTIONS: rotate-secret does not rebuild them.',
      'Empty the three lines in .env and re-run harden-init: ClickHouse takes its password from the environment at ' +
        'start, and the DSNs are rebuilt around the new one.',
    );
  }
}

/** Langflow's database password, or undefined for a name that is not one of its special cases. */
function langflowRotation(name: string, env: Record<string, string>, db: BundledDb): Rotation | undefined {
  refuseLangflowSecrets(name);
  if (name !== 'POSTGRES_PASSWORD') return undefined;
  if (!db) throw externalDb('langflow', name, 'your external PostgreSQL server');
  const user = env.POSTGRES_USER || 'langflow';
  return {
    name,
    kind: 'db',
    engine: 'postgresql',
    service: db.service,
    account: user,
    hosts: [],
    admin: { user, passVar: 'POSTGRES_PASSWORD' },
    database: env.POSTGRES_DB || user,
  };
}

function refuseLangflowSecrets(name: string): void {
  if (name === 'LANGFLOW_SECRET_KEY') {
    throw usageError(
      'LANGFLOW_SECRET_KEY encrypts what Langflow stored: a new value alone makes it unreadable.',
      'Rotate it with harden-init rotate-key --dir <dir>: it re-encrypts every stored credential with the new key.',
    );
  }
  if (name === 'LANGFLOW_SUPERUSER_PASSWORD') {
    throw usageError(
      'LANGFLOW_SUPERUSER_PASSWORD is read only when Langflow creates the superuser: a new ' +
        'value in .env changes nothing in Langflow.',
      "Change the superuser's password in Langflow (Settings), then put it into .env.",
    );
  }
}

function envOnlyRotation(name: string, env: Record<string, string>): Rotation {
  if (!env[name])
    throw usageError(
      `.env has no value for ${name}: there is nothing to rotate (a re-run of harden-init generates it).`,
    );
  return { name, kind: 'env' };
}

function unknownSecret(targetId: string, name: string): CliError {
  const known = [
    ...(targetId === 'appwrite' ? ['_APP_DB_PASS', '_APP_DB_ROOT_PASS (MariaDB)'] : ['POSTGRES_PASSWORD']),
    ...(ENV_ONLY[targetId] ?? []),
  ];
  return usageError(
    `rotate-secret does not know how to rotate ${name} in a ${targetId} install.`,
    `It rotates: ${known.join(', ')}.`,
  );
}

/** A PostgreSQL identifier, double-quoted ("user" is a reserved word). */
export const pgIdent = (s: string): string => `"${s.replace(/"/g, '""')}"`;
/** A PostgreSQL string literal (standard_conforming_strings: only the quote is special). */
export const pgLiteral = (s: string): string => `'${s.replace(/'/g, "''")}'`;
/** A MariaDB string literal; values with a backslash are refused by the caller (its meaning depends on sql_mode). */
export const myLiteral = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/**
 * The SQL that sets `account`'s password. Refuses what it cannot quote
 * unambiguously (a NUL, a backslash, a line break).
 */
export function alterSql(r: DbRotation, password: string): string {
  for (const v of [password, r.account]) {
    if (/[\0\\\r\n]/.test(v))
      throw new Error(`${r.name}: a value with a NUL, backslash or line break cannot be sent to the database safely`);
  }
  if (r.engine === 'postgresql') return `ALTER USER ${pgIdent(r.account)} WITH PASSWORD ${pgLiteral(password)};\n`;
  return `${r.hosts
    .map((h) => `ALTER USER IF EXISTS ${myLiteral(r.account)}@${myLiteral(h)} IDENTIFIED BY ${myLiteral(password)};`)
    .join('\n')}\nFLUSH PRIVILEGES;\n`;
}

// Run inside the database container: the first line of stdin is the login's password (into the client's own
// environment variable, never argv), the rest is the SQL. The user and database names are arguments (not secret).
const CLIENT: Record<Engine, string> = {
  mariadb:
    'IFS= read -r P; MYSQL_PWD="$P"; export MYSQL_PWD; C="$(command -v mariadb || command -v mysql)"; exec "$C" ' +
    '--protocol=tcp -h127.0.0.1 -u"$1" -N -B',
  postgresql:
    'IFS= read -r P; PGPASSWORD="$P"; export PGPASSWORD; exec psql -X -q -v ON_ERROR_STOP=1 -h ' +
    '127.0.0.1 -U "$1" -d "$2" --no-password',
};

export interface DbExec {
  compose: Compose;
  dir: string;
  dropEnv: string[];
}

/** Runs SQL in the database container as `user` with `password`; the exit code and output (never the password). */
export async function dbRun(
  x: DbExec,
  r: Pick<DbRotation, 'engine' | 'service' | 'database'>,
  user: string,
  password: string,
  sql: string,
): Promise<{ ok: boolean; output: string }> {
  const res = await exec(
    x.compose.file,
    [...x.compose.baseArgs, 'exec', '-T', r.service, 'sh', '-c', CLIENT[r.engine], 'sh', user, r.database ?? ''],
    {
      cwd: x.dir,
      env: childEnv(x.dropEnv),
      extendEnv: false,
      all: true,
      stdin: 'pipe',
      input: `${password}\n${sql}`,
      timeout: 60_000,
    },
  );
  return {
    ok: res.exitCode === 0,
    output: tail(String(res.all ?? ''), 3)
      .split(password)
      .join('********'),
  };
}

/** Whether the database accepts `user` with `password` (over TCP, so the password is checked). */
export async function canLogin(
  x: DbExec,
  r: Pick<DbRotation, 'engine' | 'service' | 'database'>,
  user: string,
  password: string,
): Promise<boolean> {
  return (await dbRun(x, r, user, password, 'SELECT 1;\n')).ok;
}

async function serviceRunning(x: DbExec, service: string): Promise<boolean> {
  const id = String(
    (await compose(x.compose, ['ps', '-q', service], { cwd: x.dir, dropEnv: x.dropEnv })).stdout ?? '',
  ).trim();
  if (!id) return false;
  return String((await docker(['inspect', '--format', '{{.State.Running}}', id])).stdout ?? '').trim() === 'true';
}

export interface RotateInput {
  ui: Ui;
  dir: string;
  compose: Compose;
  targetId: string;
  composeText: string;
  envText: string;
  names: string[];
  /** The stack context for the start and verification, built from the .env on disk at that moment. */
  stack: () => StackContext;
  /** The new value for a name (the target's generator). */
  generate: (name: string) => string;
}

/** Every rotation this install needs for `names`, refused as a whole (usage error) when one of them is. */
export async function rotationsFor(
  targetId: string,
  names: string[],
  envText: string,
  composeText: string,
): Promise<Rotation[]> {
  const env = toRecord(parseEnv(envText));
  const { spec } = await backupTarget(targetId);
  const db = backupShape(spec, composeText).db;
  const seen = new Set<string>();
  const out: Rotation[] = [];
  for (const n of names) {
    if (seen.has(n)) continue;
    seen.add(n);
    const r = planRotation(targetId, n, env, db);
    if (r.kind === 'db' && !env[r.name])
      throw usageError(`.env has no value for ${r.name}: the database's current password is needed to change it.`);
    out.push(r);
  }
  // The login's own password last (MariaDB's root): every earlier ALTER logs in with the value the database holds.
  return out.sort(
    (a, b) =>
      Number(a.kind === 'db' && a.admin.passVar === a.name) - Number(b.kind === 'db' && b.admin.passVar === b.name),
  );
}

/** What the steps of one rotate-secret run share. */
interface SecretRun {
  i: RotateInput;
  x: DbExec;
  rotations: Rotation[];
  dbs: DbRotation[];
  /** .env's values before the run. */
  old: Record<string, string>;
  /** What the database holds now, per variable: logins and the undo read it. */
  holds: Record<string, string>;
}

/**
 * Rotates the secrets; returns the names rotated. Throws a CliError (exit 1) after undoing, or before changing
 * anything (usage errors, a stopped or disagreeing database).
 */
export async function rotateSecrets(i: RotateInput): Promise<{ rotated: string[]; backupDir?: string }> {
  const rotations = await rotationsFor(i.targetId, i.names, i.envText, i.composeText);
  const old = toRecord(parseEnv(i.envText));
  const x: DbExec = { compose: i.compose, dir: i.dir, dropEnv: Object.keys(old) };
  const dbs = rotations.filter((r): r is DbRotation => r.kind === 'db');
  const run: SecretRun = { i, x, rotations, dbs, old, holds: { ...old } };

  await settlePending(i, x, dbs);
  await checkDatabases(run);
  const fresh = freshValues(run);
  await changeInDatabases(run, fresh);
  const applied = await writeEnv(run, fresh);
  await startOrUndo(run);
  return { rotated: rotations.map((r) => r.name), backupDir: applied.backupDir };
}

/** Each database running, and accepting .env's current login: else nothing is changed. */
async function checkDatabases({ i, x, dbs, old }: Pick<SecretRun, 'i' | 'x' | 'dbs' | 'old'>): Promise<void> {
  for (const service of new Set(dbs.map((r) => r.service))) {
    if (!(await serviceRunning(x, service))) {
      throw stepError(
        `The database container (${service}) is not running: the password is changed in the ` +
          `running database first. Nothing was changed.`,
        `Start the stack first: cd ${shellQuote(i.dir)} && docker compose up -d`,
      );
    }
  }
  for (const r of dbs) {
    if (!(await canLogin(x, r, r.admin.user, old[r.admin.passVar]!))) {
      throw stepError(
        `The ${r.engine} database (${r.service}) does not accept ${r.admin.passVar} from .env for ${r.admin.user}: ` +
          `.env and the database disagree already. Nothing was changed.`,
        'Put the password the database holds into .env (the newest backup in ' +
          '.harden-init/backups/ may have it), then rotate.',
      );
    }
  }
}

/** The new values, kept in the pending file before the database changes. */
function freshValues({ i, rotations }: Pick<SecretRun, 'i' | 'rotations'>): Record<string, string> {
  const { ui, dir } = i;
  const fresh: Record<string, string> = {};
  for (const r of rotations) {
    const v = i.generate(r.name);
    // Only values every .env reader and both SQL dialects read the same way.
    if (!SECRET_CHARSET.test(v)) throw new Error(`the generator made a value for ${r.name} outside [A-Za-z0-9_-]`);
    fresh[r.name] = v;
  }
  ui.step(`Rotating ${rotations.map((r) => r.name).join(', ')}`);
  mkdirExact(join(dir, STATE_DIR), 0o700);
  writeFileAtomic(
    join(dir, PENDING_SECRETS_FILE),
    `${JSON.stringify({ values: fresh, started: new Date().toISOString() })}\n`,
    0o600,
  );
  return fresh;
}

/** Puts the old passwords back into the database, newest change first; the ones that could not be. */
async function undoDb({ x, dbs, old, holds }: Pick<SecretRun, 'x' | 'dbs' | 'old' | 'holds'>): Promise<string[]> {
  const stuck: string[] = [];
  for (const r of [...dbs].reverse()) {
    if (holds[r.name] === old[r.name]) continue;
    const res = await dbRun(x, r, r.admin.user, holds[r.admin.passVar]!, alterSql(r, old[r.name]!));
    if (res.ok) holds[r.name] = old[r.name]!;
    else stuck.push(`${r.name}: ${res.output}`);
  }
  return stuck;
}

/** `ALTER USER` in the running database, then a login with the new value; undone when one does not take. */
async function changeInDatabases(run: SecretRun, fresh: Record<string, string>): Promise<void> {
  const { i, x, dbs, holds } = run;
  const { ui, dir } = i;
  for (const r of dbs) {
    const res = await dbRun(x, r, r.admin.user, holds[r.admin.passVar]!, alterSql(r, fresh[r.name]!));
    const took = res.ok && (await canLogin(x, r, r.account, fresh[r.name]!));
    if (res.ok) holds[r.name] = fresh[r.name]!;
    if (!took) {
      const stuck = await undoDb(run);
      if (stuck.length === 0) rmSync(join(dir, PENDING_SECRETS_FILE), { force: true });
      throw stepError(
        `Changing ${r.name} in the ${r.engine} database (${r.service}) failed${
          res.ok ? ': the new password does not log in' : `:\n${res.output}`
        }.\n${
          stuck.length
            ? `The old password could not be put back for: ${stuck.join('; ')}. The new values are in ` +
              `${PENDING_SECRETS_FILE}: run rotate-secret again to settle them into .env.`
            : 'Undone: the database holds the old password again; .env was not changed.'
        }`,
      );
    }
    ui.success(`${r.name}: changed in the ${r.engine} database (${r.service}); the new password logs in`);
  }
}

/** .env written atomically (the previous one kept in the backups); the pending file goes. */
async function writeEnv(run: SecretRun, fresh: Record<string, string>): Promise<{ backupDir?: string }> {
  const { i, rotations } = run;
  const { ui, dir } = i;
  let env = parseEnv(i.envText);
  for (const r of rotations) env = setEnv(env, r.name, fresh[r.name]!);
  const content = serializeEnv(env);
  let applied: { backupDir?: string };
  try {
    applied = applyPlan(dir, [{ path: '.env', old: i.envText, content, mode: 0o600, secret: true }]);
  } catch (e) {
    const stuck = await undoDb(run);
    if (stuck.length === 0) rmSync(join(dir, PENDING_SECRETS_FILE), { force: true });
    throw stepError(
      `Writing .env failed: ${(e as Error).message}\n${
        stuck.length
          ? `The old password could not be put back for: ${stuck.join('; ')} (the new ` +
            `values are in ${PENDING_SECRETS_FILE}).`
          : 'Undone: the database holds the old password again.'
      }`,
    );
  }
  rmSync(join(dir, PENDING_SECRETS_FILE), { force: true });
  ui.success(`.env written${applied.backupDir ? ` (the previous one is in ${applied.backupDir})` : ''}`);
  return applied;
}

/** The stack recreated and verified; when it does not come up: the old passwords, the old .env, the stack again. */
async function startOrUndo(run: SecretRun): Promise<void> {
  const { i, dbs } = run;
  const { ui, dir } = i;
  const { startStack, verifyStack } = await import('../install/stack.js');
  const { reportVerify } = await import('../install/verify-report.js');
  try {
    const ctx = i.stack();
    await startStack(ctx);
    const outcome = await verifyStack(ctx);
    if (reportVerify(ui, outcome, ctx.target.verify.running.label) !== EXIT.ok)
      throw new Error('the running stack differs from .env after the rotation (see above)');
  } catch (e) {
    const why = e instanceof CliError ? e.message : (e as Error).message;
    ui.warn(`The stack did not come up with the new values: undoing.`);
    const stuck = await undoDb(run);
    if (stuck.length) {
      throw stepError(
        `${why}\nUndo failed: the old password could not be put back for: ${stuck.join('; ')}. .env keeps ` +
          `the NEW values, which the database holds.`,
        `Fix the cause, then: cd ${shellQuote(dir)} && docker compose up -d`,
      );
    }
    const now = readFileSync(join(dir, '.env'), 'utf8');
    applyPlan(dir, [{ path: '.env', old: now, content: i.envText, mode: 0o600, secret: true }]);
    let restarted = 'started again with them';
    try {
      await startStack(i.stack());
    } catch (e2) {
      restarted = `NOT started again (${(e2 as Error).message.split('\n')[0]}): run docker compose up -d in ${dir}`;
    }
    throw stepError(
      `${why}\nUndone: the database holds the old password${dbs.length === 1 ? '' : 's'} again, .env holds the old ` +
        `values, and the stack was ${restarted}.`,
      `See the logs: cd ${shellQuote(dir)} && docker compose logs`,
    );
  }
}

/**
 * A run killed after the database changed and before .env was written leaves the new values only in the pending
 * file. The database says which it holds: a pending value that logs in where .env's does not goes into .env.
 */
async function settlePending(i: RotateInput, x: DbExec, dbs: DbRotation[]): Promise<void> {
  const path = join(i.dir, PENDING_SECRETS_FILE);
  if (kindOf(path) !== 'file') return;
  let values: Record<string, string> = {};
  try {
    values = (JSON.parse(readFileSync(path, 'utf8')) as { values?: Record<string, string> }).values ?? {};
  } catch {
    /* damaged: nothing to settle */
  }
  const env = toRecord(parseEnv(i.envText));
  const settled: string[] = [];
  let file = parseEnv(i.envText);
  for (const r of dbs) {
    const pending = values[r.name];
    if (!pending || pending === env[r.name]) continue;
    if (await canLogin(x, r, r.account, env[r.name]!)) continue;
    if (await canLogin(x, r, r.account, pending)) {
      file = setEnv(file, r.name, pending);
      settled.push(r.name);
    }
  }
  if (settled.length) {
    applyPlan(i.dir, [{ path: '.env', old: i.envText, content: serializeEnv(file), mode: 0o600, secret: true }]);
    rmSync(path, { force: true });
    throw stepError(
      `An earlier rotate-secret did not finish: the database already held the new ${settled.join(', ')}; .env now ` +
        `holds ${settled.length === 1 ? 'it' : 'them'} (the previous .env is in ${STATE_DIR}/backups/).`,
      `Recreate the stack with it: cd ${shellQuote(i.dir)} && docker compose up -d; then rotate again if you want.`,
    );
  }
  rmSync(path, { force: true });
}

export async function rotateSecretCommand(req: Request, VERSION: string, io: Io): Promise<number> {
  const names = req.secretNames ?? [];
  if (names.length === 0)
    throw usageError(
      'rotate-secret: which secret? harden-init rotate-secret NAME... [--dir D] [--yes]',
      'For example: harden-init rotate-secret _APP_DB_PASS --dir ./appwrite',
    );
  const { dir, existing, targetId } = readInstall(req.dir, io);
  const ui = createUi(req.json, io);
  if (!targetId)
    throw usageError(
      `Cannot tell which product ${dir} is: neither .harden-init/state.json nor the compose file's images say.`,
    );
  // Refusals (an encryption key, an unknown name) before anything is asked, locked or started.
  await rotationsFor(targetId, names, existing.envText, existing.compose);
  ui.intro(`${pc.inverse(` harden-init ${VERSION} `)} rotate-secret ${dir}`);
  if (!req.yes) {
    const interactive = isInteractive(req, io);
    if (!interactive)
      throw usageError(
        'rotate-secret changes passwords in the running database and recreates the stack: ' +
          'confirm with --yes (no terminal to ask on).',
      );
    const { confirmWrite } = await import('../ui/wizard.js');
    ui.note(
      `New values for ${names.join(', ')}: changed in the database first, then .env, then the stack recreated and ` +
        `verified.\nA failure puts the old values back.`,
      'Rotate',
    );
    if (!(await confirmWrite(ui, 'Rotate now?', false)))
      throw new CliError('Cancelled: nothing was changed.', EXIT.cancelled);
  }
  await acquireLock(dir, { warn: (m) => ui.warn(m) }); // released by main, after the command
  const composeTool = await detectCompose();
  if (!composeTool) throw stepError('Docker Compose not found (neither `docker compose` nor `docker-compose`).');
  const stack = await stackFor(ui, req, dir, targetId, composeTool, io.env);
  const { target } = await backupTarget(targetId);
  const r = await rotateSecrets({
    ui,
    dir,
    compose: composeTool,
    targetId,
    composeText: existing.compose,
    envText: existing.envText,
    names,
    stack,
    generate: (n) => target.render.generateSecret?.(n) ?? generateSecret(),
  });
  ui.outro(`Rotated: ${r.rotated.join(', ')} (new values in .env only; never printed).`);
  if (req.json)
    ui.result(JSON.stringify({ ok: true, dir, rotated: r.rotated, backupDir: r.backupDir ?? null }, null, 2));
  return EXIT.ok;
}

/** What verify builds for an install (its release, template and answers), as a factory reading .env anew each call. */
async function stackFor(
  ui: Ui,
  req: Request,
  dir: string,
  targetId: string,
  composeTool: Compose,
  env: NodeJS.ProcessEnv,
): Promise<() => StackContext> {
  const { TARGETS } = await import('../targets/index.js');
  const { existingAnswers, lenientAnswers } = await import('../install/resolve.js');
  const { stackContext } = await import('../install/verify-report.js');
  const target = await TARGETS[targetId]!.load();
  const existing = readExisting(dir);
  const prepared = await target.prepare({
    dir,
    dirArg: req.dir ?? dir,
    given: {},
    existing: { state: existing.state, compose: existing.compose, present: true },
    allowInsecureRelease: true,
    acceptUpstream: [],
    dockerAvailable: true,
    onLine: () => {},
    env,
  });
  const answers = lenientAnswers(target.questions, {
    ...existingAnswers(target, existing).answers,
    release: prepared.release,
  }) as Parameters<typeof stackContext>[5];
  return () => stackContext(ui, req, dir, composeTool, target, answers, prepared.template, env);
}

export interface RotateSecretRequest {
  /** The .env variables to give new values (the positional arguments). */
  secretNames: string[];
  dir?: string;
  json: boolean;
  yes: boolean;
  timeout: number;
}
type Request = RotateSecretRequest;

export default defineCommand({
  meta: {
    name: 'rotate-secret',
    usage: [
      '  harden-init rotate-secret NAME... [--dir D] [--yes] [--json]',
      '                                     a new value for a database password ' +
        "(_APP_DB_PASS, _APP_DB_ROOT_PASS, Langflow's",
      '                                     POSTGRES_PASSWORD: changed in the ' +
        'running database first) or a shared secret',
      '                                     (_APP_EXECUTOR_SECRET, ...), then ' +
        '.env, recreate, verify; undone on failure.',
      "                                     Never an encryption key: Appwrite's has " +
        "no rotation, Langflow's is rotate-key's",
    ],
  },
  args: { ...dirFlag, ...jsonFlag, ...yesFlag, ...timeoutFlag },
  async run({ flags, positionals, version, io }) {
    return rotateSecretCommand(
      {
        secretNames: positionals,
        dir: flags.dir,
        json: flags.json === true,
        yes: flags.yes === true,
        timeout: timeoutOf(flags),
      },
      version,
      io,
    );
  },
});
