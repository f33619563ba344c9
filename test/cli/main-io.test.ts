// main() runs with the io it is given: in-process runs see their own env, cwd and output, take turns, and
// leave the process as they found it (no test leaks into the next).
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runMain } from '../helpers/run-main.js';
import { tempDir } from '../helpers/run-bin.js';

const FIRST = ['--domain', 'appwrite.example.com', '--email', 'admin@example.com', '--yes', '--no-start'];

describe('main with injected io', () => {
  it('puts back process.env, the cwd and the output streams after a run', async () => {
    const before = {
      env: process.env,
      cwd: process.cwd(),
      out: process.stdout.write,
      err: process.stderr.write,
      tty: process.stdout.isTTY,
    };
    const cwd = tempDir();
    const r = await runMain(['--dir', 'relative/appwrite', ...FIRST], { HARDEN_INIT_MARKER: 'set-in-run' }, cwd);
    expect(r.exitCode, r.stderr).toBe(0);
    // The relative --dir was taken from the run's cwd, not the test process's.
    expect(existsSync(join(cwd, 'relative', 'appwrite', '.env'))).toBe(true);
    expect(process.env).toBe(before.env);
    expect(process.env.HARDEN_INIT_MARKER).toBeUndefined();
    expect(process.cwd()).toBe(before.cwd);
    expect(process.stdout.write).toBe(before.out);
    expect(process.stderr.write).toBe(before.err);
    expect(process.stdout.isTTY).toBe(before.tty);
  });

  it('concurrent runs take turns: each output names only its own install', async () => {
    const dirs = [0, 1, 2].map(() => join(tempDir(), 'appwrite'));
    const results = await Promise.all(dirs.map((d) => runMain(['--dir', d, ...FIRST])));
    results.forEach((r, i) => {
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout).toContain(dirs[i]);
      for (const other of dirs.filter((_, j) => j !== i)) expect(r.stdout).not.toContain(other);
    });
  });

  it('a failing run reports on its own stderr with its exit code, and the next run is unaffected', async () => {
    const bad = await runMain([
      '--dir',
      join(tempDir(), 'appwrite'),
      '--domain',
      'bad domain',
      '--email',
      'admin@example.com',
      '--yes',
      '--no-start',
    ]);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/--domain/);
    const good = await runMain(['--version']);
    expect(good).toEqual({ exitCode: 0, stdout: expect.stringMatching(/^\d+\.\d+\.\d+/), stderr: '' });
  });
});
