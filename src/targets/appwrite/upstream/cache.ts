// What was read from a release image, kept in the install per image id so a re-run starts no container and a
// run without Docker can still render the install's release:
//   <install dir>/.harden-init/upstream/<version>-<first 12 hex of the image id>/
//     docker-compose.yml  variables.php  bin.txt  release.json {version, imageId, composeSha256, readAt}
//     parsed.json: the compose file's YAML document and variables.php's list, parsed once when the entry is written
//       (see ParsedForm); a re-run reads them with JSON.parse instead of parsing YAML and PHP again.
// Anyone who can write an entry could choose the compose file harden-init writes, so an entry is used only when every
// file matches the sha256 that .harden-init/state.json recorded when the entry was written (upstreamCache) and its
// release.json names the release (and the image, when Docker tells it): checkCache.
// Reading never writes: cacheFiles() returns the files for the plan to write once the user has confirmed.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseState, sha256, STATE_FILE, type UpstreamCacheRecord } from '../../../engine/state.js';
import { readRegular } from '../../../core/safe-fs.js';
import { parseExecutables, parseVariablesFrom } from './image.js';
import type { UpstreamFiles, UpstreamVariable } from './types.js';
import { composeTree, rememberTree, TREE_FORMAT } from '../render/parsed.js';
import { readYamlDocument } from '../../../engine/yaml-read.js';

export const CACHE_ROOT = '.harden-init/upstream';
export const FILE_NAMES = {
  compose: 'docker-compose.yml',
  variables: 'variables.php',
  bin: 'bin.txt',
  release: 'release.json',
  parsed: 'parsed.json',
} as const;

export interface CacheRecord {
  version: string;
  imageId: string;
  composeSha256: string;
  readAt: string;
}

export interface CacheFile {
  /** Relative to the install dir. */
  path: string;
  content: string;
  mode: number;
}

export { sha256 };

/**
 * parsed.json. Keyed by the sha256 of the exact texts it was parsed from: a changed source is parsed again. Its own
 * sha256 (of the JSON of compose + variables) must match too, so an edited or damaged form is ignored, never
 * trusted (the texts are then parsed). This guards against corruption and stale forms, like the compose sha256 in
 * release.json does; against a planted entry it is state.json's record of every file's sha256 (checkCache).
 */
export interface ParsedForm {
  format: number;
  composeSha256: string;
  variablesSha256: string;
  /** sha256 of JSON.stringify([compose, variables]). */
  sha256: string;
  compose: unknown;
  variables: UpstreamVariable[];
}

function parsedForm(compose: string, variablesPhp: string, variables: UpstreamVariable[]): string | undefined {
  let tree;
  try {
    tree = composeTree(readYamlDocument(compose, "the release's docker-compose.yml"));
  } catch {
    return undefined; // not readable: no tree; the render that parses the text says why
  }
  if (!tree) return undefined; // a document JSON cannot keep exactly: re-runs parse the text
  const body = JSON.stringify([tree, variables]);
  const form: ParsedForm = {
    format: TREE_FORMAT,
    composeSha256: sha256(compose),
    variablesSha256: sha256(variablesPhp),
    sha256: sha256(body),
    compose: tree,
    variables,
  };
  return `${JSON.stringify(form)}\n`;
}

const isVariable = (v: unknown): v is UpstreamVariable => {
  const o = v as UpstreamVariable;
  return (
    typeof o === 'object' &&
    o !== null &&
    typeof o.name === 'string' &&
    typeof o.default === 'string' &&
    typeof o.filter === 'string' &&
    typeof o.required === 'boolean' &&
    Object.keys(o).length === 4
  );
};

/** The parsed form in folder when it was made from exactly these texts and is intact; undefined otherwise. */
export function readParsed(folder: string, compose: string, variablesPhp: string): ParsedForm | undefined {
  let form: ParsedForm;
  try {
    form = JSON.parse(readFileSync(join(folder, FILE_NAMES.parsed), 'utf8')) as ParsedForm;
  } catch {
    return undefined; // absent or not JSON: parse the texts
  }
  if (
    typeof form !== 'object' ||
    form === null ||
    form.format !== TREE_FORMAT ||
    !Array.isArray(form.variables) ||
    !form.variables.every(isVariable)
  )
    return undefined;
  if (form.composeSha256 !== sha256(compose) || form.variablesSha256 !== sha256(variablesPhp)) return undefined;
  if (form.sha256 !== sha256(JSON.stringify([form.compose, form.variables]))) return undefined;
  return form;
}

/** "sha256:0123abcd…" → "0123abcd…" (first 12 hex). */
export function shortId(imageId: string): string {
  const hex = imageId.replace(/^sha256:/, '');
  if (!/^[0-9a-f]{12,}$/.test(hex)) throw new Error(`not an image id: ${imageId}`);
  return hex.slice(0, 12);
}

