import type { BaseAnswers } from '../types.js';
// The answers of the Appwrite wizard: what the user decides. Secrets are not answers; they live in .env only.

export const HTTPS_MODES = ['auto', 'proxy', 'off'] as const;
export const CONSOLE_MODES = ['root', 'emails', 'ips', 'open'] as const;
export const DB_MODES = ['volume', 'path', 'external'] as const;
/** Database engines harden-init installs (MongoDB, upstream's third, is refused for now). */
export const DB_ENGINES = ['postgresql', 'mariadb'] as const;
export const TOPOLOGIES = ['combined', 'separate'] as const;
export const SMTP_SECURE = ['tls', 'ssl', 'none'] as const;

export type HttpsMode = (typeof HTTPS_MODES)[number];
export type ConsoleMode = (typeof CONSOLE_MODES)[number];
export type DbMode = (typeof DB_MODES)[number];
export type DbEngine = (typeof DB_ENGINES)[number];
export type Topology = (typeof TOPOLOGIES)[number];
export type SmtpSecure = (typeof SMTP_SECURE)[number];

export interface Answers extends BaseAnswers {
  /** The Appwrite release, e.g. "2.7.1". */
  release: string;
  domain: string;
  https: HttpsMode;
  /** Security and certificate contact: Appwrite's certificate jobs fail without it in every HTTPS mode. */
  email: string;
  console: ConsoleMode;
  consoleEmails?: string[];
  consoleIps?: string[];
  db: DbMode;
  dbEngine: DbEngine;
  dbPath?: string;
  dbHost?: string;
  dbPort?: number;
  dbUser?: string;
  dbName?: string;
  httpPort: number;
  httpsPort: number;
  /** 2.x: worker topology. */
  topology?: Topology;
  /** The network traefik shares with Appwrite (a private IPv4 /16–/24): traefik's fixed address is in it. */
  subnet?: string;
  /** Most CPUs and MB of memory a function, site or build container may get (0 = unlimited is never written). */
  functionCpus?: number;
  functionMemory?: number;
  /** 2.3+: publish the MQTT ports (8883 TLS, 8084 WebSocket). */
  mqtt?: boolean;
  /** Outgoing mail; without a host, invitations and recovery e-mails are not sent. */
  smtpHost?: string;
  smtpPort?: number;
  smtpUser?: string;
  smtpSecure?: SmtpSecure;
  smtpSender?: string;
}

export const DEFAULT_PORTS = { httpPort: 80, httpsPort: 443 };
/**
 * Finite ceilings for function, site and build containers (upstream's default 0 means unlimited: one function can
 * take every CPU and all memory of the host). Appwrite offers only the specifications that fit under them; its
 * default specification (1 CPU, 512 MB) fits, so the floor is 1 CPU and 512 MB.
 */
export const FUNCTION_LIMITS = { cpus: 2, memory: 2048, minCpus: 1, maxCpus: 256, minMemory: 512, maxMemory: 1048576 };

/** Drops answers that do not apply to the chosen modes, so state and output only carry what matters. */
export function normalizeAnswers(a: Answers): Answers {
  const out: Answers = {
    release: a.release,
    domain: a.domain,
    https: a.https,
    email: a.email,
    console: a.console,
    db: a.db,
    dbEngine: a.dbEngine,
    httpPort: a.httpPort,
    httpsPort: a.httpsPort,
  };
  if (a.topology !== undefined) out.topology = a.topology;
  if (a.mqtt !== undefined) out.mqtt = a.mqtt;
  if (a.subnet !== undefined) out.subnet = a.subnet;
  if (a.functionCpus !== undefined) out.functionCpus = a.functionCpus;
  if (a.functionMemory !== undefined) out.functionMemory = a.functionMemory;
  if (a.smtpHost)
    Object.assign(out, {
      smtpHost: a.smtpHost,
      smtpPort: a.smtpPort,
      smtpUser: a.smtpUser,
      smtpSecure: a.smtpSecure,
      smtpSender: a.smtpSender,
    });
  if (a.console === 'emails') out.consoleEmails = a.consoleEmails;
  if (a.console === 'ips') out.consoleIps = a.consoleIps;
  if (a.db === 'path') out.dbPath = a.dbPath;
  if (a.db === 'external')
    Object.assign(out, { dbHost: a.dbHost, dbPort: a.dbPort, dbUser: a.dbUser, dbName: a.dbName });
  return out;
}
