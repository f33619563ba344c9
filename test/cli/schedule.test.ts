// `harden-init backup --schedule` / `--unschedule` through the built CLI, with the system directories moved to
// temporary ones (HARDEN_INIT_SYSTEMD_DIR, HARDEN_INIT_CRON_DIR, HARDEN_INIT_SECRET_DIR) and the init chosen with
// HARDEN_INIT_SCHEDULER: the files and their modes, re-runs, removal, and bad input (exit 2, nothing written).
import { beforeEach, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runBin, tempDir, unwrapped, BIN } from '../helpers/run-bin.js';
import { scheduleNames } from '../../src/commands/schedule-units.js';
import { KEY, spawnCli } from '../helpers/pty.js';

const PASS = 'scheduled-passphrase-0123456789';
const RECIPIENT = 'age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p';
let base: string;
let dir: string;
let env: Record<string, string>;
const dirs = () => ({ sd: join(base, 'systemd'), cron: join(base, 'cron.d'), secret: join(base, 'secret') });
const everything = () =>
  Object.values(dirs()).flatMap((d) => (existsSync(d) ? readdirSync(d).map((n) => join(d, n)) : []));
const mode = (p: string) => statSync(p).mode & 0o777;

beforeEach(() => {
  base = tempDir('hi-schedule-');
  dir = join(base, 'my install');
  mkdirSync(dir);
  writeFileSync(join(dir, '.env'), '_APP_OPENSSL_KEY_V1=x\n', { mode: 0o600 });
  writeFileSync(join(dir, 'docker-compose.yml'), 'services: {}\n');
  mkdirSync(dirs().sd);
  mkdirSync(dirs().cron);
  env = {
    HARDEN_INIT_SCHEDULER: 'systemd',
    HARDEN_INIT_SYSTEMD_DIR: dirs().sd,
    HARDEN_INIT_CRON_DIR: dirs().cron,
    HARDEN_INIT_SECRET_DIR: dirs().secret,
  };
});

