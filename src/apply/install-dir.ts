// Whose install directory this is. Everything in an install runs as root in the end (docker compose up), and
// harden-init trusts what it finds there: its release cache under .harden-init/upstream/ names the images to
// run, .env and the compose file say how. So the install directory and .harden-init/ must belong to the
// user running harden-init (root when root runs it) and be writable by nobody else; otherwise another local
// user could plant or swap a file between two runs. Every command that reads or writes an install calls
// guardInstallDir first, before anything is created; `check` reports the same problems as findings.
import { readFileSync, realpathSync, statSync, type Stats } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { usageError } from '../core/errors.js';
import { shellQuote } from '../core/shell-quote.js';
import { STATE_DIR } from '../engine/state.js';
import { assertDirOrMissing, kindOf } from '../core/safe-fs.js';

// The system directories themselves (not their subdirectories: /tmp/x or /srv/appwrite are fine).
const SYSTEM_DIRS = new Set([
  '/',
  '/bin',
  '/boot',
  '/dev',
  '/etc',
  '/home',
  '/media',
  '/mnt',
  '/opt',
  '/proc',
  '/root',
  '/run',
  '/sbin',
  '/snap',
  '/srv',
  '/sys',
  '/tmp',
  '/usr',
  '/usr/bin',
  '/usr/lib',
  '/usr/local',
  '/usr/local/bin',
  '/usr/sbin',
  '/usr/share',
  '/var',
  '/var/lib',
  '/var/lib/docker',
  '/var/log',
  '/var/run',
  '/var/tmp',
]);
// Kernel and device file systems: nothing may be installed anywhere inside them.
const VIRTUAL_TREES = ['/proc', '/sys', '/dev'];

export const DIR_ALLOWED =
  'a directory of its own for the install, e.g. /srv/appwrite or ./appwrite (new, or an existing install); a ' +
  'subdirectory of /tmp or /srv is fine, a system directory itself is not';

const under = (p: string, root: string) => p === root || p.startsWith(`${root}/`);

/** Why `path` (absolute) may not be an install directory, or undefined. Pure. */
export function systemDirReason(path: string): string | undefined {
  const p = posix.normalize(path).replace(/(.)\/+$/, '$1');
  const tree = VIRTUAL_TREES.find((t) => under(p, t));
  if (tree && p !== tree) return `${p} is inside ${tree}, a kernel or device file system`;
  if (SYSTEM_DIRS.has(p) || /^\/lib[^/]*$/.test(p)) return `${p} is a system directory`;
  return undefined;
}

/** The path with links resolved as far as it exists (a missing tail is kept as written). */
function realPath(path: string): string {
  let rest = '';
  let p = path;
  for (;;) {
    try {
      return rest ? join(realpathSync(p), rest) : realpathSync(p);
    } catch {
      /* climb */
    }
    const up = dirname(p);
    if (up === p) return path;
    rest = rest
      ? join(p.slice(up.length + (up.endsWith('/') ? 0 : 1)), rest)
      : p.slice(up.length + (up.endsWith('/') ? 0 : 1));
    p = up;
  }
}

export interface DirProblem {
  /** The directory (absolute). */
  path: string;
  /** 'install directory' or '.harden-init/'. */
  role: string;
  uid: number;
  /** The owner's user name, when /etc/passwd has it. */
  owner?: string;
  mode: number;
  /** Owned by another user than the one running harden-init. */
  foreign: boolean;
  /** Writable by its group or by others. */
  writable: boolean;
}

/** A user name for a uid from /etc/passwd (no process is started); undefined when it has none. */
export function userName(uid: number): string | undefined {
  let text: string;
  try {
    text = readFileSync('/etc/passwd', 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length >= 3 && f[2] === String(uid) && f[0]) return f[0];
  }
  return undefined;
}

