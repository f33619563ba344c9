// Which running container should hold which variable with which value, read from the files on disk:
// a service receives a variable only if its compose `environment` lists it by bare name (then compose
// takes the value from .env). `vars` prints "" for both "empty" and "not passed", so this map is what
// makes a comparison meaningful. Which services a target reads is its own (the contract's verify.running).
export interface Expectation { service: string; name: string; expected: string }

/**
 * Expectations for the variables in `names` (those harden-init decides), with values from .env.
 * Variables outside `names` are compared too when listed in `alsoCompare` (every other .env key), so a
 * hand edit of any variable is seen; the caller decides what to show.
 */
export function expectations(services: Map<string, string[]>, env: Record<string, string>): Expectation[] {
  const out: Expectation[] = [];
  for (const [service, passed] of services) {
    for (const name of passed) {
      if (name in env) out.push({ service, name, expected: env[name]! });
    }
  }
  return out;
}