describe('backup --schedule with systemd', () => {
  it('--passphrase-env: a service, a timer (0644) and a root-only passphrase file (0600 in a 0700 dir); the passphrase printed nowhere', async () => {
    const r = await runBin(['backup', '--schedule', 'daily', '--dir', dir, '--passphrase-env', 'HI_PASS'], {
      ...env,
      HI_PASS: PASS,
    });
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    // Named by systemd-escape's rules (test/commands/schedule-units.test.ts checks them against the real tool).
    expect(readdirSync(dirs().sd).sort()).toEqual([scheduleNames(dir).service, scheduleNames(dir).timer].sort());
    expect(scheduleNames(dir).service).toContain('my\\x20install.service');
    const service = join(dirs().sd, scheduleNames(dir).service);
    const timer = service.replace(/\.service$/, '.timer');
    expect(mode(service)).toBe(0o644);
    expect(mode(timer)).toBe(0o644);
    const [secret] = readdirSync(dirs().secret);
    const secretPath = join(dirs().secret, secret!);
    expect(secret).toMatch(/^harden-init-backup-[A-Za-z0-9_-]+\.passphrase$/);
    expect(mode(secretPath)).toBe(0o600);
    expect(mode(dirs().secret)).toBe(0o700);
    expect(statSync(secretPath).uid).toBe(process.getuid!());
    expect(readFileSync(secretPath, 'utf8')).toBe(`${PASS}\n`);
    const unit = readFileSync(service, 'utf8');
    expect(unit).toContain(
      `ExecStart=${process.execPath} ${BIN} backup --dir "${dir}" --passphrase-file ${secretPath} --keep 7\n`,
    );
    expect(readFileSync(timer, 'utf8')).toContain('OnCalendar=daily');
    expect(r.stdout + r.stderr).not.toContain(PASS);
    expect(r.stdout).toMatch(/systemctl was not run/); // a moved unit directory is never handed to systemctl
    expect(unwrapped(r.stdout)).toContain('--recipient) keeps no secret');
    expect(unwrapped(r.stdout)).toContain('npm i -g harden-init');
    expect(readdirSync(dirs().cron)).toEqual([]);
  });

  it('a re-run replaces (same files, same names); weekly with --recipient drops the passphrase file; --keep and --out are passed on', async () => {
    await runBin(['backup', '--schedule', 'daily', '--dir', dir, '--passphrase-env', 'HI_PASS'], {
      ...env,
      HI_PASS: PASS,
    });
    const first = everything().sort();
    const again = await runBin(['backup', '--schedule', 'daily', '--dir', dir, '--passphrase-env', 'HI_PASS'], {
      ...env,
      HI_PASS: PASS,
    });
    expect(again.exitCode).toBe(0);
    expect(everything().sort()).toEqual(first);
    const out = join(base, 'archives');
    mkdirSync(out);
    const r = await runBin(
      ['backup', '--schedule', 'weekly', '--dir', dir, '--recipient', RECIPIENT, '--keep', '3', '--out', out],
      env,
    );
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(readdirSync(dirs().secret)).toEqual([]);
    expect(r.stdout).toMatch(/Removed .*\.passphrase \(from an earlier schedule\)/);
    const [service] = readdirSync(dirs().sd).filter((n) => n.endsWith('.service'));
    expect(readFileSync(join(dirs().sd, service!), 'utf8')).toContain(
      `--recipient ${RECIPIENT} --keep 3 --out ${out}/\n`,
    );
    expect(readFileSync(join(dirs().sd, service!.replace('.service', '.timer')), 'utf8')).toContain(
      'OnCalendar=weekly',
    );
  });

  it('--unschedule removes exactly what schedule wrote (and only that); a second one has nothing to remove', async () => {
    await runBin(['backup', '--schedule', 'daily', '--dir', dir, '--passphrase-env', 'HI_PASS'], {
      ...env,
      HI_PASS: PASS,
    });
    writeFileSync(join(dirs().sd, 'someone-else.service'), '[Service]\nExecStart=/bin/true\n');
    expect(everything()).toHaveLength(4);
    const r = await runBin(['backup', '--unschedule', '--dir', dir], env);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(r.stdout.match(/Removed /g)).toHaveLength(3);
    expect(everything()).toEqual([join(dirs().sd, 'someone-else.service')]);
    const twice = await runBin(['backup', '--unschedule', '--dir', dir], env);
    expect(twice.exitCode).toBe(0);
    expect(twice.stdout).toMatch(/nothing to remove/);
  });

  it("a file at a unit's name that harden-init did not write is neither replaced nor removed (exit 1)", async () => {
    await runBin(['backup', '--schedule', 'daily', '--dir', dir, '--recipient', RECIPIENT], env);
    const [timer] = readdirSync(dirs().sd).filter((n) => n.endsWith('.timer'));
    writeFileSync(join(dirs().sd, timer!), '[Timer]\nOnCalendar=hourly\n');
    const r = await runBin(['backup', '--schedule', 'daily', '--dir', dir, '--recipient', RECIPIENT], env);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/was not written by harden-init/);
    expect(readFileSync(join(dirs().sd, timer!), 'utf8')).toBe('[Timer]\nOnCalendar=hourly\n');
    const u = await runBin(['backup', '--unschedule', '--dir', dir], env);
    expect(u.exitCode).toBe(1);
    expect(readFileSync(join(dirs().sd, timer!), 'utf8')).toBe('[Timer]\nOnCalendar=hourly\n');
  });
});

