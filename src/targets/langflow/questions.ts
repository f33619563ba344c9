// The Langflow wizard's questions, in the shape of src/core/question.ts (flag parser, --help, missing-flag check and
// the prompts are generated from it). Flags are named like Appwrite's where the meaning is the same.
import { isIPv4, isIPv6 } from 'node:net';
import type { Choice, Parsed, Question } from '../../core/question.js';
import {
  canonicalIp,
  domainError,
  domainWarning,
  emailError,
  hostnameError,
  hostPathError,
  identifierError,
  normalizeDbPath,
  parseList,
  portError,
  printable,
} from '../../core/validate.js';
import {
  CONSOLE_MODES,
  DB_MODES,
  DEFAULT_DB_NAME,
  DEFAULT_DB_PORT,
  DEFAULT_PORTS,
  DEFAULT_SUPERUSER,
  HTTPS_MODES,
  type LangflowAnswers,
} from './answers.js';
import { NEWEST_RELEASE, releaseError } from './releases.js';

export type LangflowQuestion = Question<LangflowAnswers>;

const str = (v: unknown) => String(v);
const list = (v: unknown) => (v as string[]).join(',');

function oneOf(allowed: readonly string[]) {
  return (raw: string): Parsed =>
    allowed.includes(raw) ? { value: raw } : { error: `must be one of ${allowed.join(', ')} (got "${raw}")` };
}
function checked(check: (v: string) => string | undefined, convert: (v: string) => unknown = (v) => v) {
  return (raw: string): Parsed => {
    const error = check(raw);
    return error ? { error } : { value: convert(raw) };
  };
}
const dbHostError = (v: string) => (isIPv4(v) || isIPv6(v) ? undefined : hostnameError(v));
const emptyOr = (check: (v: string) => string | undefined) => (v: string) => (v === '' ? undefined : check(v));

/**
 * The ACME e-mail is written bare into the Caddyfile, where `{…}` is a placeholder (`{env.X}` would pull another
 * variable into it) and a token starting with `#` is a comment; such addresses are valid but never needed here.
 */
