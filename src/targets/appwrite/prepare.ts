// Before the first question: which release this run installs, and that release's own files (from its image,
// the install's cache, or a release description).
import type { PrepareInput, Prepared } from '../types.js';
import type { Answers } from './answers.js';
import { chooseRelease, releaseFromCompose } from './release-choice.js';
import { NEWEST_RELEASE } from './releases.js';
import { obtainRelease } from './upstream/source.js';
import { cacheFiles } from './upstream/cache.js';
import { templateFromUpstream } from './template.js';

export async function prepareRelease(input: PrepareInput<Answers>): Promise<Prepared> {
  const choice = chooseRelease({
    given: input.given.release,
    installed: input.existing.state?.release ?? input.existing.state?.templateVersion ?? releaseFromCompose(input.existing.compose),
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
