// `harden-init upgrade` and `rollback` end to end on a real Docker engine through the built binary, with release
// stand-ins (test/e2e/standin/README.md: their `migrate` records that it ran and fails on demand; their app server
// answers health only after logging in to the database and Redis) and a real MariaDB and Redis (test/e2e/realdb:
// the dump and the load are the real client's). An install at 1.9.5 is upgraded --to 2.3.0: two steps
// (1.9.5 → 1.9.10 → 2.3.0), each with a backup and a database dump; the second step's migration is made to fail,
// the run stops naming the state and the rollback command; a plain re-run refuses to start another step, and
// `upgrade --resume` (the cause fixed) finishes that step; then `rollback --with-db` puts back the files byte for
// byte and the database as dumped before that step. A hand edit of the compose file (an extra environment entry)
// is carried three-way into both releases' files and reaches the running container.
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runBin, tempDir, type RunResult } from '../helpers/run-bin.js';
import { REAL_ENGINE, engineAvailable, stackSuite } from '../helpers/engine.js';
import { parseEnv, toRecord } from '../../src/engine/envfile.js';

const hasEngine = engineAvailable(); // with CI=true and no engine this throws: the suite fails, never skips
const base = tempDir('hi-e2e-upg-');
const dir = join(base, 'appwrite');
const dockerConfig = join(base, 'docker-v1'); // no CLI plugin: Compose v1
const read = (f: string) => readFileSync(join(dir, f), 'utf8');
const envOf = () => toRecord(parseEnv(read('.env')));

async function run(args: string[]): Promise<RunResult> {
  return runBin(args, { ...REAL_ENGINE, DOCKER_CONFIG: dockerConfig });
}
/** The real MariaDB (test/e2e/realdb): one marker row in a table of Appwrite's database, as root inside the container. */
const sql = (q: string) =>
  execa(
    'docker-compose',
    ['exec', '-T', 'mariadb', 'sh', '-c', 'MYSQL_PWD="$MYSQL_ROOT_PASSWORD" mariadb -uroot -N -B "$MYSQL_DATABASE"'],
    { cwd: dir, input: q, reject: false },
  );
async function dbFile(): Promise<string> {
  return String((await sql('SELECT note FROM hi_marker;')).stdout);
}
async function setDb(text: string): Promise<void> {
  const r = await sql(
    `CREATE TABLE IF NOT EXISTS hi_marker (note TEXT); DELETE FROM hi_marker; INSERT INTO hi_marker VALUES ('${text.replace(/['\\]/g, '\\$&')}');`,
  );
  if (r.exitCode !== 0) throw new Error(`setDb: ${String(r.stderr)}`);
}

/**
 * docker-compose.override.yml of the test install (compose merges it; harden-init never writes it):
 * - TEST MACHINE LIMIT, not the product's: RLIMIT_NOFILE is capped at 20000 here and dockerd cannot raise it, so
 *   2.x's clickhouse (`ulimits: nofile: 262144`, as upstream wrote it) could not start. The override lowers it; it
 *   names clickhouse's image too, because the same file is read while the install is still on 1.9 (which has no
 *   clickhouse: the stand-in then simply runs as one more container).
 * - STANDIN_FAIL_MIGRATE=2.3.0: the stand-in's `migrate` of 2.3.0 fails (see test/e2e/standin/README.md).
 */
function writeOverride(failMigrate = true): void {
  writeFileSync(
    join(dir, 'docker-compose.override.yml'),
    [
      '# test machine only: RLIMIT_NOFILE is capped at 20000 here (see test/e2e/upgrade.test.ts)',
      'services:',
      '  clickhouse:',
      '    image: clickhouse/clickhouse-server:26.4.3-alpine',
      '    ulimits:',
      '      nofile:',
      '        soft: 20000',
      '        hard: 20000',
      ...(failMigrate ? ['  appwrite:', '    environment:', '      - STANDIN_FAIL_MIGRATE=2.3.0'] : []),
      '',
    ].join('\n'),
  );
}

