// What was read from a release image, kept in the install per image id so a re-run starts no container and a
// run without Docker can still render the install's release:
//   <install dir>/.harden-init/upstream/<version>-<first 12 hex of the image id>/
//     docker-compose.yml  variables.php  bin.txt  release.json {version, imageId, composeSha256, readAt}
//     parsed.json: the compose file's YAML document and variables.php's list, parsed once when the entry is written
//       (see ParsedForm); a re-run reads them with JSON.parse instead of parsing YAML and PHP again.
// Reading never writes: cacheFiles() returns the files for the plan to write once the user has confirmed.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { sha256 } from '../../../engine/state.js';
import { parseExecutables, parseVariablesFrom } from './image.js';
import type { UpstreamFiles, UpstreamVariable } from './types.js';
import { composeTree, rememberTree, TREE_FORMAT } from '../render/parsed.js';
import { readYamlDocument } from '../../../engine/yaml-read.js';

export const CACHE_ROOT = '.harden-init/upstream';
export const FILE_NAMES = { compose: 'docker-compose.yml', variables: 'variables.php', bin: 'bin.txt', release: 'release.json', parsed: 'parsed.json' } as const;

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
 * trusted (the texts are then parsed). Anyone who can write the cache can also rewrite the texts and release.json:
 * this guards against corruption and stale forms, like the compose sha256 in release.json does.
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
  const form: ParsedForm = { format: TREE_FORMAT, composeSha256: sha256(compose), variablesSha256: sha256(variablesPhp), sha256: sha256(body), compose: tree, variables };
  return `${JSON.stringify(form)}\n`;
}

const isVariable = (v: unknown): v is UpstreamVariable => {
  const o = v as UpstreamVariable;
  return typeof o === 'object' && o !== null && typeof o.name === 'string' && typeof o.default === 'string' && typeof o.filter === 'string' && typeof o.required === 'boolean' && Object.keys(o).length === 4;
};

/** The parsed form in folder when it was made from exactly these texts and is intact; undefined otherwise. */
export function readParsed(folder: string, compose: string, variablesPhp: string): ParsedForm | undefined {
  let form: ParsedForm;
  try {
    form = JSON.parse(readFileSync(join(folder, FILE_NAMES.parsed), 'utf8')) as ParsedForm;
  } catch {
    return undefined; // absent or not JSON: parse the texts
  }
  if (typeof form !== 'object' || form === null || form.format !== TREE_FORMAT || !Array.isArray(form.variables) || !form.variables.every(isVariable)) return undefined;
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
  if (!/^[0-9A-Za-z][0-9A-Za-z._+-]*$/.test(version) || version.includes('..')) throw new Error(`not a release version: ${version}`);
}

/** The cache entry of one image, relative to the install dir. */
export function cacheEntryDir(version: string, imageId: string): string {
  checkVersion(version);
  return `${CACHE_ROOT}/${version}-${shortId(imageId)}`;
}

function readRecord(file: string): CacheRecord | undefined {
  try {
    const r = JSON.parse(readFileSync(file, 'utf8')) as Partial<CacheRecord>;
    if (typeof r.version === 'string' && typeof r.imageId === 'string' && typeof r.composeSha256 === 'string' && typeof r.readAt === 'string') return r as CacheRecord;
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
    if (old && old.imageId === files.imageId && old.composeSha256 === composeSha256 && old.version === files.version) readAt = old.readAt;
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
export function readReleaseDir(folder: string, version: string, source: string, opts: { useParsed?: boolean } = {}): UpstreamFiles | undefined {
  if (!existsSync(folder)) return undefined;
  const path = (n: string) => join(folder, n);
  for (const n of [FILE_NAMES.compose, FILE_NAMES.variables, FILE_NAMES.bin]) {
    if (!existsSync(path(n))) throw new Error(`${folder} has no ${n} (a release folder holds ${FILE_NAMES.compose}, ${FILE_NAMES.variables} and ${FILE_NAMES.bin})`);
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

/** One cache entry, checked: its record names this version (and image), its compose matches the recorded sha256. */
function readEntry(dir: string, name: string, version: string, imageId?: string): (UpstreamFiles & { readAt: string }) | undefined {
  const folder = join(dir, CACHE_ROOT, name);
  const rec = readRecord(join(folder, FILE_NAMES.release));
  if (!rec || rec.version !== version || (imageId !== undefined && rec.imageId !== imageId)) return undefined;
  let files: UpstreamFiles | undefined;
  try {
    files = readReleaseDir(folder, version, `cache ${CACHE_ROOT}/${name}`, { useParsed: true });
  } catch {
    return undefined; // an incomplete or unreadable entry is no entry: the image is read again
  }
  if (!files || sha256(files.compose) !== rec.composeSha256) return undefined;
  return { ...files, imageId: rec.imageId, readAt: rec.readAt };
}

/**
 * What the install's cache holds for this release: with imageId exactly that image's entry, without it the newest
 * entry (by readAt) for the version. Undefined when there is none (or it does not check out). Writes nothing.
 */
export function readCache(dir: string, version: string, imageId?: string): UpstreamFiles | undefined {
  checkVersion(version);
  if (imageId !== undefined) {
    const hit = readEntry(dir, `${version}-${shortId(imageId)}`, version, imageId);
    if (!hit) return undefined;
    const { readAt: _, ...files } = hit;
    return files;
  }
  const root = join(dir, CACHE_ROOT);
  if (!existsSync(root)) return undefined;
  const entries = readdirSync(root)
    .filter((n) => n.startsWith(`${version}-`))
    .map((n) => readEntry(dir, n, version))
    .filter((e): e is UpstreamFiles & { readAt: string } => e !== undefined)
    .sort((a, b) => (a.readAt < b.readAt ? 1 : a.readAt > b.readAt ? -1 : 0));
  if (!entries[0]) return undefined;
  const { readAt: _, ...files } = entries[0];
  return files;
}
