// The environment a run's child processes start from. main() runs each command inside withChildEnv(io.env), so
// docker, compose, git and systemctl get the run's environment, not the process's. Its own module, without execa:
// main imports it for every command, and the wizard's first question must not wait for execa to load.
import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * A scope per run, not a variable the runs share: each command's async calls see the env of the run that made
 * them. exec() gives it to a child that passes no env of its own; compose (with .env's keys dropped) builds its env
 * from childEnv() too. Outside a run (a test calling a helper directly) children get the process's environment.
 */
const runEnv = new AsyncLocalStorage<NodeJS.ProcessEnv>();

export function withChildEnv<T>(env: NodeJS.ProcessEnv, body: () => Promise<T>): Promise<T> {
  return runEnv.run(env, body);
}

/** The environment a child of this run starts from, without <dropEnv>'s keys. */
export function childEnv(dropEnv: Iterable<string> = []): Record<string, string> {
  const env = { ...(runEnv.getStore() ?? process.env) } as Record<string, string>;
  for (const key of dropEnv) delete env[key];
  return env;
}
