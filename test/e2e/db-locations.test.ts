// Every place Appwrite's database can live, end to end on the real engine with REAL servers (Debian's MariaDB
// 10.11, PostgreSQL 15 and Redis 7, test/e2e/realdb/) and the honest app-server stand-in, whose
// /v1/health/version answers only after it logged in to the database and reached Redis with its own
// environment (test/e2e/standin/README.md). So "healthy" below means: what harden-init wrote lets Appwrite in.
//   - volume (PostgreSQL, the default), then a wrong _APP_DB_PASS in .env: the health wait fails naming the
//     refused login, and no password is printed;
//   - host path (MariaDB): the real entrypoint takes the directory over (owner: the image's mysql user), the mode
//     harden-init gave it (0700) stays;
//   - external (a real MariaDB in its own container on its own network, with a database and user made for it;
//     the operator's docker-compose.override.yml attaches the appwrite service to that network): healthy because
//     the stand-in logged in there; with the server stopped the app server answers 503 naming it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runBin, tempDir, type RunResult } from '../helpers/run-bin.js';
import {
  REAL_ENGINE,
  buildReleaseStandins,
  composeServices,
  engineAvailable,
  ensureDefaultSocket,
  freePorts,
  lockEngine,
  removeStack,
  writeClickhouseOverride,
} from '../helpers/engine.js';
import { parseEnv, serializeEnv, setEnv, toRecord } from '../../src/engine/envfile.js';

const hasEngine = engineAvailable(); // with CI=true and no engine this throws: the suite fails, never skips
const base = tempDir('hi-e2e-dbloc-');
const dockerConfig = join(base, 'docker-v1'); // no CLI plugin: Compose v1
const EXT_NET = `hi-dbloc-net-${process.pid}`;
const EXT_DB = `hi-dbloc-extdb-${process.pid}`; // a host name for --db-host (RFC 1123)
// Characters that break naive quoting in .env and compose files: harden-init must hand it to Appwrite intact.
const EXT_PASS = 'ext pa$s "q" #1 = end'; // harden-init refuses ' \ ${ and line breaks (exit 2)
const outputs: string[] = [];
let HTTP = '';
let HTTPS = '';
let current: string | undefined; // the install whose stack is up (fixed container names: one at a time)

async function run(args: string[], env: Record<string, string | undefined> = {}): Promise<RunResult> {
  const r = await runBin(args, { ...REAL_ENGINE, DOCKER_CONFIG: dockerConfig, ...env });
  outputs.push(r.stdout, r.stderr);
  return r;
}
const envOf = (dir: string) => toRecord(parseEnv(readFileSync(join(dir, '.env'), 'utf8')));
/** docker-compose in the install, without .env's keys in its environment (as harden-init runs it). */
const dc = (dir: string, args: string[]) =>
  execa('docker-compose', args, {
    cwd: dir,
    reject: false,
    all: true,
    extendEnv: false,
    env: { PATH: process.env.PATH!, DOCKER_HOST: process.env.DOCKER_HOST },
  });
const logsOf = async (container: string) =>
  String((await execa('docker', ['logs', container], { all: true, reject: false })).all);
/** One raw HTTP request to the app server from inside its container (status line and body, whatever the status). */
const appHealth = async () =>
  String(
    (
      await execa(
        'docker',
        ['exec', 'appwrite', 'sh', '-c', 'printf "GET /v1/health/version HTTP/1.0\\r\\n\\r\\n" | nc localhost 80'],
        { reject: false },
      )
    ).stdout,
  );

/** A fresh install directory holding only the test machine's override (clickhouse's nofile is capped here). */
function installDir(name: string, extra: string[] = []): string {
  const dir = join(base, name, 'appwrite');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeClickhouseOverride(dir, extra);
  return dir;
}
const answers = (dir: string) => [
  '--dir',
  dir,
  '--domain',
  'appwrite.example.com',
  '--email',
  'admin@example.com',
  '--http-port',
  HTTP,
  '--https-port',
  HTTPS,
  '--yes',
  '--timeout',
  '180',
];