const who = (uid: number, name = userName(uid)) => `uid ${uid}${name ? ` (${name})` : ''}`;
export const modeText = (mode: number) => (mode & 0o7777).toString(8).padStart(4, '0');

/**
 * Ownership and mode problems of an install directory and its .harden-init/ (only those that exist).
 * `euid` is the user running harden-init; without one (not POSIX) there is nothing to compare.
 */
export function installDirProblems(dir: string, euid: number | undefined = process.geteuid?.()): DirProblem[] {
  if (euid === undefined) return [];
  const out: DirProblem[] = [];
  const look = (path: string, role: string, st: Stats | undefined) => {
    if (!st?.isDirectory()) return;
    const foreign = st.uid !== euid;
    const writable = (st.mode & 0o022) !== 0;
    if (foreign || writable)
      out.push({ path, role, uid: st.uid, owner: userName(st.uid), mode: st.mode & 0o7777, foreign, writable });
  };
  // The install directory may be a link to a directory (an admin's choice, as mkdirExact allows): its target counts.
  look(dir, 'install directory', statOrUndefined(dir));
  const state = join(dir, STATE_DIR);
  // lstat said: a real directory
  look(state, `${STATE_DIR}/`, kindOf(state) === 'dir' ? statOrUndefined(state) : undefined);
  return out;
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** One problem as a sentence, and the commands that fix it. */
export function describeProblem(
  p: DirProblem,
  euid: number | undefined = process.geteuid?.(),
): { what: string; fix: string } {
  const me = euid === undefined ? 'you' : who(euid);
  const issues = [
    ...(p.foreign ? [`owned by ${who(p.uid, p.owner)}, not by the user running harden-init, ${me}`] : []),
    ...(p.writable ? [`writable by ${p.mode & 0o002 ? 'every user of this host' : 'its group'}`] : []),
  ];
  const fixes = [
    ...(p.foreign ? [`chown ${euid ?? '$(id -u)'} ${shellQuote(p.path)}`] : []),
    ...(p.writable ? [`chmod go-w ${shellQuote(p.path)}`] : []),
  ];
  return {
    what: `the ${p.role} ${p.path} (mode ${modeText(p.mode)}) is ${issues.join(' and ')}`,
    fix:
      `If it is really yours: ${fixes.join(' && ')}${p.foreign ? ' (as root)' : ''}; ` +
      `otherwise use a directory of your own.`,
  };
}

export const DIR_PROBLEM_WHY =
  'whoever else can write there can plant or swap .env, the compose file or the release cache under ' +
  '.harden-init/upstream/ between two runs, and get their image or settings run as root';

/** Refuses (exit 2) a system directory as the install directory, also when a link leads there. */
export function refuseSystemDir(dir: string): void {
  for (const p of new Set([dir, realPath(dir)])) {
    const reason = systemDirReason(p);
    if (reason)
      throw usageError(
        `--dir: ${reason}${p !== dir ? ` (${dir} leads there)` : ''}. Allowed: ${DIR_ALLOWED}.`,
        'Nothing was written.',
      );
  }
}

/**
 * Refuses (exit 2, before anything is created) a system directory as the install directory, and an install
 * directory or .harden-init/ that is another user's or writable by group or others. A missing directory is
 * fine: harden-init creates it owner-only.
 */
export function guardInstallDir(dir: string): void {
  refuseSystemDir(dir);
  assertDirOrMissing(join(dir, STATE_DIR)); // a link there is refused (exit 1), never followed
  const problems = installDirProblems(dir);
  if (problems.length === 0) return;
  const lines = problems.map((p) => describeProblem(p));
  throw usageError(
    `${lines.map((l) => `${l.what[0]!.toUpperCase()}${l.what.slice(1)}`).join('. ')}. ` +
      `harden-init refuses it: ${DIR_PROBLEM_WHY}.`,
    `${lines.map((l) => l.fix).join('\n')}\nThen re-run. Nothing was written.`,
  );
}
