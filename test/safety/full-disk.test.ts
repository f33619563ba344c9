// Row 1 of issue 8: on a full disk every byte is written or the run fails with the old file intact and no
// temporary file left. On a REAL tiny tmpfs (CI runs as root; elsewhere without root it is skipped, in CI
// it fails).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic, writeAll } from '../../src/apply/atomic.js';
import { runBin, tempDir } from '../helpers/run-bin.js';
import { FIRST, backups, read } from './helpers.js';

const isRoot = process.getuid?.() === 0;
if (!isRoot && process.env.CI === 'true') throw new Error('the full-disk tests mount a tmpfs and need root in CI');

let mnt = '';
let mounted = false;
function mountTmpfs(kib: number): string {
  const d = tempDir('hi-tmpfs-');
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${kib}k,mode=0755`, 'tmpfs', d]);
  return d;
}
/** Fills the file system so that exactly `pages` blocks stay free. */
function leaveFree(dir: string, pages: number, name = '.filler'): void {
  const st = statfsSync(dir);
  const fill = (Number(st.bavail) - pages) * Number(st.bsize);
  if (fill > 0) writeFileSync(join(dir, name), Buffer.alloc(fill, 1));
  expect(Number(statfsSync(dir).bavail)).toBe(pages);
}

describe.runIf(isRoot)('a full disk (real tmpfs)', () => {
  beforeAll(() => {
    mnt = mountTmpfs(256);
    mounted = true;
  });
  afterAll(() => {
    if (mounted) execFileSync('umount', [mnt]);
  });

  it('writeAll continues short writes and throws when no byte more is taken', () => {
    const chunks: number[] = [];
    writeAll(0, Buffer.alloc(10), ((_fd: number, _b: Buffer, off: number, len: number) => {
      chunks.push(off);
      return Math.min(3, len);
    }) as never);
    expect(chunks).toEqual([0, 3, 6, 9]);
    expect(() => writeAll(0, Buffer.alloc(10), (() => 0) as never)).toThrow(/only 0 of 10 bytes/);
  });

  it('writeFileAtomic: a file larger than the free space fails, the old file stays, no temporary file is left', () => {
    const d = join(mnt, 'unit');
    mkdirSync(d);
    const old = 'OLD=1\n'.repeat(100);
    writeFileSync(join(d, '.env'), old, { mode: 0o600 });
    leaveFree(mnt, 1, '.filler-unit'); // one page free: the first write is short, the next fails
    const big = `${'A_VALUE=x\n'.repeat(800)}_APP_OPENSSL_KEY_V1=the-key-line-lies-past-the-cut\n`;
    expect(() => writeFileAtomic(join(d, '.env'), big, 0o600)).toThrow(/ENOSPC|bytes were accepted/);
    expect(readFileSync(join(d, '.env'), 'utf8')).toBe(old);
    expect(readdirSync(d)).toEqual(['.env']);
    rmSync(join(mnt, '.filler-unit'));
  });

  it('a re-run on a full disk exits 1 with the old .env intact, the key in it, and no temporary file', async () => {
    const dir = join(mnt, 'appwrite');
    let r = await runBin(['--dir', dir, ...FIRST]);
    expect(r.exitCode, r.stderr).toBe(0);
    const oldEnv = read(dir, '.env');
    expect(oldEnv.length).toBeGreaterThan(4096);
    // Room for the backups (.env and state.json) and one page more: enough for a short write of .env.
    const envPages = Math.ceil(Buffer.byteLength(oldEnv) / 4096);
    leaveFree(mnt, envPages + 1 + 1);
    r = await runBin([
      '--dir',
      dir,
      '--console',
      'emails',
      '--console-emails',
      Array.from({ length: 60 }, (_, i) => `user${i}@example.com`).join(','),
      '--yes',
      '--no-start',
    ]);
    expect(r.exitCode, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).toMatch(/Writing the install failed/);
    expect(read(dir, '.env')).toBe(oldEnv);
    expect(readdirSync(dir).filter((n) => n.includes('.tmp'))).toEqual([]);
    expect(readdirSync(join(dir, '.harden-init')).filter((n) => n.includes('.tmp') || n === 'lock')).toEqual([]);
    expect(backups(dir).length).toBeLessThanOrEqual(1);
    rmSync(join(mnt, '.filler'), { force: true });
    // With room again, the same run succeeds and keeps the key.
    const key = /^_APP_OPENSSL_KEY_V1=(.+)$/m.exec(oldEnv)![1];
    r = await runBin([
      '--dir',
      dir,
      '--console',
      'emails',
      '--console-emails',
      'ops@example.com',
      '--yes',
      '--no-start',
    ]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(read(dir, '.env')).toContain(`_APP_OPENSSL_KEY_V1=${key}\n`);
  });
});
