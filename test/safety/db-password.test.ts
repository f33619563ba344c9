// A bundled database keeps the password it was first started with: a password line deleted from an existing
// install's .env is refused (exit 2, .env unchanged, naming the variable and the newest backup that holds it),
// never regenerated. An external server's password is the operator's: asked for or refused, never made up.
import { describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runMain } from '../helpers/run-main.js';
import { tempDir } from '../helpers/run-bin.js';
import { refuseLostDbPassword } from '../../src/engine/key-guard.js';
import { backups, envOf, expectNoSecrets, expectNoStack, FIRST, read } from './helpers.js';

const LANGFLOW = ['langflow', '--domain', 'langflow.example.com', '--yes', '--no-start'];

async function install(args: string[], env: Record<string, string> = {}): Promise<string> {
  const dir = join(tempDir('hi-dbpass-'), 'install');
  const r = await runMain(['--dir', dir, ...args], env);
  expect(r.exitCode, r.stdout + r.stderr).toBe(0);
  return dir;
}

const dropLine = (dir: string, name: string) =>
  writeFileSync(join(dir, '.env'), read(dir, '.env').replace(new RegExp(`^${name}=.*\\n`, 'm'), ''));

describe('refuseLostDbPassword (pure)', () => {
  it('nothing missing: no refusal', () => {
    expect(
      refuseLostDbPassword({ dir: '/srv/aw', missing: [], product: 'Appwrite', backups: [], archives: [] }),
    ).toBeUndefined();
  });
  it('names the newest backup that holds every missing password, shell-quoted', () => {
    const r = refuseLostDbPassword({
      dir: '/srv/a w',
      missing: ['_APP_DB_PASS'],
      product: 'Appwrite',
      location: 'the Docker volume appwrite-mariadb',
      archives: [],
      backups: [
        { path: '/srv/a w/.harden-init/backups/2/.env', env: {} },
        { path: '/srv/a w/.harden-init/backups/1/.env', env: { _APP_DB_PASS: 'x' } },
      ],
    })!;
    expect(r.message).toMatch(/_APP_DB_PASS.*the Docker volume appwrite-mariadb.*still holds the old password/);
    expect(r.hint).toContain("grep '^_APP_DB_PASS=' '/srv/a w/.harden-init/backups/1/.env' >> '/srv/a w/.env'");
  });
  it('no backup: says so, and points at the newest encrypted archive when there is one', () => {
    const r = refuseLostDbPassword({
      dir: '/srv/aw',
      missing: ['POSTGRES_PASSWORD'],
      product: 'Langflow',
      backups: [],
      archives: ['/srv/aw/.harden-init/archives/b.age'],
    })!;
    expect(r.hint).toMatch(/No backup in \.harden-init\/backups holds POSTGRES_PASSWORD/);
    expect(r.hint).toContain("tar -xO .env | grep -E '^(POSTGRES_PASSWORD)='");
  });
});

interface Case {
  name: string;
  args: string[];
  variable: string;
  env?: Record<string, string>;
}
const CASES: Case[] = [
  { name: 'Appwrite, PostgreSQL in a volume', args: FIRST, variable: '_APP_DB_PASS' },
  { name: 'Appwrite, MariaDB in a volume', args: [...FIRST, '--db-engine', 'mariadb'], variable: '_APP_DB_PASS' },
  {
    name: 'Appwrite, MariaDB: its root password',
    args: [...FIRST, '--db-engine', 'mariadb'],
    variable: '_APP_DB_ROOT_PASS',
  },
  { name: 'Appwrite 1.9, MariaDB', args: [...FIRST, '--release', '1.9.10'], variable: '_APP_DB_PASS' },
  { name: 'Langflow, PostgreSQL in a volume', args: LANGFLOW, variable: 'POSTGRES_PASSWORD' },
];

