// rotate-secret on the real engine, with the REAL servers (Debian's MariaDB 10.11 and PostgreSQL 15, test/e2e/realdb/)
// and the honest app server (healthy only once it logged in to the database with its own _APP_DB_*):
//   - MariaDB: _APP_DB_PASS, _APP_DB_ROOT_PASS and _APP_EXECUTOR_SECRET at once → the new passwords log in, the old
//     ones are refused, the stack is verified; then a failure midway (an override pins the app's old password, so the
//     recreated app cannot log in): undone, .env as before, the database takes the old password again; then an
//     install as Appwrite's own installer leaves it (password, rootsecretpassword, your-secret-key; no .harden-init)
//     adopted with --yes: rotated after the verified start, and said;
//   - PostgreSQL: _APP_DB_PASS → new logs in over TCP (scram), old refused.
// In-process (runMain), so the source under test needs no build. One stack at a time (fixed container names).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/run-bin.js';
import { runMain } from '../helpers/run-main.js';
import {
  REAL_ENGINE,
  buildReleaseStandins,
  engineAvailable,
  ensureDefaultSocket,
  freePorts,
  lockEngine,
  removeStack,
  writeClickhouseOverride,
} from '../helpers/engine.js';
import { parseEnv, serializeEnv, setEnv, toRecord } from '../../src/engine/envfile.js';

const hasEngine = engineAvailable(); // with CI=true and no engine this throws: the suite fails, never skips
const base = tempDir('hi-e2e-rotsec-');
let HTTP = '';
let HTTPS = '';
let current: string | undefined;

const run = (args: string[]) => runMain(args, { ...REAL_ENGINE });
const envOf = (dir: string) => toRecord(parseEnv(readFileSync(join(dir, '.env'), 'utf8')));
const out = (r: { stdout: string; stderr: string }) => `${r.stdout}\n${r.stderr}`;
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

/** A login over TCP inside the database container, the password through stdin: true when the server accepts it. */
async function login(
  dir: string,
  engine: 'mariadb' | 'postgresql',
  user: string,
  password: string,
  db = 'appwrite',
): Promise<boolean> {
  const script =
    engine === 'mariadb'
      ? 'MYSQL_PWD="$(cat)"; export MYSQL_PWD; mariadb --protocol=tcp -h127.0.0.1 -u"$1" -e "SELECT 1" >/dev/null'
      : 'PGPASSWORD="$(cat)"; export PGPASSWORD; psql -h 127.0.0.1 -U "$1" -d "$2" --no-password -tAc "SELECT 1" >/dev/null';
  const r = await execa('docker-compose', ['exec', '-T', engine, 'sh', '-c', script, 'sh', user, db], {
    cwd: dir,
    input: password,
    reject: false,
    extendEnv: false,
    env: { PATH: process.env.PATH!, DOCKER_HOST: process.env.DOCKER_HOST },
  });
  return r.exitCode === 0;
}

function installDir(name: string): string {
  const dir = join(base, name, 'appwrite');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeClickhouseOverride(dir);
  return dir;
}