describe.skipIf(!hasEngine).sequential('harden-init upgrade and rollback (real engine)', { timeout: 240_000 }, () => {
  const ports = stackSuite({ dir, dockerConfig, releases: ['1.9.5', '1.9.10', '2.3.0'] });
  let before: Record<string, string> = {};

  it('an install at 1.9.5 (what harden-init wrote before releases were chosen)', async () => {
    const r = await run([
      '--dir',
      dir,
      '--release',
      '1.9.5',
      '--allow-insecure-release',
      '--domain',
      'appwrite.example.com',
      '--email',
      'admin@example.com',
      '--http-port',
      ports.http,
      '--https-port',
      ports.https,
      '--yes',
      '--timeout',
      '180',
    ]);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    writeOverride();
    // Installs written before harden-init kept a copy of its own compose file have none: the first step's BASE is
    // then the old release re-rendered (the second step's is the copy the first one writes).
    rmSync(join(dir, '.harden-init/compose-written.yml'));
    // A hand edit of harden-init's compose file: the upgrade carries it into each release's file.
    const c = read('docker-compose.yml');
    expect(c).toContain('      - _APP_ENV\n');
    writeFileSync(
      join(dir, 'docker-compose.yml'),
      c.replace('      - _APP_ENV\n', '      - _APP_ENV\n      - MY_HAND_FLAG=on\n'),
    );
    await setDb('INSERT marker-before-upgrade;');
    before = envOf();
  });

  it('upgrade --to 2.3.0: two steps with backups and dumps; the second migration fails and the run says where it stopped', async () => {
    const r = await run([
      'upgrade',
      '--dir',
      dir,
      '--to',
      '2.3.0',
      '--allow-insecure-release',
      '--yes',
      '--timeout',
      '180',
    ]);
    const out = r.stdout + r.stderr;
    expect(r.exitCode, out).toBe(1);
    expect(r.stdout).toMatch(/Upgrade plan: 2 steps/);
    expect(r.stdout).toMatch(/Step 1\/2: Appwrite 1\.9\.5 → 1\.9\.10/);
    expect(r.stdout).toMatch(/migrate: data migrated to 1\.9\.10 \(stand-in/);
    expect(r.stdout).toMatch(/Verified with vars/);
    expect(r.stdout).toMatch(/Step 2\/2: Appwrite 1\.9\.10 → 2\.3\.0/);
    expect(r.stdout).toMatch(
      /Step 1\/2[^]*hand edits of docker-compose\.yml \(three-way, BASE from Appwrite 1\.9\.5's files re-rendered[^\n]*\): 1 carried, 0 not[^]*Step 2\/2[^]*BASE from \.harden-init\/compose-written\.yml\): 1 carried, 0 not/,
    );
    expect(r.stdout).toMatch(/Database dump: \.harden-init\/backups\/[^/]+\/db-mariadb\.sql \(\d/);
    expect(out).toMatch(/migrate: failed on purpose/);
    expect(r.stderr).toMatch(
      /Step 1\.9\.10 → 2\.3\.0 stopped: Appwrite's migration \(docker compose exec -T appwrite migrate\) exited 1/,
    );
    expect(r.stderr).toMatch(
      /State now: [^\n]*Appwrite 2\.3\.0's; the stack runs 2\.3\.0; the database may be partly migrated/,
    );
    expect(r.stderr).toMatch(/harden-init rollback --dir \S+ --backup \S+ --with-db/);

    const state = JSON.parse(read('.harden-init/state.json'));
    expect(state.release).toBe('2.3.0');
    expect(
      state.history.map((h: { from: string; to: string; result: string }) => `${h.from}>${h.to}:${h.result}`),
    ).toEqual(['1.9.5>1.9.10:done', '1.9.10>2.3.0:migrate-failed']);
    for (const [i, h] of (state.history as { dump: string; backup: string; toImageId: string }[]).entries()) {
      expect(h.toImageId).toMatch(/^sha256:/);
      expect(statSync(join(dir, h.dump)).mode & 0o777).toBe(0o600);
      expect(readFileSync(join(dir, h.dump), 'utf8')).toMatch(
        /^(\/\*M!999999\\- enable the sandbox mode \*\/ \n)?-- MariaDB dump[\s\S]*marker-before-upgrade/,
      ); // real mariadb-dump 10.11.19+ opens with the sandbox line
      // From the second step on, the copy of harden-init's own file (the carry's BASE) is backed up too.
      expect(readdirSync(join(dir, h.backup)).sort()).toEqual([
        '.env',
        ...(i > 0 ? ['.harden-init__compose-written.yml'] : []),
        '.harden-init__state.json',
        'db-mariadb.sql',
        'docker-compose.override.yml',
        'docker-compose.yml',
        'upgrade.json',
      ]);
    }
    // The hand edit rode along both steps: in the 2.3.0 file, and in the container compose made from it.
    expect(read('docker-compose.yml')).toContain('      - MY_HAND_FLAG=on\n');
    const envs = await execa('docker', ['inspect', '--format', '{{json .Config.Env}}', 'appwrite']);
    expect(JSON.parse(String(envs.stdout))).toContain('MY_HAND_FLAG=on');
    const env = envOf();
    for (const k of ['_APP_OPENSSL_KEY_V1', '_APP_DB_PASS', '_APP_DB_ROOT_PASS', '_APP_EXECUTOR_SECRET'])
      expect(env[k], k).toBe(before[k]);
    for (const k of ['_APP_JOBS_SECRET', '_APP_GEO_SECRET', '_APP_USAGE_PASS'])
      expect(env[k], k).toMatch(/^[A-Za-z0-9_-]{32,}$/);
    expect(read('docker-compose.yml')).toContain('image: appwrite/appwrite:2.3.0');
    const img = await execa('docker', ['inspect', '--format', '{{.Config.Image}}', 'appwrite'], { reject: false });
    expect(String(img.stdout).trim()).toBe('appwrite/appwrite:2.3.0');
  });

  it('a plain re-run refuses to start another step; upgrade --resume, the cause fixed, continues the failed step at up, migrate, verify', async () => {
    const backupsBefore = readdirSync(join(dir, '.harden-init/backups')).sort();
    const plain = await run([
      'upgrade',
      '--dir',
      dir,
      '--to',
      '2.3.0',
      '--allow-insecure-release',
      '--yes',
      '--timeout',
      '180',
    ]);
    expect(plain.exitCode, plain.stdout + plain.stderr).toBe(2);
    expect(plain.stderr).toMatch(/The upgrade step 1\.9\.10 → 2\.3\.0 stopped \(migrate-failed\)[^]*--resume --yes/);
    writeOverride(false); // the cause of the failure, fixed
    const r = await run(['upgrade', '--dir', dir, '--resume', '--yes', '--timeout', '180']);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Resuming: Appwrite 1\.9\.10 → 2\.3\.0 \(stopped: migrate-failed\)/);
    expect(r.stdout).toMatch(/migrate: data migrated to 2\.3\.0 \(stand-in/);
    expect(r.stdout).toMatch(/Verified with vars/);
    expect(r.stdout).not.toMatch(/Files backed up|Database dump/); // the step's files and dump are the ones taken before it
    const state = JSON.parse(read('.harden-init/state.json'));
    expect(
      state.history.map((h: { from: string; to: string; result: string }) => `${h.from}>${h.to}:${h.result}`),
    ).toEqual(['1.9.5>1.9.10:done', '1.9.10>2.3.0:done']);
    expect(JSON.parse(readFileSync(join(dir, state.history[1].backup, 'upgrade.json'), 'utf8')).result).toBe('done');
    expect(readdirSync(join(dir, '.harden-init/backups')).sort()).toEqual(backupsBefore);
  });

  it("rollback --with-db: the files of that step's backup byte for byte, the database as dumped before it, the stack on 1.9.10", async () => {
    const state = JSON.parse(read('.harden-init/state.json'));
    const step = state.history[1] as { backup: string };
    const bdir = join(dir, step.backup);
    await setDb('INSERT written-by-the-failed-migration;');
    const r = await run(['rollback', '--dir', dir, '--with-db', '--yes', '--timeout', '180']);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/taken before the upgrade step 1\.9\.10 → 2\.3\.0/);
    for (const [f, b] of [
      ['.env', '.env'],
      ['docker-compose.yml', 'docker-compose.yml'],
      ['.harden-init/state.json', '.harden-init__state.json'],
      ['docker-compose.override.yml', 'docker-compose.override.yml'],
      ['.harden-init/compose-written.yml', '.harden-init__compose-written.yml'],
    ]) {
      expect(readFileSync(join(dir, f!)).equals(readFileSync(join(bdir, b!))), f).toBe(true);
    }
    expect(statSync(join(dir, '.env')).mode & 0o777).toBe(0o600);
    expect(JSON.parse(read('.harden-init/state.json')).release).toBe('1.9.10');
    expect(read('docker-compose.yml')).toMatch(/image: appwrite\/appwrite:1\.9\.10[^]*- MY_HAND_FLAG=on\n/);
    const db = await dbFile();
    expect(db).toContain('marker-before-upgrade');
    expect(db).not.toContain('written-by-the-failed-migration');
    const img = await execa('docker', ['inspect', '--format', '{{.Config.Image}}', 'appwrite'], { reject: false });
    expect(String(img.stdout).trim()).toBe('appwrite/appwrite:1.9.10');
  });
});
