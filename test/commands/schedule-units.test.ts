// The text `backup --schedule` writes (src/commands/schedule-units.ts): unit names by systemd-escape's rules
// (checked against the real tool), the service and timer (checked with `systemd-analyze verify`, Debian's systemd
// package), and the cron.d line. In CI both tools must be there: a missing one fails these tests.
import { describe, expect, it } from 'vitest';
import { execa, execaSync } from 'execa';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  cronFile,
  cronTime,
  isNpxCachePath,
  scheduleNames,
  serviceUnit,
  systemdEscapePath,
  systemdWord,
  timerUnit,
  type ScheduledCommand,
} from '../../src/commands/schedule-units.js';
import { BIN } from '../helpers/run-bin.js';

function tool(name: string): boolean {
  try {
    execaSync(name, ['--version']);
    return true;
  } catch {
    if (process.env.CI === 'true')
      throw new Error(`${name} is missing and CI=true: .ci/run installs Debian's systemd package for it.`);
    return false;
  }
}
const hasSystemd = tool('systemd-analyze') && tool('systemd-escape');

const cmd = (dir: string, extra: Partial<ScheduledCommand> = {}): ScheduledCommand => ({
  node: process.execPath,
  bin: BIN,
  args: ['backup', '--dir', dir, '--passphrase-file', '/etc/harden-init/x.passphrase', '--keep', '7'],
  env: {},
  ...extra,
});

const PATHS = [
  '/srv/appwrite',
  '/',
  '/opt/app-write',
  '/a//b/',
  '/srv/.hidden/x',
  '/srv/with space/ü',
  '/srv/a:b_c.d',
  '/srv/back\\slash',
  '/srv/50%/$HOME',
  '/srv/a-b',
  '/srv/a/b',
];

describe('unit names', () => {
  it.skipIf(!hasSystemd)('escape a path exactly as systemd-escape --path does', async () => {
    for (const p of PATHS) {
      const real = String((await execa('systemd-escape', ['--path', p])).stdout);
      expect(systemdEscapePath(p), p).toBe(real);
    }
  });

  it('two installs never share a name: /srv/a-b and /srv/a/b differ in unit and cron names alike', () => {
    const seen = new Set<string>();
    for (const p of PATHS.filter((x) => x !== '/a//b/')) {
      const n = scheduleNames(p);
      for (const name of [n.service, n.timer, n.plain]) {
        expect(seen.has(name), name).toBe(false);
        seen.add(name);
      }
      // cron.d reads only names of letters, digits, _ and - (run-parts rules): anything else is silently ignored.
      expect(n.plain).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(n.service).toMatch(/^harden-init-backup-.+\.service$/);
      expect(n.service.length).toBeLessThanOrEqual(255);
    }
    expect(scheduleNames('/srv/appwrite').service).toBe('harden-init-backup-srv-appwrite.service');
    expect(scheduleNames(`/srv/${'x'.repeat(400)}`).service.length).toBeLessThanOrEqual(255);
  });

  it("a bin inside npx's cache is recognised (it is not stable); a global install is not", () => {
    expect(isNpxCachePath('/root/.npm/_npx/6a1b2c3d/node_modules/harden-init/bin/harden-init.js')).toBe(true);
    expect(isNpxCachePath('/usr/lib/node_modules/harden-init/bin/harden-init.js')).toBe(false);
    expect(isNpxCachePath('/usr/local/lib/node_modules/harden-init/bin/harden-init.js')).toBe(false);
  });
});

