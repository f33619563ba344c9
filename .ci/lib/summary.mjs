// The closing "N passed, N failed" line, from vitest's JSON report. A file whose setup failed (beforeAll, an
// import) fails without any failing test: its tests are reported skipped, so numFailedTests alone would print
// "0 failed" for a red run. Such a file counts each test it did not pass (at least one) as failed.
import { existsSync, readFileSync } from 'node:fs';

const path = process.argv[2] ?? '.tmp/vitest-report.json';
if (!existsSync(path)) {
  console.error('no test report: the run failed before the tests');
  console.log('0 passed, 0 failed');
  process.exit(0);
}
const report = JSON.parse(readFileSync(path, 'utf8'));
let failed = report.numFailedTests;
for (const file of report.testResults) {
  const tests = file.assertionResults;
  if (file.status !== 'failed' || tests.some((t) => t.status === 'failed')) continue;
  failed += Math.max(1, tests.filter((t) => t.status !== 'passed').length);
}
console.log(`${report.numPassedTests} passed, ${failed} failed`);
