// Runs the built CLI (bin/harden-init.js → dist/) as a user would, without a TTY.
import { execa } from 'execa';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const BIN = join(ROOT, 'bin', 'harden-init.js');

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Upstream's files per release, for runs without Docker (see test/fixtures/releases/README.md). */
export const RELEASES_DIR = join(ROOT, 'test', 'fixtures', 'releases');
/** A Docker endpoint nothing answers on: CLI tests read releases from RELEASES_DIR, never from an engine. */
export const NO_DOCKER = 'unix:///nonexistent/harden-init-test/docker.sock';

/**
 * By default the child sees no Docker engine and reads releases from RELEASES_DIR; end-to-end tests pass
 * `{ DOCKER_HOST: process.env.DOCKER_HOST, HARDEN_INIT_RELEASES_DIR: undefined }` to use the real engine.
 */
export async function runBin(
  args: string[],
  env: Record<string, string | undefined> = {},
  cwd = ROOT,
): Promise<RunResult> {
  const childEnv: Record<string, string> = {
    ...(process.env as Record<string, string>),
    NO_COLOR: '1',
    DOCKER_HOST: NO_DOCKER,
    HARDEN_INIT_RELEASES_DIR: RELEASES_DIR,
  };
  delete childEnv.HARDEN_INIT_DB_PASSWORD;
  delete childEnv.HARDEN_INIT_SMTP_PASSWORD;
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete childEnv[k];
    else childEnv[k] = v;
  }
  const r = await execa(process.execPath, [BIN, ...args], {
    cwd,
    env: childEnv,
    extendEnv: false,
    reject: false,
    stdin: 'ignore',
  });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

export function tempDir(prefix = 'hi-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * The text of clack's boxed output with the box and the line wrapping taken out, so a test can look for a
 * sentence wherever the wrap falls (it moves with the length of the paths printed, e.g. the checkout's).
 */
export function unwrapped(output: string): string {
  return output.replace(/[│╮╯╰╭├─┌└◇◆▲■●]/g, ' ').replace(/\s+/g, ' ');
}
