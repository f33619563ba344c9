// Appwrite's wizard questions (the shape and the helpers are in src/core/question.ts).
import {
  CONSOLE_MODES,
  DB_ENGINES,
  DB_MODES,
  FUNCTION_LIMITS as FL,
  HTTPS_MODES,
  SMTP_SECURE,
  TOPOLOGIES,
  type Answers,
} from './answers.js';
import { NEWEST_RELEASE, dbEnginesFor, defaultDbEngine, hasMqtt, lineOf, parseRelease } from './releases.js';
import {
  domainError,
  domainWarning,
  emailError,
  hostnameError,
  hostPathError,
  identifierError,
  ipError,
  portError,
  canonicalEmail,
  canonicalIp,
  normalizeDbPath,
} from '../../core/validate.js';
import { isIPv4, isIPv6 } from 'node:net';
import { DEFAULT_SUBNET, subnetError } from './rules/addresses.js';

import {
  checked,
  list,
  listOf,
  oneOf,
  str,
  type Choice,
  type Parsed,
  type Question as GenericQuestion,
} from '../../core/question.js';

export type Question = GenericQuestion<Answers>;

const dbHostError = (v: string) => (isIPv4(v) || isIPv6(v) ? undefined : hostnameError(v));

const releaseError = (v: string) =>
  !parseRelease(v)
    ? `must be a release number like ${NEWEST_RELEASE} (x.y.z; no "latest", no release candidates)`
    : !lineOf(v)
      ? `harden-init installs Appwrite's 2.x and 1.9 lines (got ${v})`
      : undefined;
const onOff = (raw: string): Parsed =>
  ['on', 'true', 'yes'].includes(raw)
    ? { value: true }
    : ['off', 'false', 'no'].includes(raw)
      ? { value: false }
      : { error: `must be on or off (got "${raw}")` };
/** 0 (upstream's "unlimited") is below every minimum on purpose. */
const wholeIn = (min: number, max: number, unit: string) => (v: string) =>
  /^\d+$/.test(v) && Number(v) >= min && Number(v) <= max
    ? undefined
    : `must be a whole number of ${unit} from ${min} to ${max} (got "${v}"; 0, unlimited, is not offered)`;
const emptyOr = (check: (v: string) => string | undefined) => (v: string) => (v === '' ? undefined : check(v));
const hasSmtp = (a: Partial<Answers>) => Boolean(a.smtpHost);
const ENGINE_CHOICES: Choice[] = [
  { value: 'postgresql', label: 'PostgreSQL', hint: 'Appwrite 2.x default' },
  { value: 'mariadb', label: 'MariaDB' },
];

