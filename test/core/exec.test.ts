// How harden-init's docker, compose and systemctl processes behave as a user sees them (src/core/exec.ts): a
// failure names the command and what it printed last, a hung command is ended, Ctrl-C or SIGTERM to harden-init
// ends its children too, and a missing docker binary is reported as such.
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { exec, failure } from '../../src/core/exec.js';
import { preflight } from '../../src/docker/preflight.js';
import { pullImage } from '../../src/targets/appwrite/upstream/image.js';
import { commandInput, commandOutput, StreamError } from '../../src/commands/db-dump.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const node = process.execPath;
const scratch = mkdtempSync(join(tmpdir(), 'hi-exec-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A directory with one executable <name> running <script> (sh). */
function fakeBin(name: string, script: string): string {
  const dir = mkdtempSync(join(scratch, 'bin-'));
  writeFileSync(join(dir, name), `#!/bin/sh\n${script}\n`);
  chmodSync(join(dir, name), 0o755);
  return dir;
}

const savedPath = process.env.PATH;
afterEach(() => {
  process.env.PATH = savedPath;
});

describe('a failed command', () => {
  it('names the command line, its exit code and the last lines of its stderr', async () => {
    const r = await exec(node, [
      '-e',
      'for (let i = 1; i <= 30; i++) console.error("line " + i); console.log("out"); process.exit(3)',
      'an arg',
    ]);
    const msg = failure(r);
    expect(msg).toContain(`\`${r.escapedCommand}\` failed (exit 3):`);
    expect(msg).toContain("'an arg'");
    expect(msg.split('\n').slice(-5)).toEqual(['line 26', 'line 27', 'line 28', 'line 29', 'line 30']);
    expect(msg).not.toContain('line 25');
  });

  it("docker pull: progress reaches the caller line by line, and the error names the command and Docker's last words", async () => {
    process.env.PATH = `${fakeBin('docker', 'printf "layer1: Pulling fs layer\\nlayer1: Downloading\\rlayer1: Download complete\\n"; echo "Error response from daemon: manifest for appwrite/appwrite:9.9.9 not found" >&2; exit 1')}:${savedPath}`;
    const lines: string[] = [];
    const err = await pullImage('appwrite/appwrite:9.9.9', (l) => lines.push(l)).catch((e: Error) => e);
    expect(lines).toEqual([
      'layer1: Pulling fs layer',
      'layer1: Downloading',
      'layer1: Download complete',
      'Error response from daemon: manifest for appwrite/appwrite:9.9.9 not found',
    ]);
    expect((err as Error).message).toBe(
      "The image appwrite/appwrite:9.9.9 could not be pulled: `docker pull 'appwrite/appwrite:9.9.9'` failed (exit 1):\nError response from daemon: manifest for appwrite/appwrite:9.9.9 not found",
    );
  });
});

describe('a command that hangs', () => {
  it('is ended at its timeout, even when it ignores SIGTERM (SIGKILL after the grace), and the message says so', async () => {
    const t0 = Date.now();
    const r = await exec(
      node,
      ['-e', 'process.on("SIGTERM", () => {}); console.error("waiting"); setInterval(() => {}, 1000)'],
      { timeout: 500 },
    );
    expect(r.timedOut).toBe(true);
    expect(r.signal).toBe('SIGKILL');
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(failure(r)).toMatch(/^`.+` timed out after \d+ s and was stopped:\nwaiting$/);
  });

  it('gives stdin nothing: a program that reads it sees end of input at once', async () => {
    const r = await exec(node, ['-e', 'let n=0;process.stdin.on("data",d=>n+=d.length).on("end",()=>console.log(n))'], {
      timeout: 10_000,
    });
    expect(r).toMatchObject({ stdout: '0', timedOut: false });
  });
});

describe('a missing program', () => {
  it('is a failed result, told as not found', async () => {
    const r = await exec('harden-init-no-such-program', ['x'], { all: true });
    expect(r.failed).toBe(true);
    expect(r.exitCode).toBeUndefined();
    expect(failure(r)).toBe(
      '`harden-init-no-such-program x`: harden-init-no-such-program not found (is it installed and on PATH?)',
    );
  });

  it('preflight: no docker on PATH is reported as Docker not installed, and stops there', async () => {
    process.env.PATH = mkdtempSync(join(scratch, 'empty-'));
    const { checks, compose } = await preflight(() => {});
    expect(compose).toBeUndefined();
    expect(checks).toHaveLength(1);
    expect(checks[0]).toMatchObject({ ok: false, label: 'Docker is not installed (no docker command on PATH)' });
  });

  it('preflight: a docker that runs but gives no client version is reported with its command and its error', async () => {
    process.env.PATH = `${fakeBin('docker', 'echo "docker: error while loading shared libraries: libfoo.so" >&2; exit 127')}:${savedPath}`;
    const { checks } = await preflight(() => {});
    expect(checks[0]!.ok).toBe(false);
    expect(checks[0]!.label).toBe(
      "Docker client not usable: `docker version --format '{{.Client.Version}}'` failed (exit 127):\ndocker: error while loading shared libraries: libfoo.so",
    );
  });
});

describe('streamed commands (backup and restore)', () => {
  it('commandOutput gives stdout byte-exact, and throws naming what failed with the stderr tail', async () => {
    const bytes: number[] = [];
    for await (const c of commandOutput(node, ['-e', 'process.stdout.write(Buffer.from([0, 255, 10, 13, 10]))'], {
      what: 'reading',
    }))
      bytes.push(...c);
    expect(bytes).toEqual([0, 255, 10, 13, 10]);
    const failing = commandOutput('sh', ['-c', 'echo part; echo "tar: boom" >&2; exit 2'], {
      what: 'reading volume v',
    });
    const err = await (async () => {
      for await (const _ of failing) {
        /* drained */
      }
    })().catch((e: Error) => e);
    expect(err).toBeInstanceOf(StreamError);
    expect((err as Error).message).toBe('reading volume v failed (exit 2):\ntar: boom');
  });

  it('commandOutput ends the command when the reader stops early', async () => {
    const pidFile = join(scratch, 'reader.pid');
    const gen = commandOutput('sh', ['-c', `echo $$ > ${pidFile}; while :; do echo x; sleep 0.05; done`], {
      what: 'x',
    });
    await gen.next();
    await gen.return(undefined);
    await expectGone(Number(readFileSync(pidFile, 'utf8')));
  });

  it('commandInput feeds its input, and a failure names what failed; an input error is thrown as it is', async () => {
    const out = join(scratch, 'in.txt');
    async function* chunks() {
      yield Buffer.from('a'.repeat(1 << 20));
      yield Buffer.from('end');
    }
    await commandInput('sh', ['-c', `cat > ${out}`], chunks(), { what: 'loading' });
    expect(readFileSync(out, 'utf8')).toBe(`${'a'.repeat(1 << 20)}end`);
    const err = await commandInput(
      'sh',
      ['-c', 'head -c 1 >/dev/null; echo "ERROR: relation exists" >&2; exit 3'],
      chunks(),
      { what: 'loading the dump' },
    ).catch((e: Error) => e);
    expect((err as Error).message).toBe('loading the dump failed (exit 3):\nERROR: relation exists');
    const bad = new Error('archive damaged');
    async function* broken() {
      yield Buffer.from('x');
      throw bad;
    }
    await expect(commandInput('sh', ['-c', 'cat >/dev/null'], broken(), { what: 'loading' })).rejects.toBe(bad);
  });
});

/** Polls until <pid> no longer runs (gone, or a zombie nobody reaped); fails after 10 s. */
async function expectGone(pid: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (!running(pid)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`process ${pid} still runs`);
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = `/proc/${pid}/stat`;
  return !(existsSync(stat) && / Z /.test(readFileSync(stat, 'utf8').replace(/^.*\)/, ')')));
}

describe('harden-init ended by a signal', () => {
  // A real harden-init process stand-in: src/core/exec.ts bundled as the product bundles it, starting a long
  // child the way a `docker pull` or `compose up` runs, then ended by the signal alone (not its process group,
  // as a terminal's Ctrl-C would also reach the child): the child must not outlive it.
  const dir = join(scratch, 'signal');
  let script = '';
  beforeEach(async () => {
    if (script) return;
    mkdirSync(dir, { recursive: true });
    script = join(dir, 'long-child.mjs');
    await build({
      stdin: {
        contents: `import { exec } from './src/core/exec.ts';
const opts = process.argv[2] === 'no-cleanup' ? { cleanup: false } : {};
const p = exec('sleep', ['300'], { all: true, ...opts });
console.log(p.pid);
await p;`,
        resolveDir: ROOT,
        loader: 'ts',
      },
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outfile: script,
      logLevel: 'silent',
      // As tsup.config.ts: bundled CommonJS code (execa's dependencies) calls require() for Node's built-ins.
      banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
    });
  });

  async function startAndSignal(
    signal: NodeJS.Signals,
    mode = '',
  ): Promise<{ sleepPid: number; code: number | null; sig: NodeJS.Signals | null }> {
    const parent = spawn(node, [script, mode], { stdio: ['ignore', 'pipe', 'inherit'] });
    const sleepPid = await new Promise<number>((ok, fail) => {
      parent.stdout.once('data', (d: Buffer) => ok(Number(String(d).trim())));
      parent.once('exit', () => fail(new Error('the stand-in exited before starting its child')));
    });
    expect(running(sleepPid)).toBe(true);
    const exited = new Promise<[number | null, NodeJS.Signals | null]>((ok) =>
      parent.once('exit', (c, s) => ok([c, s])),
    );
    parent.kill(signal);
    const [code, sig] = await exited;
    return { sleepPid, code, sig };
  }

  it.each(['SIGINT', 'SIGTERM'] as const)(
    '%s: the child is ended and harden-init still dies of the signal',
    async (signal) => {
      const { sleepPid, sig } = await startAndSignal(signal);
      expect(sig).toBe(signal);
      await expectGone(sleepPid);
    },
  );

  it('control: without cleanup the same child outlives it (so the test above sees what it claims)', async () => {
    const { sleepPid } = await startAndSignal('SIGTERM', 'no-cleanup');
    await new Promise((r) => setTimeout(r, 300));
    try {
      expect(running(sleepPid)).toBe(true);
    } finally {
      try {
        process.kill(sleepPid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  });
});
