// What a backup reads from Docker and a restore writes back: the database (dumped and loaded through the
// install's own database container, `docker compose exec -T`), and the product's data volumes (streamed as tar
// through a throw-away container of the install's own image). Which database and volumes an install has is its
// BackupShape (backup.ts). Credentials never appear on a command line: the scripts run inside the container and
// read the container's own environment.
import { basename } from 'node:path';
import { exec, failure, tail } from '../core/exec.js';
import { childEnv, compose, docker, type Compose } from '../docker/compose.js';

export type Engine = 'postgresql' | 'mariadb';

/** Compose's project name: COMPOSE_PROJECT_NAME (.env), the file's `name:`, else the directory's name, normalised. */
export function projectName(dir: string, env: Record<string, string>, shape: { topName?: string }): string {
  const raw = env.COMPOSE_PROJECT_NAME || shape.topName || basename(dir);
  return raw
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '')
    .replace(/^[_-]+/, '');
}

/** The Docker volume behind a compose volume key: by compose's labels when it exists, else by compose's naming. */
export async function volumeName(
  key: string,
  project: string,
  shape: { volumeNames: Record<string, string> },
): Promise<{ name: string; exists: boolean }> {
  const byLabel = await docker([
    'volume',
    'ls',
    '-q',
    '--filter',
    `label=com.docker.compose.project=${project}`,
    '--filter',
    `label=com.docker.compose.volume=${key}`,
  ]);
  const found = String(byLabel.stdout).split('\n').filter(Boolean);
  if (byLabel.exitCode === 0 && found.length === 1) return { name: found[0]!, exists: true };
  const name = shape.volumeNames[key] ?? `${project}_${key}`;
  const inspect = await docker(['volume', 'inspect', name]);
  return { name, exists: inspect.exitCode === 0 };
}

// ---- scripts run inside the database container (its own environment holds the credentials) -----------------

const PG_ENV = 'export PGPASSWORD="$POSTGRES_PASSWORD"; U="${POSTGRES_USER:-postgres}"; D="${POSTGRES_DB:-$U}"';
const MY_ENV =
  'export MYSQL_PWD="${MYSQL_ROOT_PASSWORD:-$MARIADB_ROOT_PASSWORD}"; D="${MYSQL_DATABASE:-$MARIADB_DATABASE}"; ' +
  'C="$(command -v mariadb || command -v mysql)"';

export const DB_SCRIPTS: Record<Engine, { dump: string; ready: string; load: string; tool: string }> = {
  postgresql: {
    tool: 'pg_dump (plain SQL) as the database user',
    dump: `${PG_ENV}; exec pg_dump -h 127.0.0.1 -U "$U" -d "$D" --no-password`,
    ready:
      `${PG_ENV}; psql -h 127.0.0.1 -U "$U" -d "$D" --no-password -tAc 'SELECT 1' >/dev/null 2>&1 || psql -h ` +
      `127.0.0.1 -U "$U" -d postgres --no-password -tAc 'SELECT 1' >/dev/null`,
    // The database is dropped and created anew (empty, owned by the user), then the dump is loaded into it.
    load:
      `${PG_ENV}; M=postgres; [ "$D" = postgres ] && M=template1; ` +
      `psql -v ON_ERROR_STOP=1 -q -h 127.0.0.1 -U "$U" -d "$M" --no-password -c "DROP DATABASE IF EXISTS \\"$D\\" ` +
      `WITH (FORCE)" -c "CREATE DATABASE \\"$D\\" OWNER \\"$U\\"" >/dev/null ` +
      `&& exec psql -v ON_ERROR_STOP=1 -q -h 127.0.0.1 -U "$U" -d "$D" --no-password >/dev/null`,
  },
  mariadb: {
    tool: 'mariadb-dump --single-transaction --routines --events --all-databases as root',
    dump:
      `${MY_ENV}; DUMP="$(command -v mariadb-dump || command -v mysqldump)"; exec "$DUMP" --protocol=tcp ` +
      `-h127.0.0.1 -uroot --single-transaction --routines --events --all-databases --default-character-set=utf8mb4`,
    ready: `${MY_ENV}; "$C" --protocol=tcp -h127.0.0.1 -uroot -e 'SELECT 1' >/dev/null`,
    // The application database is dropped first, so tables made after the backup do not survive the restore.
    load:
      `${MY_ENV}; if [ -n "$D" ]; then "$C" --protocol=tcp -h127.0.0.1 -uroot -e "DROP ` +
      `DATABASE IF EXISTS \\\`$D\\\`" || exit 1; fi; ` +
      `{ cat; echo 'FLUSH PRIVILEGES;'; } | "$C" --protocol=tcp -h127.0.0.1 -uroot --default-character-set=utf8mb4`,
  },
};

// ---- processes ------------------------------------------------------------------------------------------------

export class StreamError extends Error {}