export const QUESTIONS: Question[] = [
  {
    id: 'release',
    flag: 'release',
    kind: 'text',
    prompted: false,
    message: 'Appwrite release',
    help:
      `Appwrite release to install (default: the newest, ${NEWEST_RELEASE}; 1.9.x for the maintenance ` +
      `line; an existing install keeps its own)`,
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
    message: 'Which domain will Appwrite be served on?',
    help: 'host name the instance is served on (RFC 1123; an IP or localhost works but is warned)',
    placeholder: 'appwrite.example.com',
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
      'auto: Appwrite gets certificates itself (needs --email, ports 80+443); proxy: TLS ends at your own ' +
      'reverse proxy, HTTPS still forced; off: plain HTTP, local testing only',
    choices: [
      {
        value: 'auto',
        label: "Appwrite issues certificates (Let's Encrypt)",
        hint: 'ports 80 and 443 open to the internet',
      },
      {
        value: 'proxy',
        label: 'Behind my own reverse proxy',
        hint: 'TLS ends at your proxy; HTTP published on 127.0.0.1 only',
      },
      { value: 'off', label: 'Off: plain HTTP', hint: 'local testing only, never production' },
    ],
    when: () => true,
    fallback: 'auto',
    parse: oneOf(HTTPS_MODES),
    format: str,
    warn: (v) =>
      v === 'off'
        ? 'HTTPS is off: passwords and sessions travel in clear text. Use this for local testing only.'
        : undefined,
  },
  {
    id: 'email',
    flag: 'email',
    kind: 'text',
    prompted: true,
    message: "Security contact e-mail (certificate notices; Appwrite's certificate jobs need it in every HTTPS mode)",
    help: 'security and certificate contact e-mail (required in every HTTPS mode)',
    placeholder: 'admin@example.com',
    when: () => true,
    parse: checked(emailError, (v) => v.toLowerCase()),
    format: str,
  },
  {
    id: 'console',
    flag: 'console',
    kind: 'select',
    prompted: true,
    message: 'Who may create accounts on the Appwrite console?',
    help:
      'root: only the first user signs up, others by invitation; emails: listed addresses; ips: ' +
      'listed client IPs; open: anyone (warned)',
    choices: [
      { value: 'root', label: 'Only the first user (root); others by invitation', hint: 'recommended' },
      { value: 'emails', label: 'Only listed e-mail addresses' },
      { value: 'ips', label: 'Only listed client IP addresses' },
      { value: 'open', label: 'Anyone who can reach the console', hint: 'not recommended' },
    ],
    when: () => true,
    fallback: 'root',
    parse: oneOf(CONSOLE_MODES),
    format: str,
    warn: (v) =>
      v === 'open' ? 'Console sign-up is open: anyone who reaches the console can create an account.' : undefined,
  },
  {
    id: 'consoleEmails',
    flag: 'console-emails',
    kind: 'text',
    prompted: true,
    message: 'E-mail addresses allowed to sign up (comma-separated)',
    help: 'comma-separated e-mails allowed to sign up (with --console emails)',
    placeholder: 'alice@example.com,bob@example.com',
    when: (a) => a.console === 'emails',
    needs: '--console emails',
    parse: listOf(emailError, canonicalEmail),
    format: list,
  },
  {
    id: 'consoleIps',
    flag: 'console-ips',
    kind: 'text',
    prompted: true,
    message: 'Client IP addresses allowed to sign up (comma-separated, exact addresses)',
    help: 'comma-separated exact IPv4/IPv6 addresses allowed to sign up (with --console ips; no CIDR ranges)',
    placeholder: '203.0.113.7,2001:db8::1',
    when: (a) => a.console === 'ips',
    needs: '--console ips',
    parse: listOf(ipError, canonicalIp),
    format: list,
  },
  {
    id: 'dbEngine',
    flag: 'db-engine',
    kind: 'select',
    prompted: true,
    message: 'Which database engine?',
    help:
      'postgresql (2.x default) or mariadb (the only engine of the 1.9 line); ' +
      'MongoDB is not supported by harden-init yet',
    choices: ENGINE_CHOICES,
    choicesFor: (a) =>
      ENGINE_CHOICES.filter((c) => dbEnginesFor(a.release ?? NEWEST_RELEASE).includes(c.value as never)),
    when: () => true,
    fallbackFor: (a) => defaultDbEngine(a.release ?? NEWEST_RELEASE),
    parse: (raw) =>
      raw === 'mongodb'
        ? { error: 'MongoDB is not supported by harden-init yet: use postgresql or mariadb' }
        : oneOf(DB_ENGINES)(raw),
    format: str,
    // Another engine means a dump and a restore into a new database: nothing a re-run's answer could do.
    keptOnRerun: (v) =>
      `Database: ${ENGINE_CHOICES.find((c) => c.value === v)?.label ?? String(v)} (kept; ` +
      `changing engines is not a re-run setting)`,
  },
  {
    id: 'db',
    flag: 'db',
    kind: 'select',
    prompted: true,
    message: 'Where does the database live?',
    help:
      'volume: bundled database in a Docker volume; path: bundled, data in a host directory (--db-path); ' +
      'external: your own server (--db-host ...)',
    choices: [
      { value: 'volume', label: 'Bundled database, data in a Docker volume', hint: 'recommended' },
      { value: 'path', label: 'Bundled database, data in a directory on this host' },
      { value: 'external', label: 'An existing database server' },
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
    message: 'Host directory for the database files (created with mode 0700)',
    help: 'absolute host directory for the database files (with --db path)',
    placeholder: '/srv/appwrite/mariadb',
    when: (a) => a.db === 'path',
    needs: '--db path',
    parse: checked(hostPathError, normalizeDbPath),
    format: str,
  },
  {
    id: 'dbHost',
    flag: 'db-host',
    kind: 'text',
    prompted: true,
    message: 'Database server host',
    help: 'external database host name or IP (with --db external)',
    placeholder: 'db.internal.example.com',
    when: (a) => a.db === 'external',
    needs: '--db external',
    parse: checked(dbHostError),
    format: str,
  },
  {
    id: 'dbPort',
    flag: 'db-port',
    kind: 'text',
    prompted: true,
    message: 'Database server port',
    help: 'external database port (default 5432 for PostgreSQL, 3306 for MariaDB)',
    when: (a) => a.db === 'external',
    needs: '--db external',
    fallbackFor: (a) => (a.dbEngine === 'mariadb' ? 3306 : 5432),
    parse: checked(portError, Number),
    format: str,
  },
  {
    id: 'dbUser',
    flag: 'db-user',
    kind: 'text',
    prompted: true,
    message: 'Database user',
    help: 'external database user',
    placeholder: 'appwrite',
    when: (a) => a.db === 'external',
    needs: '--db external',
    parse: checked(identifierError),
    format: str,
  },
  {
    id: 'dbName',
    flag: 'db-name',
    kind: 'text',
    prompted: true,
    message: 'Database (schema) name',
    help: 'external database name (default appwrite)',
    when: (a) => a.db === 'external',
    needs: '--db external',
    fallback: 'appwrite',
    parse: checked(identifierError),
    format: str,
  },
  {
    id: 'httpPort',
    flag: 'http-port',
    kind: 'text',
    prompted: false,
    message: 'HTTP port',
    help: 'host port for HTTP (default 80)',
    when: () => true,
    fallback: 80,
    parse: checked(portError, Number),
    format: str,
  },
  {
    id: 'httpsPort',
    flag: 'https-port',
    kind: 'text',
    prompted: false,
    message: 'HTTPS port',
    help: 'host port for HTTPS (default 443; with --https auto)',
    when: () => true,
    fallback: 443,
    parse: checked(portError, Number),
    format: str,
  },
  {
    id: 'topology',
    flag: 'topology',
    kind: 'select',
    prompted: false,
    message: 'Worker topology',
    help: '2.x: combined (one worker and one scheduler container, the default) or separate (one container per queue)',
    choices: TOPOLOGIES.map((t) => ({ value: t, label: t })),
    when: (a) => lineOf(a.release ?? NEWEST_RELEASE) === '2.x',
    needs: '--release 2.x',
    fallback: 'combined',
    parse: oneOf(TOPOLOGIES),
    format: str,
  },
  {
    id: 'mqtt',
    flag: 'mqtt',
    kind: 'text',
    prompted: false,
    message: 'Publish MQTT',
    help: '2.3+: publish the MQTT ports 8883 (TLS) and 8084 (WebSocket); off by default (--mqtt / --no-mqtt)',
    when: (a) => hasMqtt(a.release ?? NEWEST_RELEASE),
    needs: '--release 2.3 or later',
    fallback: false,
    parse: onOff,
    format: (v) => (v ? 'on' : 'off'),
  },
  {
    id: 'functionCpus',
    flag: 'function-cpus',
    kind: 'text',
    prompted: false,
    message: 'CPUs per function, site or build',
    help:
      `most CPUs one function, site or build container may use (whole number, ${FL.minCpus} to ${FL.maxCpus}; ` +
      `default ${FL.cpus}); Appwrite offers only the specifications that fit`,
    when: () => true,
    fallback: FL.cpus,
    parse: checked(wholeIn(FL.minCpus, FL.maxCpus, 'CPUs'), Number),
    format: str,
  },
  {
    id: 'functionMemory',
    flag: 'function-memory',
    kind: 'text',
    prompted: false,
    message: 'Memory per function, site or build (MB)',
    help:
      `most memory in MB one function, site or build container may use (whole number, ${FL.minMemory} to ` +
      `${FL.maxMemory}; default ${FL.memory})`,
    when: () => true,
    fallback: FL.memory,
    parse: checked(wholeIn(FL.minMemory, FL.maxMemory, 'MB'), Number),
    format: str,
  },
  {
    id: 'subnet',
    flag: 'subnet',
    kind: 'text',
    prompted: false,
    message: 'Subnet of the network traefik shares with Appwrite',
    help:
      `private IPv4 network (/16 to /24) for the network traefik shares with Appwrite; traefik ` +
      `gets its second address, the only proxy Appwrite trusts (default ${DEFAULT_SUBNET}; change it ` +
      `if that clashes with a network of yours)`,
    when: () => true,
    fallback: DEFAULT_SUBNET,
    parse: checked(subnetError),
    format: str,
  },
  {
    id: 'smtpHost',
    flag: 'smtp-host',
    kind: 'text',
    prompted: true,
    message: 'Outgoing mail server (SMTP host; leave empty to skip: no invitations or recovery e-mails)',
    help:
      'SMTP server for invitations, verification and recovery e-mails (password from ' +
      'HARDEN_INIT_SMTP_PASSWORD or the prompt)',
    placeholder: 'smtp.example.com',
    when: () => true,
    fallback: '',
    parse: checked(emptyOr(hostnameError), (v) => v.toLowerCase()),
    format: str,
    warn: (v) =>
      v
        ? undefined
        : 'No outgoing mail: invitations, verification and password-recovery e-mails will not ' +
          'be sent. Add it later with --smtp-host.',
  },
  {
    id: 'smtpPort',
    flag: 'smtp-port',
    kind: 'text',
    prompted: true,
    message: 'SMTP port',
    help: 'SMTP port (default 587)',
    when: hasSmtp,
    needs: '--smtp-host',
    fallback: 587,
    parse: checked(portError, Number),
    format: str,
  },
  {
    id: 'smtpSecure',
    flag: 'smtp-secure',
    kind: 'select',
    prompted: true,
    message: 'SMTP encryption',
    help: 'tls (STARTTLS, default), ssl (implicit TLS) or none',
    choices: [
      { value: 'tls', label: 'TLS (STARTTLS)', hint: 'port 587' },
      { value: 'ssl', label: 'SSL (implicit TLS)', hint: 'port 465' },
      { value: 'none', label: 'None', hint: 'not recommended' },
    ],
    when: hasSmtp,
    needs: '--smtp-host',
    fallback: 'tls',
    parse: oneOf(SMTP_SECURE),
    format: str,
    warn: (v) =>
      v === 'none'
        ? 'SMTP without encryption: mail credentials and contents cross the network in clear text.'
        : undefined,
  },
  {
    id: 'smtpUser',
    flag: 'smtp-user',
    kind: 'text',
    prompted: true,
    message: 'SMTP user name (empty for none)',
    help: 'SMTP user name',
    when: hasSmtp,
    needs: '--smtp-host',
    fallback: '',
    parse: checked((v) => (/^[^\s'"\\$]*$/.test(v) ? undefined : 'no spaces, quotes, backslashes or $')),
    format: str,
  },
  {
    id: 'smtpSender',
    flag: 'smtp-sender',
    kind: 'text',
    prompted: true,
    message: 'Sender address',
    help: "sender address of Appwrite's e-mails (default noreply@<domain>)",
    when: hasSmtp,
    needs: '--smtp-host',
    fallbackFor: (a) => `noreply@${a.domain ?? 'localhost'}`,
    parse: checked(emailError, (v) => v.toLowerCase()),
    format: str,
  },
];

export function questionFor(id: keyof Answers): Question {
  return QUESTIONS.find((q) => q.id === id)!;
}
