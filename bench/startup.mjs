#!/usr/bin/env node
// Start-up cost of the built CLI (bin/harden-init.js → dist/cli.mjs) against bare `node`.
// Wall-clock per process, measured around child_process.spawnSync; each case gets warm-up runs that are
// not counted. Not a test: it asserts nothing about time, but exits non-zero when any run fails.
// Then, in a real pseudo-terminal (node-pty): the time from spawn until the wizard's first question is on the screen,
// against bare node printing a line in the same terminal — with the release's files at hand (a release description),
// with the image present behind a stand-in docker (test/fixtures/fake-docker/docker: the reads are its containers),
// and with the image missing (the stand-in's pull takes PULL_SECONDS): the question must not wait for the pull.
//
//   npm run build && npm run bench            (defaults: 2 warm-ups, 15 runs per case)
//   node bench/startup.mjs --runs 30 --warmup 3
//   node bench/startup.mjs --pty-only          (only the first-question cases)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, existsSync, readFileSync } from 'node:fs';
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
// --pty-only: only the real-terminal cases (the first question).
const PTY_ONLY = process.argv.includes('--pty-only');
const WARMUP = intOpt('warmup', 2);

if (!existsSync(join(root, 'dist', 'cli.mjs'))) {
  console.error('bench: dist/cli.mjs is missing; run `npm run build` first');
  process.exit(1);
}

const scratch = mkdtempSync(join(tmpdir(), 'harden-init-bench-'));
// Children get a plain, non-interactive environment: no colours, no CI-specific behaviour.
// No Docker: the release's files come from the test descriptions (test/fixtures/releases), so the figures
// are harden-init's own cost, not an image read.
const childEnv = {
  ...process.env,
  NO_COLOR: '1',
  FORCE_COLOR: '0',
  DOCKER_HOST: 'unix:///nonexistent/harden-init-bench/docker.sock',
  HARDEN_INIT_RELEASES_DIR: join(root, 'test', 'fixtures', 'releases'),
};
delete childEnv.HARDEN_INIT_DB_PASSWORD;

let failures = 0;

/** Runs argv once; returns elapsed ms, records a failure when the exit code is not 0. */
function runOnce(label, args) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, {
    cwd: scratch,
    env: childEnv,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const ms = performance.now() - t0;
  if (r.error || r.status !== 0) {
    failures++;
    const why = r.error ? r.error.message : r.signal ? `signal ${r.signal}` : `exit code ${r.status}`;
    console.error(`bench: ${label} failed (${why}): node ${args.join(' ')}`);
    const out = `${r.stderr ?? ''}${r.stdout ?? ''}`.trim();
    if (out)
      console.error(
        out
          .split('\n')
          .slice(-15)
          .map((l) => `  | ${l}`)
          .join('\n'),
      );
  }
  return ms;
}

let freshCounter = 0;
const freshDir = () => join(scratch, `fresh-${++freshCounter}`, 'appwrite');
const generate = (dir) => [
  bin,
  '--dir',
  dir,
  '--domain',
  'appwrite.example.com',
  '--email',
  'admin@example.com',
  '--yes',
  '--no-start',
];

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

// --- the first question, in a real terminal ---------------------------------------------------------------------
const PULL_SECONDS = 10;
const FAKE_DOCKER_DIR = join(root, 'test', 'fixtures', 'fake-docker');
// ANSI escapes (CSI, OSC, two-character) taken out before matching.
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;
// A clack prompt is drawn with ◆ before its message: the first one on the screen is the first question.
const FIRST_QUESTION = /◆ +\S/;

/**
 * Spawns argv in a pseudo-terminal; resolves with the ms until `until` matches the screen text, then ends the child
 * (and waits for its exit). `after` runs at the match (e.g. to note whether the pull still ran), `cleanup` at the exit.
 */
function ptyRun(pty, label, args, env, until, after = () => {}, cleanup = () => {}) {
  return new Promise((resolveRun) => {
    let killer;
    let text = '';
    let ms;
    let done = false;
    const t0 = performance.now();
    const term = pty.spawn(process.execPath, args, { name: 'xterm-256color', cols: 120, rows: 40, cwd: scratch, env });
    const timer = setTimeout(() => {
      if (!done) {
        failures++;
        console.error(`bench: ${label}: nothing matched ${until} within 20 s\n${text.slice(-800)}`);
        done = true;
        term.kill('SIGKILL');
      }
    }, 20_000);
    term.onData((d) => {
      if (done) return;
      text += d.replace(ANSI, '');
      if (until.test(text)) {
        ms = performance.now() - t0;
        done = true;
        after();
        term.kill('SIGTERM');
        // A SIGTERM that lands just as a background read's process ends can be lost (signal-exit drops its listener
        // between the signal and its handling): then SIGKILL, and the stand-in pull is ended by its pid below.
        killer = setTimeout(() => {
          try {
            term.kill('SIGKILL');
          } catch {
            /* gone */
          }
        }, 500);
      }
    });
    term.onExit(() => {
      clearTimeout(timer);
      clearTimeout(killer);
      cleanup();
      resolveRun(ms ?? NaN);
    });
  });
}

function ptyEnv(extra) {
  const env = { ...process.env, ...extra };
  delete env.CI; // clack draws plain lines under CI
  delete env.HARDEN_INIT_DB_PASSWORD;
  delete env.HARDEN_INIT_SMTP_PASSWORD;
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  return env;
}

