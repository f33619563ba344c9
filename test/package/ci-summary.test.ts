// The line CI ends with ("N passed, N failed", .ci/lib/summary.mjs) must not read green for a red run: a file whose
// setup failed reports its tests as skipped and no failed test, yet the run failed.
import { execa } from 'execa';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/run-bin.js';

type Status = 'passed' | 'failed' | 'skipped';
const file = (status: Status, tests: Status[]) => ({ status, assertionResults: tests.map((t) => ({ status: t })) });

async function summary(files: ReturnType<typeof file>[]): Promise<string> {
  const path = join(mkdtempSync(join(tmpdir(), 'hi-ci-summary-')), 'report.json');
  const all = files.flatMap((f) => f.assertionResults);
  writeFileSync(
    path,
    JSON.stringify({
      numPassedTests: all.filter((t) => t.status === 'passed').length,
      numFailedTests: all.filter((t) => t.status === 'failed').length,
      testResults: files,
    }),
  );
  return String((await execa('node', [join(ROOT, '.ci/lib/summary.mjs'), path])).stdout);
}

describe('CI summary line', () => {
  it('counts passed and failed tests as the runner reports them', async () => {
    expect(await summary([file('passed', ['passed', 'passed']), file('failed', ['passed', 'failed'])])).toBe(
      '3 passed, 1 failed',
    );
  });

  it('counts a file whose setup failed as failed: each test it did not pass, at least one', async () => {
    expect(await summary([file('passed', ['passed']), file('failed', ['skipped', 'skipped', 'skipped'])])).toBe(
      '1 passed, 3 failed',
    );
    expect(await summary([file('failed', [])])).toBe('0 passed, 1 failed');
  });

  it('skipped tests of a passing file are not failures', async () => {
    expect(await summary([file('passed', ['passed', 'skipped'])])).toBe('1 passed, 0 failed');
  });
});
