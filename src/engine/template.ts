// What the engine knows of a template, whatever the target: where the package's release descriptions live,
// and which variables must never be printed.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { TargetTemplate } from './render.js';
import { isMaskedName } from './diff.js';

export type { TargetTemplate, SecretSpec } from './render.js';

/** The package's templates/ folder (release descriptions), beside dist/ or src/. */
export function templatesRoot(): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const candidates = [join(here, '..', 'templates'), join(here, '..', '..', 'templates')];
  return candidates.find((c) => existsSync(c)) ?? candidates[0]!;
}

/** Every variable whose value must never be printed: the template's secrets and every secret-looking name. */
export function sensitiveNames(t: TargetTemplate, more: Iterable<string> = []): Set<string> {
  const names = new Set([
    ...t.secrets.generate,
    ...t.secrets.encryptionKeys,
    ...t.secrets.secretLike,
    ...t.secrets.dsns,
    ...(t.secrets.known ?? []),
    '_HARDEN_INIT_BUNDLED_DB_PASS',
  ]);
  for (const n of [...t.variables, ...more]) if (isMaskedName(n)) names.add(n);
  return names;
}
