// Pure: the steps of an Appwrite upgrade from one release to another, and what each step changes, computed from
// the two releases' own files. Appwrite's updates guide: back up, move to the new
// release's files, run `migrate`, ONE MINOR AT A TIME; a 1.9 install goes to 1.9.10 first; 2.3 accepts sources
// from 1.9.6 on. There is no reverse migration: going back needs the dump taken before the step.
import { readYaml } from '../../../engine/yaml-read.js';
import { usageError } from '../../../core/errors.js';
import { isMaskedName } from '../../../engine/diff.js';
import { KNOWN_SECRET_NAMES } from '../secret-names.js';
import { RELEASE_LINES, compareReleases, lineOf, parseRelease } from '../releases.js';
import type { UpgradeStep } from '../../types.js';

export type { UpgradeStep } from '../../types.js';

/** The 1.9 release every 1.9 install moves to before it crosses to 2.x (the line's security minimum). */
export const BRIDGE_1_9 = '1.9.10';
/** The first 2.x minor that accepts a 1.9 source directly (from 1.9.6 on, per Appwrite's guide). */
export const ENTRY_2X_FROM_1_9 = '2.3.0';

const minorKey = (v: string) => {
  const r = parseRelease(v)!;
  return `${r.major}.${r.minor}`;
};

/** Known releases of a line grouped by minor, each minor's newest patch, in order. */
function newestPerMinor(line: '2.x' | '1.9'): string[] {
  const known = RELEASE_LINES.find((l) => l.line === line)!.known;
  const by = new Map<string, string>();
  for (const v of known) {
    const k = minorKey(v);
    const have = by.get(k);
    if (!have || compareReleases(v, have) > 0) by.set(k, v);
  }
  return [...by.values()].sort(compareReleases);
}

/** Within 2.x: one step per minor after `from`'s, the newest known patch of each, the last one exactly `to`. */
function minorsBetween(from: string, to: string): string[] {
  const fromMinor = minorKey(from);
  const toMinor = minorKey(to);
  const out: string[] = [];
  for (const v of newestPerMinor('2.x')) {
    const k = minorKey(v);
    if (compareReleases(`${k}.0`, `${fromMinor}.0`) <= 0) continue;
    if (compareReleases(`${k}.0`, `${toMinor}.0`) >= 0) break;
    out.push(v);
  }
  out.push(to);
  return out;
}

/**
 * The plan from `from` to `to`. Throws (usage error) for a downgrade or a release outside the supported lines.
 * Same release: no step.
 */
export function upgradePath(from: string, to: string): UpgradeStep[] {
  const lf = lineOf(from);
  const lt = lineOf(to);
  if (!lf) throw usageError(`The install runs Appwrite ${from}: harden-init upgrades the 1.9 and 2.x lines only.`);
  if (!lt) throw usageError(`--to ${to}: harden-init upgrades to Appwrite's 1.9 and 2.x lines only.`);
  const cmp = compareReleases(to, from);
  if (cmp === 0) return [];
  if (cmp < 0) {
    throw usageError(
      `--to ${to}: the install runs ${from}, and Appwrite has no reverse migration.`,
      'Going back is a restore of the files and the database dump taken before the ' +
        'upgrade: harden-init rollback --with-db.',
    );
  }
  const releases: { v: string; why: string }[] = [];
  if (lf === '1.9' && lt === '1.9') {
    releases.push({ v: to, why: 'patch release of the 1.9 line' });
  } else if (lf === '1.9') {
    if (compareReleases(from, BRIDGE_1_9) < 0)
      releases.push({ v: BRIDGE_1_9, why: `a 1.9 install moves to ${BRIDGE_1_9} before it crosses to 2.x` });
    if (compareReleases(to, ENTRY_2X_FROM_1_9) >= 0) {
      // 2.3 migrates a 1.9.6+ source directly; then one minor at a time.
      const entryMinor = minorKey(ENTRY_2X_FROM_1_9);
      const entry =
        minorKey(to) === entryMinor
          ? to
          : (newestPerMinor('2.x').find((v) => minorKey(v) === entryMinor) ?? ENTRY_2X_FROM_1_9);
      releases.push({ v: entry, why: `crossing to 2.x: ${entryMinor} migrates a 1.9.6+ source` });
      if (entry !== to) for (const v of minorsBetween(entry, to)) releases.push({ v, why: 'one minor at a time' });
    } else {
      // Below 2.3: enter at 2.0 and go one minor at a time.
      const entry = minorKey(to) === '2.0' ? to : (newestPerMinor('2.x').find((v) => minorKey(v) === '2.0') ?? '2.0.0');
      releases.push({ v: entry, why: 'crossing to 2.x at its first minor' });
      if (entry !== to) for (const v of minorsBetween(entry, to)) releases.push({ v, why: 'one minor at a time' });
    }
  } else if (lt === '2.x' && lf === '2.x') {
    if (minorKey(from) === minorKey(to)) releases.push({ v: to, why: 'patch release of the same minor' });
    else for (const v of minorsBetween(from, to)) releases.push({ v, why: 'one minor at a time' });
  } else {
    throw usageError(`--to ${to}: the install runs ${from} (2.x); 1.9 is older and Appwrite has no reverse migration.`);
  }
  const steps: UpgradeStep[] = [];
  let prev = from;
  for (const r of releases) {
    if (compareReleases(r.v, prev) <= 0) continue;
    steps.push({ from: prev, to: r.v, why: r.why });
    prev = r.v;
  }
  return steps;
}