describe('systemd service and timer', () => {
  it('the service: oneshot, as root, absolute node and bin, the install dir quoted; % and $ escaped', () => {
    const text = serviceUnit(
      '/srv/my app',
      cmd('/srv/my app', {
        args: ['backup', '--dir', '/srv/my app', '--out', '/mnt/50%/$x/', '--keep', '7'],
        env: { DOCKER_HOST: 'unix:///run/d.sock' },
      }),
    );
    expect(text).toMatch(/^# Written by harden-init backup --schedule for \/srv\/my app\./);
    expect(text).toContain('\nType=oneshot\n');
    expect(text).toContain('\nUser=root\n');
    expect(text).toContain('\nUMask=0077\n');
    expect(text).toContain('\nEnvironment=DOCKER_HOST=unix:///run/d.sock\n');
    expect(text).toContain(
      `\nExecStart=${process.execPath} ${BIN} backup --dir "/srv/my app" --out "/mnt/50%%/$$x/" --keep 7\n`,
    );
    expect(systemdWord('a"b\\c')).toBe('"a\\"b\\\\c"');
  });

  it('the timer: OnCalendar daily|weekly, Persistent, RandomizedDelaySec, enabled by timers.target', () => {
    for (const f of ['daily', 'weekly'] as const) {
      const t = timerUnit('/srv/appwrite', f);
      expect(t).toContain(`\nOnCalendar=${f}\n`);
      expect(t).toContain('\nPersistent=true\n');
      expect(t).toMatch(/\nRandomizedDelaySec=\d+h?\n/);
      expect(t).toContain('\n[Install]\nWantedBy=timers.target\n');
    }
  });

  it.skipIf(!hasSystemd)(
    'systemd-analyze verify accepts the generated units (daily and weekly, awkward paths), and rejects a broken one',
    async () => {
      for (const [dir, f] of [
        ['/srv/appwrite', 'daily'],
        ['/srv/with space/50%/$HOME', 'weekly'],
        ['/opt/app-write/ü', 'daily'],
      ] as const) {
        const d = mkdtempSync(join(tmpdir(), 'hi-units-'));
        const n = scheduleNames(dir);
        writeFileSync(join(d, n.service), serviceUnit(dir, cmd(dir)));
        writeFileSync(join(d, n.timer), timerUnit(dir, f));
        const r = await execa('systemd-analyze', ['verify', join(d, n.service), join(d, n.timer)], {
          reject: false,
          all: true,
        });
        expect(r.exitCode, `${dir}: ${String(r.all)}`).toBe(0);
        expect(String(r.all), dir).not.toMatch(/harden-init-backup/); // no warning about our units at all
      }
      // The check can fail: a node that does not exist, and a calendar systemd does not know.
      const d = mkdtempSync(join(tmpdir(), 'hi-units-bad-'));
      const n = scheduleNames('/srv/appwrite');
      writeFileSync(
        join(d, n.service),
        serviceUnit('/srv/appwrite', cmd('/srv/appwrite', { node: '/nonexistent/node' })),
      );
      writeFileSync(
        join(d, n.timer),
        timerUnit('/srv/appwrite', 'daily').replace('OnCalendar=daily', 'OnCalendar=hourlyish'),
      );
      const bad = await execa('systemd-analyze', ['verify', join(d, n.service), join(d, n.timer)], {
        reject: false,
        all: true,
      });
      expect(bad.exitCode).not.toBe(0);
      expect(String(bad.all)).toMatch(/not executable|hourlyish/);
    },
  );
});

describe('cron.d file', () => {
  it('one six-field line (minute hour day month weekday user command) as root; weekly on Sunday; PATH set', () => {
    for (const f of ['daily', 'weekly'] as const) {
      const text = cronFile('/srv/appwrite', f, cmd('/srv/appwrite'), '/srv/appwrite/.harden-init/backup.log');
      const jobs = text.split('\n').filter((l) => l && !l.startsWith('#') && !/^[A-Z_]+=/.test(l));
      expect(jobs).toHaveLength(1);
      const m = /^(\d+) (\d+) (\*) (\*) (\*|0) root (.+)$/.exec(jobs[0]!);
      expect(m, jobs[0]).not.toBeNull();
      const { minute, hour } = cronTime('/srv/appwrite');
      expect([Number(m![1]), Number(m![2])]).toEqual([minute, hour]);
      expect(minute).toBeLessThan(60);
      expect(hour).toBeGreaterThanOrEqual(1);
      expect(hour).toBeLessThanOrEqual(4);
      expect(m![5]).toBe(f === 'daily' ? '*' : '0');
      expect(m![6]).toBe(
        `${process.execPath} ${BIN} backup --dir /srv/appwrite --passphrase-file /etc/harden-init/x.passphrase --keep 7 >>/srv/appwrite/.harden-init/backup.log 2>&1`,
      );
      expect(text).toContain('\nPATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n');
    }
  });

  it('a path with a space, a quote and % is shell-quoted and its % escaped (cron would turn it into a newline)', async () => {
    const dir = "/srv/it's 50%";
    const text = cronFile(dir, 'daily', cmd(dir, { args: ['backup', '--dir', dir] }), '/tmp/log');
    const line = text.split('\n').find((l) => / root /.test(l) && !l.startsWith('#'))!;
    expect(line).toContain("'/srv/it'\\''s 50\\%'");
    // What /bin/sh gets after cron's own % handling parses back to the same words.
    const command = line
      .replace(/^.*? root /, '')
      .replace(/\\%/g, '%')
      .replace(/ >>.*$/, '');
    const words = await execa('sh', ['-c', `for w in ${command}; do printf '%s\\n' "$w"; done`]);
    expect(String(words.stdout).split('\n').slice(2)).toEqual(['backup', '--dir', dir]);
  });
});
