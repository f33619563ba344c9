// `harden-init backup` / `restore` on Langflow installs, end to end on the real engine with the REAL PostgreSQL
// (Debian's, tagged postgres:16 by test/e2e/standin/langflow/build.sh) and the Langflow stand-in: what the archive
// holds comes from the target's `backup` description (postgres dumped, langflow-config as a tar). Rows written with
// psql and a file in Langflow's config volume survive backup → `down -v` → restore, the LANGFLOW_SECRET_KEY is
// unchanged and the restore verifies with printenv. The scheduled command (`backup --schedule`, cron flavour) is run
// as cron would run it and makes an archive. Then the same round trip with the database on a host path that is
// deleted before the restore (the restore makes it again), and with SQLite in a host config directory.
import { execa } from 'execa';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runBin, type RunResult } from '../helpers/run-bin.js';
import { REAL_ENGINE, engineAvailable, freePorts, lockEngine, removeProject } from '../helpers/engine.js';
import { parseEnv, toRecord } from '../../src/engine/envfile.js';

const hasEngine = engineAvailable();
const RELEASE = '1.13.1';
const PASS = 'langflow-backup-passphrase-4711';
const outputs: string[] = [];
/** Runs the binary; the output of everything but the install (which shows the first superuser password once) is kept. */
const run = async (args: string[], env: Record<string, string | undefined> = {}): Promise<RunResult> => {
  const r = await runBin(args, { ...REAL_ENGINE, ...env });
  if (args[0] !== 'langflow') outputs.push(r.stdout, r.stderr);
  return r;
};
const out = (r: RunResult) => r.stdout + r.stderr;
const envOf = (dir: string) => toRecord(parseEnv(readFileSync(join(dir, '.env'), 'utf8')));
const dc = (dir: string, args: string[], input?: string) =>
  execa('docker-compose', args, {
    cwd: dir,
    input,
    reject: false,
    all: true,
    extendEnv: false,
    env: { PATH: process.env.PATH!, DOCKER_HOST: process.env.DOCKER_HOST },
  });
const psql = (dir: string, sql: string) =>
  dc(
    dir,
    ['exec', '-T', 'postgres', 'sh', '-c', 'psql -v ON_ERROR_STOP=1 -qtA -U "$POSTGRES_USER" -d "$POSTGRES_DB"'],
    sql,
  );
const archives = (d: string) =>
  existsSync(d)
    ? readdirSync(d)
        .filter((n) => n.endsWith('.age'))
        .sort()
    : [];
const secretsOf = (dir: string) =>
  Object.entries(envOf(dir))
    .filter(([k, v]) => /PASS|SECRET|KEY/.test(k) && v.length >= 16)
    .map(([, v]) => v);

const VOL = 'hilfbackupvol';
const PATH_PROJECT = 'hilfbackuppath';
const SQLITE = 'hilfbackupsqlite';
const temps: string[] = [];
let unlock: (() => Promise<void>) | undefined;
let ports: number[] = [];