function checkVersion(version: string): void {
  if (!/^[0-9A-Za-z][0-9A-Za-z._+-]*$/.test(version) || version.includes('..'))
    throw new Error(`not a release version: ${version}`);
}

/** The cache entry of one image, relative to the install dir. */
export function cacheEntryDir(version: string, imageId: string): string {
  checkVersion(version);
  return `${CACHE_ROOT}/${version}-${shortId(imageId)}`;
}

function readRecord(file: string): CacheRecord | undefined {
  try {
    const r = JSON.parse(readFileSync(file, 'utf8')) as Partial<CacheRecord>;
    if (
      typeof r.version === 'string' &&
      typeof r.imageId === 'string' &&
      typeof r.composeSha256 === 'string' &&
      typeof r.readAt === 'string'
    )
      return r as CacheRecord;
  } catch {
    /* absent or unreadable: no entry */
  }
  return undefined;
}

/**
 * The files that keep what was read from an image (none when the files did not come from an image).
 * With opts.dir, an existing entry for the same image and compose keeps its readAt, so re-writing the cache of an
 * unchanged release changes no byte (a re-run with nothing to change stays "nothing to change").
 */
export function cacheFiles(
  files: UpstreamFiles,
  variablesPhpText: string | undefined = files.variablesPhp,
  opts: { dir?: string; now?: Date } = {},
): CacheFile[] {
  if (!files.imageId) return [];
  if (variablesPhpText === undefined) throw new Error('cacheFiles: the raw variables.php text is needed');
  const entry = cacheEntryDir(files.version, files.imageId);
  const composeSha256 = sha256(files.compose);
  let readAt = (opts.now ?? new Date()).toISOString();
  if (opts.dir) {
    const old = readRecord(join(opts.dir, entry, FILE_NAMES.release));
    if (old && old.imageId === files.imageId && old.composeSha256 === composeSha256 && old.version === files.version)
      readAt = old.readAt;
  }
  const record: CacheRecord = { version: files.version, imageId: files.imageId, composeSha256, readAt };
  const f = (name: string, content: string): CacheFile => ({ path: `${entry}/${name}`, content, mode: 0o644 });
  const parsed = parsedForm(files.compose, variablesPhpText, files.variables);
  return [
    f(FILE_NAMES.compose, files.compose),
    f(FILE_NAMES.variables, variablesPhpText),
    f(FILE_NAMES.bin, files.executables.length ? `${files.executables.join('\n')}\n` : ''),
    f(FILE_NAMES.release, `${JSON.stringify(record, null, 2)}\n`),
    ...(parsed === undefined ? [] : [f(FILE_NAMES.parsed, parsed)]),
  ];
}

/**
 * The three files of a release in one folder (a cache entry or a release description). Undefined when the folder
 * does not exist; throws naming the missing file when it exists but is incomplete.
 */
export function readReleaseDir(
  folder: string,
  version: string,
  source: string,
  opts: { useParsed?: boolean } = {},
): UpstreamFiles | undefined {
  if (!existsSync(folder)) return undefined;
  const path = (n: string) => join(folder, n);
  for (const n of [FILE_NAMES.compose, FILE_NAMES.variables, FILE_NAMES.bin]) {
    if (!existsSync(path(n)))
      throw new Error(
        `${folder} has no ${n} (a release folder holds ${FILE_NAMES.compose}, ` +
          `${FILE_NAMES.variables} and ${FILE_NAMES.bin})`,
      );
  }
  const variablesPhp = readFileSync(path(FILE_NAMES.variables), 'utf8');
  const compose = readFileSync(path(FILE_NAMES.compose), 'utf8');
  const parsed = opts.useParsed ? readParsed(folder, compose, variablesPhp) : undefined;
  if (parsed) rememberTree(compose, parsed.compose); // the render revives it instead of parsing (render/parsed.ts)
  return {
    version,
    compose,
    variables: parsed ? parsed.variables : parseVariablesFrom(variablesPhp, path(FILE_NAMES.variables)),
    variablesPhp,
    executables: parseExecutables(readFileSync(path(FILE_NAMES.bin), 'utf8')),
    source,
  };
}

/** The state.json record of the entry that cache files (one entry's, from cacheFiles) make. */
export function cacheRecordOf(files: CacheFile[]): UpstreamCacheRecord | undefined {
  if (files.length === 0) return undefined;
  const entry = files[0]!.path.slice(0, files[0]!.path.lastIndexOf('/'));
  return { entry, sha256: Object.fromEntries(files.map((f) => [f.path.slice(entry.length + 1), sha256(f.content)])) };
}

