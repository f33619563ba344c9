// The template of an Appwrite run: one release's own files (read from its image, see upstream/source.ts) plus
// what harden-init derives from them: the .env defaults and which variables are secrets.
import type { UpstreamFiles } from './upstream/types.js';
import { classifySecrets, KNOWN_SECRET_NAMES } from './secret-names.js';
import { encodeValue } from '../../engine/envfile.js';
import type { TargetTemplate } from '../types.js';

/** An Appwrite release's template: upstream's files plus what harden-init derives from them. */
export interface Template extends TargetTemplate {
  /** Appwrite's variable list in the order its `vars` command prints it. */
  variables: string[];
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
    try {
      encoded = encodeValue(value);
    } catch {
      encoded = '';
    } // a default no .env reader agrees on is left empty
    return `${v.name}=${encoded}`;
  });
  return {
    target: 'appwrite',
    version: files.version,
    compose: files.compose,
    envDefaults: `${lines.join('\n')}\n`,
    variables: files.variables.map((v) => v.name),
    secrets: {
      generate,
      encryptionKeys: cls.encryptionKeys,
      secretLike: cls.userSupplied,
      dsns: cls.dsnWithGeneratedPassword,
      known: [...KNOWN_SECRET_NAMES],
    },
    upstream: files,
    source: files.source,
    imageId: files.imageId,
  };
}
