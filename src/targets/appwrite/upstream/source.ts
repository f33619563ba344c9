// Where a release's files come from, in order:
//   Docker available: the image's id (pulled first when missing, like Compose) → the install's cache entry for that
//     id (no container started) → else read from the image.
//   No Docker: the install's cache for that version → a release description ($HARDEN_INIT_RELEASES_DIR/<v>/, then
//     the package's templates/appwrite/releases/<v>/, both made by scripts/describe-release.sh) → exit 2 saying what
//     is needed.
// Nothing here writes: the caller adds cacheFiles() to the files its plan writes after confirmation.
import { join } from 'node:path';
import { usageError } from '../../../core/errors.js';
import { templatesRoot } from '../../../engine/template.js';
import { readCache, readReleaseDir } from './cache.js';
import { ensureImage, imageRef, readImageFiles, type OnLine } from './image.js';
import type { UpstreamFiles } from './types.js';

export const RELEASES_DIR_ENV = 'HARDEN_INIT_RELEASES_DIR';

/** Does a Docker engine answer (`docker version --format {{.Server.Version}}` exit 0 within 20 s)? */
export { dockerReachable } from '../../../docker/compose.js';

/** The folders a description of <version> is looked for in, in order. */
export function descriptionDirs(version: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const dirs: string[] = [];
  const custom = env[RELEASES_DIR_ENV];
  if (custom) dirs.push(join(custom, version));
  dirs.push(join(templatesRoot(), 'appwrite', 'releases', version));
  return dirs;
}

/** A release description (the three files, no Docker needed), or undefined when none exists for <version>. */
export function readDescription(version: string, env: NodeJS.ProcessEnv = process.env): UpstreamFiles | undefined {
  if (!/^[0-9A-Za-z][0-9A-Za-z._+-]*$/.test(version) || version.includes('..')) return undefined;
  for (const d of descriptionDirs(version, env)) {
    let files: UpstreamFiles | undefined;
    try {
      files = readReleaseDir(d, version, `description ${d}`);
    } catch (e) {
      throw usageError(`The release description ${d} is incomplete: ${(e as Error).message}`, `Write it again with scripts/describe-release.sh ${version} <out-dir>.`);
    }
    if (files) return files;
  }
  return undefined;
}

export interface ObtainOptions {
  /** The install dir (its cache is <dir>/.harden-init/upstream/). */
  dir: string;
  /** Decided by the caller (see dockerReachable). */
  dockerAvailable: boolean;
  /** Pull progress lines. */
  onLine?: OnLine;
}

export async function obtainRelease(version: string, opts: ObtainOptions): Promise<UpstreamFiles> {
  if (opts.dockerAvailable) {
    const id = await ensureImage(version, opts.onLine);
    return readCache(opts.dir, version, id) ?? (await readImageFiles(version, id));
  }
  const found = readCache(opts.dir, version) ?? readDescription(version);
  if (found) return found;
  throw usageError(
    `Cannot read Appwrite ${version}'s files: no Docker engine answers and no release description exists. Needed: Docker with ${imageRef(version)} reachable, or a release description in $${RELEASES_DIR_ENV}/${version}/ made with scripts/describe-release.sh.`,
    `On a machine with Docker: scripts/describe-release.sh ${version} <out-dir>, then ${RELEASES_DIR_ENV}=<out-dir> here.`,
  );
}
