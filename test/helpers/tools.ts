// Finds external tools for tests. With CI=true a missing tool is a failure, never a silent skip.
import { execaSync } from 'execa';

export function hasCommand(cmd: string, args = ['--version']): boolean {
  try {
    execaSync(cmd, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function requireInCi(cmd: string, why: string): boolean {
  const present = hasCommand(cmd);
  if (!present && process.env.CI === 'true')
    throw new Error(`${cmd} is required in CI (${why}) but was not found; .ci/run installs it`);
  return present;
}
