// Pure validators for user-supplied values. Each returns undefined when the value is fine,
// otherwise a sentence saying what is allowed (the caller names the field).
import { isIPv4, isIPv6 } from 'node:net';
import { DB_PATH_ALLOWED, normalizeDbPath, systemPathReason } from './db-path.js';

export { normalizeDbPath };

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

/** RFC 1123 host name: dot-separated labels of letters, digits and inner hyphens, 253 chars at most. */
export function hostnameError(value: string): string | undefined {
  if (value.length === 0) return 'a host name is required (e.g. appwrite.example.com)';
  if (value.length > 253) return 'a host name has at most 253 characters';
  const labels = value.endsWith('.') ? value.slice(0, -1).split('.') : value.split('.');
  for (const label of labels) {
    if (!LABEL.test(label)) {
      return (
        `"${printable(value)}" is not a valid host name: use letters, digits, hyphens and ` +
        `dots (RFC 1123), e.g. appwrite.example.com`
      );
    }
  }
  return undefined;
}

/** A domain may also be an IP literal or localhost, which work but cannot get certificates. */
export function domainError(value: string): string | undefined {
  if (isIPv4(value) || isIPv6(value)) return undefined;
  return hostnameError(value);
}

export function domainWarning(value: string): string | undefined {
  if (isIPv4(value) || isIPv6(value))
    return `${value} is an IP address: browsers will not trust a certificate for it; use a DNS name in production`;
  if (value === 'localhost' || value.endsWith('.localhost'))
    return `${value} is only reachable from this machine; use a public DNS name in production`;
  return undefined;
}

// Deliberately conservative: the addresses go into Appwrite's comma-separated whitelist and into .env,
// so no commas, quotes, spaces or shell characters.
// One DNS label: letters and digits, hyphens only inside.
const EMAIL_LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?';
const EMAIL = new RegExp(`^[A-Za-z0-9.!#%&*+/=?^_{|}~-]+@${EMAIL_LABEL}(?:\\.${EMAIL_LABEL})+$`);

export function emailError(value: string): string | undefined {
  if (value.length === 0) return 'an e-mail address is required';
  if (
    value.length > 254 ||
    !EMAIL.test(value) ||
    value.includes('..') ||
    value.startsWith('.') ||
    value.split('@')[0]!.endsWith('.')
  ) {
    return `"${printable(value)}" is not a valid e-mail address (expected name@example.com)`;
  }
  return undefined;
}

/** Appwrite compares the client IP to each entry exactly, so ranges would silently never match. */
export function ipError(value: string): string | undefined {
  if (value.includes('/')) {
    return (
      `"${printable(value)}" is a CIDR range; Appwrite's console IP whitelist matches ` +
      `exact addresses only, so list each address`
    );
  }
  if (value.includes('%')) {
    return (
      `"${printable(value)}" has a zone id (%...); a client address never carries one, so it would ` +
      `never match: give the address without it`
    );
  }
  if (!isIPv4(value) && !isIPv6(value)) return `"${printable(value)}" is not an IPv4 or IPv6 address`;
  const c = canonicalIp(value);
  if (c === '0.0.0.0' || c === '::')
    return `"${printable(value)}" is the unspecified address; no client has it: give the client's real address`;
  return undefined;
}

/**
 * The one spelling of an IP address: IPv4 as dotted decimal; IPv6 lower case and compressed (RFC 5952:
 * the longest run of two or more zero groups becomes "::", leading zeros dropped), an IPv4-mapped tail kept
 * dotted. Appwrite compares strings, so 2001:DB8::1 and 2001:db8:0::1 must be written as the client shows.
 */
