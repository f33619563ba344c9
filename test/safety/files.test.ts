// Rows 5, 6, 7 and 10 of issue 8: temporary files, modes whatever the umask, symbolic links, commit as one
// across a kill, and files that are not regular files.
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { tempNameFor, writeFileAtomic } from '../../src/apply/atomic.js';
import { BIN, RELEASES_DIR, NO_DOCKER, runBin, tempDir } from '../helpers/run-bin.js';
import { backups, envOf, expectNoStack, FIRST, install, read } from './helpers.js';

const mode = (p: string) => (lstatSync(p).mode & 0o777).toString(8);

describe('temporary files', () => {
  it('a symbolic link planted at the name the old writer used (pid-based) is never followed', () => {
    const d = tempDir('hi-files-');
    const victim = join(d, 'victim');
    writeFileSync(victim, 'precious\n');
    symlinkSync(victim, join(d, `..env.harden-init-${process.pid}.tmp`));
    symlinkSync(victim, join(d, `.env.harden-init-${process.pid}.tmp`));
    writeFileAtomic(join(d, '.env'), 'SECRET=s3cr3t\n', 0o600);
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(readFileSync(join(d, '.env'), 'utf8')).toBe('SECRET=s3cr3t\n');
    expect(mode(join(d, '.env'))).toBe('600');
  });
  it('names are unpredictable (crypto-random), beside the target', () => {
    const names = new Set(Array.from({ length: 50 }, () => tempNameFor('/x/.env')));
    expect(names.size).toBe(50);
    for (const n of names) expect(n).toMatch(/^\/x\/\.\.env\.[0-9a-f]{24}\.harden-init\.tmp$/);
    for (const n of names) expect(n).not.toMatch(/harden-init-\d+\.tmp$/); // the old, pid-based name
  });
  it('the target is replaced, never written through when it is a link', () => {
    const d = tempDir('hi-files-');
    writeFileSync(join(d, 'elsewhere'), 'x');
    symlinkSync(join(d, 'elsewhere'), join(d, '.env'));
    expect(() => writeFileAtomic(join(d, '.env'), 'A=1\n', 0o600)).toThrow(/symbolic link/);
    expect(readFileSync(join(d, 'elsewhere'), 'utf8')).toBe('x');
  });
});

describe.concurrent('modes whatever the umask (built binary under umask 000)', () => {
  it('.env 0600, .harden-init and its backups 0700, the install dir 0700', async ({ expect }) => {
    const dir = join(tempDir('hi-files-'), 'new', 'appwrite');
    const env = { ...process.env, NO_COLOR: '1', DOCKER_HOST: NO_DOCKER, HARDEN_INIT_RELEASES_DIR: RELEASES_DIR };
    const run = (args: string[]) =>
      execa('sh', ['-c', `umask 000 && exec "${process.execPath}" "${BIN}" "$@"`, 'sh', ...args], {
        env,
        reject: false,
        stdin: 'ignore',
      });
    let r = await run(['--dir', dir, ...FIRST]);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    r = await run(['--dir', dir, '--console', 'emails', '--console-emails', 'ops@example.com', '--yes', '--no-start']);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(mode(join(dir, '.env'))).toBe('600');
    expect(mode(join(dir, '.harden-init'))).toBe('700');
    expect(mode(join(dir, '.harden-init/state.json'))).toBe('600');
    expect(mode(join(dir, '.harden-init/backups'))).toBe('700');
    const [stamp] = backups(dir);
    expect(mode(join(dir, '.harden-init/backups', stamp!))).toBe('700');
    expect(mode(join(dir, '.harden-init/backups', stamp!, '.env'))).toBe('600');
    expect(mode(dir)).toBe('700');
    expect(mode(join(dir, '..'))).toBe('755'); // a parent it had to create
    expect(mode(join(dir, 'docker-compose.yml'))).toBe('644');
  });
});

describe.concurrent('symbolic links are refused, never followed (exit 1)', () => {
  it('.env as a link: no write, no chmod of the target; also with --dry-run', async ({ expect }) => {
    const dir = await install();
    const real = join(dir, '..', 'real.env');
    renameSync(join(dir, '.env'), real);
    chmodSync(real, 0o644);
    symlinkSync(real, join(dir, '.env'));
    const before = readFileSync(real, 'utf8');
    for (const extra of [[], ['--dry-run'], ['--console', 'open']]) {
      const r = await runBin(['--dir', dir, '--yes', '--no-start', ...extra]);
      expect(r.exitCode, r.stdout + r.stderr).toBe(1);
      expect(r.stderr).toMatch(/\.env is a symbolic link/);
      expectNoStack(r);
    }
    expect(mode(real)).toBe('644');
    expect(readFileSync(real, 'utf8')).toBe(before);
    expect(lstatSync(join(dir, '.env')).isSymbolicLink()).toBe(true);
  });
  it('.harden-init or its backups directory as a link: exit 1, nothing written there', async ({ expect }) => {
    for (const which of ['.harden-init', '.harden-init/backups']) {
      const dir = await install();
      const elsewhere = join(dir, '..', `elsewhere-${which.replace(/\W/g, '')}`);
      mkdirSync(join(dir, '.harden-init/backups'), { recursive: true });
      renameSync(join(dir, which), elsewhere);
      chmodSync(elsewhere, 0o755);
      symlinkSync(elsewhere, join(dir, which));
      const r = await runBin(['--dir', dir, '--console', 'open', '--yes', '--no-start']);
      expect(r.exitCode, r.stdout + r.stderr).toBe(1);
      expect(r.stderr).toMatch(/symbolic link/);
      expect(mode(elsewhere)).toBe('755');
      expect(envOf(dir)._APP_CONSOLE_WHITELIST_ROOT).toBe('enabled');
    }
  });
});

