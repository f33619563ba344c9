// `harden-init backup` / `restore` end to end on the real engine, with a REAL PostgreSQL 15 (Debian's package,
// tagged appwrite/postgres:0.1.0 by test/e2e/realdb/build-realdb.sh) under the 2.7.1 stand-in stack: rows written
// with psql and a file in appwrite-uploads survive backup → `down -v` → restore; the key is unchanged and
// `verify` exits 0; a tampered archive, a wrong passphrase and an install with another key are refused; the
// archive holds no secret in clear and no output prints one; Debian's `age` decrypts the format.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, join } from 'node:path';
import { runBin, tempDir, ROOT, type RunResult } from '../helpers/run-bin.js';
import { engineAvailable, ensureDefaultSocket, lockEngine, removeStackContainers } from '../helpers/engine.js';
import { parseEnv, toRecord } from '../../src/engine/envfile.js';

const hasEngine = engineAvailable();
const HTTP = '18080';
const HTTPS = '18443';
const base = tempDir('hi-backup-');
const dir = join(base, 'appwrite');
const out = join(base, 'archives');
const outputs: string[] = [];
const PASS = 'correct-horse-battery-staple-4711';
const DOCKER = {
  DOCKER_HOST: process.env.DOCKER_HOST,
  HARDEN_INIT_RELEASES_DIR: undefined,
  DOCKER_CONFIG: join(base, 'docker-v1'),
};
const previousTags: [string, string][] = [];
/** Upstream's fixed container names: one Appwrite stack per engine, so the file holds the engine lock (helpers/engine.ts). */
let unlock: (() => Promise<void>) | undefined;
/** This sandbox caps open files at 20000 (dockerd cannot raise it): upstream's clickhouse asks for 262144. */
const OVERRIDE = [
  '# test sandbox: RLIMIT_NOFILE is capped at 20000 here; upstream asks 262144 for clickhouse',
  'services:',
  '  clickhouse:',
  '    ulimits:',
  '      nofile:',
  '        soft: 16384',
  '        hard: 16384',
  '',
].join('\n');

async function run(args: string[], env: Record<string, string | undefined> = {}): Promise<RunResult> {
  const r = await runBin(args, { ...DOCKER, ...env });
  outputs.push(r.stdout, r.stderr);
  return r;
}
const envOf = (d: string) => toRecord(parseEnv(readFileSync(join(d, '.env'), 'utf8')));
/** docker-compose in the install, without the .env keys in its environment (as harden-init runs it). */
async function dc(args: string[], input?: string) {
  return execa('docker-compose', args, {
    cwd: dir,
    input,
    reject: false,
    all: true,
    env: { DOCKER_CONFIG: DOCKER.DOCKER_CONFIG },
  });
}
/**
 * `down -v` that wipes for real: Compose v1 on this engine sometimes fails to remove a network whose last
 * endpoint the engine has not detached yet (the global `appwrite` network); the containers are gone then, and
 * the project's volumes are removed here so the restore really starts from nothing.
 */
async function downWipe(
  run: (args: string[]) => Promise<{ exitCode?: number; all?: unknown }>,
  project: string,
): Promise<void> {
  const down = await run(['down', '-v']);
  if (down.exitCode === 0) return;
  expect(String(down.all), 'down failed for another reason than a stuck network').toMatch(/has active endpoints/);
  const left = await execa('docker', ['ps', '-aq', '--filter', `label=com.docker.compose.project=${project}`]);
  expect(String(left.stdout).trim(), 'containers left after down').toBe('');
  const vols = await execa('docker', ['volume', 'ls', '-q', '--filter', `label=com.docker.compose.project=${project}`]);
  const names = String(vols.stdout).split('\n').filter(Boolean);
  if (names.length) await execa('docker', ['volume', 'rm', ...names]);
}
const psql = (sql: string) =>
  dc(
    ['exec', '-T', 'postgresql', 'sh', '-c', 'psql -v ON_ERROR_STOP=1 -qtA -U "$POSTGRES_USER" -d "$POSTGRES_DB"'],
    sql,
  );