describe('backup --schedule with cron (no systemd)', () => {
  it('one /etc/cron.d file (0644, a run-parts name) with a six-field root line; switching from systemd removes the units', async () => {
    await runBin(['backup', '--schedule', 'daily', '--dir', dir, '--recipient', RECIPIENT], env);
    expect(readdirSync(dirs().sd)).toHaveLength(2);
    const r = await runBin(['backup', '--schedule', 'weekly', '--dir', dir, '--passphrase-env', 'HI_PASS'], {
      ...env,
      HARDEN_INIT_SCHEDULER: 'cron',
      HI_PASS: PASS,
    });
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(readdirSync(dirs().sd)).toEqual([]);
    const [name] = readdirSync(dirs().cron);
    expect(name).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(mode(join(dirs().cron, name!))).toBe(0o644);
    const text = readFileSync(join(dirs().cron, name!), 'utf8');
    const line = text.split('\n').find((l) => / root /.test(l) && !l.startsWith('#'))!;
    expect(line).toMatch(
      new RegExp(
        `^\\d+ \\d+ \\* \\* 0 root ${process.execPath} ${BIN} backup --dir '${dir}' --passphrase-file \\S+\\.passphrase --keep 7 >>'${dir}/\\.harden-init/backup\\.log' 2>&1$`,
      ),
    );
    expect(text).not.toContain(PASS);
    expect(statSync(join(dir, '.harden-init')).isDirectory()).toBe(true); // the log's directory exists before cron opens it
    const u = await runBin(['backup', '--unschedule', '--dir', dir], { ...env, HARDEN_INIT_SCHEDULER: 'cron' });
    expect(u.exitCode).toBe(0);
    expect(everything()).toEqual([]);
  });
});

describe('bad input: exit 2, nothing written', () => {
  const cases: [string, string[], Record<string, string>, RegExp][] = [
    [
      'an unknown frequency',
      ['--schedule', 'hourly', '--recipient', RECIPIENT],
      {},
      /--schedule: one of daily, weekly \(got "hourly"\)/,
    ],
    [
      '--schedule with --unschedule',
      ['--schedule', 'daily', '--unschedule', '--recipient', RECIPIENT],
      {},
      /exclude each other/,
    ],
    ['no encryption and no terminal', ['--schedule', 'daily'], {}, /encrypted too: give --recipient/],
    [
      'two encryptions',
      ['--schedule', 'daily', '--recipient', RECIPIENT, '--passphrase-env', 'HI_PASS'],
      { HI_PASS: PASS },
      /exclude each other/,
    ],
    [
      'a recipient that is no age key',
      ['--schedule', 'daily', '--recipient', 'ssh-ed25519 AAAA'],
      {},
      /--recipient: not an age public key/,
    ],
    [
      'an unset passphrase variable',
      ['--schedule', 'daily', '--passphrase-env', 'HI_UNSET_VAR'],
      {},
      /HI_UNSET_VAR: that environment variable is not set/,
    ],
    [
      '--out that is no directory',
      ['--schedule', 'daily', '--recipient', RECIPIENT, '--out', '/nonexistent/archives'],
      {},
      /--out .*needs an existing directory/,
    ],
    [
      'an unknown scheduler',
      ['--schedule', 'daily', '--recipient', RECIPIENT],
      { HARDEN_INIT_SCHEDULER: 'launchd' },
      /HARDEN_INIT_SCHEDULER: one of systemd, cron/,
    ],
  ];
  for (const [what, args, extra, message] of cases) {
    it(what, async () => {
      const r = await runBin(['backup', '--dir', dir, ...args], { ...env, ...extra });
      expect(r.exitCode, r.stdout + r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(everything()).toEqual([]);
      expect(existsSync(join(dir, '.harden-init'))).toBe(false);
    });
  }

  it('a directory without an install', async () => {
    const r = await runBin(
      ['backup', '--schedule', 'daily', '--dir', join(base, 'nothing'), '--recipient', RECIPIENT],
      env,
    );
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/no install there/);
    expect(everything()).toEqual([]);
  });

  it('cron chosen but no cron directory', async () => {
    const r = await runBin(['backup', '--schedule', 'daily', '--dir', dir, '--recipient', RECIPIENT], {
      ...env,
      HARDEN_INIT_SCHEDULER: 'cron',
      HARDEN_INIT_CRON_DIR: join(base, 'no-cron'),
    });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/Neither systemd .* nor cron/);
    expect(everything()).toEqual([]);
  });
});

