// The answers of the Langflow wizard: what the user decides. Secrets are not answers; they live in .env only.
import type { BaseAnswers } from '../types.js';

export const HTTPS_MODES = ['auto', 'proxy', 'off'] as const;
/** Who may reach and use the UI. Appwrite's `emails` has no Langflow equivalent (see questions.ts). */
export const CONSOLE_MODES = ['root', 'ips', 'open'] as const;
export const DB_MODES = ['volume', 'path', 'sqlite', 'external'] as const;

export type HttpsMode = (typeof HTTPS_MODES)[number];
export type ConsoleMode = (typeof CONSOLE_MODES)[number];
export type DbMode = (typeof DB_MODES)[number];

export interface LangflowAnswers extends BaseAnswers {
  /** Langflow release, the image tag, e.g. "1.13.1". */
  release: string;
  domain: string;
  /** auto: bundled Caddy gets certificates; proxy: 127.0.0.1 only, for the user's proxy; off: plain HTTP via Caddy. */
  https: HttpsMode;
  /** ACME contact for the bundled Caddy (https auto only); optional. */
  email?: string;
  /**
   * root: only the superuser, sign-up off; ips: the bundled proxy admits only
   * consoleIps; open: sign-up on, new users inactive.
   */
  console: ConsoleMode;
  /** Addresses or CIDR ranges (Caddy's remote_ip matcher), canonical spelling. */
  consoleIps?: string[];
  /** Superuser name (default admin); the password is a generated secret. */
  superuser: string;
  /**
   * volume: bundled Postgres on a named volume; path: its data on a host dir; sqlite: SQLite in the config
   * dir on a host dir; external: your Postgres.
   */
  db: DbMode;
  /** path: PostgreSQL's data directory; sqlite: Langflow's config directory (holds langflow.db). */
  dbPath?: string;
  dbHost?: string;
  dbPort?: number;
  dbUser?: string;
  dbName?: string;
  /** auto/off: Caddy's HTTP port; proxy: the 127.0.0.1 port Langflow is published on. */
  httpPort: number;
  /** auto: Caddy's HTTPS port. */
  httpsPort: number;
}

export const DEFAULT_SUPERUSER = 'admin';
/** proxy mode publishes Langflow itself on 127.0.0.1, by default on its own port (80 is the user's proxy's). */
export const DEFAULT_PORTS = { httpPort: 80, httpsPort: 443, proxyPort: 7860 };
export const DEFAULT_DB_PORT = 5432;
export const DEFAULT_DB_NAME = 'langflow';

/** Modes whose traffic goes through the bundled Caddy. */
export const bundledProxy = (a: Pick<LangflowAnswers, 'https'>): boolean => a.https !== 'proxy';
/** Modes with the bundled PostgreSQL service. */
export const bundledPostgres = (a: Pick<LangflowAnswers, 'db'>): boolean => a.db === 'volume' || a.db === 'path';

/** Drops answers that do not apply to the chosen modes, so state and output only carry what matters. */
export function normalizeAnswers(a: LangflowAnswers): LangflowAnswers {
  const out: LangflowAnswers = {
    release: a.release,
    domain: a.domain,
    https: a.https,
    console: a.console,
    superuser: a.superuser,
    db: a.db,
    httpPort: a.httpPort,
    // Only auto mode publishes HTTPS; elsewhere the port does not apply and is kept at its default.
    httpsPort: a.https === 'auto' ? a.httpsPort : DEFAULT_PORTS.httpsPort,
  };
  if (a.https === 'auto' && a.email) out.email = a.email;
  if (a.console === 'ips') out.consoleIps = a.consoleIps;
  if (a.db === 'path' || a.db === 'sqlite') out.dbPath = a.dbPath;
  if (a.db === 'external')
    Object.assign(out, {
      dbHost: a.dbHost,
      dbPort: a.dbPort ?? DEFAULT_DB_PORT,
      dbUser: a.dbUser,
      dbName: a.dbName ?? DEFAULT_DB_NAME,
    });
  return out;
}

/**
 * Checks across answers that a single question's parse cannot make; undefined when the combination is fine.
 * (Each single value is validated by its question.)
 */
export function answersError(a: LangflowAnswers): string | undefined {
  if (a.console === 'ips' && a.https === 'proxy') {
    return (
      '--console ips needs the bundled proxy (--https auto or off): behind your own proxy, restrict client ' +
      'addresses there and use --console root'
    );
  }
  if (a.console === 'ips' && !(a.consoleIps && a.consoleIps.length))
    return '--console ips needs --console-ips (addresses or CIDR ranges)';
  if ((a.db === 'path' || a.db === 'sqlite') && !a.dbPath) return `--db ${a.db} needs --db-path`;
  if (a.db === 'external' && !(a.dbHost && a.dbUser)) return '--db external needs --db-host and --db-user';
  if (a.https === 'auto' && a.httpPort === a.httpsPort) return `--http-port and --https-port are both ${a.httpPort}`;
  return undefined;
}