export function caddyEmailError(v: string): string | undefined {
  if (/[{}#]/.test(v))
    return (
      `"${printable(v)}" has {, } or #, which Caddy's configuration reads as a placeholder or a comment; use ` +
      `a plain address like admin@example.com`
    );
  return emailError(v);
}

export const EMAILS_REFUSED = 'Langflow has no e-mail allowlist; use root, ips or open';

/** --console: Appwrite's `emails` mode is refused with a reason, not just "must be one of". */
export function parseConsole(raw: string): Parsed {
  if (raw === 'emails') return { error: EMAILS_REFUSED };
  return oneOf(CONSOLE_MODES)(raw);
}

/**
 * One entry of the proxy's allowlist: an IPv4/IPv6 address or a CIDR range, as Caddy's remote_ip matcher takes
 * them. Zone ids, the unspecified address and ranges that admit everyone are refused.
 */
export function ipOrRangeError(value: string): string | undefined {
  const slash = value.indexOf('/');
  const ip = slash === -1 ? value : value.slice(0, slash);
  const bits = slash === -1 ? undefined : value.slice(slash + 1);
  if (ip.includes('%')) return `"${printable(value)}" has a zone id (%...); give the address without it`;
  const v4 = isIPv4(ip);
  if (!v4 && !isIPv6(ip))
    return `"${printable(value)}" is not an IPv4/IPv6 address or CIDR range (e.g. 203.0.113.7 or 10.0.0.0/8)`;
  if (bits !== undefined) {
    const max = v4 ? 32 : 128;
    if (!/^\d{1,3}$/.test(bits) || Number(bits) > max)
      return `"${printable(value)}": the prefix length must be 0-${max}`;
    if (Number(bits) === 0)
      return `"${printable(value)}" admits every client; use --console open instead of an allowlist that allows all`;
  } else {
    const c = canonicalIp(ip);
    if (c === '0.0.0.0' || c === '::')
      return `"${printable(value)}" is the unspecified address; no client has it: give the client's real address`;
  }
  return undefined;
}

/** Canonical spelling: the address part as canonicalIp writes it, the prefix length without leading zeros. */
export function canonicalIpOrRange(value: string): string {
  const slash = value.indexOf('/');
  return slash === -1 ? canonicalIp(value) : `${canonicalIp(value.slice(0, slash))}/${Number(value.slice(slash + 1))}`;
}

/** Langflow user names: what .env carries unquoted and the login form takes as typed. */
export function superuserError(value: string): string | undefined {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$/.test(value))
    return `"${printable(value)}" must be 1-64 letters, digits, or _ . @ - (starting with a letter or digit)`;
  if (value.toLowerCase() === 'langflow')
    return '"langflow" is Langflow\'s well-known default superuser name; choose another (default admin)';
  return undefined;
}

/**
 * An external database password goes into LANGFLOW_DATABASE_URL by compose interpolation, unencoded: only
 * characters that need no percent-encoding in a URL's user-info part (and that every .env reader agrees on).
 */
export function dbPasswordError(value: string): string | undefined {
  if (value.length === 0) return 'the password cannot be empty';
  if (!/^[A-Za-z0-9._~!*+,;=-]+$/.test(value)) {
    return (
      'the password is put into LANGFLOW_DATABASE_URL unencoded: use letters, digits and . _ ~ ! * + , ; = - ' +
      'only (no @ : / ? # % $ quotes or spaces)'
    );
  }
  return undefined;
}

const isExternal = (a: Partial<LangflowAnswers>) => a.db === 'external';
const HTTPS_CHOICES: Choice[] = [
  {
    value: 'auto',
    label: "A bundled Caddy gets certificates (Let's Encrypt)",
    hint: 'ports 80 and 443 open to the internet',
  },
  { value: 'proxy', label: 'Behind my own reverse proxy', hint: 'Langflow published on 127.0.0.1 only' },
  { value: 'off', label: 'Off: plain HTTP through the bundled Caddy', hint: 'local testing only, never production' },
];
const CONSOLE_CHOICES: Choice[] = [
  { value: 'root', label: 'Only the superuser; sign-up off', hint: 'recommended; add users yourself' },
  {
    value: 'ips',
    label: 'Only clients from listed addresses or ranges (the bundled proxy answers 403 to others)',
    hint: 'needs HTTPS auto or off',
  },
  {
    value: 'open',
    label: 'Anyone may sign up; new accounts stay inactive until the superuser activates them',
    hint: 'not recommended',
  },
];

export const LANGFLOW_QUESTIONS: LangflowQuestion[] = [
  {
    id: 'release',
    flag: 'release',
    kind: 'text',
    prompted: false,
    message: 'Langflow release',
    help: `Langflow release to install (default: the newest, ${NEWEST_RELEASE}; an existing install keeps its own)`,
    when: () => true,
    fallback: NEWEST_RELEASE,
    parse: checked(releaseError),
    format: str,
  },
  {
    id: 'domain',
    flag: 'domain',
    kind: 'text',
    prompted: true,
    message: 'Which domain will Langflow be served on?',
    help: 'host name Langflow is served on (RFC 1123); CORS allows exactly this origin',
    placeholder: 'langflow.example.com',
    when: () => true,
    parse: checked(domainError, (v) => v.toLowerCase().replace(/\.$/, '')),
    format: str,
    warn: (v) => domainWarning(String(v)),
  },
  {
    id: 'https',
    flag: 'https',
    kind: 'select',
    prompted: true,
    message: 'How is HTTPS handled?',
    help:
      'auto: a bundled Caddy gets certificates (ports 80+443, the only published ports); proxy: Langflow on ' +
      '127.0.0.1 only, for your own proxy; off: plain HTTP through Caddy, local testing only',
    choices: HTTPS_CHOICES,
    when: () => true,
    fallback: 'auto',
    parse: oneOf(HTTPS_MODES),
    format: str,
    warn: (v) =>
      v === 'off'
        ? 'HTTPS is off: passwords, API keys and sessions travel in clear text. Use this for local testing only.'
        : undefined,
  },
  {
    id: 'email',
    flag: 'email',
    kind: 'text',
    prompted: true,
    message: "Contact e-mail for Let's Encrypt (certificate expiry notices; empty for none)",
    help: 'ACME contact e-mail for the bundled Caddy (with --https auto; optional)',
    placeholder: 'admin@example.com',
    when: (a) => a.https === 'auto',
    needs: '--https auto',
    fallback: '',
    parse: checked(emptyOr(caddyEmailError), (v) => v.toLowerCase()),
    format: str,
    warn: (v) => (v ? undefined : 'No ACME contact e-mail: you will not be told when a certificate cannot be renewed.'),
  },
  {
    id: 'console',
    flag: 'console',
    kind: 'select',
    prompted: true,
    message: 'Who may reach and use the Langflow UI?',
    help:
      'root: only the superuser, sign-up off; ips: only clients from --console-ips (bundled ' +
      'proxy, HTTPS auto/off); open: sign-up on, new users inactive until activated (warned). No ' +
      'emails mode: Langflow has no e-mail allowlist',
    choices: CONSOLE_CHOICES,
    choicesFor: (a) => CONSOLE_CHOICES.filter((c) => c.value !== 'ips' || a.https !== 'proxy'),
    when: () => true,
    fallback: 'root',
    parse: parseConsole,
    format: str,
    warn: (v) =>
      v === 'open'
        ? 'Sign-up is open: anyone who reaches Langflow can create an account ' +
          '(inactive until the superuser activates it).'
        : undefined,
  },
  {
    id: 'consoleIps',
    flag: 'console-ips',
    kind: 'text',
    prompted: true,
    message: 'Client addresses or ranges allowed to reach Langflow (comma-separated)',
    help:
      'comma-separated IPv4/IPv6 addresses or CIDR ranges the bundled proxy ' +
      'admits (with --console ips); others get 403',
    placeholder: '203.0.113.7,10.0.0.0/8,2001:db8::/32',
    when: (a) => a.console === 'ips',
    needs: '--console ips',
    parse: (raw) => {
      const { items, error } = parseList(raw, ipOrRangeError, canonicalIpOrRange);
      return error ? { error } : { value: items };
    },
    format: list,
  },
  {
    id: 'superuser',
    flag: 'superuser',
    kind: 'text',
    prompted: true,
    message: 'Superuser name (its password is generated and shown once at the end)',
    help:
      `Langflow superuser name (default ${DEFAULT_SUPERUSER}); the password is ` +
      `generated, kept in .env and shown once`,
    when: () => true,
    fallback: DEFAULT_SUPERUSER,
    parse: checked(superuserError),
    format: str,
  },
  {
    id: 'db',
    flag: 'db',
    kind: 'select',
    prompted: true,
    message: 'Where does the database live?',
    help:
      'volume: bundled PostgreSQL in a Docker volume; path: bundled PostgreSQL, data in a host ' +
      "directory (--db-path); sqlite: SQLite in Langflow's config directory on a host directory " +
      '(--db-path); external: your own PostgreSQL (--db-host ...)',
    choices: [
      { value: 'volume', label: 'Bundled PostgreSQL, data in a Docker volume', hint: 'recommended' },
      { value: 'path', label: 'Bundled PostgreSQL, data in a directory on this host' },
      {
        value: 'sqlite',
        label: "SQLite in Langflow's config directory on this host",
        hint: 'single user, small installs',
      },
      { value: 'external', label: 'An existing PostgreSQL server' },
    ],
    when: () => true,
    fallback: 'volume',
    parse: oneOf(DB_MODES),
    format: str,
  },
  {
    id: 'dbPath',
    flag: 'db-path',
    kind: 'text',
    prompted: true,
    message: 'Host directory for the data (created with mode 0700)',
    help:
      "absolute host directory: PostgreSQL's data (with --db path) or Langflow's config directory holding the " +
      'SQLite file (with --db sqlite; owned 1000:0)',
    placeholder: '/srv/langflow/data',
    when: (a) => a.db === 'path' || a.db === 'sqlite',
    needs: '--db path or --db sqlite',
    parse: checked(hostPathError, normalizeDbPath),
    format: str,
  },
  {
    id: 'dbHost',
    flag: 'db-host',
    kind: 'text',
    prompted: true,
    message: 'PostgreSQL server host',
    help: 'external PostgreSQL host name or IP (with --db external)',
    placeholder: 'db.internal.example.com',
    when: isExternal,
    needs: '--db external',
    parse: checked(dbHostError),
    format: str,
  },
  {
    id: 'dbPort',
    flag: 'db-port',
    kind: 'text',
    prompted: true,
    message: 'PostgreSQL server port',
    help: `external PostgreSQL port (default ${DEFAULT_DB_PORT})`,
    when: isExternal,
    needs: '--db external',
    fallback: DEFAULT_DB_PORT,
    parse: checked(portError, Number),
    format: str,
  },
  {
    id: 'dbUser',
    flag: 'db-user',
    kind: 'text',
    prompted: true,
    message: 'PostgreSQL user',
    help: 'external PostgreSQL user (the password from HARDEN_INIT_DB_PASSWORD or the prompt)',
    placeholder: 'langflow',
    when: isExternal,
    needs: '--db external',
    parse: checked(identifierError),
    format: str,
  },
  {
    id: 'dbName',
    flag: 'db-name',
    kind: 'text',
    prompted: true,
    message: 'Database name',
    help: `external database name (default ${DEFAULT_DB_NAME})`,
    when: isExternal,
    needs: '--db external',
    fallback: DEFAULT_DB_NAME,
    parse: checked(identifierError),
    format: str,
  },
  {
    id: 'httpPort',
    flag: 'http-port',
    kind: 'text',
    prompted: false,
    message: 'HTTP port',
    help:
      `host port: Caddy's HTTP (default ${DEFAULT_PORTS.httpPort}); with --https proxy the 127.0.0.1 port ` +
      `Langflow is published on (default ${DEFAULT_PORTS.proxyPort})`,
    when: () => true,
    fallbackFor: (a) => (a.https === 'proxy' ? DEFAULT_PORTS.proxyPort : DEFAULT_PORTS.httpPort),
    parse: checked(portError, Number),
    format: str,
  },
  {
    id: 'httpsPort',
    flag: 'https-port',
    kind: 'text',
    prompted: false,
    message: 'HTTPS port',
    help: `host port for Caddy's HTTPS (default ${DEFAULT_PORTS.httpsPort}; with --https auto)`,
    when: () => true,
    fallback: DEFAULT_PORTS.httpsPort,
    parse: checked(portError, Number),
    format: str,
  },
];

/** The list the registry and the contract hold (a Question<LangflowAnswers>[] is also a generic Question[]). */
export const QUESTIONS = LANGFLOW_QUESTIONS;

export function questionFor(id: keyof LangflowAnswers): LangflowQuestion {
  return LANGFLOW_QUESTIONS.find((q) => q.id === id)!;
}
