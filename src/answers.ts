// The answers of the Appwrite wizard: what the user decides. Secrets are not answers; they live in .env only.

export const HTTPS_MODES = ['auto', 'proxy', 'off'] as const;
export const CONSOLE_MODES = ['root', 'emails', 'ips', 'open'] as const;
export const DB_MODES = ['volume', 'path', 'external'] as const;

export type HttpsMode = (typeof HTTPS_MODES)[number];
export type ConsoleMode = (typeof CONSOLE_MODES)[number];
export type DbMode = (typeof DB_MODES)[number];

export interface Answers {
  domain: string;
  https: HttpsMode;
  /** Certificate contact; required for https=auto. */
  email?: string;
  console: ConsoleMode;
  consoleEmails?: string[];
  consoleIps?: string[];
  db: DbMode;
  dbPath?: string;
  dbHost?: string;
  dbPort?: number;
  dbUser?: string;
  dbName?: string;
  httpPort: number;
  httpsPort: number;
}

export const DEFAULT_PORTS = { httpPort: 80, httpsPort: 443 };

/** Drops answers that do not apply to the chosen modes, so state and output only carry what matters. */
export function normalizeAnswers(a: Answers): Answers {
  const out: Answers = {
    domain: a.domain,
    https: a.https,
    console: a.console,
    db: a.db,
    httpPort: a.httpPort,
    httpsPort: a.httpsPort,
  };
  if (a.https === 'auto') out.email = a.email;
  if (a.console === 'emails') out.consoleEmails = a.consoleEmails;
  if (a.console === 'ips') out.consoleIps = a.consoleIps;
  if (a.db === 'path') out.dbPath = a.dbPath;
  if (a.db === 'external') Object.assign(out, { dbHost: a.dbHost, dbPort: a.dbPort, dbUser: a.dbUser, dbName: a.dbName });
  return out;
}
