// Which running container should hold which variable with which value, read from the files on disk:
// a service receives a variable only if its compose `environment` lists it by bare name (then compose
// takes the value from .env). `vars` prints "" for both "empty" and "not passed", so this map is what
// makes a comparison meaningful. Which services a target reads is its own (the contract's verify.running).
export interface Expectation {
  service: string;
  name: string;
  expected: string;
}

/**
 * One expectation for each variable a service receives by bare name that .env defines, with .env's value: every
 * such variable, not only those harden-init decides, so a hand edit of any is seen; the caller chooses which to
 * compare and show.
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