/** stdout of a command as an async iterable; throws at the end when the command failed (with its stderr tail). */
export async function* commandOutput(
  file: string,
  args: string[],
  o: { cwd?: string; dropEnv?: Iterable<string>; what: string },
): AsyncGenerator<Uint8Array> {
  const p = exec(file, args, { cwd: o.cwd, env: childEnv(o.dropEnv), extendEnv: false, buffer: { stdout: false } });
  let ok = false;
  try {
    for await (const chunk of p.stdout) yield chunk as Buffer;
    const r = await p;
    if (r.exitCode !== 0) throw new StreamError(failure(r, 8, o.what));
    ok = true;
  } finally {
    if (!ok) p.kill(); // the reader stopped early (or failed): the command must not run on
  }
}

/** Runs a command with `input` on its stdin; resolves when it succeeded, throws with its output tail otherwise. */
export async function commandInput(
  file: string,
  args: string[],
  input: AsyncIterable<Uint8Array>,
  o: { cwd?: string; dropEnv?: Iterable<string>; what: string },
): Promise<void> {
  const p = exec(file, args, { cwd: o.cwd, env: childEnv(o.dropEnv), extendEnv: false, stdin: 'pipe', all: true });
  const stdin = p.stdin!; // stdin: 'pipe' above
  let exited = false;
  const ended = p.then(() => {
    exited = true;
  });
  let inputError: unknown;
  try {
    for await (const chunk of input) {
      if (stdin.destroyed || exited) break; // it stopped reading: its exit code says why
      if (!stdin.write(chunk)) {
        await Promise.race([
          ended,
          new Promise<void>((go) => {
            const done = () => {
              stdin.off('drain', done);
              stdin.off('close', done);
              go();
            };
            stdin.on('drain', done);
            stdin.on('close', done);
          }),
        ]);
      }
    }
  } catch (e) {
    inputError = e;
    p.kill();
  }
  stdin.end();
  const r = await p;
  if (inputError) throw inputError;
  if (r.exitCode !== 0) throw new StreamError(failure(r, 8, o.what));
}

export function execArgs(c: Compose, service: string, script: string): { file: string; args: string[] } {
  return { file: c.file, args: [...c.baseArgs, 'exec', '-T', service, 'sh', '-c', script] };
}

/** The database dump, streamed out of the running database container. */
export function dumpStream(
  c: Compose,
  dir: string,
  dropEnv: string[],
  db: { engine: Engine; service: string },
): AsyncIterable<Uint8Array> {
  const { file, args } = execArgs(c, db.service, DB_SCRIPTS[db.engine].dump);
  return commandOutput(file, args, {
    cwd: dir,
    dropEnv,
    what: `the ${db.engine} dump (docker compose exec -T ${db.service})`,
  });
}

/** Loads a dump into the database container (the database is emptied first). */
export async function loadDump(
  c: Compose,
  dir: string,
  dropEnv: string[],
  db: { engine: Engine; service: string },
  data: AsyncIterable<Uint8Array>,
): Promise<void> {
  const { file, args } = execArgs(c, db.service, DB_SCRIPTS[db.engine].load);
  await commandInput(file, args, data, {
    cwd: dir,
    dropEnv,
    what: `loading the ${db.engine} dump (docker compose exec -T ${db.service})`,
  });
}

/** Waits until the database answers a query over TCP (not the temporary server of a first start). */
export async function waitDbReady(
  c: Compose,
  dir: string,
  dropEnv: string[],
  db: { engine: Engine; service: string },
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  let good = 0;
  while (Date.now() < deadline) {
    const r = await compose(c, ['exec', '-T', db.service, 'sh', '-c', DB_SCRIPTS[db.engine].ready], {
      cwd: dir,
      dropEnv,
      timeoutMs: 30_000,
    });
    if (r.exitCode === 0) {
      if (++good >= 2) return; // twice in a row: not a server that is about to restart
    } else {
      good = 0;
      last = tail(String(r.all ?? ''), 3);
    }
    await new Promise((res) => setTimeout(res, 1000));
  }
  throw new StreamError(
    `the ${db.engine} container did not accept connections within ` +
      `${Math.round(timeoutMs / 1000)} s${last ? `:\n${last}` : ''}`,
  );
}

/**
 * A volume's contents as a tar stream (read-only mount, no network; as root,
 * whatever the image's USER, so owners are kept).
 */
export function volumeStream(image: string, volume: string): AsyncIterable<Uint8Array> {
  return commandOutput(
    'docker',
    [
      'run',
      '--rm',
      '--network',
      'none',
      '--user',
      '0:0',
      '--entrypoint',
      'tar',
      '-v',
      `${volume}:/v:ro`,
      image,
      '-C',
      '/v',
      '-cf',
      '-',
      '.',
    ],
    { what: `reading volume ${volume}` },
  );
}

/** Replaces a volume's contents with a tar stream (everything in it is removed first). */
export async function restoreVolume(image: string, volume: string, data: AsyncIterable<Uint8Array>): Promise<void> {
  const script = 'rm -rf /v/..?* /v/.[!.]* /v/* && tar -C /v -xf -';
  await commandInput(
    'docker',
    [
      'run',
      '--rm',
      '-i',
      '--network',
      'none',
      '--user',
      '0:0',
      '--entrypoint',
      'sh',
      '-v',
      `${volume}:/v`,
      image,
      '-c',
      script,
    ],
    data,
    { what: `restoring volume ${volume}` },
  );
}