describe.concurrent('a deleted bundled database password on a re-run', () => {
  for (const c of CASES) {
    it(`${c.name}: ${c.variable} deleted → exit 2, .env unchanged, the variable named`, async ({ expect }) => {
      const dir = await install(c.args);
      const old = envOf(dir)[c.variable]!;
      expect(old.length).toBeGreaterThan(20);
      dropLine(dir, c.variable);
      const before = read(dir, '.env');
      const product = c.args[0] === 'langflow' ? ['langflow'] : [];
      for (const extra of [[], ['--dry-run']]) {
        const r = await runMain([...product, '--dir', dir, '--yes', '--no-start', ...extra]);
        expect(r.exitCode, r.stdout + r.stderr).toBe(2);
        expect(r.stderr).toContain(`.env has no value for ${c.variable}`);
        expect(r.stderr).toMatch(/still holds the old password/);
        expect(r.stderr).toMatch(/No backup in \.harden-init\/backups holds/);
        expectNoStack(r);
      }
      expect(read(dir, '.env')).toBe(before);
      expect(backups(dir)).toEqual([]);
    });
  }

  it('with a backup: names the newest one that holds it and the command that puts the line back', async ({
    expect,
  }) => {
    const dir = await install(FIRST);
    const old = envOf(dir)._APP_DB_PASS!;
    const change = await runMain([
      '--dir',
      dir,
      '--console',
      'emails',
      '--console-emails',
      'ops@example.com',
      '--yes',
      '--no-start',
    ]);
    expect(change.exitCode, change.stderr).toBe(0);
    const [stamp] = backups(dir);
    dropLine(dir, '_APP_DB_PASS');
    const r = await runMain(['--dir', dir, '--yes', '--no-start']);
    expect(r.exitCode, r.stdout + r.stderr).toBe(2);
    const backup = join(dir, '.harden-init/backups', stamp!, '.env');
    expect(r.stderr).toContain(`The newest backup that holds _APP_DB_PASS is ${backup}`);
    expect(r.stderr).toContain(`grep '^_APP_DB_PASS=' ${backup} >> ${dir}/.env`);
    expectNoSecrets([old], { stdout: r.stdout, stderr: r.stderr });
    // The operator's fix works: the old line back, the re-run passes and keeps it.
    writeFileSync(
      join(dir, '.env'),
      `${read(dir, '.env')}${readFileSync(backup, 'utf8').match(/^_APP_DB_PASS=.*\n/m)![0]}`,
    );
    const again = await runMain(['--dir', dir, '--yes', '--no-start']);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(envOf(dir)._APP_DB_PASS).toBe(old);
  });

  it('no backup, but an archive of harden-init backup in the install: it is named', async ({ expect }) => {
    const dir = await install(FIRST);
    mkdirSync(join(dir, '.harden-init/archives'), { mode: 0o700 });
    const archive = join(dir, '.harden-init/archives/harden-init-backup-2026-01-01T00-00-00Z-appwrite-2.7.1.age');
    writeFileSync(archive, 'age', { mode: 0o600 });
    dropLine(dir, '_APP_DB_PASS');
    const r = await runMain(['--dir', dir, '--yes', '--no-start']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(`The newest archive of harden-init backup here, ${archive}`);
  });

  it('a database moved to a new place (--allow-db-move) starts empty: a new password is right there', async ({
    expect,
  }) => {
    const dir = await install(FIRST);
    dropLine(dir, '_APP_DB_PASS');
    const dbPath = join(tempDir('hi-dbpass-'), 'pg');
    const r = await runMain([
      '--dir',
      dir,
      '--db',
      'path',
      '--db-path',
      dbPath,
      '--allow-db-move',
      '--yes',
      '--no-start',
    ]);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(envOf(dir)._APP_DB_PASS!.length).toBeGreaterThan(20);
  });

  it('--db path: the same refusal as a volume', async ({ expect }) => {
    const dir = await install([...FIRST, '--db', 'path', '--db-path', join(tempDir('hi-dbpass-'), 'pg')]);
    dropLine(dir, '_APP_DB_PASS');
    const r = await runMain(['--dir', dir, '--yes', '--no-start']);
    expect(r.exitCode, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toMatch(
      /\.env has no value for _APP_DB_PASS, but this install's bundled database \(the host directory /,
    );
  });
});

describe.concurrent("an external server's password is the operator's: asked for, never made up", () => {
  const EXT = ['--db', 'external', '--db-host', 'db.example.com', '--db-user', 'aw'];
  it('Appwrite: deleted → exit 2 asking for HARDEN_INIT_DB_PASSWORD, .env unchanged; given → used', async ({
    expect,
  }) => {
    const dir = await install([...FIRST, ...EXT], { HARDEN_INIT_DB_PASSWORD: 'the-operators-own-password-1' });
    dropLine(dir, '_APP_DB_PASS');
    const before = read(dir, '.env');
    const r = await runMain(['--dir', dir, '--yes', '--no-start']);
    expect(r.exitCode, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toMatch(/_APP_DB_PASS is missing: set HARDEN_INIT_DB_PASSWORD/);
    expect(read(dir, '.env')).toBe(before);
    const given = await runMain(['--dir', dir, '--yes', '--no-start'], {
      HARDEN_INIT_DB_PASSWORD: 'the-operators-own-password-2',
    });
    expect(given.exitCode, given.stderr).toBe(0);
    expect(envOf(dir)._APP_DB_PASS).toBe('the-operators-own-password-2');
  });
  it('Langflow: the same', async ({ expect }) => {
    const dir = await install(
      [...LANGFLOW, '--db', 'external', '--db-host', 'db.example.com', '--db-user', 'lf', '--db-name', 'lf'],
      { HARDEN_INIT_DB_PASSWORD: 'the-operators-own-password-1' },
    );
    dropLine(dir, 'POSTGRES_PASSWORD');
    const before = read(dir, '.env');
    const r = await runMain(['langflow', '--dir', dir, '--yes', '--no-start']);
    expect(r.exitCode, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toMatch(/POSTGRES_PASSWORD is missing: set HARDEN_INIT_DB_PASSWORD/);
    expect(read(dir, '.env')).toBe(before);
  });
});
