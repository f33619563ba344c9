#!/usr/bin/env node
// harden-init's own share of a full install on a real Docker engine: `--yes` from an empty directory to a running,
// verified stack. Every `docker` / `docker-compose` process harden-init starts goes through a logging shim, and
// Docker's own health log says when each container became ready. harden-init's own time is what is left of the
// wall time after (a) those processes and (b) the stack's own start (from `up -d` to the last container ready),
// which harden-init cannot shorten. Not a test: it asserts nothing about time; it exits non-zero when a run fails.
//
//   export DOCKER_HOST=unix:///tmp/hi-docker/docker.sock   (the engine of .ci/lib/docker-engine.sh)
//   npm run build && node bench/stack.mjs [--release 2.7.1] [--runs 3]
//
// Needs the stand-in images (test/e2e/standin/build-standins.sh, run here; cached) and takes the e2e suites'
// engine lock, so it never runs beside them.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:net';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'harden-init.js');
const opt = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i !== -1 ? process.argv[i + 1] : fallback;
};
const RELEASE = opt('release', '2.7.1');
const RUNS = Number(opt('runs', '3'));
const socket = /^unix:\/\/(.+)$/.exec(process.env.DOCKER_HOST ?? '')?.[1];
if (!socket) {
  console.error('bench/stack: set DOCKER_HOST=unix:///… to a running engine (see .ci/lib/docker-engine.sh)');
  process.exit(1);
}

const sh = (cmd, args, o = {}) => spawnSync(cmd, args, { encoding: 'utf8', ...o });
const which = (cmd) => sh('sh', ['-c', `command -v ${cmd}`]).stdout.trim();