describe
  .skipIf(!hasEngine)
  .sequential('backup and restore of Langflow installs (real engine, real PostgreSQL)', { timeout: 300_000 }, () => {
    beforeAll(async () => {
      unlock = await lockEngine();
      await execa(join(ROOT, 'test/e2e/standin/langflow/build.sh'), [RELEASE], { stdio: 'inherit' });
      for (const p of [VOL, PATH_PROJECT, SQLITE]) await removeProject(p);
      ports = await freePorts(3);
    });

    afterAll(async () => {
      for (const p of [VOL, PATH_PROJECT, SQLITE]) await removeProject(p);
      for (const t of temps) rmSync(t, { recursive: true, force: true });
      await unlock?.();
    });

    const newDir = (name: string) => {
      const parent = mkdtempSync(join(tmpdir(), 'hi-lfbackup-'));
      temps.push(parent);
      return { parent, dir: join(parent, name) };
    };

    let dir = '';
    let parent = '';

    it('install (--db volume, --https proxy), rows in the real PostgreSQL and a file in langflow-config', async () => {
      ({ dir, parent } = newDir(VOL));
      const r = await run([
        'langflow',
        '--dir',
        dir,
        '--domain',
        'langflow.example.com',
        '--https',
        'proxy',
        '--http-port',
        String(ports[0]),
        '--yes',
        '--timeout',
        '120',
      ]);
      expect(r.exitCode, out(r)).toBe(0);
      const version = await psql(dir, 'SELECT version();');
      expect(String(version.stdout), String(version.all)).toMatch(/PostgreSQL 15\.\d+ \(Debian/);
      const w = await psql(
        dir,
        "CREATE TABLE flow_probe (id int PRIMARY KEY, name text); INSERT INTO flow_probe VALUES (1, 'first flow'), (2, 'zweiter ü');",
      );
      expect(w.exitCode, String(w.all)).toBe(0);
      const f = await dc(dir, [
        'exec',
        '-T',
        'langflow',
        'sh',
        '-c',
        'mkdir -p /app/langflow/uploads && printf "langflow upload\\n" > /app/langflow/uploads/probe.txt',
      ]);
      expect(f.exitCode, String(f.all)).toBe(0);
    });

    it('backup: the target decides the parts — the postgres dump and langflow-config; the archive is named for Langflow', async () => {
      const r = await run(['backup', '--dir', dir, '--passphrase-env', 'HI_PASS'], { HI_PASS: PASS });
      expect(r.exitCode, out(r)).toBe(0);
      expect(r.stdout).toMatch(/database dump \(db\/postgresql\.sql\): \d/);
      expect(r.stdout).toMatch(/volume langflow-config: \d/);
      expect(r.stdout).toMatch(/It holds \.env with LANGFLOW_SECRET_KEY/);
      expect(r.stdout).toMatch(/Archive written: .*harden-init-backup-\S+-langflow-1\.13\.1\.age/);
      const dirA = join(dir, '.harden-init', 'archives');
      const [name] = archives(dirA);
      expect(statSync(join(dirA, name!)).mode & 0o777).toBe(0o600);
      const bytes = readFileSync(join(dirA, name!));
      for (const s of secretsOf(dir)) expect(bytes.includes(Buffer.from(s))).toBe(false);
      expect(bytes.includes(Buffer.from('flow_probe'))).toBe(false);
    });

    it('the scheduled command (cron flavour, passphrase in a root-only file) run as cron runs it makes an archive', async () => {
      const sched = join(parent, 'sched');
      const env = {
        HARDEN_INIT_SCHEDULER: 'cron',
        HARDEN_INIT_CRON_DIR: join(sched, 'cron.d'),
        HARDEN_INIT_SECRET_DIR: join(sched, 'secret'),
        HI_PASS: PASS,
      };
      await execa('mkdir', ['-p', env.HARDEN_INIT_CRON_DIR]);
      const s = await run(
        ['backup', '--schedule', 'daily', '--dir', dir, '--passphrase-env', 'HI_PASS', '--keep', '2'],
        env,
      );
      expect(s.exitCode, out(s)).toBe(0);
      const [cronName] = readdirSync(env.HARDEN_INIT_CRON_DIR);
      const text = readFileSync(join(env.HARDEN_INIT_CRON_DIR, cronName!), 'utf8');
      const vars = Object.fromEntries(
        text
          .split('\n')
          .filter((l) => /^[A-Z_]+=/.test(l))
          .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
      );
      expect(vars.DOCKER_HOST).toBe(process.env.DOCKER_HOST);
      const command = text
        .split('\n')
        .find((l) => / root /.test(l) && !l.startsWith('#'))!
        .replace(/^(\S+ ){5}root /, '')
        .replace(/\\%/g, '%');
      const before = archives(join(dir, '.harden-init', 'archives')).length;
      // cron's environment: only what the file sets (and HOME/LOGNAME/SHELL), no passphrase variable
      const cron = await execa('/bin/sh', ['-c', command], {
        extendEnv: false,
        env: { ...vars, HOME: '/root', LOGNAME: 'root' },
        reject: false,
        all: true,
      });
      const log = readFileSync(join(dir, '.harden-init', 'backup.log'), 'utf8');
      expect(cron.exitCode, log).toBe(0);
      expect(log).toMatch(/Archive written: .*-langflow-1\.13\.1\.age/);
      expect(archives(join(dir, '.harden-init', 'archives'))).toHaveLength(Math.min(2, before + 1));
      for (const v of secretsOf(dir)) expect(log).not.toContain(v);
      expect(log).not.toContain(PASS);
      const u = await run(['backup', '--unschedule', '--dir', dir], env);
      expect(u.exitCode).toBe(0);
      expect(readdirSync(env.HARDEN_INIT_CRON_DIR)).toEqual([]);
      expect(readdirSync(env.HARDEN_INIT_SECRET_DIR)).toEqual([]);
    });

    it("another install's key is refused naming LANGFLOW_SECRET_KEY; down -v then restore brings rows, file and key back, verified with printenv", async () => {
      const dirA = join(dir, '.harden-init', 'archives');
      const archive = join(dirA, archives(dirA).at(-1)!);
      const keyBefore = envOf(dir).LANGFLOW_SECRET_KEY;
      // the key guard, on a copy of the install with another key
      const { dir: other } = newDir('hilfother');
      await execa('mkdir', ['-p', other]);
      await execa('sh', [
        '-c',
        `sed 's/^LANGFLOW_SECRET_KEY=.*/LANGFLOW_SECRET_KEY=another-key-0123456789abcdef0123456789abcdef/' "${dir}/.env" > "${other}/.env" && cp "${dir}/docker-compose.yml" "${other}/"`,
      ]);
      const refused = await run(['restore', archive, '--dir', other, '--passphrase-env', 'HI_PASS', '--yes'], {
        HI_PASS: PASS,
      });
      expect(refused.exitCode, out(refused)).toBe(2);
      expect(refused.stderr).toMatch(/different encryption key \(LANGFLOW_SECRET_KEY\)/);
      expect(refused.stderr).toMatch(/Langflow encrypts stored secrets/);

      const down = await dc(dir, ['down', '-v']);
      expect(down.exitCode, String(down.all)).toBe(0);
      expect(
        String(
          (await execa('docker', ['volume', 'ls', '-q', '--filter', `label=com.docker.compose.project=${VOL}`])).stdout,
        ).trim(),
      ).toBe('');
      const r = await run(
        ['restore', archive, '--dir', dir, '--passphrase-env', 'HI_PASS', '--yes', '--timeout', '120'],
        { HI_PASS: PASS },
      );
      expect(r.exitCode, out(r)).toBe(0);
      expect(r.stdout).toMatch(/Archive verified: \d+ parts match the manifest \(.*Langflow 1\.13\.1\)/);
      expect(r.stdout).toMatch(/Database restored from db\/postgresql\.sql/);
      expect(r.stdout).toMatch(/Volume langflow-config restored/);
      expect(r.stdout).toMatch(/Verified with printenv/);
      expect(
        String((await psql(dir, 'SELECT id, name FROM flow_probe ORDER BY id;')).stdout)
          .trim()
          .split('\n'),
      ).toEqual(['1|first flow', '2|zweiter ü']);
      const f = await dc(dir, [
        'exec',
        '-T',
        'langflow',
        'sh',
        '-c',
        'cat /app/langflow/uploads/probe.txt; stat -c %u /app/langflow/uploads/probe.txt',
      ]);
      expect(String(f.stdout).split('\n')).toEqual(['langflow upload', '1000']); // the owner kept: the app (uid 1000) can still write it
      expect(envOf(dir).LANGFLOW_SECRET_KEY).toBe(keyBefore);
      const v = await run(['verify', '--dir', dir, '--timeout', '120']);
      expect(v.exitCode, out(v)).toBe(0);
      for (const o of outputs) for (const s of secretsOf(dir)) expect(o).not.toContain(s);
      await dc(dir, ['down', '-v', '--timeout', '3']);
    });

    it('--db path: the database directory deleted after the backup is made again by the restore, rows back, verified', async () => {
      const { dir: pdir, parent: pparent } = newDir(PATH_PROJECT);
      const dbPath = join(pparent, 'pgdata');
      const r = await run([
        'langflow',
        '--dir',
        pdir,
        '--domain',
        'langflow.example.com',
        '--https',
        'proxy',
        '--http-port',
        String(ports[1]),
        '--db',
        'path',
        '--db-path',
        dbPath,
        '--yes',
        '--timeout',
        '120',
      ]);
      expect(r.exitCode, out(r)).toBe(0);
      expect(existsSync(join(dbPath, 'PG_VERSION'))).toBe(true);
      expect(
        (await psql(pdir, "CREATE TABLE path_probe (x text); INSERT INTO path_probe VALUES ('on the host');")).exitCode,
      ).toBe(0);
      const b = await run(['backup', '--dir', pdir, '--passphrase-env', 'HI_PASS'], { HI_PASS: PASS });
      expect(b.exitCode, out(b)).toBe(0);
      const dirA = join(pdir, '.harden-init', 'archives');
      expect((await dc(pdir, ['down', '-v'])).exitCode).toBe(0);
      rmSync(dbPath, { recursive: true, force: true });
      const res = await run(
        [
          'restore',
          join(dirA, archives(dirA)[0]!),
          '--dir',
          pdir,
          '--passphrase-env',
          'HI_PASS',
          '--yes',
          '--timeout',
          '120',
        ],
        { HI_PASS: PASS },
      );
      expect(res.exitCode, out(res)).toBe(0);
      expect(res.stdout).toMatch(/Database restored from db\/postgresql\.sql/);
      expect(res.stdout).toMatch(/Verified with printenv/);
      expect(statSync(dbPath).mode & 0o777).toBe(0o700);
      expect(existsSync(join(dbPath, 'PG_VERSION'))).toBe(true);
      expect(String((await psql(pdir, 'SELECT x FROM path_probe;')).stdout).trim()).toBe('on the host');
      expect(basename(dbPath)).toBe('pgdata');
      await dc(pdir, ['down', '-v', '--timeout', '3']);
    });

    it('--db sqlite: the host config directory (langflow.db, uploads) is saved while langflow is paused, and made again by the restore (1000:0, 0700)', async () => {
      const { dir: sdir, parent: sparent } = newDir(SQLITE);
      const configDir = join(sparent, 'langflow-config');
      const r = await run([
        'langflow',
        '--dir',
        sdir,
        '--domain',
        'langflow.example.com',
        '--https',
        'proxy',
        '--http-port',
        String(ports[2]),
        '--db',
        'sqlite',
        '--db-path',
        configDir,
        '--yes',
        '--timeout',
        '120',
      ]);
      expect(r.exitCode, out(r)).toBe(0);
      expect(
        (
          await dc(sdir, [
            'exec',
            '-T',
            'langflow',
            'sh',
            '-c',
            'mkdir -p /app/langflow/uploads && printf "sqlite upload\\n" > /app/langflow/uploads/probe.txt && printf "rows" >> /app/langflow/langflow.db',
          ])
        ).exitCode,
      ).toBe(0);
      const dbBytes = readFileSync(join(configDir, 'langflow.db'));
      const b = await run(['backup', '--dir', sdir, '--passphrase-env', 'HI_PASS'], { HI_PASS: PASS });
      expect(b.exitCode, out(b)).toBe(0);
      expect(b.stdout).toMatch(/is saved as a directory while langflow is paused/);
      expect(b.stdout).toMatch(/directory langflow\/app\/langflow: \d/);
      expect(b.stdout + b.stderr).not.toMatch(/external/);
      // unpaused again: the app answers
      const after = await run(['verify', '--dir', sdir, '--timeout', '60']);
      expect(after.exitCode, out(after)).toBe(0);
      const dirA = join(sdir, '.harden-init', 'archives');
      expect((await dc(sdir, ['down', '-v'])).exitCode).toBe(0);
      rmSync(configDir, { recursive: true, force: true });
      const res = await run(
        [
          'restore',
          join(dirA, archives(dirA)[0]!),
          '--dir',
          sdir,
          '--passphrase-env',
          'HI_PASS',
          '--yes',
          '--timeout',
          '120',
        ],
        { HI_PASS: PASS },
      );
      expect(res.exitCode, out(res)).toBe(0);
      expect(res.stdout).toMatch(new RegExp(`Directory ${configDir.replace(/[/.]/g, '\\$&')} restored`));
      expect(res.stdout).toMatch(/Verified with printenv/);
      const st = statSync(configDir);
      expect([st.uid, st.gid, st.mode & 0o777]).toEqual([1000, 0, 0o700]);
      expect(readFileSync(join(configDir, 'uploads', 'probe.txt'), 'utf8')).toBe('sqlite upload\n');
      expect(statSync(join(configDir, 'uploads', 'probe.txt')).uid).toBe(1000);
      expect(readFileSync(join(configDir, 'langflow.db')).equals(dbBytes)).toBe(true);
      await dc(sdir, ['down', '-v', '--timeout', '3']);
    });
  });
