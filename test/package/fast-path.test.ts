// `--version` and `--help` are answered by bin/harden-init.js from dist/fast.cjs, written at build time, without
// loading the bundle. Their text must be what the live definitions give (a flag added to args/help after the
// last build would show here), and the slow path (any other argv with --help) must print the same.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { helpText } from '../../src/cli/help.js';
import { ROOT, runBin } from '../helpers/run-bin.js';

const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
const fast = createRequire(import.meta.url)(join(ROOT, 'dist', 'fast.cjs')) as { version: string; help: string };

describe('the --version/--help fast path', () => {
  it('was generated from the current help source and package version', async () => {
    expect(fast.version).toBe(version);
    expect(fast.help).toBe(await helpText(version));
  });

  it('prints the live help and version from the bin, the same as the full CLI does', async () => {
    const help = await runBin(['--help']);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toBe(await helpText(version)); // (the runner strips the final newline)
    const short = await runBin(['-h']);
    expect(short.stdout).toBe(help.stdout);
    // Not the fast path (two arguments): the bundle parses the flags and prints the same text.
    const full = await runBin(['appwrite', '--help']);
    expect(full.exitCode).toBe(0);
    expect(full.stdout).toBe(help.stdout);

    for (const flag of ['--version', '-v']) {
      const v = await runBin([flag]);
      expect(v.exitCode).toBe(0);
      expect(v.stdout).toBe(version);
    }
  });
});
