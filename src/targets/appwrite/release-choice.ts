// Which release a run installs: a new install gets the newest 2.x (or what --release names), an existing
// install keeps its own — never switched silently — and anything below its line's security minimum is
// refused unless the operator accepts the known hole by name.
import { INSECURE_REASON, compareReleases, lineOf, releaseCheck, type ReleaseCheck } from './releases.js';
import { usageError } from '../../core/errors.js';
import { shellQuote } from '../../core/shell-quote.js';

export interface ReleaseChoice {
  release: string;
  warnings: string[];
  notes: string[];
}

export interface ReleaseInput {
  given?: string;
  /** The release the install in the directory runs (state, or its compose file's image tag). */
  installed?: string;
  /** Whether the directory holds an install at all (then a release must be known). */
  existing: boolean;
  allowInsecure: boolean;
  newest: string;
  dirArg: string;
}

/** The release an existing compose file pins, e.g. `image: appwrite/appwrite:1.9.6`. */
export function releaseFromCompose(compose: string | undefined): string | undefined {
  const m = compose && /^\s*image:\s*["']?(?:docker\.io\/)?appwrite\/appwrite:(\d+\.\d+\.\d+)["']?\s*$/m.exec(compose);
  return m ? m[1] : undefined;
}

/**
 * The release an install runs when its compose file does not pin it: Appwrite's own installer keeps
 * `image: ${_APP_IMAGE:-appwrite/appwrite}:${_APP_VERSION:-latest}` (2.x) with the release in .env's `_APP_VERSION`.
 */
export function releaseFromInstall(
  compose: string | undefined,
  env: Record<string, string> | undefined,
): string | undefined {
  const pinned = releaseFromCompose(compose);
  if (pinned || !compose || !env) return pinned;
  if (!/^\s*image:\s*["']?\$\{_APP_IMAGE(?::?-[^}]*)?\}:\$\{_APP_VERSION(?::?-[^}]*)?\}["']?\s*$/m.test(compose))
    return undefined;
  const v = env._APP_VERSION?.trim();
  return v && /^\d+\.\d+\.\d+$/.test(v) ? v : undefined;
}

export function chooseRelease(i: ReleaseInput): ReleaseChoice {
  const warnings: string[] = [];
  const notes: string[] = [];
  if (i.existing && !i.installed && !i.given) {
    throw usageError(
      `Cannot tell which Appwrite release the install in ${i.dirArg} runs.`,
      'Pass --release with the version it runs now (harden-init never switches releases silently).',
    );
  }
  if (i.installed && i.given && i.given !== i.installed) notes.push(upgradeNote(i.given, i.installed, i.dirArg));
  const release = i.given ?? i.installed ?? i.newest;
  const check = releaseCheck(release);
  if (!check) throw usageError(`--release ${release}: harden-init installs Appwrite's 2.x and 1.9 lines.`);
  if (check.belowMinimum) warnings.push(insecureWarning(i, release, check));
  if (!check.known)
    notes.push(
      `Appwrite ${release} is newer than harden-init's release table: its own files are read from its image and ` +
        `anything the rules do not know is refused.`,
    );
  return { release, warnings, notes };
}

/** --release naming another release than the install runs: only forward within its line, with a migration. */
function upgradeNote(given: string, installed: string, dirArg: string): string {
  if (lineOf(given) !== lineOf(installed)) {
    throw usageError(
      `--release ${given}: the install runs ${installed}; moving between the 1.9 and 2.x lines needs a ` +
        `database dump and Appwrite's migrations, one minor at a time.`,
      `Run: npx harden-init upgrade --dir ${shellQuote(dirArg)} --to ${given} (a backup and a database ` +
        `dump per step, then Appwrite's migration).`,
    );
  }
  if (compareReleases(given, installed) < 0) {
    throw usageError(
      `--release ${given}: the install runs ${installed}, and Appwrite has no reverse migration.`,
      'Restore a database dump taken before the upgrade instead.',
    );
  }
  return (
    `Release ${installed} → ${given}: after the stack is up, run Appwrite's data migration: cd ` +
    `${shellQuote(dirArg)} && docker compose exec appwrite migrate`
  );
}

/**
 * A release below its line's security minimum: an install already running it is warned (not stopped), a new
 * choice of it is refused unless --allow-insecure-release accepts the hole.
 */
function insecureWarning(i: ReleaseInput, release: string, check: ReleaseCheck): string {
  if (i.installed === release && !i.given)
    return (
      `SECURITY: this install runs Appwrite ${release}, below the ${check.line} line's minimum ` +
      `${check.minimum}. ${INSECURE_REASON} Upgrade now: npx harden-init --dir ` +
      `${shellQuote(i.dirArg)} --release ${check.newestOfLine}`
    );
  if (!i.allowInsecure)
    throw usageError(
      `Appwrite ${release} is below the ${check.line} line's security minimum ${check.minimum}. ${INSECURE_REASON}`,
      `Install ${check.newestOfLine} (--release ${check.newestOfLine}), or accept the ` +
        `known holes with --allow-insecure-release.`,
    );
  return (
    `SECURITY: installing Appwrite ${release}, below the ${check.line} line's minimum ${check.minimum}, as ` +
    `--allow-insecure-release asks. ${INSECURE_REASON}`
  );
}
