// Nobody else's directory: an install directory or .harden-init/ that another local user owns, or that group
// or others may write, is refused by every command that reads or writes an install (exit 2, nothing written),
// and reported as critical by `check`. System directories are refused as --dir.
import { describe, expect, it } from 'vitest';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { runMain } from '../helpers/run-main.js';
import { tempDir } from '../helpers/run-bin.js';
import { installDirProblems, systemDirReason } from '../../src/apply/install-dir.js';
import { FIRST, expectNoStack } from './helpers.js';

const asRoot = process.getuid?.() === 0;
const OTHER = 65534; // nobody

async function installed(): Promise<string> {
  const dir = join(tempDir('hi-owner-'), 'appwrite');
  const r = await runMain(['--dir', dir, ...FIRST]);
  expect(r.exitCode, r.stderr).toBe(0);
  return dir;
}

/** Every file under dir with its content: nothing may change on a refusal. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else out[p] = readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}

describe('systemDirReason (pure)', () => {
  it('refuses the system directories themselves, and anything inside /proc, /sys and /dev', () => {
    for (const p of [
      '/',
      '/etc',
      '/etc/',
      '/tmp',
      '/usr',
      '/var',
      '/var/lib',
      '/bin',
      '/boot',
      '/root',
      '/home',
      '/srv',
      '/opt',
      '/lib64',
      '/proc/1',
      '/sys/x',
      '/dev/shm',
    ]) {
      expect(systemDirReason(p), p).toBeDefined();
    }
  });
  it('allows their subdirectories', () => {
    for (const p of [
      '/tmp/x',
      '/srv/appwrite',
      '/opt/appwrite',
      '/etc/appwrite',
      '/home/ops/appwrite',
      '/root/appwrite',
      '/var/lib/appwrite',
    ]) {
      expect(systemDirReason(p), p).toBeUndefined();
    }
  });
});

describe.concurrent("setup refuses an install directory that is not only its user's (exit 2, nothing written)", () => {
  it.runIf(asRoot)(
    'a new directory owned by another user: names path, uid, user name and mode, and the chown',
    async ({ expect }) => {
      const dir = join(tempDir('hi-owner-'), 'appwrite');
      mkdirSync(dir, { mode: 0o755 });
      chownSync(dir, OTHER, OTHER);
      const r = await runMain(['--dir', dir, ...FIRST]);
      expect(r.exitCode, r.stdout + r.stderr).toBe(2);
      expect(r.stderr).toContain(`install directory ${dir} (mode 0755) is owned by uid ${OTHER} (nobody)`);
      expect(r.stderr).toContain(`chown 0 ${dir}`);
      expect(readdirSync(dir)).toEqual([]);
      expectNoStack(r);
    },
  );

  it('a directory with mode 0777: refused, with the chmod', async ({ expect }) => {
    const dir = join(tempDir('hi-owner-'), 'appwrite');
    mkdirSync(dir);
    chmodSync(dir, 0o777);
    const r = await runMain(['--dir', dir, ...FIRST]);
    expect(r.exitCode, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toContain(`${dir} (mode 0777) is writable by every user of this host`);
    expect(r.stderr).toContain(`chmod go-w ${dir}`);
    expect(readdirSync(dir)).toEqual([]);
    expect(statSync(dir).mode & 0o777).toBe(0o777); // not "fixed" behind the operator's back either
  });

  it('an existing install made group-writable: refused, also with --dry-run; its files unchanged', async ({
    expect,
  }) => {
    const dir = await installed();
    chmodSync(dir, 0o775);
    const before = snapshot(dir);
    for (const extra of [[], ['--dry-run'], ['--console', 'open']]) {
      const r = await runMain(['--dir', dir, '--yes', '--no-start', ...extra]);
      expect(r.exitCode, r.stdout + r.stderr).toBe(2);
      expect(r.stderr).toMatch(/writable by its group/);
    }
    expect(snapshot(dir)).toEqual(before);
  });

  it.runIf(asRoot)('.harden-init/ owned by another user: refused, naming it; nothing written', async ({ expect }) => {
    const dir = await installed();
    chownSync(join(dir, '.harden-init'), OTHER, OTHER);
    const before = snapshot(dir);
    const r = await runMain(['--dir', dir, '--console', 'open', '--yes', '--no-start']);
    expect(r.exitCode, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toContain(
      `.harden-init/ ${join(dir, '.harden-init')} (mode 0700) is owned by uid ${OTHER} (nobody)`,
    );
    expect(snapshot(dir)).toEqual(before);
  });

  it('.harden-init/ writable by others: refused', async ({ expect }) => {
    const dir = await installed();
    chmodSync(join(dir, '.harden-init'), 0o777);
    const r = await runMain(['--dir', dir, '--yes', '--no-start']);
    expect(r.exitCode, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toMatch(/\.harden-init\/ .* \(mode 0777\) is writable by every user/);
  });

  it('a directory harden-init makes itself is 0700, and a 0755 one the operator made is fine', async ({ expect }) => {
    const dir = await installed();
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const own = join(tempDir('hi-owner-'), 'appwrite');
    mkdirSync(own, { mode: 0o755 });
    chmodSync(own, 0o755);
    const r = await runMain(['--dir', own, ...FIRST]);
    expect(r.exitCode, r.stderr).toBe(0);
  });
});

describe.concurrent('the other commands refuse it too (exit 2)', () => {
  it('verify, backup, upgrade, rollback, restore', async ({ expect }) => {
    const dir = await installed();
    chmodSync(dir, 0o777);
    const archive = join(tempDir('hi-owner-'), 'x.age');
    writeFileSync(archive, 'not an archive');
    const commands = [
      ['verify', '--dir', dir],
      ['backup', '--dir', dir, '--passphrase-env', 'PP'],
      ['upgrade', '--dir', dir, '--to', '2.7.1', '--yes'],
      ['rollback', '--dir', dir, '--yes'],
      ['restore', archive, '--dir', dir, '--passphrase-env', 'PP', '--yes'],
    ];
    for (const argv of commands) {
      const r = await runMain(argv, { PP: 'correct horse battery staple' });
      expect(r.exitCode, `${argv[0]}: ${r.stdout}${r.stderr}`).toBe(2);
      expect(r.stderr, argv[0]).toContain(`${dir} (mode 0777) is writable by every user`);
    }
    expect(existsSync(join(dir, '.harden-init/lock'))).toBe(false);
  });
});

describe.concurrent('--dir may not be a system directory (exit 2, naming --dir and what is allowed)', () => {
  it.each(['/', '/etc', '/tmp', '/usr', '/root'])('%s', async (d) => {
    const r = await runMain(['--dir', d, ...FIRST]);
    expect(r.exitCode, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toMatch(/--dir: .* is a system directory\. Allowed: a directory of its own/);
    expect(existsSync(join(d, '.harden-init'))).toBe(false);
  });
  it('also through a link, and for check and backup', async ({ expect }) => {
    const link = join(tempDir('hi-owner-'), 'etc-link');
    (await import('node:fs')).symlinkSync('/etc', link);
    const r = await runMain(['--dir', link, ...FIRST]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(`--dir: /etc is a system directory (${link} leads there)`);
    for (const argv of [
      ['check', '--dir', '/etc'],
      ['backup', '--dir', '/', '--passphrase-env', 'PP'],
    ]) {
      const c = await runMain(argv, { PP: 'correct horse battery staple' });
      expect(c.exitCode, argv[0]).toBe(2);
      expect(c.stderr).toMatch(/--dir: .* is a system directory/);
    }
  });
});

describe.concurrent('check reports it as critical', () => {
  it.runIf(asRoot)('.harden-init/ owned by another user', async ({ expect }) => {
    const dir = await installed();
    chownSync(join(dir, '.harden-init'), OTHER, OTHER);
    const r = await runMain(['check', '--dir', dir, '--json']);
    expect(r.exitCode, r.stderr).toBe(3);
    const report = JSON.parse(r.stdout) as { findings: { id: string; severity: string; what: string; fix: string }[] };
    const f = report.findings.find((x) => x.id === 'install-dir-owner');
    expect(f?.severity).toBe('critical');
    expect(f?.what).toContain(`owned by uid ${OTHER} (nobody)`);
    expect(f?.fix).toContain('chown 0');
  });
  it('an install directory writable by everyone; a clean one has no such finding', async ({ expect }) => {
    const dir = await installed();
    const clean = await runMain(['check', '--dir', dir, '--json']);
    expect(clean.stdout).not.toContain('install-dir-owner');
    chmodSync(dir, 0o777);
    const r = await runMain(['check', '--dir', dir, '--json']);
    expect(r.exitCode, r.stderr).toBe(3);
    expect(r.stdout).toMatch(/"id": ?"install-dir-owner"/);
    expect(installDirProblems(dir)).toEqual([
      expect.objectContaining({ path: dir, mode: 0o777, writable: true, foreign: false }),
    ]);
  });
});