describe('--passphrase-file', () => {
  it('a file readable by group or others is refused (exit 2, naming the mode); an owner-only one is read', async () => {
    const f = join(base, 'pass');
    writeFileSync(f, `${PASS}\n`, { mode: 0o644 });
    chmodSync(f, 0o644);
    const open = await runBin(['backup', '--dir', dir, '--passphrase-file', f]);
    expect(open.exitCode).toBe(2);
    expect(open.stderr).toMatch(/readable or writable by group or others \(mode 0644\)/);
    const sched = await runBin(['backup', '--schedule', 'daily', '--dir', dir, '--passphrase-file', f], env);
    expect(sched.exitCode).toBe(2);
    expect(everything()).toEqual([]);
    chmodSync(f, 0o600);
    // Past the passphrase check, the backup itself needs Docker: it gets that far (exit 1 on Docker, not 2).
    const ok = await runBin(['backup', '--dir', dir, '--passphrase-file', f]);
    expect(ok.stderr).not.toMatch(/passphrase-file/);
    const s = await runBin(['backup', '--schedule', 'daily', '--dir', dir, '--passphrase-file', f], env);
    expect(s.exitCode, s.stdout + s.stderr).toBe(0);
    const [service] = readdirSync(dirs().sd).filter((n) => n.endsWith('.service'));
    expect(readFileSync(join(dirs().sd, service!), 'utf8')).toContain(`--passphrase-file ${f} --keep 7`);
    expect(existsSync(dirs().secret)).toBe(false); // the given file is used as it is, no copy made
  });

  it('a symbolic link or an empty file is refused', async () => {
    const f = join(base, 'empty');
    writeFileSync(f, '', { mode: 0o600 });
    const r = await runBin(['backup', '--dir', dir, '--passphrase-file', f]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/the file is empty/);
  });
});

describe('without --dir', () => {
  it('the install is found in ./langflow when there is no ./appwrite', async () => {
    const cwd = join(base, 'cwd');
    mkdirSync(join(cwd, 'langflow'), { recursive: true });
    writeFileSync(join(cwd, 'langflow', '.env'), 'LANGFLOW_SECRET_KEY=x\n', { mode: 0o600 });
    writeFileSync(join(cwd, 'langflow', 'docker-compose.yml'), 'services: {}\n');
    const r = await runBin(['backup', '--schedule', 'daily', '--recipient', RECIPIENT], env, cwd);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(readdirSync(dirs().sd)).toContain(scheduleNames(join(cwd, 'langflow')).service);
  });
});

describe('the passphrase asked in a terminal', () => {
  it('typed twice (not echoed), stored 0600; a different second entry writes nothing (exit 2)', async () => {
    const typed = 'typed-in-terminal-passphrase-42';
    const s = spawnCli(['backup', '--schedule', 'weekly', '--dir', dir], { env });
    await s.waitFor('Passphrase for the scheduled backups');
    s.write(`${typed}${KEY.enter}`);
    await s.waitFor('The same passphrase again');
    s.write(`${typed}${KEY.enter}`);
    await s.waitFor('Backup schedule written');
    expect((await s.exit()).exitCode, s.tail()).toBe(0);
    expect(s.text()).not.toContain(typed);
    const [secret] = readdirSync(dirs().secret);
    expect(readFileSync(join(dirs().secret, secret!), 'utf8')).toBe(`${typed}\n`);
    expect(mode(join(dirs().secret, secret!))).toBe(0o600);

    const u = await runBin(['backup', '--unschedule', '--dir', dir], env);
    expect(u.exitCode).toBe(0);
    const m = spawnCli(['backup', '--schedule', 'daily', '--dir', dir], { env });
    await m.waitFor('Passphrase for the scheduled backups');
    m.write(`${typed}${KEY.enter}`);
    await m.waitFor('The same passphrase again');
    m.write(`something-else-entirely${KEY.enter}`);
    expect((await m.exit()).exitCode, m.tail()).toBe(2);
    expect(m.text()).toMatch(/The two passphrases differ\. Nothing was written/);
    expect(everything()).toEqual([]);
  });
});