describe.concurrent('not a regular file (exit 1, never opened)', () => {
  it('.env as a directory', async ({ expect }) => {
    const dir = await install();
    rmSync(join(dir, '.env'));
    mkdirSync(join(dir, '.env'));
    const r = await runBin(['--dir', dir, '--yes', '--no-start']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/\.env is a directory/);
    expectNoStack(r);
  });
  it('.env as a FIFO: no hang', async ({ expect }) => {
    const dir = await install();
    rmSync(join(dir, '.env'));
    execFileSync('mkfifo', [join(dir, '.env')]);
    const r = await Promise.race([
      runBin(['--dir', dir, '--yes', '--no-start']),
      new Promise<never>((_, rej) => setTimeout(() => rej(new Error('hangs on a FIFO')), 15_000)),
    ]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/not a regular file/);
  });
  it('a corrupt state.json is reported and rebuilt from .env', async ({ expect }) => {
    const dir = await install(['--console', 'emails', '--console-emails', 'ops@example.com']);
    writeFileSync(join(dir, '.harden-init/state.json'), '{"schema": 1, "answers": ');
    const r = await runBin(['--dir', dir, '--yes', '--no-start']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/state\.json is not readable/);
    const state = JSON.parse(read(dir, '.harden-init/state.json'));
    expect(state.answers.consoleEmails).toEqual(['ops@example.com']);
    expect(state.answers.domain).toBe('appwrite.example.com');
  });
});

describe.concurrent('killed between the writes (HARDEN_INIT_TEST_KILL_AFTER): the next run converges', () => {
  it('killed after state.json (before the journal is removed): the next run has nothing to do', async ({ expect }) => {
    const dir = await install();
    const change = ['--https', 'proxy', '--yes', '--no-start'];
    const killed = await runBin(['--dir', dir, ...change], { HARDEN_INIT_TEST_KILL_AFTER: '.harden-init/state.json' });
    expect(killed.exitCode).not.toBe(0);
    const r = await runBin(['--dir', dir, '--yes', '--no-start']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Nothing to change/);
    expect(JSON.parse(read(dir, '.harden-init/state.json')).answers.https).toBe('proxy');
  });
  for (const after of ['.env', 'docker-compose.yml']) {
    it(`killed after ${after}: the next --yes run finishes the change, with no hand-edit notice`, async ({
      expect,
    }) => {
      const dir = await install();
      const oldState = read(dir, '.harden-init/state.json');
      const change = [
        '--https',
        'proxy',
        '--console',
        'emails',
        '--console-emails',
        'ops@example.com',
        '--yes',
        '--no-start',
      ];
      const killed = await runBin(['--dir', dir, ...change], { HARDEN_INIT_TEST_KILL_AFTER: after });
      expect(killed.exitCode).not.toBe(0);
      expect(read(dir, '.harden-init/state.json')).toBe(oldState); // state.json is written last
      expect(existsSync(join(dir, '.harden-init/pending.json'))).toBe(true);
      const r = await runBin(['--dir', dir, '--yes', '--no-start']);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout).not.toMatch(/changed since harden-init wrote it|edited since the last run|proposed/);
      expect(existsSync(join(dir, 'docker-compose.proposed.yml'))).toBe(false);
      expect(existsSync(join(dir, '.harden-init/pending.json'))).toBe(false);
      const state = JSON.parse(read(dir, '.harden-init/state.json'));
      expect(state.answers.https).toBe('proxy');
      expect(state.answers.consoleEmails).toEqual(['ops@example.com']);
      expect(envOf(dir)._APP_CONSOLE_WHITELIST_EMAILS).toBe('ops@example.com');
      // Converged: the same command again changes nothing.
      const again = await runBin(['--dir', dir, ...change]);
      expect(again.stdout).toMatch(/Nothing to change/);
      expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    });
  }
  it('a run that failed before its first write leaves no journal that a later run would adopt', async ({ expect }) => {
    const dir = await install();
    const statePath = join(dir, '.harden-init/state.json');
    const before = statSync(statePath).mtimeMs;
    writeFileSync(
      join(dir, '.harden-init/pending.json'),
      JSON.stringify({
        schema: 1,
        state: JSON.parse(read(dir, '.harden-init/state.json')),
        after: { '.env': 'f'.repeat(64) },
        before: { '.env': 'e'.repeat(64) },
      }),
    );
    const r = await runBin(['--dir', dir, '--yes', '--no-start']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/Nothing to change/);
    expect(statSync(statePath).mtimeMs).toBe(before);
  });
});