/** What the install's cache holds for a release, checked against state.json's record before any use. */
export type CacheCheck =
  | { kind: 'ok'; files: UpstreamFiles; record: UpstreamCacheRecord }
  /** No entry for this release (and image). */
  | { kind: 'none' }
  /** An entry exists but does not check out: `file` in `entry` (relative to the install), and why. */
  | { kind: 'bad'; entry: string; file: string; why: string };

const REQUIRED = [FILE_NAMES.compose, FILE_NAMES.variables, FILE_NAMES.bin, FILE_NAMES.release] as const;

/**
 * One cache entry checked against the record state.json holds for it: every recorded file's sha256, all four
 * files the entry needs recorded (parsed.json is used only when recorded and intact), release.json naming this
 * version (and image, when known). Anyone who can write the entry could otherwise choose the compose file harden-init
 * writes — the images it runs.
 */
function checkEntry(
  dir: string,
  name: string,
  version: string,
  imageId: string | undefined,
  record: UpstreamCacheRecord | undefined,
): CacheCheck {
  const entry = `${CACHE_ROOT}/${name}`;
  const folder = join(dir, entry);
  const bad = (file: string, why: string): CacheCheck => ({ kind: 'bad', entry, file, why });
  if (!record || record.entry !== entry)
    return bad(
      FILE_NAMES.compose,
      'the entry is not recorded in .harden-init/state.json (an install from ' +
        'before harden-init recorded it, or planted)',
    );
  for (const n of REQUIRED) if (!record.sha256[n]) return bad(n, 'not recorded in .harden-init/state.json');
  for (const [n, want] of Object.entries(record.sha256)) {
    let text: string;
    try {
      text = readFileSync(join(folder, n), 'utf8');
    } catch {
      return bad(n, 'missing or unreadable');
    }
    if (sha256(text) !== want)
      return bad(
        n,
        'its sha256 differs from the one recorded in .harden-init/state.json (changed since harden-init wrote it)',
      );
  }
  const rec = readRecord(join(folder, FILE_NAMES.release));
  if (!rec || rec.version !== version) return bad(FILE_NAMES.release, `does not name release ${version}`);
  if (imageId !== undefined && rec.imageId !== imageId)
    return bad(FILE_NAMES.release, `names image ${rec.imageId}, not ${imageId}`);
  let files: UpstreamFiles | undefined;
  try {
    files = readReleaseDir(folder, version, `cache ${entry}`, { useParsed: Boolean(record.sha256[FILE_NAMES.parsed]) });
  } catch (e) {
    return bad(FILE_NAMES.compose, (e as Error).message);
  }
  if (!files || sha256(files.compose) !== rec.composeSha256)
    return bad(FILE_NAMES.compose, 'differs from the sha256 in release.json');
  return { kind: 'ok', files: { ...files, imageId: rec.imageId }, record };
}

/**
 * What the install's cache holds for this release, checked (checkEntry) against `record`, state.json's upstreamCache.
 * With imageId exactly that image's entry; without it the recorded entry when it is this release's, else any entry
 * of the release is reported as not recorded. Writes nothing.
 */
export function checkCache(
  dir: string,
  version: string,
  imageId: string | undefined,
  record: UpstreamCacheRecord | undefined,
): CacheCheck {
  checkVersion(version);
  if (imageId !== undefined) {
    const name = `${version}-${shortId(imageId)}`;
    if (!existsSync(join(dir, CACHE_ROOT, name))) return { kind: 'none' };
    return checkEntry(dir, name, version, imageId, record);
  }
  const recorded = record?.entry.startsWith(`${CACHE_ROOT}/${version}-`)
    ? record.entry.slice(CACHE_ROOT.length + 1)
    : undefined;
  if (recorded !== undefined && existsSync(join(dir, CACHE_ROOT, recorded)))
    return checkEntry(dir, recorded, version, undefined, record);
  const root = join(dir, CACHE_ROOT);
  const other = existsSync(root)
    ? readdirSync(root)
        .filter((n) => n.startsWith(`${version}-`))
        .sort()[0]
    : undefined;
  return other === undefined ? { kind: 'none' } : checkEntry(dir, other, version, undefined, record);
}

/** The state.json record of an install (undefined when there is none or it is not readable). */
export function recordedCache(dir: string): UpstreamCacheRecord | undefined {
  const state = parseState(readRegular(join(dir, STATE_FILE)) ?? '');
  const r = state?.upstreamCache;
  return r && typeof r.entry === 'string' && typeof r.sha256 === 'object' && r.sha256 !== null ? r : undefined;
}

/**
 * The install's cache for this release when it checks out against state.json (checkCache), else undefined. For
 * readers that fall back to something else (check's entrypoint list). Writes nothing.
 */
export function readCache(dir: string, version: string, imageId?: string): UpstreamFiles | undefined {
  const c = checkCache(dir, version, imageId, recordedCache(dir));
  return c.kind === 'ok' ? c.files : undefined;
}
