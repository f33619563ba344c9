// Where a release's files come from, in order:
//   Docker available: the image's id (pulled first when missing, like Compose) → the install's cache entry for that
//     id (no container started) when it checks out against state.json → else read from the image (a warning names
//     the cached file that did not check out).
//   No Docker: the install's cache for that version when it checks out against state.json → a release description
//     ($HARDEN_INIT_RELEASES_DIR/<v>/, then the package's templates/appwrite/releases/<v>/, both made by
//     scripts/describe-release.sh) → exit 2 saying what is needed. An entry that does not check out, with no
//     description to read instead, is exit 2 naming the file: it is never used.
// Nothing here writes: the caller adds cacheFiles() to the files its plan writes after confirmation.
import { join } from 'node:path';
import { usageError } from '../../../core/errors.js';
import { templatesRoot } from '../../../engine/template.js';
import { checkCache, readReleaseDir, recordedCache } from './cache.js';
import type { UpstreamCacheRecord } from '../../../engine/state.js';
import { ensureImage, imageRef, readImageFiles, type OnLine } from './image.js';
import type { UpstreamFiles } from './types.js';

export const RELEASES_DIR_ENV = 'HARDEN_INIT_RELEASES_DIR';

/** Does a Docker engine answer (`docker version --format {{.Server.Version}}` exit 0 within 20 s)? */
export { dockerReachable } from '../../../docker/compose.js';

/** The folders a description of <version> is looked for in, in order. */
export function descriptionDirs(version: string, env: NodeJS.ProcessEnv): string[] {
  const dirs: string[] = [];
  const custom = env[RELEASES_DIR_ENV];
  if (custom) dirs.push(join(custom, version));
  dirs.push(join(templatesRoot(), 'appwrite', 'releases', version));
  return dirs;
}

/** A release description (the three files, no Docker needed), or undefined when none exists for <version>. */
export function readDescription(version: string, env: NodeJS.ProcessEnv): UpstreamFiles | undefined {
  if (!/^[0-9A-Za-z][0-9A-Za-z._+-]*$/.test(version) || version.includes('..')) return undefined;
  for (const d of descriptionDirs(version, env)) {
    let files: UpstreamFiles | undefined;
    try {
      files = readReleaseDir(d, version, `description ${d}`);
    } catch (e) {
      throw usageError(
        `The release description ${d} is incomplete: ${(e as Error).message}`,
        `Write it again with scripts/describe-release.sh ${version} <out-dir>.`,
      );
    }
    if (files) return files;
  }
  return undefined;
}

export interface ObtainOptions {
  /** The install dir (its cache is <dir>/.harden-init/upstream/). */
  dir: string;
  /** Decided by the caller (see dockerAvailable). */
  dockerAvailable: boolean;
  /** The run's environment (HARDEN_INIT_RELEASES_DIR: where release descriptions are looked for). */
  env: NodeJS.ProcessEnv;
  /** Pull progress lines. */
  onLine?: OnLine;
  /** Ends the pull and the reading containers (the run was given up). */
  signal?: AbortSignal;
  /** state.json's record of the cache entry (read from the install's state.json when not given). */
  cacheRecord?: UpstreamCacheRecord;
}

/** A release's files, with what was said about the cache on the way (a warning when an entry did not check out). */
export type Obtained = UpstreamFiles & { warnings: string[]; cacheRecord?: UpstreamCacheRecord };

export async function obtainRelease(version: string, opts: ObtainOptions): Promise<Obtained> {
  const record = opts.cacheRecord ?? recordedCache(opts.dir);
  if (opts.dockerAvailable) {
    const id = await ensureImage(version, opts.onLine, opts.signal);
    const c = checkCache(opts.dir, version, id, record);
    if (c.kind === 'ok') return { ...c.files, warnings: [], cacheRecord: c.record };
    // Not trusted: read from the image again; the run rewrites the entry (and state.json's record) from it.
    const warnings =
      c.kind === 'bad'
        ? [
            `${c.entry}/${c.file}: ${c.why}. Not used: read again from the image ` +
              `${imageRef(version)}; the entry is rewritten.`,
          ]
        : [];
    return { ...(await readImageFiles(version, id, opts.signal)), warnings };
  }
  const c = checkCache(opts.dir, version, undefined, record);
  if (c.kind === 'ok') return { ...c.files, warnings: [], cacheRecord: c.record };
  const described = readDescription(version, opts.env);
  if (c.kind === 'bad') {
    // Offline, the release description stands in for the image; without one nothing trustworthy is left.
    if (described)
      return {
        ...described,
        warnings: [
          `${c.entry}/${c.file}: ${c.why}. Not used: the release description ` +
            `${described.source.replace(/^description /, '')} is read instead.`,
        ],
      };
    throw usageError(
      `The release cache ${c.entry}/${c.file} cannot be trusted: ${c.why}. Without Docker harden-init cannot read ` +
        `Appwrite ${version}'s files again from its image, so it stops; nothing was written.`,
      `Run again where Docker reaches ${imageRef(version)} (the files are read from the image and the entry is ` +
        `rewritten), or give a release description: scripts/describe-release.sh ${version} <out-dir> on a machine ` +
        `with Docker, then ${RELEASES_DIR_ENV}=<out-dir> here. If you did not change ${c.entry} yourself, find ` +
        `out who did before you trust this server.`,
    );
  }
  if (described) return { ...described, warnings: [] };
  throw usageError(
    `Cannot read Appwrite ${version}'s files: no Docker engine answers and no release description exists. Needed: ` +
      `Docker with ${imageRef(version)} reachable, or a release description in $${RELEASES_DIR_ENV}/${version}/ ` +
      `made with scripts/describe-release.sh.`,
    `On a machine with Docker: scripts/describe-release.sh ${version} <out-dir>, ` +
      `then ${RELEASES_DIR_ENV}=<out-dir> here.`,
  );
}
