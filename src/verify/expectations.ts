// Which running container should hold which variable with which value, read from the files on disk:
// a service receives a variable only if its compose `environment` lists it by bare name (then compose
// takes the value from .env). `vars` prints "" for both "empty" and "not passed", so this map is what
// makes a comparison meaningful.
import { readYaml } from '../engine/yaml-read.js';

export interface Expectation { service: string; name: string; expected: string }

/** Services whose image has Appwrite's `vars` command. */
export function appwriteServices(composeText: string): Map<string, string[]> {
  const doc = (readYaml(composeText, 'docker-compose.yml') ?? {}) as { services?: Record<string, { image?: string; environment?: unknown }> };
  const out = new Map<string, string[]>();
  for (const [name, svc] of Object.entries(doc.services ?? {})) {
    if (!/^(?:docker\.io\/)?appwrite\/appwrite[:@]/.test(svc.image ?? '')) continue;
    // Bare names take their value from .env: `- NAME` in list form, `NAME:` with no value in map form.
    const env = Array.isArray(svc.environment)
      ? (svc.environment as string[]).filter((e) => !e.includes('='))
      : Object.entries((svc.environment ?? {}) as Record<string, unknown>).filter(([, v]) => v === null || v === undefined).map(([k]) => k);
    out.set(name, env);
  }
  return out;
}

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
