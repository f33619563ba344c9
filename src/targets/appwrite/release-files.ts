// A release's own files, wherever they come from (image, the install's cache, a description), as a template, with the
// cache files for the plan to write once confirmed. Shared by a run's release and each upgrade step's. Apart from
// prepare.ts: this reads YAML and runs Docker, which the wizard loads only once its first question is on the screen.
import { obtainRelease, type ObtainOptions } from './upstream/source.js';
import { cacheFiles, cacheRecordOf, type CacheFile } from './upstream/cache.js';
import { templateFromUpstream, type Template } from './template.js';
import type { UpstreamFiles } from './upstream/types.js';

/** One release's files, its template, and the cache files that keep what was read from its image. */
export interface ReleaseFiles {
  files: UpstreamFiles;
  template: Template;
  cache: CacheFile[];
  warnings: string[];
}

export async function releaseFiles(
  release: string,
  opts: ObtainOptions & { acceptUpstream: Iterable<string> },
): Promise<ReleaseFiles> {
  const { warnings, cacheRecord, ...files } = await obtainRelease(release, opts);
  const template = templateFromUpstream(files, opts.acceptUpstream);
  const cache =
    files.source.startsWith('image') && files.variablesPhp !== undefined
      ? cacheFiles(files, files.variablesPhp, { dir: opts.dir })
      : [];
  // state.json records the entry this run writes (or the checked one it read), so the next use can check it.
  template.upstreamCache = cacheRecordOf(cache) ?? cacheRecord;
  return { files, template, cache, warnings };
}
