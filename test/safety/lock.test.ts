// Row 4 of issue 8: one writer per install. Unit tests of the lock, then two real processes at once.
import { describe, expect, it, vi } from 'vitest';
import { existsSync, mkdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { acquireLock, LOCK_FILE, parseLock, staleReason } from '../../src/apply/lock.js';
import { runBin, tempDir } from '../helpers/run-bin.js';
import { backups, envOf, install, read } from './helpers.js';

describe('the lock file', () => {
  it('is created exclusively with pid, ISO time and host name, and removed on release (with the dirs it made)', async () => {
    const dir = join(tempDir('hi-lock-'), 'appwrite');
    const lock = await acquireLock(dir);
    const info = parseLock(readFileSync(join(dir, LOCK_FILE), 'utf8'))!;
    expect(info.pid).toBe(process.pid);
    expect(info.host).toBe(hostname());
    expect(Date.now() - Date.parse(info.time)).toBeLessThan(5000);
    lock.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    expect(existsSync(dir)).toBe(false); // made only for the lock, empty again
  });

  it('a second taker waits, then refuses naming the pid and the lock path', async () => {
    const dir = join(tempDir('hi-lock-'), 'appwrite');
    const first = await acquireLock(dir);
    const t0 = Date.now();
    await expect(acquireLock(dir, { waitMs: 400, pollMs: 50, isAlive: () => true })).rejects.toThrow(
      new RegExp(
        `pid ${process.pid}.*${LOCK_FILE.replace('.', '\\.')}|${LOCK_FILE.replace('.', '\\.')}.*pid ${process.pid}`,
      ),
    );
    expect(Date.now() - t0).toBeGreaterThanOrEqual(350);
    first.release();
  });

  it('a waiting taker gets the lock as soon as it is released', async () => {
    const dir = join(tempDir('hi-lock-'), 'appwrite');
    const first = await acquireLock(dir);
    setTimeout(() => first.release(), 200);
    const second = await acquireLock(dir, { waitMs: 3000, pollMs: 50 });
    expect(parseLock(readFileSync(second.path, 'utf8'))!.pid).toBe(process.pid);
    second.release();
  });

  it('a stale lock (dead pid on this host, or untouched for 10 minutes) is taken over with a warning', async () => {
    const dir = join(tempDir('hi-lock-'), 'appwrite');
    mkdirSync(join(dir, '.harden-init'), { recursive: true });
    writeFileSync(join(dir, LOCK_FILE), `999999999\n${new Date().toISOString()}\n${hostname()}\n`);
    const warnings: string[] = [];
    const l = await acquireLock(dir, { waitMs: 0, warn: (m) => warnings.push(m) });
    expect(warnings.join()).toMatch(/stale lock.*999999999.*no longer runs/);
    l.release();
    writeFileSync(join(dir, LOCK_FILE), `1\n${new Date(Date.now() - 11 * 60_000).toISOString()}\nother-host\n`);
    utimesSync(join(dir, LOCK_FILE), new Date(Date.now() - 11 * 60_000), new Date(Date.now() - 11 * 60_000));
    const l2 = await acquireLock(dir, { waitMs: 0, warn: (m) => warnings.push(m) });
    expect(warnings[1]).toMatch(/nobody has touched it for more than 10 minutes/);
    l2.release();
  });

  it('staleReason: a live pid elsewhere is not stale; garbage is stale only when untouched', () => {
    const now = Date.now();
    const o = { now, host: 'h', isAlive: () => false };
    expect(staleReason({ pid: 1, time: new Date(now).toISOString(), host: 'other' }, now, o)).toBeUndefined();
    expect(staleReason(undefined, now, o)).toBeUndefined();
    expect(staleReason(undefined, now - 11 * 60_000, o)).toMatch(/nobody has touched it/);
  });

  it('a holder that runs longer than 10 minutes keeps its lock: it touches the file, and a started-long-ago time inside does not matter', async () => {
    const alive = { now: Date.now(), host: hostname(), isAlive: () => true };
    const startedLongAgo = {
      pid: process.pid,
      time: new Date(alive.now - 3 * 3600_000).toISOString(),
      host: hostname(),
    };
    expect(staleReason(startedLongAgo, alive.now - 30_000, alive)).toBeUndefined();
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    try {
      const dir = join(tempDir('hi-lock-'), 'appwrite');
      const lock = await acquireLock(dir);
      const path = join(dir, LOCK_FILE);
      for (let minute = 1; minute <= 30; minute++) {
        vi.advanceTimersByTime(60_000);
        const age = Date.now() - statSync(path).mtimeMs;
        expect(age, `after ${minute} minutes`).toBeLessThan(60_001);
      }
      // Thirty minutes in, another run on this host still waits and refuses instead of taking the lock.
      await expect(acquireLock(dir, { waitMs: 0 })).rejects.toThrow(/Another harden-init run is changing this install/);
      lock.release();
      vi.advanceTimersByTime(120_000); // released: the heartbeat stops and touches nothing (the file is gone)
      expect(existsSync(path)).toBe(false);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('two runs at once on one install (real processes)', () => {
  it('never lose an update: one waits or refuses; state.json and .env agree afterwards', async () => {
    for (let round = 0; round < 3; round++) {
      const dir = await install();
      const a = runBin([
        '--dir',
        dir,
        '--console',
        'emails',
        '--console-emails',
        'a@example.com',
        '--yes',
        '--no-start',
      ]);
      const b = runBin([
        '--dir',
        dir,
        '--console',
        'emails',
        '--console-emails',
        'b@example.com',
        '--yes',
        '--no-start',
      ]);
      const [ra, rb] = await Promise.all([a, b]);
      for (const r of [ra, rb]) {
        expect([0, 1], r.stderr).toContain(r.exitCode);
        if (r.exitCode === 1) expect(r.stderr).toMatch(/Another harden-init run is changing this install.*pid \d+/s);
      }
      expect(ra.exitCode === 0 || rb.exitCode === 0).toBe(true);
      const state = JSON.parse(read(dir, '.harden-init/state.json'));
      expect(envOf(dir)._APP_CONSOLE_WHITELIST_EMAILS).toBe(state.answers.consoleEmails.join(','));
      expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    }
  });

  it('two fresh installs at once: one key, never overwritten without a trace', async () => {
    const dir = join(tempDir('hi-lock-'), 'appwrite');
    const args = (e: string) => [
      '--dir',
      dir,
      '--domain',
      'a.example.com',
      '--email',
      'a@example.com',
      '--console',
      'emails',
      '--console-emails',
      e,
      '--yes',
      '--no-start',
    ];
    const [ra, rb] = await Promise.all([runBin(args('a@example.com')), runBin(args('b@example.com'))]);
    expect(ra.exitCode === 0 || rb.exitCode === 0).toBe(true);
    if (ra.exitCode === 0 && rb.exitCode === 0) {
      // The second run was a re-run: it kept the first run's key, and the first run's .env is in its backup.
      const [stamp] = backups(dir);
      const backedUp = read(dir, `.harden-init/backups/${stamp}/.env`);
      expect(/_APP_OPENSSL_KEY_V1=(\S+)/.exec(backedUp)![1]).toBe(envOf(dir)._APP_OPENSSL_KEY_V1);
      expect(`${ra.stdout}${rb.stdout}`).toMatch(/Kept existing secrets/);
    }
    const state = JSON.parse(read(dir, '.harden-init/state.json'));
    expect(envOf(dir)._APP_CONSOLE_WHITELIST_EMAILS).toBe(state.answers.consoleEmails.join(','));
  });
});
