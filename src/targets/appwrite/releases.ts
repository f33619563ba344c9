// Appwrite's release lines and what each release needs from an installer. Facts from Appwrite's changelog and
// repository at its release tags (when they were last checked: docs/development.md, Measurements). Versions newer
// than this table belong to their line: the installer reads such a release's own files from its image.

export type ReleaseLine = '2.x' | '1.9';
export type Topology = 'combined' | 'separate';
export type DbEngine = 'postgresql' | 'mariadb';

import { compareReleases, parseRelease, type Release } from '../release-numbers.js';

export { compareReleases, parseRelease, type Release };

export interface ReleaseLineInfo {
  line: ReleaseLine;
  known: readonly string[];
  newest: string;
  /** Lowest release without the known critical holes (see INSECURE_REASON). */
  minimum: string;
}

export const RELEASE_LINES: readonly ReleaseLineInfo[] = [
  {
    line: '2.x',
    known: ['2.0.0', '2.1.0', '2.2.0', '2.3.0', '2.3.1', '2.4.0', '2.5.0', '2.6.0', '2.6.1', '2.6.2', '2.7.0', '2.7.1'],
    newest: '2.7.1',
    minimum: '2.6.2',
  },
  {
    line: '1.9',
    known: ['1.9.5', '1.9.6', '1.9.7', '1.9.8', '1.9.9', '1.9.10'],
    newest: '1.9.10',
    minimum: '1.9.10',
  },
];

/** What a new install gets. */
export const NEWEST_RELEASE = '2.7.1';

/** Why releases below a line's minimum (2.6.2 / 1.9.10) are refused (Appwrite's 2.6.2 and 1.9.10 changelogs). */
export const INSECURE_REASON =
  'Releases before 2.6.2 (2.x) and 1.9.10 (1.9) have CVE-2026-111497 (GHSA-9v8h-qqgm-4m35, critical): a ' +
  'remotely reachable out-of-bounds write in Brotli decoding in the outbound HTTP client. The same fixes close ' +
  'an API-key and JWT privilege escalation, a Realtime/GraphQL permission bypass, and SSRF through SMTP, ' +
  'migrations and certificate checks.';

/** '2.x' for any 2.y.z, '1.9' for any 1.9.z; undefined for everything else (1.8.x, 3.x, rc tags). */
export function lineOf(v: string): ReleaseLine | undefined {
  const r = parseRelease(v);
  if (!r) return undefined;
  if (r.major === 2) return '2.x';
  if (r.major === 1 && r.minor === 9) return '1.9';
  return undefined;
}

function lineInfo(line: ReleaseLine): ReleaseLineInfo {
  return RELEASE_LINES.find((l) => l.line === line)!;
}

export interface ReleaseCheck {
  line: ReleaseLine;
  /** In the table above (a later release of a line is allowed, but unknown to this tool). */
  known: boolean;
  belowMinimum: boolean;
  minimum: string;
  newestOfLine: string;
}

/** undefined when the version belongs to no supported line. */
export function releaseCheck(v: string): ReleaseCheck | undefined {
  const line = lineOf(v);
  if (!line) return undefined;
  const info = lineInfo(line);
  return {
    line,
    known: info.known.includes(v),
    belowMinimum: compareReleases(v, info.minimum) < 0,
    minimum: info.minimum,
    newestOfLine: info.newest,
  };
}

const atLeast = (v: string, min: string): boolean => compareReleases(v, min) >= 0;

/** 2.x runs workers and schedulers in one container pair by default (`--topology=separate` is the other). */
export function defaultTopology(v: string): Topology | undefined {
  return lineOf(v) === '2.x' ? 'combined' : undefined;
}

/** New 2.x installs default to PostgreSQL; 1.9 installs use MariaDB (MongoDB is left out on purpose). */
export function defaultDbEngine(v: string): DbEngine | undefined {
  const line = lineOf(v);
  return line === '2.x' ? 'postgresql' : line === '1.9' ? 'mariadb' : undefined;
}

export function dbEnginesFor(v: string): DbEngine[] {
  const line = lineOf(v);
  return line === '2.x' ? ['postgresql', 'mariadb'] : line === '1.9' ? ['mariadb'] : [];
}

/** appwrite-mqtt and Traefik's two MQTT ports (8883, 8084) arrived with 2.3.0. */
export function hasMqtt(v: string): boolean {
  return lineOf(v) === '2.x' && atLeast(v, '2.3.0');
}

/** _APP_TRUSTED_PROXIES: introduced 2.3.0 per upstream's variable list. */
export function hasTrustedProxies(v: string): boolean {
  return lineOf(v) === '2.x' && atLeast(v, '2.3.0');
}

/** 2.x serves the console (appwrite/new) at the domain's root path instead of /console. */
export function consoleAtRoot(v: string): boolean {
  return lineOf(v) === '2.x';
}

/** _APP_MIGRATIONS_ALLOWED_HOSTS: 1.9.7 on 1.9, 2.3.1 on 2.x. */
export function hasMigrationsAllowedHosts(v: string): boolean {
  const line = lineOf(v);
  return line === '2.x' ? atLeast(v, '2.3.1') : line === '1.9' ? atLeast(v, '1.9.7') : false;
}

/** _APP_ALLOWED_INTERNAL_ADDRESSES: 2.3.1 on 2.x; on 1.9 with the 1.9.10 security fixes. */
export function hasAllowedInternalAddresses(v: string): boolean {
  const line = lineOf(v);
  return line === '2.x' ? atLeast(v, '2.3.1') : line === '1.9' ? atLeast(v, '1.9.10') : false;
}