async function ptyCases() {
  let pty;
  try {
    pty = (await import('node-pty')).default;
  } catch {
    console.log('(no node-pty: the real-terminal cases are skipped)');
    return;
  }
  let n = 0;
  /** A fresh install dir and stand-in docker state per run. */
  const fresh = () => {
    const base = join(scratch, `pty-${++n}`);
    mkdirSync(base, { recursive: true });
    return { dir: join(base, 'appwrite'), state: base };
  };
  const endPull = (state) => {
    try {
      process.kill(Number(readFileSync(join(state, 'pull.pid'), 'utf8')), 'SIGKILL');
    } catch {
      /* not started, or gone */
    }
  };
  const fakeEnv = (state, extra) =>
    ptyEnv({
      PATH: `${FAKE_DOCKER_DIR}:${process.env.PATH ?? ''}`,
      DOCKER_HOST: 'tcp://127.0.0.1:9',
      HARDEN_INIT_RELEASES_DIR: undefined,
      FAKE_DOCKER_STATE: state,
      FAKE_DOCKER_RELEASE: join(root, 'test', 'fixtures', 'releases', '2.7.1'),
      ...extra,
    });
  let pullRunning = 0;
  let pullRuns = 0;
  const baseline = {
    name: 'pty: node prints a line',
    run: () => ptyRun(pty, 'pty baseline', ['-e', "console.log('x')"], ptyEnv({}), /x/),
  };
  const cases = [
    baseline,
    {
      name: 'pty: first question, release description',
      run: () => {
        const f = fresh();
        return ptyRun(
          pty,
          'pty description',
          [bin, '--dir', f.dir, '--no-start'],
          ptyEnv({ ...childEnv, NO_COLOR: undefined, FORCE_COLOR: undefined }),
          FIRST_QUESTION,
        );
      },
    },
    {
      name: 'pty: first question, image present',
      run: () => {
        const f = fresh();
        return ptyRun(
          pty,
          'pty image present',
          [bin, '--dir', f.dir, '--no-start'],
          fakeEnv(f.state, { FAKE_IMAGE_PRESENT: '1' }),
          FIRST_QUESTION,
        );
      },
    },
    {
      name: `pty: first question, image missing (${PULL_SECONDS} s pull)`,
      run: () => {
        const f = fresh();
        pullRuns++;
        // At the question: the pull has not ended (no "pulled" mark yet).
        return ptyRun(
          pty,
          'pty image missing',
          [bin, '--dir', f.dir, '--no-start'],
          fakeEnv(f.state, { FAKE_PULL_SECONDS: String(PULL_SECONDS) }),
          FIRST_QUESTION,
          () => {
            if (!existsSync(join(f.state, 'pulled'))) pullRunning++;
          },
          () => endPull(f.state),
        );
      },
    },
  ];
  const rows = [];
  for (const c of cases) {
    for (let i = 0; i < WARMUP; i++) await c.run();
    if (c.name.includes('image missing')) {
      pullRuns = 0;
      pullRunning = 0;
    }
    const times = [];
    const ratios = [];
    for (let i = 0; i < RUNS; i++) {
      const b = await baseline.run();
      const a = await c.run();
      times.push(a);
      ratios.push(a / b);
    }
    times.sort((a, b) => a - b);
    ratios.sort((a, b) => a - b);
    rows.push([
      c.name,
      median(times).toFixed(1),
      quantile(times, 0.9).toFixed(1),
      times[0].toFixed(1),
      `${median(ratios).toFixed(2)}x`,
    ]);
  }
  const header = ['case (real terminal: spawn → text on screen)', 'median ms', 'p90 ms', 'min ms', 'x node'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const fmt = (row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  console.log('');
  console.log(fmt(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(fmt(row));
  console.log(
    `image missing: the pull was still running when the first question appeared in ${pullRunning} of ${pullRuns} runs`,
  );
}

try {
  if (!PTY_ONLY) runOnce('setup (install for the re-run cases)', generate(existing));
  if (failures > 0) throw new Error('setup failed');

  const results = [];
  const [baseline] = cases;
  for (const c of PTY_ONLY ? [] : cases) {
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
    results.push({
      name: c.name,
      median: median(times),
      p90: quantile(times, 0.9),
      min: times[0],
      ratio: median(ratios),
    });
    // Fresh install dirs are only needed for their own run.
    for (; freshCounter > 0; freshCounter--)
      rmSync(join(scratch, `fresh-${freshCounter}`), { recursive: true, force: true });
  }

  const header = ['case', 'median ms', 'p90 ms', 'min ms', 'x node'];
  const rows = results.map((r) => [
    r.name,
    r.median.toFixed(1),
    r.p90.toFixed(1),
    r.min.toFixed(1),
    `${r.ratio.toFixed(2)}x`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const fmt = (row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  console.log(
    `harden-init start-up, ${RUNS} runs per case after ${WARMUP} warm-up(s); node ${process.version} on ${process.platform}/${process.arch}`,
  );
  if (!PTY_ONLY) {
    console.log(fmt(header));
    console.log(widths.map((w) => '-'.repeat(w)).join('  '));
    for (const row of rows) console.log(fmt(row));
  }
  await ptyCases();
  const pack = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' });
  const [info] = JSON.parse(pack.stdout);
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  console.log(
    `packed tarball: ${info.size} bytes (${(info.size / 1000).toFixed(1)} kB, ${(info.size / 1024).toFixed(1)} KiB; ${info.entryCount} files); runtime dependencies npx installs: ${Object.keys(pkg.dependencies ?? {}).length}`,
  );
} catch (e) {
  if (failures === 0) {
    failures++;
    console.error(`bench: ${e instanceof Error ? e.message : e}`);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

if (failures > 0) {
  console.error(`bench: ${failures} run(s) failed`);
  process.exit(1);
}