// ---- what one step changes ------------------------------------------------------------------------------------------

/** A variable Appwrite renamed: the old value carried to the new name (converted), the old line removed. */
export interface Rename {
  from: string;
  to: string;
  /** The release that introduced the new name. */
  since: string;
  /** The new value from the old one and the rest of .env (undefined: leave the new name's default). */
  convert(old: string, env: Record<string, string>): string | undefined;
}

export const RENAMES: readonly Rename[] = [
  {
    // 2.3.0: the console's full URL replaces the scheme-only variable (upstream's variable list and changelog).
    from: '_APP_CONSOLE_URL_SCHEME',
    to: '_APP_CONSOLE_URL',
    since: '2.3.0',
    convert: (scheme, env) => {
      const host = env._APP_CONSOLE_DOMAIN || env._APP_DOMAIN;
      const s = scheme.trim().replace(/:\/*$/, '');
      return s && host ? `${s}://${host}` : undefined;
    },
  },
];

export interface ReleaseSide {
  version: string;
  /** The compose file the install runs (or would run) at this release. */
  compose: string;
  /** The release's variable list (its variables.php names). */
  variables: string[];
}

export interface StepChanges {
  servicesAdded: string[];
  servicesRemoved: string[];
  variablesAdded: string[];
  /** Known to the old release, unknown to the new one, not renamed: removed from .env. */
  variablesDropped: string[];
  /** Renamed variables the old release listed. */
  renamed: { from: string; to: string }[];
  /** Every rename this step crosses (an old name may be in .env even when the old release's list lacks it). */
  renamesCrossed: { from: string; to: string }[];
  /** Host ports published (host side of `ports:`), added and removed. */
  portsAdded: string[];
  portsRemoved: string[];
}

type Doc = { services?: Record<string, { ports?: unknown[] } | null> };

function servicesOf(compose: string, version: string): Map<string, string[]> {
  const doc = (readYaml(compose, `Appwrite ${version}'s docker-compose.yml`) ?? {}) as Doc;
  const out = new Map<string, string[]>();
  for (const [name, svc] of Object.entries(doc.services ?? {})) {
    const ports = (svc?.ports ?? []).map((p) => {
      if (typeof p === 'string' || typeof p === 'number') return String(p);
      const o = p as { published?: unknown; target?: unknown; host_ip?: unknown };
      return `${o.host_ip ? `${String(o.host_ip)}:` : ''}${String(o.published ?? '')}:${String(o.target ?? '')}`;
    });
    out.set(name, ports);
  }
  return out;
}

const minus = <T>(a: Iterable<T>, b: Set<T>) => [...a].filter((x) => !b.has(x));

/** What moving from `a` to `b` changes, from the two sides' own files. */
export function stepChanges(a: ReleaseSide, b: ReleaseSide): StepChanges {
  const sa = servicesOf(a.compose, a.version);
  const sb = servicesOf(b.compose, b.version);
  const va = new Set(a.variables);
  const vb = new Set(b.variables);
  const renamesCrossed = RENAMES.filter(
    (r) =>
      !vb.has(r.from) &&
      vb.has(r.to) &&
      compareReleases(b.version, r.since) >= 0 &&
      compareReleases(a.version, r.since) < 0,
  ).map((r) => ({ from: r.from, to: r.to }));
  const renamed = renamesCrossed.filter((r) => va.has(r.from));
  const renamedFrom = new Set(renamed.map((r) => r.from));
  const renamedTo = new Set(renamed.map((r) => r.to));
  const portsA = new Set([...sa.values()].flat());
  const portsB = new Set([...sb.values()].flat());
  return {
    servicesAdded: minus(sb.keys(), new Set(sa.keys())).sort(),
    servicesRemoved: minus(sa.keys(), new Set(sb.keys())).sort(),
    variablesAdded: minus(b.variables, va).filter((v) => !renamedTo.has(v)),
    variablesDropped: minus(a.variables, vb).filter((v) => !renamedFrom.has(v)),
    renamed,
    renamesCrossed,
    portsAdded: minus(portsB, portsA),
    portsRemoved: minus(portsA, portsB),
  };
}

/**
 * The .env carried across a step, as a list of edits: renamed variables get the converted old value (unless
 * the new name already has a value), dropped ones are removed. Keys neither release knows stay (the operator's
 * own). `keep` names variables never removed (those the new compose file interpolates, or harden-init manages).
 */
export function carryEdits(
  env: Record<string, string>,
  c: StepChanges,
  keep: Set<string> = new Set(),
): { set: Record<string, string>; remove: string[]; renamed: string[]; dropped: string[] } {
  const set: Record<string, string> = {};
  const remove: string[] = [];
  const renamed: string[] = [];
  const dropped: string[] = [];
  for (const r of c.renamesCrossed) {
    if (!(r.from in env)) continue;
    const rule = RENAMES.find((x) => x.from === r.from && x.to === r.to)!;
    const value = rule.convert(env[r.from]!, env);
    if (value !== undefined && !env[r.to]) set[r.to] = value;
    remove.push(r.from);
    renamed.push(
      `${r.from} → ` +
        `${r.to}${value !== undefined ? ` (${r.to}=${value})` : ' (no value to carry: the new default applies)'}`,
    );
  }
  for (const v of c.variablesDropped) {
    // A secret is never removed by an upgrade: a dropped key or password may still guard data (and only a
    // backup could bring it back).
    if (!(v in env) || keep.has(v) || isMaskedName(v, KNOWN_SECRET_NAMES)) continue;
    remove.push(v);
    dropped.push(v);
  }
  return { set, remove, renamed, dropped };
}

/** One line per change, for the plan and the step log. */
export function describeChanges(c: StepChanges): string[] {
  const out: string[] = [];
  const list = (xs: string[]) => xs.join(', ');
  if (c.servicesAdded.length) out.push(`services added: ${list(c.servicesAdded)}`);
  if (c.servicesRemoved.length) out.push(`services removed: ${list(c.servicesRemoved)}`);
  if (c.variablesAdded.length) out.push(`variables added (${c.variablesAdded.length}): ${list(c.variablesAdded)}`);
  if (c.renamed.length) out.push(`variables renamed: ${list(c.renamed.map((r) => `${r.from} → ${r.to}`))}`);
  if (c.variablesDropped.length) out.push(`variables dropped: ${list(c.variablesDropped)}`);
  if (c.portsAdded.length) out.push(`ports published: ${list(c.portsAdded)}`);
  if (c.portsRemoved.length) out.push(`ports no longer published: ${list(c.portsRemoved)}`);
  if (out.length === 0) out.push('no service, variable or port changes');
  return out;
}
