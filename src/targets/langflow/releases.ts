// Langflow's releases as harden-init knows them: the pinned default, the security minimum and the advisories by
// the release that fixed them. Facts from Langflow's repository, docs and GitHub advisories (when they were last
// checked: docs/development.md, Measurements).
import { compareReleases, mustParseRelease as mustParse, parseRelease, type Release } from '../release-numbers.js';

export { compareReleases, parseRelease, type Release };

/** What a new install gets (image tag, no `v`). Never `latest`. */
export const NEWEST_RELEASE = '1.13.1';
/** The oldest release without a known advisory: 1.13.1 fixed six holes present in every release from 1.0.0 on. */
export const MINIMUM_RELEASE = '1.13.1';

export interface Advisory {
  /** CVE / GHSA identifiers, or a short name when there is none. */
  ids: readonly string[];
  /** The first release without it. */
  fixedIn: string;
  summary: string;
  /** Remotely reachable without an account. */
  critical: boolean;
}

/** Oldest fix first. */
export const ADVISORIES: readonly Advisory[] = [
  {
    ids: ['CVE-2025-3248'],
    fixedIn: '1.3.0',
    summary: 'unauthenticated remote code execution (code validation endpoint)',
    critical: true,
  },
  { ids: ['CVE-2025-57760'], fixedIn: '1.5.1', summary: 'privilege escalation', critical: false },
  {
    ids: ['.env ignored'],
    fixedIn: '1.6.4',
    summary: '1.6.0-1.6.3 ignored the .env file, so security settings given there did not apply',
    critical: false,
  },
  {
    ids: ['CVE-2025-34291', 'CVE-2025-68477', 'CVE-2025-68478', 'CVE-2026-21445'],
    fixedIn: '1.7.1',
    summary: 'account takeover and server-side request forgery batch',
    critical: false,
  },
  {
    ids: ['CVE-2026-33017'],
    fixedIn: '1.9.0',
    summary:
      "unauthenticated remote code execution (public flow build), in CISA's Known Exploited Vulnerabilities list",
    critical: true,
  },
  { ids: ['CVE-2026-55450'], fixedIn: '1.9.1', summary: 'security fix', critical: false },
  { ids: ['CVE-2026-48519', 'CVE-2026-55447'], fixedIn: '1.9.2', summary: 'security fixes', critical: false },
  {
    ids: ['1.12 security batch'],
    fixedIn: '1.12.0',
    summary:
      'the 1.12 security batch (backported to 1.11.5): SSRF policy, runtime code-execution ' +
      'policy, MCP and run-flow authorization',
    critical: false,
  },
  // Open in 1.0.0 through 1.13.0; one entry each, so the refusal and `check` say what each one is.
  { ids: ['CVE-2026-120054'], fixedIn: '1.13.1', summary: 'authenticated command execution', critical: false },
  {
    ids: ['CVE-2026-120069'],
    fixedIn: '1.13.1',
    summary: 'AST deny-list bypass leading to code execution',
    critical: false,
  },
  { ids: ['CVE-2026-120071'], fixedIn: '1.13.1', summary: 'improper access control', critical: false },
  {
    ids: ['CVE-2026-120073'],
    fixedIn: '1.13.1',
    summary: "predictable virtual flow id: read or delete other users' data",
    critical: false,
  },
  { ids: ['CVE-2026-127061'], fixedIn: '1.13.1', summary: 'broken object-level authorization', critical: false },
  {
    ids: ['CVE-2026-127066'],
    fixedIn: '1.13.1',
    summary: "unauthenticated execution of other users' flows through the agent-to-agent discovery endpoint",
    critical: true,
  },
];

/** The ids of an advisory with what it is, e.g. "CVE-2026-120071 (improper access control)". */
export const describeAdvisory = (a: Advisory): string => `${a.ids.join(', ')} (${a.summary})`;

/** Releases the 1.12 batch was backported to: they carry the fixes of ADVISORIES' last entry. */
const BACKPORTS: Record<string, string> = { '1.12.0': '1.11.5' };

/** Whether `v` has the fix released in `fixedIn` (directly or by a backport to v's line). */
function hasFix(v: string, fixedIn: string): boolean {
  if (compareReleases(v, fixedIn) >= 0) return true;
  const back = BACKPORTS[fixedIn];
  if (!back) return false;
  const r = mustParse(v);
  const b = mustParse(back);
  return r.major === b.major && r.minor === b.minor && r.patch >= b.patch;
}

/** The advisories a release is still open to, oldest first. */
export function advisoriesFor(v: string): Advisory[] {
  return ADVISORIES.filter((a) => !hasFix(v, a.fixedIn));
}

/** undefined when `v` is an acceptable release string; otherwise what is allowed. */
export function releaseError(v: string): string | undefined {
  const r = parseRelease(v);
  if (!r)
    return (
      `must be a Langflow release number like ${NEWEST_RELEASE} (x.y.z; no ` +
      `"latest", no "v", no release candidates)`
    );
  if (r.major !== 1) return `harden-init installs Langflow 1.x (got ${v})`;
  return undefined;
}

export interface ReleaseCheck {
  belowMinimum: boolean;
  minimum: string;
  newest: string;
  /** Newer than the newest harden-init knows: allowed, its facts are unverified. */
  newerThanKnown: boolean;
  advisories: Advisory[];
}

export function releaseCheck(v: string): ReleaseCheck {
  const advisories = advisoriesFor(v);
  return {
    belowMinimum: compareReleases(v, MINIMUM_RELEASE) < 0,
    minimum: MINIMUM_RELEASE,
    newest: NEWEST_RELEASE,
    newerThanKnown: compareReleases(v, NEWEST_RELEASE) > 0,
    advisories,
  };
}

/** One sentence naming what a release below the minimum is open to (for the refusal and `check`). */
export function insecureReason(v: string): string | undefined {
  if (compareReleases(v, MINIMUM_RELEASE) >= 0) return undefined;
  const open = advisoriesFor(v);
  const fix = `install ${NEWEST_RELEASE} (--release ${NEWEST_RELEASE})`;
  if (open.length === 0)
    return `Langflow ${v} is below ${MINIMUM_RELEASE}: its line gets no further security fixes; ${fix}.`;
  return `Langflow ${v} is below ${MINIMUM_RELEASE} and open to ${openAdvisories(v)}; ${fix}.`;
}

/**
 * Each advisory `v` is open to with what it is, oldest fix first, e.g.
 * "CVE-2026-120071 (improper access control); ...".
 */
export function openAdvisories(v: string): string {
  return advisoriesFor(v).map(describeAdvisory).join('; ');
}

export const IMAGE_REPOSITORY = 'langflowai/langflow';

/** The pinned image of a release (default profile; the tag has no `v`). */
export function langflowImage(v: string): string {
  if (!parseRelease(v)) throw new Error(`not a Langflow release (x.y.z): ${JSON.stringify(v)}`);
  return `${IMAGE_REPOSITORY}:${v}`;
}

/** The release of a `langflowai/langflow:<v>` (or `base-<v>`) image reference; undefined for anything else. */
export function releaseOfImage(image: string): string | undefined {
  const m = /^(?:docker\.io\/)?langflowai\/langflow:(?:base-)?(\d+\.\d+\.\d+)$/.exec(image.trim());
  return m && parseRelease(m[1]!) ? m[1] : undefined;
}
