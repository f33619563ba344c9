// `harden-init upgrade` and `rollback` through the built binary without Docker (release descriptions from
// test/fixtures/releases/): the plan, one step at a time with --no-start, what each step keeps and changes, the
// backups it takes, the refusals, and rollback putting the files back byte for byte.
import { describe, expect, it } from 'vitest';
import { appendFileSync, existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createHash } from 'node:crypto';
import { runBin, tempDir } from '../helpers/run-bin.js';
import { runMain } from '../helpers/run-main.js';
import { parseEnv, toRecord } from '../../src/engine/envfile.js';

const FIRST = [
  '--domain',
  'appwrite.example.com',
  '--email',
  'admin@example.com',
  '--yes',
  '--no-start',
  '--allow-insecure-release',
];
const read = (dir: string, f: string) => readFileSync(join(dir, f), 'utf8');
const envOf = (dir: string) => toRecord(parseEnv(read(dir, '.env')));
const stateOf = (dir: string) => JSON.parse(read(dir, '.harden-init/state.json'));
const snapshot = (dir: string) =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => {
      const p = join(e.parentPath, e.name);
      return [p, readFileSync(p, 'utf8')];
    })
    .sort();
const backups = (dir: string) =>
  existsSync(join(dir, '.harden-init/backups')) ? readdirSync(join(dir, '.harden-init/backups')).sort() : [];

async function install(release: string): Promise<string> {
  const dir = join(tempDir('hi-upgrade-'), 'appwrite');
  const r = await runBin(['--dir', dir, '--release', release, ...FIRST]);
  expect(r.exitCode, r.stderr).toBe(0);
  return dir;
}
const cleanup = (dir: string) => rmSync(dirname(dir), { recursive: true, force: true });

