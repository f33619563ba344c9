// The requests of the commands whose implementation sits in another file than their declaration (setup, upgrade,
// rollback): the declaration builds one from the parsed flags, the implementation takes it.

export interface SetupRequest {
  target: string;
  dir?: string;
  /** Raw question flag values by flag name (without the dashes). */
  given: Record<string, string>;
  yes: boolean;
  dryRun: boolean;
  /** --diff: the plan shows every new file in full (secrets still masked), not one line each. */
  diff: boolean;
  noStart: boolean;
  json: boolean;
  showSecrets: boolean;
  replaceCompose: boolean;
  allowDbMove: boolean;
  /** --new-encryption-key: make a new encryption key for an install whose key is lost (data loss, confirmed). */
  newEncryptionKey: boolean;
  /** --allow-db-path-nonempty: accept a non-empty --db-path that does not look like a database directory. */
  allowDbPathNonEmpty: boolean;
  allowInsecureRelease: boolean;
  /** Services and variables accepted as upstream wrote them (--accept-upstream, repeatable). */
  acceptUpstream: string[];
  /** Seconds to wait for the stack to become healthy. */
  timeout: number;
}

export interface UpgradeRequest {
  dir?: string;
  /** Question flags given (upgrade refuses --release; the others are checked against the install). */
  given: Record<string, string>;
  yes: boolean;
  dryRun: boolean;
  noStart: boolean;
  json: boolean;
  replaceCompose: boolean;
  allowInsecureRelease: boolean;
  acceptUpstream: string[];
  timeout: number;
  /** --to <version>. */
  to?: string;
  /** --resume: continue the step a failed run left, at its start and migration. */
  resume: boolean;
}

export interface RollbackRequest {
  dir?: string;
  /** --backup <timestamp>: which backup (newest upgrade step by default). */
  backup?: string;
  /** --with-db: load the dump taken before that step. */
  withDb: boolean;
  yes: boolean;
  noStart: boolean;
  json: boolean;
  timeout: number;
}
