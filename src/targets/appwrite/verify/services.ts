// Which Appwrite services hold which variables: the services whose image has Appwrite's `vars` command, each with
// the variables its compose `environment` passes by bare name (compose takes their value from .env).
import { readYaml } from '../../../engine/yaml-read.js';

/** Services whose image has Appwrite's `vars` command. */
export function appwriteServices(composeText: string): Map<string, string[]> {
  const doc = (readYaml(composeText, 'docker-compose.yml') ?? {}) as {
    services?: Record<string, { image?: string; environment?: unknown }>;
  };
  const out = new Map<string, string[]>();
  for (const [name, svc] of Object.entries(doc.services ?? {})) {
    if (!/^(?:docker\.io\/)?appwrite\/appwrite[:@]/.test(svc.image ?? '')) continue;
    // Bare names take their value from .env: `- NAME` in list form, `NAME:` with no value in map form.
    const env = Array.isArray(svc.environment)
      ? (svc.environment as string[]).filter((e) => !e.includes('='))
      : Object.entries((svc.environment ?? {}) as Record<string, unknown>)
          .filter(([, v]) => v === null || v === undefined)
          .map(([k]) => k);
    out.set(name, env);
  }
  return out;
}
