// How answers map to Appwrite's environment variables, and back (to read an install we did not write).
import type { Answers, ConsoleMode, DbMode, HttpsMode } from '../../answers.js';

export const BUNDLED_DB_HOST = 'mariadb';
export const BUNDLED_DB_PORT = 3306;

/** The variables an answer decides, plus the security switches that are always on. */
export function managedValues(a: Answers): Record<string, string> {
  const forceHttps = a.https === 'off' ? 'disabled' : 'enabled';
  const v: Record<string, string> = {
    _APP_ENV: 'production',
    _APP_OPTIONS_ABUSE: 'enabled',
    _APP_OPTIONS_ROUTER_PROTECTION: 'enabled',
    _APP_OPTIONS_FORCE_HTTPS: forceHttps,
    _APP_OPTIONS_ROUTER_FORCE_HTTPS: forceHttps,
    _APP_DOMAIN: a.domain,
    _APP_DOMAIN_TARGET_CNAME: a.domain,
    // Appwrite falls back to _APP_DOMAIN when unset, which a .env line cannot express; keep them equal.
    _APP_CONSOLE_DOMAIN: a.domain,
    // Root mode must be off for the e-mail/IP lists to admit anyone after the first user.
    _APP_CONSOLE_WHITELIST_ROOT: a.console === 'root' ? 'enabled' : 'disabled',
    _APP_CONSOLE_WHITELIST_EMAILS: a.console === 'emails' ? (a.consoleEmails ?? []).join(',') : '',
    _APP_CONSOLE_WHITELIST_IPS: a.console === 'ips' ? (a.consoleIps ?? []).join(',') : '',
    _APP_DB_ADAPTER: 'mariadb',
  };
  if (a.https === 'auto' && a.email) {
    // The certificates worker uses _APP_EMAIL_CERTIFICATES and falls back to the security address.
    v._APP_EMAIL_CERTIFICATES = a.email;
    v._APP_SYSTEM_SECURITY_EMAIL_ADDRESS = a.email;
  }
  if (a.db === 'external') {
    v._APP_DB_HOST = a.dbHost!;
    v._APP_DB_PORT = String(a.dbPort ?? BUNDLED_DB_PORT);
    v._APP_DB_USER = a.dbUser!;
    v._APP_DB_SCHEMA = a.dbName!;
  } else {
    v._APP_DB_HOST = BUNDLED_DB_HOST;
    v._APP_DB_PORT = String(BUNDLED_DB_PORT);
  }
  return v;
}

/** Secrets the bundled services need; an external DB's password comes from the user instead. */
export function secretsToGenerate(all: string[], db: DbMode): string[] {
  return all.filter((name) => !(db === 'external' && (name === '_APP_DB_PASS' || name === '_APP_DB_ROOT_PASS')));
}

const split = (s: string | undefined) => (s ?? '').split(',').map((x) => x.trim()).filter(Boolean);

/**
 * Best reading of the answers behind an install harden-init did not write (no state.json), e.g. one made
 * by Appwrite's own installer, so a first harden-init run on it offers what is there as defaults.
 */
export function answersFromEnv(env: Record<string, string>, compose: string | undefined): Partial<Answers> {
  const out: Partial<Answers> = {};
  if (env._APP_DOMAIN && env._APP_DOMAIN !== 'localhost') out.domain = env._APP_DOMAIN;
  const force = env._APP_OPTIONS_FORCE_HTTPS;
  const email = env._APP_EMAIL_CERTIFICATES || env._APP_SYSTEM_SECURITY_EMAIL_ADDRESS;
  let https: HttpsMode | undefined;
  if (force === 'disabled') https = 'off';
  else if (force === 'enabled') https = 'auto';
  if (https) out.https = https;
  if (email && email !== 'certs@appwrite.io') out.email = email;
  let consoleMode: ConsoleMode | undefined;
  if (split(env._APP_CONSOLE_WHITELIST_EMAILS).length) consoleMode = 'emails';
  else if (split(env._APP_CONSOLE_WHITELIST_IPS).length) consoleMode = 'ips';
  else if (env._APP_CONSOLE_WHITELIST_ROOT === 'enabled') consoleMode = 'root';
  else if (env._APP_CONSOLE_WHITELIST_ROOT === 'disabled') consoleMode = 'open';
  if (consoleMode) out.console = consoleMode;
  if (consoleMode === 'emails') out.consoleEmails = split(env._APP_CONSOLE_WHITELIST_EMAILS);
  if (consoleMode === 'ips') out.consoleIps = split(env._APP_CONSOLE_WHITELIST_IPS);
  const host = env._APP_DB_HOST;
  if (host && host !== BUNDLED_DB_HOST) {
    Object.assign(out, { db: 'external', dbHost: host, dbPort: Number(env._APP_DB_PORT) || BUNDLED_DB_PORT, dbUser: env._APP_DB_USER, dbName: env._APP_DB_SCHEMA });
  } else if (host === BUNDLED_DB_HOST) {
    const bind = compose && /^\s*-\s*["']?(\/[^:"'\s]+):\/var\/lib\/mysql/m.exec(compose);
    Object.assign(out, bind ? { db: 'path', dbPath: bind[1] } : { db: 'volume' });
  }
  return out;
}
