// Which release this run installs (before the first question), and that release's own files (from its image, the
// install's cache, or a release description; the wizard reads them while it asks).
import type { Begun, PrepareInput, Prepared } from '../types.js';
import type { Answers } from './answers.js';
import { join } from 'node:path';
import { chooseRelease, releaseFromInstall } from './release-choice.js';
import { readRegular } from '../../core/safe-fs.js';
import { parseEnv, toRecord } from '../../engine/envfile.js';
import { NEWEST_RELEASE } from './releases.js';
import { ENCRYPTION_KEYS } from './secret-names.js';

export async function prepareRelease(input: PrepareInput<Answers>): Promise<Prepared> {
  const begun = beginRelease(input);
  const read = await begun.read;
  return { ...read, warnings: [...begun.warnings, ...read.warnings], notes: [...begun.notes, ...read.notes] };
}

/**
 * The release from the release table at once (its refusals come before any question), its files read in the
 * background: on a fresh server that is the whole image pull, which the wizard overlaps with its questions.
 */
export function beginRelease(input: PrepareInput<Answers>): Begun {
  const choice = chooseRelease({
    given: input.given.release,
    installed:
      input.existing.state?.release ??
      input.existing.state?.templateVersion ??
      releaseFromInstall(input.existing.compose, envRecord(input.dir)),
    existing: input.existing.present,
    allowInsecure: input.allowInsecureRelease,
    newest: NEWEST_RELEASE,
    dirArg: input.dirArg,
  });
  const read = (async (): Promise<Prepared> => {
    // Loaded here, in the background: the first question does not wait for the YAML and Docker code.
    const { releaseFiles } = await import('./release-files.js');
    const { files, template, cache, warnings } = await releaseFiles(choice.release, {
      dir: input.dir,
      dockerAvailable: await input.dockerAvailable,
      onLine: input.onLine,
      acceptUpstream: input.acceptUpstream,
      cacheRecord: input.existing.state?.upstreamCache,
      signal: input.signal,
      env: input.env,
    });
    return {
      release: choice.release,
      template,
      warnings,
      notes: [`Appwrite ${choice.release}: upstream's files from ${files.source}`],
      files: cache.map((f) => ({ path: f.path, content: f.content, mode: f.mode })),
    };
  })();
  // Awaited only after the questions: a failure meanwhile must not count as an unhandled rejection (which ends Node).
  read.catch(() => {});
  return {
    release: choice.release,
    warnings: choice.warnings,
    notes: choice.notes,
    encryptionKeys: [...ENCRYPTION_KEYS],
    read,
  };
}

/** The install's .env as a record (an install of Appwrite's own installer names its release there). */
function envRecord(dir: string): Record<string, string> | undefined {
  const text = readRegular(join(dir, '.env'));
  return text === undefined ? undefined : toRecord(parseEnv(text));
}