export function canonicalIp(value: string): string {
  if (isIPv4(value)) return value;
  if (!isIPv6(value)) return value;
  let v = value.toLowerCase();
  let tail: string | undefined;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(v);
  if (dotted) {
    const o = dotted[1]!.split('.').map(Number);
    v =
      `${v.slice(0, -dotted[1]!.length)}${((o[0]! << 8) | o[1]!).toString(16)}:` +
      `${((o[2]! << 8) | o[3]!).toString(16)}`;
  }
  const [head, rest] = v.includes('::') ? (v.split('::') as [string, string]) : [v, undefined];
  const h = head ? head.split(':') : [];
  const r = rest === undefined ? [] : rest ? rest.split(':') : [];
  const groups = rest === undefined ? h : [...h, ...new Array<string>(8 - h.length - r.length).fill('0'), ...r];
  const nums = groups.map((g) => parseInt(g, 16));
  if (nums.slice(0, 5).every((n) => n === 0) && nums[5] === 0xffff) {
    tail = `${nums[6]! >> 8}.${nums[6]! & 255}.${nums[7]! >> 8}.${nums[7]! & 255}`;
    return `::ffff:${tail}`;
  }
  let best = -1,
    bestLen = 1;
  for (let i = 0; i < 8; i++) {
    let j = i;
    while (j < 8 && nums[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = Math.max(i, j);
  }
  const hex = nums.map((n) => n.toString(16));
  if (best === -1) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

/** E-mail addresses as Appwrite compares them: lower case. */
export function canonicalEmail(value: string): string {
  return value.toLowerCase();
}

export function portError(value: string): string | undefined {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 65535)
    return `"${printable(value)}" is not a port number (1-65535)`;
  return undefined;
}

/**
 * Host paths end up in a compose volume entry `path:/var/lib/mysql`, so ':' and variables are refused;
 * system directories too (MariaDB chowns its data directory). Checked after normalisation (`//`, `.`,
 * `..`, trailing `/`); the install-directory and file-system checks are in db-path.ts.
 */
export function hostPathError(raw: string): string | undefined {
  if (!raw.startsWith('/')) return `"${printable(raw)}" must be an absolute path (starting with /)`;
  if (/[:$\n\r\t"'`\\]/.test(raw) || /[\u0000-\u001f]/.test(raw)) {
    return (
      `"${printable(raw)}" contains a character compose cannot take in a volume path (: $ ` +
      `quotes, backslash or control characters)`
    );
  }
  const value = normalizeDbPath(raw);
  if (value === '/') return `the database directory cannot be / (allowed: ${DB_PATH_ALLOWED})`;
  const sys = systemPathReason(value);
  if (sys) return `${sys}; allowed: ${DB_PATH_ALLOWED}`;
  return undefined;
}

/** Database user and schema names: what MariaDB accepts unquoted and what .env carries unquoted. */
export function identifierError(value: string): string | undefined {
  if (!/^[A-Za-z0-9_]{1,64}$/.test(value)) return `"${printable(value)}" must be 1-64 letters, digits or underscores`;
  return undefined;
}

/** The external DB password travels in .env single-quoted, the one form every .env reader agrees on. */
export function passwordError(value: string): string | undefined {
  if (value.length === 0) return 'the password cannot be empty';
  if (/['\\\n\r\u0000]|\$\{/.test(value))
    return (
      'the password cannot contain a single quote, a backslash, "${" or a line ' +
      'break (.env readers disagree on those)'
    );
  return undefined;
}

/** Validates a comma-separated list, each item with `itemError`; returns the cleaned items or an error. */
export function parseList(
  value: string,
  itemError: (v: string) => string | undefined,
  canonical: (v: string) => string = (v) => v,
): { items: string[]; error?: string } {
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (items.length === 0) return { items, error: 'give at least one entry (comma-separated)' };
  for (const item of items) {
    const err = itemError(item);
    if (err) return { items, error: err };
  }
  return { items: [...new Set(items.map(canonical))] };
}

/** Shows control characters as escapes so an error about a newline is readable. */
export function printable(value: string): string {
  return JSON.stringify(value).slice(1, -1);
}
