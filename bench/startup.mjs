#!/usr/bin/env node
// Start-up cost of the built CLI (bin/harden-init.js → dist/cli.js) against bare `node`.
// Wall-clock per process, measured around child_process.spawnSync; each case gets warm-up runs that are
// not counted. Not a test: it asserts nothing about time, but exits non-zero when any run fails.
//
//   npm run build && npm run bench            (defaults: 2 warm-ups, 15 runs per case)
//   node bench/startup.mjs --runs 30 --warmup 3
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'harden-init.js');

function intOpt(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  const raw = i !== -1 ? process.argv[i + 1] : process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < (name === 'runs' ? 1 : 0)) {
    console.error(`bench: --${name} wants a whole number, got ${raw}`);
    process.exit(2);
  }
  return n;
}
const RUNS = intOpt('runs', 15);
const WARMUP = intOpt('warmup', 2);

if (!existsSync(join(root, 'dist', 'cli.js'))) {
  console.error('bench: dist/cli.js is missing; run `npm run build` first');
  process.exit(1);
}

const scratch = mkdtempSync(join(tmpdir(), 'harden-init-bench-'));
// Children get a plain, non-interactive environment: no colours, no CI-specific behaviour.
// No Docker: the release's files come from the test descriptions (test/fixtures/releases), so the figures
// are harden-init's own cost, not an image read.
const childEnv = {
  ...process.env, NO_COLOR: '1', FORCE_COLOR: '0',
  DOCKER_HOST: 'unix:///nonexistent/harden-init-bench/docker.sock',
  HARDEN_INIT_RELEASES_DIR: join(root, 'test', 'fixtures', 'releases'),
};
delete childEnv.HARDEN_INIT_DB_PASSWORD;

let failures = 0;

/** Runs argv once; returns elapsed ms, records a failure when the exit code is not 0. */
function runOnce(label, args) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: scratch, env: childEnv, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = performance.now() - t0;
  if (r.error || r.status !== 0) {
    failures++;
    const why = r.error ? r.error.message : r.signal ? `signal ${r.signal}` : `exit code ${r.status}`;
    console.error(`bench: ${label} failed (${why}): node ${args.join(' ')}`);
    const out = `${r.stderr ?? ''}${r.stdout ?? ''}`.trim();
    if (out) console.error(out.split('\n').slice(-15).map((l) => `  | ${l}`).join('\n'));
  }
  return ms;
}

let freshCounter = 0;
const freshDir = () => join(scratch, `fresh-${++freshCounter}`, 'appwrite');
const generate = (dir) => [bin, '--dir', dir, '--domain', 'appwrite.example.com', '--email', 'admin@example.com', '--yes', '--no-start'];

// The re-run cases work on one install made up front (and checked to succeed).
const existing = join(scratch, 'existing', 'appwrite');

const cases = [
  { name: 'node -e 0 (baseline)', args: () => ['-e', '0'] },
  { name: '--version', args: () => [bin, '--version'] },
  { name: '--help', args: () => [bin, '--help'] },
  { name: 'generate (fresh dir)', args: () => generate(freshDir()) },
  // The part of a generation no design can skip (bench/floor.mjs): the lowest ratio "generate" could reach.
  { name: 'floor: secrets + 4 atomic writes', args: () => [join(root, 'bench', 'floor.mjs'), freshDir()] },
  { name: 're-run, no change', args: () => [bin, '--dir', existing, '--yes', '--no-start'] },
  { name: 're-run --https off --dry-run', args: () => [bin, '--dir', existing, '--https', 'off', '--dry-run'] },
];

function quantile(sorted, q) {
  // Nearest-rank: the smallest value with at least q of the samples at or below it.
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}
function median(sorted) {
  const m = sorted.length >> 1;
  return sorted.length % 2 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
}

try {
  runOnce('setup (install for the re-run cases)', generate(existing));
  if (failures > 0) throw new Error('setup failed');

  const results = [];
  const [baseline] = cases;
  for (const c of cases) {
    for (let i = 0; i < WARMUP; i++) runOnce(`${c.name} (warm-up)`, c.args());
    const times = [];
    const ratios = [];
    // Alternating with the baseline, ratio taken pair by pair: drift in machine speed cancels out.
    for (let i = 0; i < RUNS; i++) {
      const b = runOnce(baseline.name, baseline.args());
      const a = runOnce(c.name, c.args());
      times.push(a);
      ratios.push(a / b);
    }
    times.sort((a, b) => a - b);
    ratios.sort((a, b) => a - b);
    results.push({ name: c.name, median: median(times), p90: quantile(times, 0.9), min: times[0], ratio: median(ratios) });
    // Fresh install dirs are only needed for their own run.
    for (; freshCounter > 0; freshCounter--) rmSync(join(scratch, `fresh-${freshCounter}`), { recursive: true, force: true });
  }

  const header = ['case', 'median ms', 'p90 ms', 'min ms', 'x node'];
  const rows = results.map((r) => [r.name, r.median.toFixed(1), r.p90.toFixed(1), r.min.toFixed(1), `${r.ratio.toFixed(2)}x`]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const fmt = (row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  console.log(`harden-init start-up, ${RUNS} runs per case after ${WARMUP} warm-up(s); node ${process.version} on ${process.platform}/${process.arch}`);
  console.log(fmt(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(fmt(row));
  const pack = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' });
  const [info] = JSON.parse(pack.stdout);
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  console.log(`packed tarball: ${info.size} bytes (${(info.size / 1000).toFixed(1)} kB, ${(info.size / 1024).toFixed(1)} KiB; ${info.entryCount} files); runtime dependencies npx installs: ${Object.keys(pkg.dependencies ?? {}).length}`);
} catch (e) {
  if (failures === 0) { failures++; console.error(`bench: ${e instanceof Error ? e.message : e}`); }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

if (failures > 0) {
  console.error(`bench: ${failures} run(s) failed`);
  process.exit(1);
}
