// Reading an install's answers back from its .env (one harden-init did not write): used before the wizard's first
// question, so it stays apart from the rendering code (env-values.ts).
import type { Answers, ConsoleMode, DbEngine, HttpsMode } from './answers.js';
import { subnetError } from './rules/addresses.js';

/** The bundled database service's host name and port, per engine (upstream's service names). */
export const BUNDLED_DB: Record<DbEngine, { host: string; port: number }> = {
  mariadb: { host: 'mariadb', port: 3306 },
  postgresql: { host: 'postgresql', port: 5432 },
};
export const BUNDLED_DB_HOST = BUNDLED_DB.mariadb.host;
export const BUNDLED_DB_PORT = BUNDLED_DB.mariadb.port;

const split = (s: string | undefined) =>
  (s ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

/**
 * Best reading of the answers behind an install harden-init did not write (no state.json), e.g. one made
 * by Appwrite's own installer, so a first harden-init run on it offers what is there as defaults.
 */
export function answersFromEnv(env: Record<string, string>, compose: string | undefined): Partial<Answers> {
  const out: Partial<Answers> = {};
  if (env._APP_DOMAIN && env._APP_DOMAIN !== 'localhost') out.domain = env._APP_DOMAIN;
  const force = env._APP_OPTIONS_FORCE_HTTPS;
  const email = env._APP_EMAIL_CERTIFICATES || env._APP_EMAIL_SECURITY || env._APP_SYSTEM_SECURITY_EMAIL_ADDRESS;
  let https: HttpsMode | undefined;
  if (force === 'disabled') https = 'off';
  else if (force === 'enabled') https = 'auto';
  if (https) out.https = https;
  // Upstream's example addresses are not the operator's.
  if (email && !/@appwrite\.io$/.test(email)) out.email = email;
  let consoleMode: ConsoleMode | undefined;
  if (split(env._APP_CONSOLE_WHITELIST_EMAILS).length) consoleMode = 'emails';
  else if (split(env._APP_CONSOLE_WHITELIST_IPS).length) consoleMode = 'ips';
  else if (env._APP_CONSOLE_WHITELIST_ROOT === 'enabled') consoleMode = 'root';
  else if (env._APP_CONSOLE_WHITELIST_ROOT === 'disabled') consoleMode = 'open';
  if (consoleMode) out.console = consoleMode;
  if (consoleMode === 'emails') out.consoleEmails = split(env._APP_CONSOLE_WHITELIST_EMAILS);
  if (consoleMode === 'ips') out.consoleIps = split(env._APP_CONSOLE_WHITELIST_IPS);
  if (env._APP_SMTP_HOST) {
    // Outgoing mail set up by hand or by another installer is what the install does now.
    const secure = env._APP_SMTP_SECURE;
    const sender = env._APP_SYSTEM_EMAIL_ADDRESS;
    Object.assign(out, {
      smtpHost: env._APP_SMTP_HOST,
      smtpUser: env._APP_SMTP_USERNAME ?? '',
      smtpSecure: secure === 'tls' || secure === 'ssl' ? secure : 'none',
    });
    if (Number(env._APP_SMTP_PORT)) out.smtpPort = Number(env._APP_SMTP_PORT);
    if (sender && !/@appwrite\.io$/.test(sender)) out.smtpSender = sender;
  }
  // A ceiling set by hand (or by another installer) is the operator's; 0
  // (unlimited) is not read, so the default applies.
  const whole = (x: string | undefined) => (x && /^\d+$/.test(x) && Number(x) > 0 ? Number(x) : undefined);
  const cpus = whole(env._APP_COMPUTE_CPUS) ?? whole(env._APP_FUNCTIONS_CPUS);
  const memory = whole(env._APP_COMPUTE_MEMORY) ?? whole(env._APP_FUNCTIONS_MEMORY);
  if (cpus !== undefined) out.functionCpus = cpus;
  if (memory !== undefined) out.functionMemory = memory;
  // harden-init's own compose file: the shared network's subnet (the only `subnet:` it writes).
  const subnet = compose && /^\s*(?:-\s*)?subnet:\s*["']?([0-9./]+)["']?\s*$/m.exec(compose);
  if (subnet && !subnetError(subnet[1]!)) out.subnet = subnet[1];
  const adapter = env._APP_DB_ADAPTER;
  // MongoDB (upstream's own installer default) is kept as read so the caller can refuse it clearly.
  if (adapter === 'mariadb' || adapter === 'postgresql' || adapter === 'mongodb') out.dbEngine = adapter as DbEngine;
  const host = env._APP_DB_HOST;
  const bundled = Object.values(BUNDLED_DB)
    .map((d) => d.host)
    .concat('mongodb');
  if (host && !bundled.includes(host)) {
    const engine = (out.dbEngine ?? 'mariadb') as DbEngine;
    Object.assign(out, {
      db: 'external',
      dbHost: host,
      dbPort: Number(env._APP_DB_PORT) || BUNDLED_DB[engine]?.port || BUNDLED_DB_PORT,
      dbUser: env._APP_DB_USER,
      dbName: env._APP_DB_SCHEMA,
    });
  } else if (host) {
    out.dbEngine ??= host as DbEngine;
    const bind = compose && /^\s*-\s*["']?(\/[^:"'\s]+):\/var\/lib\/(?:mysql|postgresql)/m.exec(compose);
    Object.assign(out, bind ? { db: 'path', dbPath: bind[1] } : { db: 'volume' });
  }
  return out;
}
