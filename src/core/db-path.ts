// Where the bundled database may keep its data. MariaDB's entrypoint chowns everything under its data
// directory to the mysql user on start, so a system directory, the install directory (or a parent of it),
// or somebody's files must never be chosen by a typo. Pure: the file system is reached only through `probe`.
import { posix } from 'node:path';

export interface PathProbe {
  /** lstat-like: what is at `path` (a link is reported as what it points to, see `realpath`). */
  kind(path: string): 'missing' | 'dir' | 'file' | 'other';
  /** Entry names of a directory ([] when unreadable). */
  list(path: string): string[];
  /** The path with links resolved (for the nearest existing ancestor when `path` is missing). */
  realpath(path: string): string;
}

/** Collapses `//`, `.`, `..` and trailing slashes; keeps a leading `/`. */
export function normalizeDbPath(value: string): string {
  if (!value.startsWith('/')) return value;
  const n = posix.normalize(value);
  return n.length > 1 ? n.replace(/\/+$/, '') : n;
}

const TREES = [
  '/etc',
  '/usr',
  '/bin',
  '/sbin',
  '/boot',
  '/dev',
  '/proc',
  '/sys',
  '/run',
  '/var/run',
  '/var/lib/docker',
  '/var/lib/containerd',
  '/snap',
];
const EXACT = ['/', '/root', '/home', '/tmp', '/var', '/var/lib', '/var/tmp', '/srv', '/opt', '/mnt', '/media'];

export const DB_PATH_ALLOWED =
  'a directory of its own for the database, e.g. /srv/appwrite/mariadb (new, empty, or a MariaDB data directory); ' +
  'not a system directory, not the install directory or one of its parents';

const under = (p: string, root: string) => p === root || p.startsWith(`${root}/`);

/** The reason `p` (normalised, absolute) is a system or sensitive place, or undefined. */
export function systemPathReason(p: string): string | undefined {
  const tree = TREES.find((t) => under(p, t));
  if (tree) return `${p} is ${p === tree ? 'a system directory' : `inside the system directory ${tree}`}`;
  if (/^\/lib[^/]*(\/|$)/.test(p))
    return `${p} is ${/^\/lib[^/]*$/.test(p) ? 'a system directory' : 'inside a system library directory'}`;
  if (EXACT.includes(p)) return `${p} is a shared system directory`;
  if (/^\/home\/[^/]+$/.test(p)) return `${p} is a home directory`;
  return undefined;
}

export type DbPathCheck =
  | { ok: true; path: string; needsConfirm?: string }
  | { ok: false; path: string; error: string };

/**
 * Checks a database directory. `installDir` is absolute. An existing non-empty directory that does not
 * look like a MariaDB or PostgreSQL data directory is allowed only after a confirmation (needsConfirm).
 */
export function checkDbPath(value: string, installDir: string, probe: PathProbe): DbPathCheck {
  const path = normalizeDbPath(value);
  const fail = (why: string): DbPathCheck => ({ ok: false, path, error: `${why}. Allowed: ${DB_PATH_ALLOWED}.` });
  if (!path.startsWith('/')) return fail(`"${value}" is not an absolute path`);
  const install = normalizeDbPath(installDir);
  const candidates = new Set([path]);
  let real = path;
  try {
    real = normalizeDbPath(probe.realpath(path));
    candidates.add(real);
  } catch {
    /* nothing to resolve */
  }
  for (const p of candidates) {
    const sys = systemPathReason(p);
    if (sys) return fail(`${sys}${p !== path ? ` (${path} leads there)` : ''}`);
    if (p === install) return fail(`${p} is the install directory`);
    if (under(install, p)) return fail(`${p} is a parent of the install directory ${install}`);
    if (under(p, `${install}/.harden-init`)) return fail(`${p} is inside harden-init's own directory`);
  }
  const kind = probe.kind(path);
  if (kind === 'missing') return { ok: true, path };
  if (kind !== 'dir') return fail(`${path} exists and is not a directory`);
  const entries = probe.list(path);
  if (entries.length === 0 || looksLikeDbDir(path, entries, probe)) return { ok: true, path };
  return {
    ok: true,
    path,
    needsConfirm:
      `${path} is not empty and does not look like a database data directory (${entries.length} ` +
      `entr${entries.length === 1 ? 'y' : 'ies'}, e.g. ${entries.slice(0, 3).join(', ')}). MariaDB takes it over on ` +
      `start: it changes the owner of everything in it.`,
  };
}

/** MariaDB: a mysql/ subdirectory, ibdata1 or aria_log_control; PostgreSQL: PG_VERSION here or one level down. */
export function looksLikeDbDir(path: string, entries: string[], probe: PathProbe): boolean {
  if (entries.includes('ibdata1') || entries.includes('aria_log_control') || entries.includes('PG_VERSION'))
    return true;
  if (entries.includes('mysql') && probe.kind(posix.join(path, 'mysql')) === 'dir') return true;
  return entries.some(
    (e) => probe.kind(posix.join(path, e)) === 'dir' && probe.list(posix.join(path, e)).includes('PG_VERSION'),
  );
}