async function down(): Promise<void> {
  if (current) await removeStack(current);
  current = undefined;
}

describe
  .skipIf(!hasEngine)
  .sequential(
    'Appwrite database locations, real servers, honest app server (real engine)',
    { timeout: 240_000 },
    () => {
      let unlock: (() => Promise<void>) | undefined;
      beforeAll(async () => {
        unlock = await lockEngine(); // other e2e files on this engine wait (fixed container names, global networks)
        [HTTP, HTTPS] = (await freePorts(2)).map(String) as [string, string];
        ensureDefaultSocket();
        mkdirSync(dockerConfig, { recursive: true });
        await buildReleaseStandins('2.7.1');
        await removeStack();
      }, 960_000);

      afterAll(async () => {
        try {
          await down();
          await execa('docker', ['rm', '-f', '-v', EXT_DB], { reject: false });
          await execa('docker', ['network', 'rm', EXT_NET], { reject: false });
        } finally {
          await unlock?.();
        }
      }, 120_000);

      describe('volume (PostgreSQL)', () => {
        const dir = join(base, 'volume', 'appwrite');

        it('healthy only after the app server logged in to the real PostgreSQL 15 and reached the real Redis', async () => {
          installDir('volume');
          current = dir;
          const r = await run([...answers(dir), '--db', 'volume']);
          expect(r.exitCode, r.stdout + r.stderr).toBe(0);
          expect(r.stdout).toMatch(/Database\s+bundled PostgreSQL/);
          expect(r.stdout).toMatch(/Stack healthy: \/v1\/health\/version answered \{"version":"2\.7\.1"\}/);
          const env = envOf(dir);
          expect(await logsOf('appwrite')).toContain(
            `database and Redis reachable: PostgreSQL postgresql:5432 as '${env._APP_DB_USER}', Redis redis:6379`,
          );
          const pg = await dc(dir, [
            'exec',
            '-T',
            'postgresql',
            'sh',
            '-c',
            'psql -qtA -U "$POSTGRES_USER" -d "$POSTGRES_DB" -c "SELECT version()"',
          ]);
          expect(String(pg.stdout), String(pg.all)).toMatch(/^PostgreSQL 15\.\d+ \(Debian/);
          const redis = await dc(dir, ['exec', '-T', 'redis', 'redis-cli', 'info', 'server']);
          expect(String(redis.stdout), String(redis.all)).toMatch(/redis_version:7\.0\.\d+/);
        });

        it('a wrong _APP_DB_PASS in .env, applied by `up -d`: verify fails naming the refused login; no password printed', async () => {
          const good = envOf(dir)._APP_DB_PASS!;
          const wrong = `Wrong-${good.slice(0, 4)}-${process.pid}-not-the-password`;
          writeFileSync(
            join(dir, '.env'),
            serializeEnv(setEnv(parseEnv(readFileSync(join(dir, '.env'), 'utf8')), '_APP_DB_PASS', wrong)),
            { mode: 0o600 },
          );
          // PostgreSQL keeps the password its data directory was made with: only the clients get the new one.
          const up = await dc(dir, ['up', '-d']);
          expect(up.exitCode, String(up.all)).toBe(0);
          const v = await run(['verify', '--dir', dir, '--timeout', '25']);
          const out = v.stdout + v.stderr;
          expect(v.exitCode, out).toBe(1);
          expect(v.stderr).toMatch(/Not healthy after 25 s: waiting for appwrite \(starting\)/);
          expect(v.stderr).toMatch(/Last log lines of appwrite:/);
          expect(v.stderr).toMatch(
            /cannot log in to PostgreSQL at postgresql:5432 as '[^']+' \(database '[^']+'\): .*password authentication failed/,
          );
          expect(out).not.toContain(wrong);
          expect(out).not.toContain(good);
          expect(await appHealth()).toMatch(/^HTTP\/1\.1 503 /);
          await down();
        });
      });

      describe('host path (MariaDB)', () => {
        const dir = join(base, 'path', 'appwrite');
        const data = join(base, 'mariadb-data');

        it('the real entrypoint takes the directory over (owner mysql), its mode stays 0700; healthy through a MariaDB login', async () => {
          installDir('path');
          current = dir;
          const r = await run([...answers(dir), '--db-engine', 'mariadb', '--db', 'path', '--db-path', data]);
          expect(r.exitCode, r.stdout + r.stderr).toBe(0);
          expect(r.stdout).toMatch(/Stack healthy/);
          const id = await execa('docker', ['run', '--rm', '--entrypoint', 'id', 'mariadb:10.11', '-u', 'mysql']);
          const mysqlUid = Number(String(id.stdout).trim());
          expect(mysqlUid).toBeGreaterThan(0);
          const st = statSync(data);
          expect(st.uid, 'owner of the data directory on the host').toBe(mysqlUid);
          expect(st.mode & 0o777).toBe(0o700);
          expect(readdirSync(data)).toEqual(expect.arrayContaining(['mysql', 'ibdata1'])); // the server's own files
          const env = envOf(dir);
          expect(await logsOf('appwrite')).toContain(
            `database and Redis reachable: MariaDB mariadb:3306 as '${env._APP_DB_USER}'`,
          );
          await down();
        });
      });

      describe('external (MariaDB in its own container)', () => {
        const dir = join(base, 'external', 'appwrite');

        it('with a database and user made for it, --db external: healthy because the app server logged in there', async () => {
          await execa('docker', ['network', 'create', EXT_NET]);
          await execa('docker', [
            'run',
            '-d',
            '--name',
            EXT_DB,
            '--network',
            EXT_NET,
            '-e',
            'MYSQL_ROOT_PASSWORD=ext-root-secret-4711',
            '-e',
            'MYSQL_DATABASE=appwrite_ext',
            '-e',
            'MYSQL_USER=appwrite_ext',
            '-e',
            `MYSQL_PASSWORD=${EXT_PASS}`,
            'mariadb:10.11',
          ]);
          // The operator's override puts the appwrite service on the database's network too.
          installDir('external', [
            '  appwrite:',
            '    networks:',
            '      - appwrite',
            '      - extdb',
            'networks:',
            '  extdb:',
            '    external: true',
            `    name: ${EXT_NET}`,
          ]);
          current = dir;
          const r = await run(
            [
              ...answers(dir),
              '--db-engine',
              'mariadb',
              '--db',
              'external',
              '--db-host',
              EXT_DB,
              '--db-port',
              '3306',
              '--db-user',
              'appwrite_ext',
              '--db-name',
              'appwrite_ext',
            ],
            { HARDEN_INIT_DB_PASSWORD: EXT_PASS },
          );
          expect(r.exitCode, r.stdout + r.stderr).toBe(0);
          expect(r.stdout).toMatch(/Database\s+external MariaDB/);
          expect(r.stdout).toContain(`appwrite_ext@${EXT_DB}:3306/appwrite_ext`);
          expect(r.stdout).toMatch(/Stack healthy/);
          const services = await composeServices(dir);
          expect(services).not.toContain('mariadb');
          expect(services).not.toContain('postgresql');
          expect(envOf(dir)._APP_DB_PASS).toBe(EXT_PASS);
          expect(await logsOf('appwrite')).toContain(
            `database and Redis reachable: MariaDB ${EXT_DB}:3306 as 'appwrite_ext'`,
          );
          for (const o of outputs) expect(o).not.toContain(EXT_PASS);
        });

        it('the external server stopped: the app server answers 503 naming it', async () => {
          await execa('docker', ['stop', '-t', '5', EXT_DB]);
          const answer = await appHealth();
          expect(answer).toMatch(/^HTTP\/1\.1 503 /);
          expect(answer).toContain(
            `cannot log in to MariaDB at ${EXT_DB}:3306 as 'appwrite_ext' (database 'appwrite_ext')`,
          );
          expect(answer).not.toContain(EXT_PASS);
        });
      });
    },
  );
