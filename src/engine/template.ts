// The template of a run: one Appwrite release's own files (read from its image, see
// targets/appwrite/upstream/source.ts) plus what harden-init derives from them.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { UpstreamFiles } from '../targets/appwrite/upstream/types.js';
import { classifySecrets, isSecretName } from '../targets/appwrite/secret-names.js';
import { encodeValue } from './envfile.js';

export interface SecretSpec {
  /** Variables harden-init generates when they are missing or empty. */
  generate: string[];
  /** Variables that encrypt stored data: never changed once set. */
  encryptionKeys: string[];
  /** Other sensitive variables: masked in every output. */
  secretLike: string[];
  /** DSNs that embed a generated password (2.x ClickHouse): rebuilt from it. */
  dsns: string[];
}

export interface Template {
  target: string;
  version: string;
  /** Upstream's compose file, as its installer reads it. */
  compose: string;
  /** `NAME=default` for every variable of the release, secrets left empty (they are generated). */
  envDefaults: string;
  /** Appwrite's variable list in the order its `vars` command prints it. */
  variables: string[];
  secrets: SecretSpec;
  upstream: UpstreamFiles;
}

/** Upstream's example values never survive into a hardened .env (they are generated instead). */
export function templateFromUpstream(files: UpstreamFiles, accepted: Iterable<string> = []): Template {
  const cls = classifySecrets(files.variables);
  const generate = [...new Set([...cls.generate, ...[...accepted].filter((n) => cls.unknown.includes(n))])];
  const skip = new Set([...generate, ...cls.dsnWithGeneratedPassword]);
  const lines = files.variables.map((v) => {
    const value = skip.has(v.name) ? '' : v.default;
    let encoded: string;
    try { encoded = encodeValue(value); } catch { encoded = ''; } // a default no .env reader agrees on is left empty
    return `${v.name}=${encoded}`;
  });
  return {
    target: 'appwrite',
    version: files.version,
    compose: files.compose,
    envDefaults: `${lines.join('\n')}\n`,
    variables: files.variables.map((v) => v.name),
    secrets: { generate, encryptionKeys: cls.encryptionKeys, secretLike: cls.userSupplied, dsns: cls.dsnWithGeneratedPassword },
    upstream: files,
  };
}

/** The package's templates/ folder (release descriptions), beside dist/ or src/. */
export function templatesRoot(): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const candidates = [join(here, '..', 'templates'), join(here, '..', '..', 'templates')];
  return candidates.find((c) => existsSync(c)) ?? candidates[0]!;
}

/** Every variable whose value must never be printed. */
export function sensitiveNames(t: Template, more: Iterable<string> = []): Set<string> {
  const names = new Set([...t.secrets.generate, ...t.secrets.encryptionKeys, ...t.secrets.secretLike, ...t.secrets.dsns, '_HARDEN_INIT_BUNDLED_DB_PASS']);
  for (const n of [...t.variables, ...more]) if (isSecretName(n)) names.add(n);
  return names;
}