describe.concurrent('harden-init upgrade (files only, no Docker)', () => {
  it('--dry-run prints every step and what it changes, and changes nothing', async ({ expect }) => {
    const dir = await install('1.9.5');
    const before = snapshot(dir);
    const r = await runBin(['upgrade', '--dir', dir, '--to', '2.3.0', '--dry-run', '--allow-insecure-release']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Upgrade plan: 2 steps/);
    expect(r.stdout).toMatch(/1\. 1\.9\.5 → 1\.9\.10/);
    expect(r.stdout).toMatch(/2\. 1\.9\.10 → 2\.3\.0/);
    expect(r.stdout).toMatch(/services added: [^\n]*clickhouse/);
    expect(r.stdout).toMatch(/variables dropped: [^\n]*_APP_LOGGING_PROVIDER/);
    expect(r.stdout).toMatch(/new secrets generated: [^\n]*_APP_JOBS_SECRET/);
    expect(r.stdout).toMatch(/mariadb dump through the mariadb container/);
    expect(r.stdout).toMatch(/Dry run: nothing was changed/);
    expect(snapshot(dir)).toEqual(before);
    cleanup(dir);
  });

  it("without --to: the newest release of the install's own line", async ({ expect }) => {
    const dir = await install('1.9.5');
    const r = await runBin(['upgrade', '--dir', dir, '--dry-run']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Appwrite 1\.9\.5 → 1\.9\.10/);
    expect(r.stdout).toMatch(/Upgrade plan: 1 step\b/);
    cleanup(dir);
  });

  it('step by step 1.9.5 → 1.9.10 → 2.3.0: secrets and unknown keys kept, new secrets made, rename carried, dropped removed, history and backups', async ({
    expect,
  }) => {
    const dir = await install('1.9.5');
    appendFileSync(join(dir, '.env'), 'MY_OWN_SETTING=kept as is\n_APP_CONSOLE_URL_SCHEME=https\n');
    const env0 = envOf(dir);
    const files0 = {
      env: read(dir, '.env'),
      compose: read(dir, 'docker-compose.yml'),
      state: read(dir, '.harden-init/state.json'),
    };

    const r1 = await runBin(['upgrade', '--dir', dir, '--no-start', '--yes']);
    expect(r1.exitCode, r1.stderr).toBe(0);
    expect(stateOf(dir).release).toBe('1.9.10');
    expect(read(dir, 'docker-compose.yml')).toContain('image: appwrite/appwrite:1.9.10');
    const [b1] = backups(dir);
    expect(backups(dir)).toHaveLength(1); // one full backup per step (no duplicate)
    const bdir1 = join(dir, '.harden-init/backups', b1!);
    expect(read(bdir1, '.env')).toBe(files0.env);
    expect(read(bdir1, 'docker-compose.yml')).toBe(files0.compose);
    expect(read(bdir1, '.harden-init__state.json')).toBe(files0.state);
    const m1 = JSON.parse(read(bdir1, 'upgrade.json'));
    expect(m1).toMatchObject({
      from: '1.9.5',
      to: '1.9.10',
      result: 'files-written',
      files: ['.env', 'docker-compose.yml', '.harden-init/compose-written.yml', '.harden-init/state.json'],
    });
    expect(r1.stdout).toMatch(/No Docker: no database dump taken/);

    const r2 = await runBin([
      'upgrade',
      '--dir',
      dir,
      '--to',
      '2.3.0',
      '--no-start',
      '--yes',
      '--allow-insecure-release',
    ]);
    expect(r2.exitCode, r2.stderr).toBe(0);
    const env2 = envOf(dir);
    for (const k of ['_APP_OPENSSL_KEY_V1', '_APP_DB_PASS', '_APP_DB_ROOT_PASS', '_APP_EXECUTOR_SECRET'])
      expect(env2[k], k).toBe(env0[k]);
    for (const k of ['_APP_JOBS_SECRET', '_APP_GEO_SECRET', '_APP_USAGE_PASS', '_APP_NOTIFICATIONS_TRACKING_SECRET'])
      expect(env2[k], k).toMatch(/^[A-Za-z0-9_-]{32,}$/);
    expect(env2._APP_CONNECTIONS_DB_USAGE).toContain(env2._APP_USAGE_PASS);
    expect(read(dir, '.env')).toContain('MY_OWN_SETTING=kept as is');
    expect(env2._APP_CONSOLE_URL).toBe('https://appwrite.example.com');
    expect(env2._APP_CONSOLE_URL_SCHEME).toBeUndefined();
    expect(env2._APP_LOGGING_PROVIDER).toBeUndefined();
    expect(env2._APP_DB_ADAPTER).toBe('mariadb'); // the engine is kept across lines
    expect(r2.stdout).toMatch(/Carried: _APP_CONSOLE_URL_SCHEME → _APP_CONSOLE_URL/);
    expect(r2.stdout).toMatch(/Removed from \.env[^\n]*_APP_LOGGING_PROVIDER/);
    expect(r2.stdout).not.toContain(env2._APP_JOBS_SECRET);
    const state = stateOf(dir);
    expect(state.release).toBe('2.3.0');
    expect(state.history.map((h: { from: string; to: string }) => `${h.from}>${h.to}`)).toEqual([
      '1.9.5>1.9.10',
      '1.9.10>2.3.0',
    ]);
    expect(state.history[1].backup).toMatch(/^\.harden-init\/backups\//);
    expect(read(dir, 'docker-compose.yml')).toMatch(/clickhouse:/);
    expect(read(dir, 'docker-compose.yml')).toMatch(/mariadb:/);
    cleanup(dir);
  });

  it("rollback puts the files of the newest step's backup back byte for byte (and keeps what it replaced)", async ({
    expect,
  }) => {
    const dir = await install('1.9.5');
    const before = {
      env: read(dir, '.env'),
      compose: read(dir, 'docker-compose.yml'),
      state: read(dir, '.harden-init/state.json'),
    };
    expect((await runBin(['upgrade', '--dir', dir, '--no-start', '--yes'])).exitCode).toBe(0);
    const upgraded = read(dir, '.env');
    const noDb = await runBin(['rollback', '--dir', dir, '--yes', '--no-start', '--with-db']);
    expect(noDb.exitCode).toBe(2);
    expect(noDb.stderr).toMatch(/holds no database dump; nothing was changed/);
    expect(read(dir, '.env')).toBe(upgraded);
    const noYes = await runBin(['rollback', '--dir', dir, '--no-start']);
    expect(noYes.exitCode).toBe(2);
    const r = await runBin(['rollback', '--dir', dir, '--yes', '--no-start']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(read(dir, '.env')).toBe(before.env);
    expect(read(dir, 'docker-compose.yml')).toBe(before.compose);
    expect(read(dir, '.harden-init/state.json')).toBe(before.state);
    expect(backups(dir).some((b) => b.includes('-before-rollback-'))).toBe(true);
    const unknown = await runBin(['rollback', '--dir', dir, '--yes', '--no-start', '--backup', 'nope']);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toMatch(/no such backup/);
    cleanup(dir);
  });

  it('refusals change nothing: a downgrade, --no-start over several steps, below the minimum, no --yes, hand edits over a file harden-init cannot re-create', async ({
    expect,
  }) => {
    const dir = await install('1.9.5');
    const before = snapshot(dir);
    const cases: [string[], RegExp][] = [
      [['--to', '1.9.4'], /no reverse migration/],
      [['--to', '2.3.0', '--no-start', '--yes', '--allow-insecure-release'], /takes 2 steps/],
      [['--to', '2.3.0', '--yes'], /below the 2\.x line's security minimum/],
      [['--to', '1.9.10', '--no-start'], /confirm with --yes/],
      [['--release', '1.9.10', '--yes'], /--to <version>/],
    ];
    for (const [args, msg] of cases) {
      const r = await runBin(['upgrade', '--dir', dir, ...args]);
      expect(r.exitCode, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(msg);
    }
    // A hand edit, and harden-init cannot tell exactly what it wrote (as after an older harden-init): it stops.
    writeFileSync(
      join(dir, 'docker-compose.yml'),
      read(dir, 'docker-compose.yml').replace('      - _APP_ENV\n', '      - _APP_ENV\n      - MINE=1\n'),
    );
    const st = stateOf(dir);
    writeFileSync(
      join(dir, '.harden-init/state.json'),
      `${JSON.stringify({ ...st, composeSha256: '0'.repeat(64) }, null, 2)}\n`,
    );
    const edited = snapshot(dir);
    const r = await runBin(['upgrade', '--dir', dir, '--no-start', '--yes']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/edited by hand[\s\S]*cannot tell exactly what it wrote[\s\S]*--replace-compose/);
    expect(snapshot(dir)).toEqual(edited);
    expect(before).not.toEqual(edited);
    const replaced = await runBin(['upgrade', '--dir', dir, '--no-start', '--yes', '--replace-compose']);
    expect(replaced.exitCode, replaced.stderr).toBe(0);
    expect(read(dir, 'docker-compose.yml')).not.toContain('MINE=1');
    const [b] = backups(dir);
    expect(read(join(dir, '.harden-init/backups', b!), 'docker-compose.yml')).toContain('      - MINE=1\n');
    cleanup(dir);
  });

  it('a .env that lost the encryption key or the bundled database password is refused before anything, naming the backup that holds it', async ({
    expect,
  }) => {
    const dir = await install('1.9.10');
    // a re-run that changes something backs the .env up (with every secret in it)
    const again = await runBin(['--dir', dir, '--release', '1.9.10', ...FIRST, '--email', 'ops@example.com']);
    expect(again.exitCode, again.stderr).toBe(0);
    const [backup] = backups(dir);
    expect(backup).toBeDefined();
    const full = read(dir, '.env');
    for (const [name, msg] of [
      [
        '_APP_DB_PASS',
        /\.env has no value for _APP_DB_PASS, but this install's bundled database[^\n]* still holds the old password/,
      ],
      ['_APP_DB_ROOT_PASS', /\.env has no value for _APP_DB_ROOT_PASS/],
      [
        '_APP_OPENSSL_KEY_V1',
        /\.env has no value for _APP_OPENSSL_KEY_V1: [^\n]*unreadable[^\n]*An upgrade never runs without it/,
      ],
    ] as const) {
      writeFileSync(join(dir, '.env'), full.replace(new RegExp(`^${name}=.*\n`, 'm'), ''));
      const before = snapshot(dir);
      const r = await runBin([
        'upgrade',
        '--dir',
        dir,
        '--to',
        '2.3.1',
        '--no-start',
        '--yes',
        '--allow-insecure-release',
      ]);
      expect(r.exitCode, name).toBe(2);
      expect(r.stderr, name).toMatch(msg);
      expect(r.stderr).toContain(`The newest backup that holds ${name} is `);
      expect(r.stderr).toContain(`grep '^${name}=' `);
      expect(r.stderr).toContain(backup);
      expect(snapshot(dir), name).toEqual(before);
    }
    cleanup(dir);
  });

  it('hand edits carried three-way across 1.9.5 → 1.9.10 → 2.3.0; a conflicting one and a weakening one proposed, not applied', async ({
    expect,
  }) => {
    const dir = await install('1.9.5');
    let c = read(dir, 'docker-compose.yml');
    c = c.replace('      - _APP_ENV\n', '      - _APP_ENV\n      - MY_HAND_FLAG=on\n'); // carried at both steps
    const audits = c.indexOf('  appwrite-worker-audits:\n');
    const at = c.indexOf('    restart: unless-stopped\n', audits);
    c = `${c.slice(0, at)}    restart: always\n${c.slice(at + '    restart: unless-stopped\n'.length)}`; // its service is gone in 2.3
    c = c.replace(/\n {2}redis:\n/, '\n  redis:\n    ports:\n      - "6379:6379"\n'); // publishes an internal service
    c = c.replace(
      /\n {2}redis:\n/,
      '\n  mine:\n    image: busybox:1.36.1\n    command: [sleep, infinity]\n    networks: [appwrite]\n  redis:\n',
    ); // a service of their own
    writeFileSync(join(dir, 'docker-compose.yml'), c);

    const dry = await runBin(['upgrade', '--dir', dir, '--to', '2.3.0', '--dry-run', '--allow-insecure-release']);
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(
      /1\. 1\.9\.5 → 1\.9\.10[\s\S]*hand edits of docker-compose\.yml \(three-way[^\n]*\): 3 carried, 1 not[\s\S]*2\. 1\.9\.10 → 2\.3\.0/,
    );
    expect(dry.stdout).toMatch(
      /NOT carried: added services\.redis\.ports = \["6379:6379"\] — harden-init refuses it \(service redis publishes 6379:6379\)/,
    );
    expect(dry.stdout).toMatch(
      /carried: added services\.mine = \{[^\n]*\} \(hardened by harden-init's rules: [^\n]*log-rotation[^\n]*restart-no-new-privileges/,
    );
    expect(dry.stdout).toMatch(
      /2\. 1\.9\.10 → 2\.3\.0[\s\S]*2 carried, 1 not[\s\S]*carried: added services\.appwrite\.environment\.MY_HAND_FLAG = "on"[\s\S]*NOT carried: changed services\.appwrite-worker-audits\.restart = "always" — services\.appwrite-worker-audits is not in the new release's file/,
    );
    expect(existsSync(join(dir, 'docker-compose.proposed.yml'))).toBe(false);

    const r1 = await runBin(['upgrade', '--dir', dir, '--no-start', '--yes']);
    expect(r1.exitCode, r1.stderr).toBe(0);
    const c1 = read(dir, 'docker-compose.yml');
    expect(c1).toContain('image: appwrite/appwrite:1.9.10');
    expect(c1).toContain('      - MY_HAND_FLAG=on\n');
    expect(c1).not.toContain('6379:6379');
    expect(c1).toMatch(/appwrite-worker-audits:[^]*?restart: always/);
    const p1 = read(dir, 'docker-compose.proposed.yml');
    expect(p1).toMatch(/^# PROPOSAL, not in use[^]*services\.redis\.ports[^]*harden-init refuses it/);
    // Their own service rides along, hardened like the others (log rotation, no-new-privileges).
    expect(c1).toMatch(/\n {2}mine:\n(?: {4}.*\n| {6}.*\n| {8}.*\n)*? {6}- no-new-privileges:true\n/);
    expect(p1).toMatch(/\n {2}redis:\n(?: {4}.*\n)*? {4}ports:\n {6}- 6379:6379\n/);
    // state.json keeps harden-init's own file's sha256 (its copy beside it), so the edits stay hand edits.
    expect(stateOf(dir).composeSha256).toBe(
      createHash('sha256').update(read(dir, '.harden-init/compose-written.yml')).digest('hex'),
    );

    const r2 = await runBin([
      'upgrade',
      '--dir',
      dir,
      '--to',
      '2.3.0',
      '--no-start',
      '--yes',
      '--allow-insecure-release',
    ]);
    expect(r2.exitCode, r2.stderr).toBe(0);
    expect(r2.stdout).toMatch(/BASE from \.harden-init\/compose-written\.yml\): 2 carried, 1 not/);
    const c2 = read(dir, 'docker-compose.yml');
    expect(c2).toContain('image: appwrite/appwrite:2.3.0');
    expect(c2).toMatch(/\n {2}appwrite:\n[^]*?environment:\n(?: {6}- .*\n)*? {6}- MY_HAND_FLAG=on\n/);
    expect(c2).not.toContain('appwrite-worker-audits:');
    expect(c2).toMatch(/\n {2}mine:\n/);
    expect(read(dir, 'docker-compose.proposed.yml')).toMatch(
      /appwrite-worker-audits\.restart = "always" — not applied: services\.appwrite-worker-audits is not in the new release's file/,
    );
    // The first step's proposal is kept in the second step's backup.
    const [, b2] = backups(dir);
    expect(read(join(dir, '.harden-init/backups', b2!), 'docker-compose.proposed.yml')).toBe(p1);
    cleanup(dir);
  });

  it("two steps in one run (--dry-run, --json): a hand edit step 1 could not carry is still listed at the end, with its step, beside step 2's", async ({
    expect,
  }) => {
    const dir = await install('1.9.5');
    let c = read(dir, 'docker-compose.yml');
    c = c.replace(/\n {2}redis:\n/, '\n  redis:\n    ports:\n      - "6379:6379"\n'); // not carried at step 1 (weakens the hardening)
    const audits = c.indexOf('  appwrite-worker-audits:\n');
    const at = c.indexOf('    restart: unless-stopped\n', audits);
    c = `${c.slice(0, at)}    restart: always\n${c.slice(at + '    restart: unless-stopped\n'.length)}`; // carried at step 1, its service gone at step 2
    writeFileSync(join(dir, 'docker-compose.yml'), c);
    const before = snapshot(dir);

    const dry = await runBin(['upgrade', '--dir', dir, '--to', '2.3.0', '--dry-run', '--allow-insecure-release']);
    expect(dry.exitCode, dry.stderr).toBe(0);
    // Step 2 names step 1's edit again (it is in no file step 2 reads, and would otherwise vanish from its proposal).
    expect(dry.stdout).toMatch(
      /2\. 1\.9\.10 → 2\.3\.0[^]*still NOT carried \(since step 1\.9\.5 → 1\.9\.10\): added services\.redis\.ports = \["6379:6379"\] — harden-init refuses it[^\n]*; proposed in docker-compose\.proposed\.yml/,
    );
    const summary = dry.stdout.slice(
      dry.stdout.indexOf('Hand edits NOT carried into docker-compose.yml over the whole upgrade (2)'),
    );
    expect(summary).toMatch(/^Hand edits NOT carried[^\n]*the run would write docker-compose\.proposed\.yml/);
    expect(summary).toMatch(
      /- step 1\.9\.5 → 1\.9\.10: added services\.redis\.ports = \["6379:6379"\] — harden-init refuses it \(service redis publishes 6379:6379\); proposed in docker-compose\.proposed\.yml/,
    );
    expect(summary).toMatch(
      /- step 1\.9\.10 → 2\.3\.0: changed services\.appwrite-worker-audits\.restart = "always" — services\.appwrite-worker-audits is not in the new release's file; listed in docker-compose\.proposed\.yml, not written there either/,
    );
    expect(summary).toMatch(/Dry run: nothing was changed/);

    const json = await runBin([
      'upgrade',
      '--dir',
      dir,
      '--to',
      '2.3.0',
      '--dry-run',
      '--json',
      '--allow-insecure-release',
    ]);
    expect(json.exitCode, json.stderr).toBe(0);
    const out = JSON.parse(json.stdout);
    expect(out.proposal).toBe('docker-compose.proposed.yml');
    expect(out.notCarried).toEqual([
      expect.objectContaining({
        step: '1.9.5 → 1.9.10',
        edit: 'added services.redis.ports = ["6379:6379"]',
        proposed: true,
      }),
      expect.objectContaining({
        step: '1.9.10 → 2.3.0',
        edit: 'changed services.appwrite-worker-audits.restart = "always"',
        proposed: false,
        notProposedBecause: "services.appwrite-worker-audits is not in the new release's file",
      }),
    ]);
    expect(snapshot(dir)).toEqual(before);
    cleanup(dir);
  });

  it('a compose file that differs only in comments: the upgrade goes on and says the comments are not carried', async ({
    expect,
  }) => {
    const dir = await install('1.9.5');
    writeFileSync(join(dir, 'docker-compose.yml'), `${read(dir, 'docker-compose.yml')}# my note\n`);
    const r = await runBin(['upgrade', '--dir', dir, '--no-start', '--yes']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/differs from harden-init's file only in comments or layout: not carried/);
    expect(read(dir, 'docker-compose.yml')).not.toContain('# my note');
    expect(existsSync(join(dir, 'docker-compose.proposed.yml'))).toBe(false);
    cleanup(dir);
  });

  it('a step left unfinished (its migration failed): a plain re-run refuses and names --resume and rollback; --resume needs one', async ({
    expect,
  }) => {
    const dir = await install('1.9.5');
    const nothing = await runBin(['upgrade', '--dir', dir, '--resume', '--yes']);
    expect(nothing.exitCode).toBe(2);
    expect(nothing.stderr).toMatch(
      /--resume: no upgrade step of \S+ is left unfinished \(it has no upgrade history\); nothing was changed/,
    );
    expect((await runBin(['upgrade', '--dir', dir, '--no-start', '--yes'])).exitCode).toBe(0);
    // What a run whose migration failed leaves in state.json (test/e2e/upgrade.test.ts makes it happen for real).
    const st = stateOf(dir);
    st.history[0].result = 'migrate-failed';
    writeFileSync(join(dir, '.harden-init/state.json'), `${JSON.stringify(st, null, 2)}\n`);
    const before = snapshot(dir);
    const plain = await runBin(['upgrade', '--dir', dir, '--to', '2.3.0', '--yes', '--allow-insecure-release']);
    expect(plain.exitCode).toBe(2);
    expect(plain.stderr).toMatch(
      /The upgrade step 1\.9\.5 → 1\.9\.10 stopped \(migrate-failed\): Appwrite's migration to 1\.9\.10 has not completed, so no other step starts; nothing was changed/,
    );
    expect(plain.stderr).toMatch(/upgrade --dir \S+ --resume --yes[^]*rollback --dir \S+ --backup \S+ --yes/);
    const noStart = await runBin(['upgrade', '--dir', dir, '--resume', '--no-start', '--yes']);
    expect(noStart.exitCode).toBe(2);
    expect(noStart.stderr).toMatch(/--resume starts the stack/);
    const noDocker = await runBin(['upgrade', '--dir', dir, '--resume', '--yes']);
    expect(noDocker.exitCode).toBe(1);
    expect(noDocker.stderr).toMatch(/Docker \(engine and Compose\) is needed/);
    const dry = await runBin(['upgrade', '--dir', dir, '--resume', '--dry-run']);
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(
      /Upgrade plan: resume\n[^]*0\. resume 1\.9\.5 → 1\.9\.10 \(stopped: migrate-failed\)[^]*migrate, vars verification/,
    );
    expect(snapshot(dir)).toEqual(before);
    const wrong = await runBin(['check', '--dir', dir, '--resume']);
    expect(wrong.exitCode).toBe(2);
    expect(wrong.stderr).toMatch(/--resume belongs to harden-init upgrade/);
    cleanup(dir);
  });

  it('an install whose target has no upgrade is refused, naming the products that have one; nothing changed', async ({
    expect,
  }) => {
    const dir = await install('1.9.5');
    writeFileSync(
      join(dir, '.harden-init/state.json'),
      `${JSON.stringify({ ...stateOf(dir), target: 'langflow' }, null, 2)}\n`,
    );
    const before = snapshot(dir);
    const r = await runBin(['upgrade', '--dir', dir, '--yes', '--no-start']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/harden-init upgrade moves Appwrite installs; \S+ holds langflow\./);
    expect(snapshot(dir)).toEqual(before);
    cleanup(dir);
  });

  it('an install harden-init did not write is adopted first; the install at the newest release has nothing to do', async ({
    expect,
  }) => {
    const dir = join(tempDir('hi-upgrade-'), 'appwrite');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, '.env'), '_APP_OPENSSL_KEY_V1=your-secret-key\n_APP_DB_ADAPTER=mariadb\n');
    writeFileSync(join(dir, 'docker-compose.yml'), 'services:\n  appwrite:\n    image: appwrite/appwrite:1.9.6\n');
    const r = await runBin(['upgrade', '--dir', dir, '--yes', '--no-start']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/not set up by harden-init[\s\S]*Adopt it first/);
    cleanup(dir);
    const at = await install('1.9.10');
    const same = await runBin(['upgrade', '--dir', at, '--yes', '--no-start']);
    expect(same.exitCode, same.stderr).toBe(0);
    expect(same.stdout).toMatch(/already runs Appwrite 1\.9\.10/);
    cleanup(at);
  });
});

describe('an upgrade over a hand-edited compose file it cannot read', () => {
  // In-process (src, not dist): the refusal is the YAML reader's, one line naming the file and what is wrong.
  const bomb = (levels: number) => {
    let text = `x-l0: &l0 [${Array(10).fill('lol').join(', ')}]\n`;
    for (let i = 1; i < levels; i++)
      text += `x-l${i}: &l${i} [${Array(10)
        .fill(`*l${i - 1}`)
        .join(', ')}]\n`;
    return text;
  };
  it.each([
    ['an alias bomb', (t: string) => `${bomb(10)}${t}`, /docker-compose\.yml: too many YAML aliases/],
    [
      'a key twice in one map',
      (t: string) => t.replace(/^services:\n/m, 'services:\n  appwrite:\n    image: x\n'),
      /docker-compose\.yml line \d+, column \d+: not readable as YAML: Map keys must be unique/,
    ],
  ])('%s: refused quickly in one line, nothing changed', async (_what, edit, message) => {
    const dir = join(tempDir('hi-upgrade-'), 'appwrite');
    const first = await runMain(['--dir', dir, '--release', '1.9.5', ...FIRST]);
    expect(first.exitCode, first.stderr).toBe(0);
    writeFileSync(join(dir, 'docker-compose.yml'), edit(read(dir, 'docker-compose.yml')));
    const before = snapshot(dir);
    const t0 = performance.now();
    const r = await runMain([
      'upgrade',
      '--dir',
      dir,
      '--to',
      '1.9.10',
      '--yes',
      '--no-start',
      '--allow-insecure-release',
    ]);
    expect(performance.now() - t0).toBeLessThan(20_000);
    expect(r.exitCode, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/Unexpected error|RangeError|Maximum call stack/);
    expect(snapshot(dir)).toEqual(before);
    cleanup(dir);
  });
});