const archives = (d: string) =>
  readdirSync(d)
    .filter((n) => n.endsWith('.age'))
    .sort();

describe
  .skipIf(!hasEngine)
  .sequential('backup and restore on a real PostgreSQL (real engine)', { timeout: 600_000 }, () => {
    beforeAll(async () => {
      unlock = await lockEngine();
      ensureDefaultSocket();
      mkdirSync(DOCKER.DOCKER_CONFIG, { recursive: true });
      mkdirSync(out, { recursive: true });
      await execa(join(ROOT, 'test/e2e/standin/build-standins.sh'), ['--release', '2.7.1'], { stdio: 'inherit' });
      // After the stand-ins, so the real PostgreSQL wins the tag; the stand-in is put back in afterAll.
      const built = await execa(join(ROOT, 'test/e2e/realdb/build-realdb.sh'), ['postgres'], { stderr: 'inherit' });
      for (const line of String(built.stdout).split('\n').filter(Boolean)) {
        const [tag, prev] = line.split(' ');
        if (prev && prev !== '-') previousTags.push([tag!, prev]);
      }
      await removeStackContainers();
      const install = await run([
        '--dir',
        dir,
        '--release',
        '2.7.1',
        '--no-start',
        '--domain',
        'appwrite.example.com',
        '--email',
        'admin@example.com',
        '--http-port',
        HTTP,
        '--https-port',
        HTTPS,
        '--yes',
      ]);
      expect(install.exitCode, install.stdout + install.stderr).toBe(0);
      // This sandbox caps open files at 20000 (dockerd cannot raise it); upstream's clickhouse asks for 262144 and
      // would not start. The operator's own override file, which compose reads beside docker-compose.yml.
      writeFileSync(join(dir, 'docker-compose.override.yml'), OVERRIDE);
      const up = await dc(['up', '-d']);
      expect(up.exitCode, String(up.all)).toBe(0);
      const v = await run(['verify', '--dir', dir, '--timeout', '180']);
      expect(v.exitCode, v.stdout + v.stderr).toBe(0);
    });

    afterAll(async () => {
      await dc(['down', '-v', '--remove-orphans']);
      await removeStackContainers();
      for (const [tag, id] of previousTags) await execa('docker', ['tag', id, tag], { reject: false });
    });

    const secrets = () =>
      Object.entries(envOf(dir))
        .filter(([k, v]) => /PASS|SECRET|KEY/.test(k) && v.length >= 16)
        .map(([, v]) => v);

    it('the database is the real PostgreSQL 15; rows and an upload are written', async () => {
      const version = await psql('SELECT version();');
      expect(version.exitCode, String(version.all)).toBe(0);
      expect(String(version.stdout)).toMatch(/PostgreSQL 15\.\d+ \(Debian/);
      const w = await psql(
        "CREATE TABLE hi_probe (id int PRIMARY KEY, note text); INSERT INTO hi_probe VALUES (1, 'one'), (2, 'zwei ü'), (3, 'three');",
      );
      expect(w.exitCode, String(w.all)).toBe(0);
      const f = await dc([
        'exec',
        '-T',
        'appwrite',
        'sh',
        '-c',
        'mkdir -p /storage/uploads/app-1 && printf "uploaded bytes\\n" > /storage/uploads/app-1/probe.txt',
      ]);
      expect(f.exitCode, String(f.all)).toBe(0);
    });

    it('backup without encryption is refused (exit 2); --passphrase-env writes one 0600 archive, with progress', async () => {
      const none = await run(['backup', '--dir', dir, '--out', `${out}/`]);
      expect(none.exitCode).toBe(2);
      expect(none.stderr).toMatch(/always encrypted/);
      const t0 = Date.now();
      const r = await run(['backup', '--dir', dir, '--out', `${out}/`, '--passphrase-env', 'HI_BACKUP_PASS'], {
        HI_BACKUP_PASS: PASS,
      });
      expect(r.exitCode, r.stdout + r.stderr).toBe(0);
      console.log(`backup took ${Date.now() - t0} ms`);
      expect(r.stdout).toMatch(/\.env: \d+(\.\d)? (B|KiB)/);
      expect(r.stdout).toMatch(/database dump \(db\/postgresql\.sql\): \d/);
      expect(r.stdout).toMatch(/volume appwrite-uploads: \d/);
      expect(r.stdout).toMatch(/Archive written: .*harden-init-backup-.*-appwrite-2\.7\.1\.age/);
      const [name] = archives(out);
      expect(name).toBeDefined();
      expect(statSync(join(out, name!)).mode & 0o777).toBe(0o600);
      expect(readdirSync(out).filter((n) => n.includes('.tmp'))).toEqual([]);
    });

    it('the archive holds no secret in clear; no output printed one', async () => {
      const bytes = readFileSync(join(out, archives(out)[0]!));
      expect(bytes.subarray(0, 21).toString()).toBe('age-encryption.org/v1');
      const s = secrets();
      expect(s.length).toBeGreaterThan(5);
      for (const v of s) expect(bytes.includes(Buffer.from(v))).toBe(false);
      expect(bytes.includes(Buffer.from('hi_probe'))).toBe(false);
      expect(bytes.includes(Buffer.from('uploaded bytes'))).toBe(false);
      for (const o of outputs) for (const v of s) expect(o).not.toContain(v);
    });

    it("--recipient: Debian's age CLI decrypts it to a tar with the files, the dump, the volumes and the manifest; --keep 1 prunes", async () => {
      const age = await execa('age', ['--version'], { reject: false });
      const recipients = join(base, 'recipient-archives');
      mkdirSync(recipients);
      const keygen = age.exitCode === 0 ? await execa('age-keygen', ['-o', join(base, 'key.txt')]) : undefined;
      const recipient = keygen ? /age1[0-9a-z]+/.exec(String(keygen.stderr) + String(keygen.stdout))![0] : undefined;
      expect(recipient, "Debian's age package must be installed (apt-get install age)").toBeDefined();
      for (let i = 0; i < 2; i++) {
        const r = await run(['backup', '--dir', dir, '--out', recipients, '--recipient', recipient!, '--keep', '1']);
        expect(r.exitCode, r.stdout + r.stderr).toBe(0);
      }
      expect(archives(recipients)).toHaveLength(1);
      const file = join(recipients, archives(recipients)[0]!);
      const list = await execa('sh', ['-c', `age -d -i "${join(base, 'key.txt')}" "${file}" | tar -tv`]);
      const names = String(list.stdout);
      for (const n of [
        '.env',
        'docker-compose.yml',
        'docker-compose.override.yml',
        '.harden-init/state.json',
        'db/postgresql.sql.000000',
        'volumes/appwrite-uploads.tar.000000',
        'manifest.json',
      ]) {
        expect(names).toContain(n);
      }
      expect(names).toMatch(/-rw------- root\/root\s+\d+ .* \.env/);
      const manifest = JSON.parse(
        String(
          (await execa('sh', ['-c', `age -d -i "${join(base, 'key.txt')}" "${file}" | tar -xOf - manifest.json`]))
            .stdout,
        ),
      );
      expect(manifest).toMatchObject({
        format: 'harden-init-backup',
        version: 1,
        release: '2.7.1',
        database: { engine: 'postgresql', service: 'postgresql' },
      });
      expect(manifest.parts.map((p: { name: string }) => p.name)).toEqual(
        expect.arrayContaining([
          'volumes/appwrite-uploads.tar',
          'volumes/appwrite-imports.tar',
          'volumes/appwrite-config.tar',
        ]),
      );
      // the dump is plain SQL holding the rows
      const dump = await execa('sh', [
        '-c',
        `age -d -i "${join(base, 'key.txt')}" "${file}" | tar -xOf - 'db/postgresql.sql.000000'`,
      ]);
      expect(String(dump.stdout)).toMatch(/CREATE TABLE public\.hi_probe/);
    });

    it('a tampered archive is refused before anything is touched; so is a wrong passphrase, and a missing --yes', async () => {
      const good = join(out, archives(out)[0]!);
      const bad = join(base, 'tampered.age');
      const b = readFileSync(good);
      b[Math.floor(b.length / 2)]! ^= 0x01;
      writeFileSync(bad, b, { mode: 0o600 });
      const envBefore = readFileSync(join(dir, '.env'), 'utf8');
      const t = await run(['restore', bad, '--dir', dir, '--passphrase-env', 'HI_BACKUP_PASS', '--yes'], {
        HI_BACKUP_PASS: PASS,
      });
      expect(t.exitCode, t.stdout + t.stderr).toBe(2);
      expect(t.stderr).toMatch(/damaged or was modified|does not match/);
      expect(t.stderr).toMatch(/Nothing was changed/);
      const w = await run(['restore', good, '--dir', dir, '--passphrase-env', 'HI_BACKUP_PASS', '--yes'], {
        HI_BACKUP_PASS: 'not the passphrase',
      });
      expect(w.exitCode).toBe(2);
      expect(w.stderr).toMatch(/cannot decrypt: wrong passphrase \(/);
      const y = await run(['restore', good, '--dir', dir, '--passphrase-env', 'HI_BACKUP_PASS'], {
        HI_BACKUP_PASS: PASS,
      });
      expect(y.exitCode).toBe(2);
      expect(y.stderr).toMatch(/--yes/);
      expect(readFileSync(join(dir, '.env'), 'utf8')).toBe(envBefore);
      const rows = await psql('SELECT count(*) FROM hi_probe;');
      expect(String(rows.stdout).trim()).toBe('3'); // the stack was never stopped
    });

    it('an install with another encryption key is refused (exit 2), explaining why', async () => {
      const other = join(base, 'other');
      mkdirSync(other);
      copyFileSync(join(dir, 'docker-compose.yml'), join(other, 'docker-compose.yml'));
      writeFileSync(
        join(other, '.env'),
        readFileSync(join(dir, '.env'), 'utf8').replace(
          /^_APP_OPENSSL_KEY_V1=.*$/m,
          '_APP_OPENSSL_KEY_V1=another-key-entirely-0123456789abcdef0123456789',
        ),
        { mode: 0o600 },
      );
      const before = readFileSync(join(other, '.env'), 'utf8');
      const r = await run(
        ['restore', join(out, archives(out)[0]!), '--dir', other, '--passphrase-env', 'HI_BACKUP_PASS', '--yes'],
        { HI_BACKUP_PASS: PASS },
      );
      expect(r.exitCode, r.stdout + r.stderr).toBe(2);
      expect(r.stderr).toMatch(/different encryption key \(_APP_OPENSSL_KEY_V1\)/);
      expect(r.stderr).toMatch(/unreadable with another/);
      expect(r.stderr).toMatch(/--force/);
      expect(readFileSync(join(other, '.env'), 'utf8')).toBe(before);
    });

    it('down -v wipes the database and the volumes; restore brings the rows and the file back, same key, verify exit 0', async () => {
      const keyBefore = envOf(dir)._APP_OPENSSL_KEY_V1;
      await downWipe(dc, basename(dir));
      const vols = await execa('docker', ['volume', 'ls', '-q']);
      expect(String(vols.stdout)).not.toMatch(/appwrite_appwrite-uploads|appwrite_appwrite-postgresql/);
      // a hand-damaged .env too: the restore puts the archived one back (the damaged one kept in backups)
      writeFileSync(join(dir, '.env'), `${readFileSync(join(dir, '.env'), 'utf8')}BROKEN_LINE_ADDED=1\n`, {
        mode: 0o600,
      });
      const t0 = Date.now();
      const r = await run(
        [
          'restore',
          join(out, archives(out)[0]!),
          '--dir',
          dir,
          '--passphrase-env',
          'HI_BACKUP_PASS',
          '--yes',
          '--timeout',
          '180',
        ],
        { HI_BACKUP_PASS: PASS },
      );
      expect(r.exitCode, r.stdout + r.stderr).toBe(0);
      console.log(`restore took ${Date.now() - t0} ms`);
      expect(r.stdout).toMatch(/Archive verified: \d+ parts match the manifest/);
      expect(r.stdout).toMatch(/Database restored from db\/postgresql\.sql/);
      expect(r.stdout).toMatch(/Volume appwrite-uploads restored/);
      expect(r.stdout).toMatch(/Verified with vars/);
      expect(readFileSync(join(dir, '.env'), 'utf8')).not.toContain('BROKEN_LINE_ADDED');
      expect(envOf(dir)._APP_OPENSSL_KEY_V1).toBe(keyBefore);
      expect(statSync(join(dir, '.env')).mode & 0o777).toBe(0o600);
      const rows = await psql('SELECT id, note FROM hi_probe ORDER BY id;');
      expect(String(rows.stdout).trim().split('\n')).toEqual(['1|one', '2|zwei ü', '3|three']);
      const f = await dc(['exec', '-T', 'appwrite', 'cat', '/storage/uploads/app-1/probe.txt']);
      expect(String(f.stdout)).toBe('uploaded bytes');
      const v = await run(['verify', '--dir', dir, '--timeout', '120']);
      expect(v.exitCode, v.stdout + v.stderr).toBe(0);
      for (const o of outputs) for (const s of secrets()) expect(o).not.toContain(s);
    });

    it("restore over the running install with rows added since: they are gone, the backup's rows are back", async () => {
      await psql("INSERT INTO hi_probe VALUES (4, 'after the backup'); CREATE TABLE hi_later (x int);");
      const r = await run(
        [
          'restore',
          join(out, archives(out)[0]!),
          '--dir',
          dir,
          '--passphrase-env',
          'HI_BACKUP_PASS',
          '--yes',
          '--timeout',
          '180',
        ],
        { HI_BACKUP_PASS: PASS },
      );
      expect(r.exitCode, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toMatch(/Stack stopped/);
      expect(String((await psql('SELECT count(*) FROM hi_probe;')).stdout).trim()).toBe('3');
      expect(String((await psql("SELECT to_regclass('public.hi_later') IS NULL;")).stdout).trim()).toBe('t');
      chmodSync(join(dir, '.env'), 0o600);
    });
  });

// The same round trip on a real MariaDB 10.11 (`--db-engine mariadb`): mariadb-dump --all-databases as root.
const mdir = join(base, 'mariadb', 'appwrite');
const mdc = (args: string[], input?: string) =>
  execa('docker-compose', args, {
    cwd: mdir,
    input,
    reject: false,
    all: true,
    env: { DOCKER_CONFIG: DOCKER.DOCKER_CONFIG },
  });
const sql = (q: string) =>
  mdc(
    [
      'exec',
      '-T',
      'mariadb',
      'sh',
      '-c',
      'MYSQL_PWD="$MYSQL_PASSWORD" mariadb -N -B --protocol=tcp -h127.0.0.1 -u"$MYSQL_USER" "$MYSQL_DATABASE"',
    ],
    q,
  );

describe
  .skipIf(!hasEngine)
  .sequential('backup and restore on a real MariaDB (real engine)', { timeout: 600_000 }, () => {
    beforeAll(async () => {
      ensureDefaultSocket();
      mkdirSync(DOCKER.DOCKER_CONFIG, { recursive: true });
      await execa(join(ROOT, 'test/e2e/standin/build-standins.sh'), ['--release', '2.7.1'], { stdio: 'inherit' });
      const built = await execa(join(ROOT, 'test/e2e/realdb/build-realdb.sh'), ['mariadb'], { stderr: 'inherit' });
      for (const line of String(built.stdout).split('\n').filter(Boolean)) {
        const [tag, prev] = line.split(' ');
        if (prev && prev !== '-') previousTags.push([tag!, prev]);
      }
      await removeStackContainers();
      mkdirSync(join(base, 'mariadb'));
      const install = await run([
        '--dir',
        mdir,
        '--release',
        '2.7.1',
        '--db-engine',
        'mariadb',
        '--no-start',
        '--domain',
        'appwrite.example.com',
        '--email',
        'admin@example.com',
        '--http-port',
        '18082',
        '--https-port',
        '18445',
        '--yes',
      ]);
      expect(install.exitCode, install.stdout + install.stderr).toBe(0);
      writeFileSync(join(mdir, 'docker-compose.override.yml'), OVERRIDE);
      const up = await mdc(['up', '-d']);
      expect(up.exitCode, String(up.all)).toBe(0);
    });

    afterAll(async () => {
      await mdc(['down', '-v', '--remove-orphans']);
      await removeStackContainers();
      for (const [tag, id] of previousTags) await execa('docker', ['tag', id, tag], { reject: false });
    });

    it('rows in the real MariaDB survive backup → down -v → restore; same key; verify exit 0', async () => {
      const v = await run(['verify', '--dir', mdir, '--timeout', '180']);
      expect(v.exitCode, v.stdout + v.stderr).toBe(0);
      const version = await sql('SELECT VERSION();');
      expect(String(version.stdout)).toMatch(/^10\.11\.\d+-MariaDB/);
      const w = await sql(
        "CREATE TABLE hi_probe (id INT PRIMARY KEY, note VARCHAR(40)) DEFAULT CHARSET=utf8mb4; INSERT INTO hi_probe VALUES (1, 'one'), (2, 'zwei ü');",
      );
      expect(w.exitCode, String(w.all)).toBe(0);
      const keyBefore = envOf(mdir)._APP_OPENSSL_KEY_V1;
      const b = await run(['backup', '--dir', mdir, '--passphrase-env', 'HI_BACKUP_PASS'], { HI_BACKUP_PASS: PASS });
      expect(b.exitCode, b.stdout + b.stderr).toBe(0);
      expect(b.stdout).toMatch(/database dump \(db\/mariadb\.sql\): \d/);
      const archiveDir = join(mdir, '.harden-init', 'archives');
      expect(statSync(archiveDir).mode & 0o777).toBe(0o700);
      const [name] = archives(archiveDir);
      await downWipe(mdc, basename(mdir));
      expect(String((await execa('docker', ['volume', 'ls', '-q'])).stdout)).not.toMatch(/appwrite_appwrite-mariadb/);
      const r = await run(
        [
          'restore',
          join(archiveDir, name!),
          '--dir',
          mdir,
          '--passphrase-env',
          'HI_BACKUP_PASS',
          '--yes',
          '--timeout',
          '180',
        ],
        { HI_BACKUP_PASS: PASS },
      );
      expect(r.exitCode, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toMatch(/Database restored from db\/mariadb\.sql/);
      expect(r.stdout).toMatch(/Verified with vars/);
      expect(
        String((await sql('SELECT id, note FROM hi_probe ORDER BY id;')).stdout)
          .trim()
          .split('\n'),
      ).toEqual(['1\tone', '2\tzwei ü']);
      expect(envOf(mdir)._APP_OPENSSL_KEY_V1).toBe(keyBefore);
      for (const o of outputs)
        for (const s of Object.values(envOf(mdir)).filter((x) => x.length >= 32)) expect(o).not.toContain(s);
    });
  });

// The database in a host directory (`--db path`, real MariaDB): the directory is deleted after the backup, and the
// restore makes it again (mode 0700; the entrypoint takes ownership) before it loads the dump.
const pbase = join(base, 'path');
const pdir = join(pbase, 'appwrite');
const dbPath = join(pbase, 'mariadb-data');
const pdc = (args: string[], input?: string) =>
  execa('docker-compose', args, {
    cwd: pdir,
    input,
    reject: false,
    all: true,
    env: { DOCKER_CONFIG: DOCKER.DOCKER_CONFIG },
  });
const psqlm = (q: string) =>
  pdc(
    [
      'exec',
      '-T',
      'mariadb',
      'sh',
      '-c',
      'MYSQL_PWD="$MYSQL_PASSWORD" mariadb -N -B --protocol=tcp -h127.0.0.1 -u"$MYSQL_USER" "$MYSQL_DATABASE"',
    ],
    q,
  );

describe
  .skipIf(!hasEngine)
  .sequential('backup and restore with the database on a host path (real MariaDB)', { timeout: 600_000 }, () => {
    beforeAll(async () => {
      // The describe above put the stand-in tags back: the real MariaDB again (cached, a re-tag).
      const built = await execa(join(ROOT, 'test/e2e/realdb/build-realdb.sh'), ['mariadb'], { stderr: 'inherit' });
      for (const line of String(built.stdout).split('\n').filter(Boolean)) {
        const [tag, prev] = line.split(' ');
        if (prev && prev !== '-') previousTags.push([tag!, prev]);
      }
      await removeStackContainers();
      mkdirSync(pbase, { recursive: true });
      const install = await run([
        '--dir',
        pdir,
        '--release',
        '2.7.1',
        '--db-engine',
        'mariadb',
        '--db',
        'path',
        '--db-path',
        dbPath,
        '--no-start',
        '--domain',
        'appwrite.example.com',
        '--email',
        'admin@example.com',
        '--http-port',
        '18084',
        '--https-port',
        '18447',
        '--yes',
      ]);
      expect(install.exitCode, install.stdout + install.stderr).toBe(0);
      writeFileSync(join(pdir, 'docker-compose.override.yml'), OVERRIDE);
      const up = await pdc(['up', '-d']);
      expect(up.exitCode, String(up.all)).toBe(0);
    });

    afterAll(async () => {
      await pdc(['down', '-v', '--remove-orphans']);
      await removeStackContainers();
      for (const [tag, id] of previousTags) await execa('docker', ['tag', id, tag], { reject: false });
      await unlock?.();
    });

    it('rows survive backup → down -v → the data directory deleted → restore; the directory is 0700 again; verify exit 0', async () => {
      const v = await run(['verify', '--dir', pdir, '--timeout', '180']);
      expect(v.exitCode, v.stdout + v.stderr).toBe(0);
      expect(readdirSync(dbPath)).toContain('mysql');
      const w = await psqlm(
        "CREATE TABLE hi_path (id INT PRIMARY KEY, note VARCHAR(40)); INSERT INTO hi_path VALUES (7, 'on the host');",
      );
      expect(w.exitCode, String(w.all)).toBe(0);
      const b = await run(['backup', '--dir', pdir, '--passphrase-env', 'HI_BACKUP_PASS'], { HI_BACKUP_PASS: PASS });
      expect(b.exitCode, b.stdout + b.stderr).toBe(0);
      const archiveDir = join(pdir, '.harden-init', 'archives');
      const [name] = archives(archiveDir);
      await downWipe(pdc, basename(pdir));
      rmSync(dbPath, { recursive: true, force: true });
      const r = await run(
        [
          'restore',
          join(archiveDir, name!),
          '--dir',
          pdir,
          '--passphrase-env',
          'HI_BACKUP_PASS',
          '--yes',
          '--timeout',
          '180',
        ],
        { HI_BACKUP_PASS: PASS },
      );
      expect(r.exitCode, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toMatch(/Database restored from db\/mariadb\.sql/);
      expect(r.stdout).toMatch(/Verified with vars/);
      expect(statSync(dbPath).mode & 0o777).toBe(0o700);
      expect(String((await psqlm('SELECT id, note FROM hi_path;')).stdout).trim()).toBe('7\ton the host');
    });
  });
