// Runs the CLI in this process (src/cli/main.ts through vitest's transform) with its own argv, env, cwd and
// captured output: the same contract as runBin, without starting a process per case. main() hands the io to the
// command (nothing of the process is changed) and runs one at a time, so concurrent tests queue. Real-process
// behaviour (the bin, a TTY, signals) stays with runBin and the pty tests.
import { main } from '../../src/cli/main.js';
import { NO_DOCKER, RELEASES_DIR, ROOT, type RunResult } from './run-bin.js';

/** Same defaults as runBin: no Docker engine, releases from RELEASES_DIR, no colours, no password variables. */
export async function runMain(
  args: string[],
  env: Record<string, string | undefined> = {},
  cwd = ROOT,
): Promise<RunResult> {
  const runEnv: Record<string, string | undefined> = {
    ...process.env,
    NO_COLOR: '1',
    DOCKER_HOST: NO_DOCKER,
    HARDEN_INIT_RELEASES_DIR: RELEASES_DIR,
  };
  delete runEnv.HARDEN_INIT_DB_PASSWORD;
  delete runEnv.HARDEN_INIT_SMTP_PASSWORD;
  delete runEnv.FORCE_COLOR;
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete runEnv[k];
    else runEnv[k] = v;
  }
  let stdout = '';
  let stderr = '';
  const exitCode = await main({
    argv: args,
    env: runEnv,
    stdout: {
      write: (s) => {
        stdout += s;
      },
      isTTY: false,
    },
    stderr: {
      write: (s) => {
        stderr += s;
      },
      isTTY: false,
    },
    stdinIsTTY: false,
    cwd,
  });
  // runBin's runner strips one final newline; so does this, so a test can use either.
  return { exitCode, stdout: stdout.replace(/\r?\n$/, ''), stderr: stderr.replace(/\r?\n$/, '') };
}