describe
  .skipIf(!hasEngine)
  .sequential('rotate-secret on real MariaDB and PostgreSQL (real engine)', { timeout: 420_000 }, () => {
    let unlock: (() => Promise<void>) | undefined;
    beforeAll(async () => {
      unlock = await lockEngine();
      [HTTP, HTTPS] = (await freePorts(2)).map(String) as [string, string];
      ensureDefaultSocket();
      await buildReleaseStandins('2.7.1');
      await removeStack();
    }, 960_000);
    afterAll(async () => {
      try {
        if (current) await removeStack(current);
      } finally {
        await unlock?.();
      }
    }, 120_000);

    describe('MariaDB', () => {
      const dir = join(base, 'mariadb', 'appwrite');

      it('three at once: database first, .env, recreate, verify; the new passwords log in, the old ones are refused', async () => {
        installDir('mariadb');
        current = dir;
        const inst = await run([...answers(dir), '--db-engine', 'mariadb']);
        expect(inst.exitCode, out(inst)).toBe(0);
        const old = envOf(dir);
        const r = await run([
          'rotate-secret',
          '_APP_DB_PASS',
          '_APP_DB_ROOT_PASS',
          '_APP_EXECUTOR_SECRET',
          '--dir',
          dir,
          '--yes',
          '--timeout',
          '180',
        ]);
        expect(r.exitCode, out(r)).toBe(0);
        const now = envOf(dir);
        for (const k of ['_APP_DB_PASS', '_APP_DB_ROOT_PASS', '_APP_EXECUTOR_SECRET']) {
          expect(now[k], k).not.toBe(old[k]);
          expect(now[k]).toMatch(/^[A-Za-z0-9_-]{48}$/);
          expect(out(r)).not.toContain(now[k]!);
          expect(out(r)).not.toContain(old[k]!);
        }
        expect(now._APP_OPENSSL_KEY_V1).toBe(old._APP_OPENSSL_KEY_V1);
        expect(r.stdout).toMatch(/Verified with vars/);
        expect(await login(dir, 'mariadb', now._APP_DB_USER!, now._APP_DB_PASS!)).toBe(true);
        expect(await login(dir, 'mariadb', now._APP_DB_USER!, old._APP_DB_PASS!)).toBe(false);
        expect(await login(dir, 'mariadb', 'root', now._APP_DB_ROOT_PASS!)).toBe(true);
        expect(await login(dir, 'mariadb', 'root', old._APP_DB_ROOT_PASS!)).toBe(false);
      });

      it('a failure midway (the recreated app cannot log in): undone, .env as before, the database takes the old password', async () => {
        const before = readFileSync(join(dir, '.env'), 'utf8');
        const old = envOf(dir);
        // An operator's override that pins the app's database password: the new one never reaches it.
        writeClickhouseOverride(dir, ['  appwrite:', '    environment:', `      _APP_DB_PASS: "${old._APP_DB_PASS}"`]);
        const r = await run(['rotate-secret', '_APP_DB_PASS', '--dir', dir, '--yes', '--timeout', '30']);
        expect(r.exitCode, out(r)).toBe(1);
        expect(r.stderr).toMatch(/Undone: the database holds the old password again, \.env holds the old values/);
        expect(out(r)).not.toContain(old._APP_DB_PASS!);
        expect(readFileSync(join(dir, '.env'), 'utf8')).toBe(before);
        expect(await login(dir, 'mariadb', old._APP_DB_USER!, old._APP_DB_PASS!)).toBe(true);
        writeClickhouseOverride(dir);
      });

      it("adopting an install with the installer's example values (--yes): rotated after the verified start, and said", async () => {
        const env = envOf(dir);
        // As Appwrite's own installer leaves it: the example passwords in the database and .env, no .harden-init.
        const sql = `ALTER USER '${env._APP_DB_USER}'@'%' IDENTIFIED BY 'password'; ALTER USER 'root'@'%' IDENTIFIED BY 'rootsecretpassword'; ALTER USER 'root'@'localhost' IDENTIFIED BY 'rootsecretpassword'; FLUSH PRIVILEGES;`;
        const alter = await execa(
          'docker-compose',
          [
            'exec',
            '-T',
            'mariadb',
            'sh',
            '-c',
            `MYSQL_PWD="$(cat)"; export MYSQL_PWD; mariadb --protocol=tcp -h127.0.0.1 -uroot -e "${sql}"`,
          ],
          { cwd: dir, input: env._APP_DB_ROOT_PASS, reject: false, all: true },
        );
        expect(alter.exitCode, String(alter.all)).toBe(0);
        let file = parseEnv(readFileSync(join(dir, '.env'), 'utf8'));
        file = setEnv(
          setEnv(setEnv(file, '_APP_DB_PASS', 'password'), '_APP_DB_ROOT_PASS', 'rootsecretpassword'),
          '_APP_EXECUTOR_SECRET',
          'your-secret-key',
        );
        writeFileSync(join(dir, '.env'), serializeEnv(file), { mode: 0o600 });
        rmSync(join(dir, '.harden-init'), { recursive: true, force: true });
        const r = await run([...answers(dir), '--db-engine', 'mariadb']);
        expect(r.exitCode, out(r)).toBe(0);
        expect(r.stdout).toMatch(/well-known example values: rotating them now \(--yes\)/);
        expect(r.stdout).toMatch(/Rotated [^\n]*_APP_DB_PASS/);
        const now = envOf(dir);
        expect(now._APP_DB_PASS).not.toBe('password');
        expect(now._APP_DB_ROOT_PASS).not.toBe('rootsecretpassword');
        expect(now._APP_EXECUTOR_SECRET).not.toBe('your-secret-key');
        expect(await login(dir, 'mariadb', now._APP_DB_USER!, now._APP_DB_PASS!)).toBe(true);
        expect(await login(dir, 'mariadb', now._APP_DB_USER!, 'password')).toBe(false);
        expect(await login(dir, 'mariadb', 'root', 'rootsecretpassword')).toBe(false);
        await removeStack(dir);
        current = undefined;
      });
    });

    describe('PostgreSQL', () => {
      const dir = join(base, 'postgresql', 'appwrite');

      it('_APP_DB_PASS: ALTER USER "user" in the database, .env, recreate, verify; the new one logs in over TCP, the old is refused', async () => {
        installDir('postgresql');
        current = dir;
        const inst = await run(answers(dir));
        expect(inst.exitCode, out(inst)).toBe(0);
        const old = envOf(dir);
        const r = await run(['rotate-secret', '_APP_DB_PASS', '--dir', dir, '--yes', '--timeout', '180']);
        expect(r.exitCode, out(r)).toBe(0);
        const now = envOf(dir);
        expect(now._APP_DB_PASS).not.toBe(old._APP_DB_PASS);
        expect(out(r)).not.toContain(now._APP_DB_PASS!);
        expect(r.stdout).toMatch(/Verified with vars/);
        expect(await login(dir, 'postgresql', now._APP_DB_USER!, now._APP_DB_PASS!, now._APP_DB_SCHEMA)).toBe(true);
        expect(await login(dir, 'postgresql', now._APP_DB_USER!, old._APP_DB_PASS!, now._APP_DB_SCHEMA)).toBe(false);
      });
    });
  });
