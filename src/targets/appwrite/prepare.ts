// Before the first question: which release this run installs, and that release's own files (from its image,
// the install's cache, or a release description).
import type { PrepareInput, Prepared } from '../types.js';
import type { Answers } from './answers.js';
import { join } from 'node:path';
import { chooseRelease, releaseFromInstall } from './release-choice.js';
import { readRegular } from '../../apply/safe-fs.js';
import { parseEnv, toRecord } from '../../engine/envfile.js';
import { NEWEST_RELEASE } from './releases.js';
import { obtainRelease } from './upstream/source.js';
import { cacheFiles } from './upstream/cache.js';
import { templateFromUpstream } from './template.js';

export async function prepareRelease(input: PrepareInput<Answers>): Promise<Prepared> {
  const choice = chooseRelease({
    given: input.given.release,
    installed: input.existing.state?.release ?? input.existing.state?.templateVersion ?? releaseFromInstall(input.existing.compose, envRecord(input.dir)),
    existing: input.existing.present, allowInsecure: input.allowInsecureRelease, newest: NEWEST_RELEASE, dirArg: input.dirArg,
  });
  const files = await obtainRelease(choice.release, { dir: input.dir, dockerAvailable: input.dockerAvailable, onLine: input.onLine });
  const template = templateFromUpstream(files, input.acceptUpstream);
  const cache = files.source.startsWith('image') && files.variablesPhp !== undefined ? cacheFiles(files, files.variablesPhp, { dir: input.dir }) : [];
  return {
    release: choice.release,
    template,
    warnings: choice.warnings,
    notes: [...choice.notes, `Appwrite ${choice.release}: upstream's files from ${files.source}`],
    files: cache.map((f) => ({ path: f.path, content: f.content, mode: f.mode })),
  };
}

/** The install's .env as a record (an install of Appwrite's own installer names its release there). */
function envRecord(dir: string): Record<string, string> | undefined {
  const text = readRegular(join(dir, '.env'));
  return text === undefined ? undefined : toRecord(parseEnv(text));
}
