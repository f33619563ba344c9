// How answers map to Appwrite's environment variables, and back (to read an install we did not write).
import { FUNCTION_LIMITS, type Answers } from './answers.js';
import { BUNDLED_DB } from './env-read.js';
import { hasTrustedProxies } from './releases.js';
import { trustedProxies } from './rules/trusted-proxies.js';

export { BUNDLED_DB, BUNDLED_DB_HOST, BUNDLED_DB_PORT, answersFromEnv } from './env-read.js';

/**
 * The variables an answer decides, plus the security switches that are always on. Only variables the
 * release knows (its variables.php, `known`) are set, so a 1.9 .env gets no 2.x-only keys.
 */
export function managedValues(a: Answers, known?: Set<string>): Record<string, string> {
  const v: Record<string, string> = {
    ...hardenedValues(a),
    ...computeLimits(a),
    // Only traefik (and in proxy mode the host, behind it) forwards client addresses: a forged X-Forwarded-For
    // from anything else on the shared network (function and build containers) must not choose the client IP.
    ...(hasTrustedProxies(a.release) ? { _APP_TRUSTED_PROXIES: trustedProxies(a) } : {}),
    ...smtpValues(a),
    ...dbLocation(a),
  };
  if (known) for (const k of Object.keys(v)) if (!known.has(k) && !ALWAYS.has(k)) delete v[k];
  return v;
}

function hardenedValues(a: Answers): Record<string, string> {
  const forceHttps = a.https === 'off' ? 'disabled' : 'enabled';
  return {
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
    _APP_DB_ADAPTER: a.dbEngine,
    // The certificates worker uses _APP_EMAIL_CERTIFICATES, falls back to the security address and
    // throws for every job when both are empty, in every HTTPS mode (custom domains in proxy mode too).
    _APP_EMAIL_CERTIFICATES: a.email,
    _APP_EMAIL_SECURITY: a.email,
    _APP_SYSTEM_SECURITY_EMAIL_ADDRESS: a.email,
    // SSRF allow-lists stay empty unless the operator asks (1.9.7+ / 2.3.1+).
    _APP_ALLOWED_INTERNAL_ADDRESSES: '',
    _APP_MIGRATIONS_ALLOWED_HOSTS: '',
  };
}

/**
 * Ceilings for function, site and build containers; the deprecated _APP_FUNCTIONS_* names too, where the
 * release still lists them, so no reader falls back to an unlimited 0.
 */
function computeLimits(a: Answers): Record<string, string> {
  const cpus = String(a.functionCpus ?? FUNCTION_LIMITS.cpus);
  const memory = String(a.functionMemory ?? FUNCTION_LIMITS.memory);
  return {
    _APP_COMPUTE_CPUS: cpus,
    _APP_FUNCTIONS_CPUS: cpus,
    _APP_COMPUTE_MEMORY: memory,
    _APP_FUNCTIONS_MEMORY: memory,
  };
}

function smtpValues(a: Answers): Record<string, string> {
  // No outgoing mail (as the summary says): an empty host disables all mail sending in Appwrite.
  if (!a.smtpHost) return { _APP_SMTP_HOST: '' };
  return {
    _APP_SMTP_HOST: a.smtpHost,
    _APP_SMTP_PORT: String(a.smtpPort ?? 587),
    _APP_SMTP_SECURE: a.smtpSecure === 'none' || a.smtpSecure === undefined ? '' : a.smtpSecure,
    _APP_SMTP_USERNAME: a.smtpUser ?? '',
    _APP_SYSTEM_EMAIL_ADDRESS: a.smtpSender ?? `noreply@${a.domain}`,
  };
}

function dbLocation(a: Answers): Record<string, string> {
  if (a.db !== 'external')
    return { _APP_DB_HOST: BUNDLED_DB[a.dbEngine].host, _APP_DB_PORT: String(BUNDLED_DB[a.dbEngine].port) };
  return {
    _APP_DB_HOST: a.dbHost!,
    _APP_DB_PORT: String(a.dbPort ?? BUNDLED_DB[a.dbEngine].port),
    _APP_DB_USER: a.dbUser!,
    _APP_DB_SCHEMA: a.dbName!,
  };
}

/** Set even when the release's variables.php does not list them: the compose file reads them. */
const ALWAYS = new Set(['_APP_CONSOLE_DOMAIN', '_APP_DB_ADAPTER', '_APP_DB_HOST', '_APP_DB_PORT']);

/** Secrets the bundled services need; an external DB's password comes from the user instead. */
export function secretsToGenerate(all: string[], a: Pick<Answers, 'db' | 'dbEngine'>): string[] {
  return all.filter((name) => {
    if (a.db === 'external' && (name === '_APP_DB_PASS' || name === '_APP_DB_ROOT_PASS')) return false;
    // PostgreSQL has no separate root account in upstream's compose.
    if (a.dbEngine === 'postgresql' && name === '_APP_DB_ROOT_PASS') return false;
    return true;
  });
}
