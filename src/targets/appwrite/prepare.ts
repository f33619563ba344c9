// Before the first question: which release this run installs, and that release's own files (from its image,
// the install's cache, or a release description).
import type { PrepareInput, Prepared } from '../types.js';
import type { Answers } from './answers.js';
import { join } from 'node:path';
import { chooseRelease, releaseFromInstall } from './release-choice.js';
import { readRegular } from '../../apply/safe-fs.js';
import { parseEnv, toRecord } from '../../engine/envfile.js';
import { NEWEST_RELEASE } from './releases.js';
import { obtainRelease, type ObtainOptions } from './upstream/source.js';
import { cacheFiles, cacheRecordOf, type CacheFile } from './upstream/cache.js';
import { templateFromUpstream, type Template } from './template.js';
import type { UpstreamFiles } from './upstream/types.js';

/** One release's files, its template, and the cache files that keep what was read from its image. */
export interface ReleaseFiles { files: UpstreamFiles; template: Template; cache: CacheFile[]; warnings: string[] }

/**
 * A release's own files, wherever they come from (image, the install's cache, a description), as a template, with
 * the cache files for the plan to write once confirmed. Shared by a run's release and each upgrade step's.
 */
export async function releaseFiles(release: string, opts: ObtainOptions & { acceptUpstream: Iterable<string> }): Promise<ReleaseFiles> {
  const { warnings, cacheRecord, ...files } = await obtainRelease(release, opts);
  const template = templateFromUpstream(files, opts.acceptUpstream);
  const cache = files.source.startsWith('image') && files.variablesPhp !== undefined ? cacheFiles(files, files.variablesPhp, { dir: opts.dir }) : [];
  // state.json records the entry this run writes (or the checked one it read), so the next use can check it.
  template.upstreamCache = cacheRecordOf(cache) ?? cacheRecord;
  return { files, template, cache, warnings };
}

export async function prepareRelease(input: PrepareInput<Answers>): Promise<Prepared> {
  const choice = chooseRelease({
    given: input.given.release,
    installed: input.existing.state?.release ?? input.existing.state?.templateVersion ?? releaseFromInstall(input.existing.compose, envRecord(input.dir)),
    existing: input.existing.present, allowInsecure: input.allowInsecureRelease, newest: NEWEST_RELEASE, dirArg: input.dirArg,
  });
  const { files, template, cache, warnings } = await releaseFiles(choice.release, {
    dir: input.dir, dockerAvailable: input.dockerAvailable, onLine: input.onLine, acceptUpstream: input.acceptUpstream,
    cacheRecord: input.existing.state?.upstreamCache,
  });
  return {
    release: choice.release,
    template,
    warnings: [...choice.warnings, ...warnings],
    notes: [...choice.notes, `Appwrite ${choice.release}: upstream's files from ${files.source}`],
    files: cache.map((f) => ({ path: f.path, content: f.content, mode: f.mode })),
  };
}

/** The install's .env as a record (an install of Appwrite's own installer names its release there). */
function envRecord(dir: string): Record<string, string> | undefined {
  const text = readRegular(join(dir, '.env'));
  return text === undefined ? undefined : toRecord(parseEnv(text));
}