// The same lock the e2e suites take (test/helpers/engine.ts lockEngine): fixed container names, one stack at a time.
async function lockEngine() {
  const child = spawn(
    'flock',
    ['-w', '900', join(dirname(socket), 'harden-init-e2e.lock'), 'sh', '-c', 'echo locked; exec cat >/dev/null'],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  await new Promise((resolve, reject) => {
    child.stdout.once('data', resolve);
    child.once('exit', () => reject(new Error('could not take the engine lock')));
  });
  return () => child.stdin.end();
}

async function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '0.0.0.0', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Takes the stack down whatever state it is in (upstream's fixed names and global networks included). */
function removeStack(dir) {
  sh('docker-compose', ['down', '-v', '--remove-orphans', '--timeout', '5'], { cwd: dir });
  const ids = sh('docker', ['ps', '-aq', '--filter', 'name=^/(appwrite|exc1$|orchestrator$)'])
    .stdout.split('\n')
    .filter(Boolean);
  if (ids.length) sh('docker', ['rm', '-f', '-v', ...ids]);
  for (const n of ['gateway', 'appwrite', 'runtimes']) sh('docker', ['network', 'rm', n]);
  const vols = sh('docker', ['volume', 'ls', '-q', '--filter', `label=com.docker.compose.project=${basename(dir)}`])
    .stdout.split('\n')
    .filter(Boolean);
  for (const v of [...vols, 'appwrite-builds']) sh('docker', ['volume', 'rm', '-f', v]);
}

/** A PATH directory whose docker and docker-compose log each call (start, end, argv) and run the real one. */
function shims(scratch, trace) {
  const dir = join(scratch, 'shims');
  mkdirSync(dir);
  for (const cmd of ['docker', 'docker-compose']) {
    const real = which(cmd);
    writeFileSync(
      join(dir, cmd),
      [
        '#!/bin/sh',
        `printf 'S %s %s %s\\n' "$(date +%s%N)" "$$" "${cmd} $*" >> '${trace}'`,
        `'${real}' "$@"`,
        'rc=$?',
        `printf 'E %s %s %s\\n' "$(date +%s%N)" "$$" "$rc" >> '${trace}'`,
        'exit $rc',
        '',
      ].join('\n'),
    );
    chmodSync(join(dir, cmd), 0o755);
  }
  return dir;
}

/** [start, end, argv] of each logged process, in ms since the epoch. */
function spans(trace) {
  const open = new Map();
  const out = [];
  for (const line of readFileSync(trace, 'utf8').split('\n').filter(Boolean)) {
    const [kind, ns, pid, ...rest] = line.split(' ');
    if (kind === 'S') open.set(pid, { start: Number(BigInt(ns) / 1000n) / 1000, argv: rest.join(' ') });
    else if (open.has(pid)) out.push({ ...open.get(pid), end: Number(BigInt(ns) / 1000n) / 1000 }), open.delete(pid);
  }
  return out;
}

/**
 * Watches the project's containers while harden-init runs (every 200 ms, not through the shims) and keeps when each
 * was first ready: healthy where it has a healthcheck, else running (its StartedAt). Docker's own health log keeps
 * only the last five checks, so it cannot say this afterwards.
 */
function watchReadiness(project) {
  const ready = new Map();
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const ids = await new Promise((resolve) => {
        const c = spawn('docker', ['ps', '-q', '--filter', `label=com.docker.compose.project=${project}`]);
        let out = '';
        c.stdout.on('data', (d) => {
          out += d;
        });
        c.on('close', () => resolve(out.split('\n').filter(Boolean)));
      });
      if (ids.length) {
        const json = await new Promise((resolve) => {
          const c = spawn('docker', ['inspect', ...ids]);
          let out = '';
          c.stdout.on('data', (d) => {
            out += d;
          });
          c.on('close', () => resolve(out));
        });
        let info = [];
        try {
          info = JSON.parse(json);
        } catch {
          /* a container went away between ps and inspect */
        }
        for (const c of info) {
          const name = c.Name.replace(/^\//, '');
          if (ready.has(name)) continue;
          if (c.State.Health ? c.State.Health.Status === 'healthy' : c.State.Running)
            ready.set(name, c.State.Health ? Date.now() : Date.parse(c.State.StartedAt));
        }
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  return async () => {
    stopped = true;
    await loop;
    return ready;
  };
}

/** Total length of the union of [from, to] intervals. */
function unionMs(intervals) {
  let total = 0;
  let cur;
  for (const [a, b] of intervals.filter(([x, y]) => y > x).sort((x, y) => x[0] - y[0])) {
    if (!cur || a > cur[1]) {
      if (cur) total += cur[1] - cur[0];
      cur = [a, b];
    } else cur[1] = Math.max(cur[1], b);
  }
  return total + (cur ? cur[1] - cur[0] : 0);
}

const ms = (x) => `${(x / 1000).toFixed(1)} s`;
const pct = (x, of) => `${((100 * x) / of).toFixed(1)} %`;

const build = sh(join(root, 'test/e2e/standin/build-standins.sh'), ['--release', RELEASE], { stdio: 'inherit' });
if (build.status !== 0) process.exit(1);

const unlock = await lockEngine();
const rows = [];
let failed = 0;
try {
  for (let run = 1; run <= RUNS; run++) {
    const scratch = mkdtempSync(join(tmpdir(), 'harden-init-bench-stack-'));
    const dir = join(scratch, 'appwrite');
    const trace = join(scratch, 'trace.log');
    writeFileSync(trace, '');
    const dockerConfig = join(scratch, 'docker-config'); // no CLI plugins: Compose v1, as the e2e suites run it
    mkdirSync(dockerConfig);
    removeStack(dir);
    mkdirSync(dir, { mode: 0o700 });
    // This machine caps open files at 20000 (see test/helpers/engine.ts): 2.x's clickhouse asks for more.
    writeFileSync(
      join(dir, 'docker-compose.override.yml'),
      'services:\n  clickhouse:\n    ulimits:\n      nofile:\n        soft: 20000\n        hard: 20000\n',
    );
    const [http, https] = [await freePort(), await freePort()];
    const env = {
      ...process.env,
      PATH: `${shims(scratch, trace)}:${process.env.PATH}`,
      DOCKER_CONFIG: dockerConfig,
      NO_COLOR: '1',
    };
    delete env.HARDEN_INIT_RELEASES_DIR;
    const stopWatching = watchReadiness(basename(dir));
    const t0 = Date.now();
    const r = await new Promise((resolve) => {
      const c = spawn(
        process.execPath,
        [
          bin,
          '--dir',
          dir,
          '--release',
          RELEASE,
          '--domain',
          'appwrite.example.com',
          '--email',
          'admin@example.com',
          '--http-port',
          String(http),
          '--https-port',
          String(https),
          '--yes',
          '--timeout',
          '300',
        ],
        { env, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let out = '';
      c.stdout.on('data', (d) => {
        out += d;
      });
      c.stderr.on('data', (d) => {
        out += d;
      });
      c.on('close', (status) => resolve({ status, out }));
    });
    const t1 = Date.now();
    const readyAt = await stopWatching();
    if (r.status !== 0) {
      failed++;
      console.error(`bench/stack: run ${run} failed (exit ${r.status}):\n${r.out.split('\n').slice(-20).join('\n')}`);
      removeStack(dir);
      continue;
    }
    const calls = spans(trace);
    const up = calls.find((c) => / up /.test(` ${c.argv} `));
    const ready = Math.max(...readyAt.values());
    const starting = up && ready > up.end ? [up.end, ready] : undefined;
    const dockerMs = unionMs(calls.map((c) => [c.start, c.end]));
    const waitedMs = unionMs([...calls.map((c) => [c.start, c.end]), ...(starting ? [starting] : [])]);
    const wall = t1 - t0;
    // The strict view: only `up -d`, the stack's own start and the `exec` reads of verification are Docker's
    // necessary time; every other docker call (probes, validation, reading the release image) counts against us.
    const essential = unionMs([
      ...calls.filter((c) => / up | exec /.test(` ${c.argv} `)).map((c) => [c.start, c.end]),
      ...(starting ? [starting] : []),
    ]);
    rows.push({
      wall,
      dockerMs,
      startMs: starting ? starting[1] - starting[0] : 0,
      ownMs: wall - waitedMs,
      strictMs: wall - essential,
      calls: calls.length,
    });
    const byCmd = new Map();
    for (const c of calls) {
      const key = c.argv
        .split(' ')
        .filter((w) => !w.startsWith('-') && !/^[0-9a-f]{12,}$/.test(w))
        .slice(0, 3)
        .join(' ');
      const e = byCmd.get(key) ?? { n: 0, ms: 0 };
      byCmd.set(key, { n: e.n + 1, ms: e.ms + c.end - c.start });
    }
    console.log(`run ${run}: ${ms(wall)} in all; ${calls.length} docker processes:`);
    for (const [k, v] of [...byCmd].sort((a, b) => b[1].ms - a[1].ms))
      console.log(`  ${String(v.n).padStart(3)}× ${k.padEnd(40)} ${ms(v.ms)}`);
    removeStack(dir);
    rmSync(scratch, { recursive: true, force: true });
  }
} finally {
  unlock();
}

if (rows.length) {
  const med = (f) => rows.map(f).sort((a, b) => a - b)[Math.floor(rows.length / 2)];
  const wall = med((r) => r.wall);
  console.log(
    `\nharden-init ${RELEASE} install to a verified stack, ${rows.length} run(s), medians; node ${process.version}`,
  );
  console.log(`  wall time                                   ${ms(wall)}`);
  console.log(`  docker / docker-compose processes (union)   ${ms(med((r) => r.dockerMs))}`);
  console.log(`  the stack starting (up -d → last ready)     ${ms(med((r) => r.startMs))}`);
  console.log(
    `  harden-init's own share (the rest)          ${ms(med((r) => r.ownMs))} = ${pct(
      med((r) => r.ownMs),
      wall,
    )} of the run`,
  );
  console.log(
    `  all but up -d, the start and exec (strict)  ${ms(med((r) => r.strictMs))} = ${pct(
      med((r) => r.strictMs),
      wall,
    )} of the run`,
  );
}
process.exit(failed ? 1 : 0);
