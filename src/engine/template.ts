// Loads a versioned template from templates/<target>/<version>/ shipped beside dist/.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export interface SecretSpec {
  /** Variables harden-init generates when they are missing or empty. */
  generate: string[];
  /** Variables that encrypt stored data: never changed once set. */
  encryptionKeys: string[];
  /** Other sensitive variables: masked in every output. */
  secretLike: string[];
}

export interface Template {
  target: string;
  version: string;
  compose: string;
  envDefaults: string;
  /** Appwrite's variable list in the order its `vars` command prints it. */
  variables: string[];
  secrets: SecretSpec;
}

export const APPWRITE_TEMPLATE_VERSION = '1.9.5';

export function templatesRoot(): string {
  // dist/cli.js and src/engine/template.ts are both two levels below the package root's templates/.
  const here = fileURLToPath(new URL('.', import.meta.url));
  const candidates = [join(here, '..', 'templates'), join(here, '..', '..', 'templates')];
  for (const c of candidates) {
    try {
      readFileSync(join(c, 'appwrite', APPWRITE_TEMPLATE_VERSION, 'docker-compose.yml'));
      return c;
    } catch { /* try the next */ }
  }
  throw new Error(`templates/ not found next to ${here}`);
}

export function loadTemplate(target = 'appwrite', version = APPWRITE_TEMPLATE_VERSION): Template {
  const dir = join(templatesRoot(), target, version);
  const read = (name: string) => readFileSync(join(dir, name), 'utf8');
  return {
    target,
    version,
    compose: read('docker-compose.yml'),
    envDefaults: read('env.defaults'),
    variables: read('variables.txt').split('\n').map((s) => s.trim()).filter(Boolean),
    secrets: JSON.parse(read('secrets.json')) as SecretSpec,
  };
}

/** Every variable whose value must never be printed. */
export function sensitiveNames(t: Template): Set<string> {
  // The bundled DB's password, kept aside while an external DB is used (see BUNDLED_DB_STASH).
  return new Set([...t.secrets.generate, ...t.secrets.encryptionKeys, ...t.secrets.secretLike, '_HARDEN_INIT_BUNDLED_DB_PASS']);
}
