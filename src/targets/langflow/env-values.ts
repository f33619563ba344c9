// How Langflow answers map to .env, and back. Design: .env (mode 0600) is the one place for every setting and
// every secret; docker-compose.yml only REFERENCES them (`${NAME:?…}`), so it holds no secret and can be shown,
// diffed and committed. LANGFLOW_DATABASE_URL is therefore assembled by compose interpolation from the
// POSTGRES_* variables (see databaseUrlTemplate): the password exists once in .env, under a name every masking
// rule recognises (a URL in .env would carry it under an innocent name and leak in diffs), and the bundled
// PostgreSQL reads the very same variables (the official image's POSTGRES_USER/PASSWORD/DB contract).
import { randomBytes } from 'node:crypto';
import { generateSecret } from '../../engine/secrets.js';
import {
  DEFAULT_DB_NAME,
  DEFAULT_DB_PORT,
  DEFAULT_PORTS,
  bundledPostgres,
  bundledProxy,
  type ConsoleMode,
  type DbMode,
  type HttpsMode,
  type LangflowAnswers,
} from './answers.js';
import { releaseOfImage } from './releases.js';

/** Inside the langflow container (the image's user 1000:0 owns it). */
export const CONFIG_DIR = '/app/langflow';
export const LANGFLOW_PORT = 7860;
/** The bundled PostgreSQL service: host, port, user and database (not secrets; the password is). */
export const BUNDLED_DB = { host: 'postgres', port: 5432, user: 'langflow', name: 'langflow' } as const;

/**
 * harden-init's own .env keys (not Langflow settings; never passed to the langflow container): they record the
 * answers the Caddyfile is rendered from, so a re-run, or an install edited by hand, reads them back.
 */
export const DOMAIN_VAR = 'DOMAIN';
export const ACME_EMAIL_VAR = 'ACME_EMAIL';
export const CONSOLE_IPS_VAR = 'CONSOLE_IPS';
/** Langflow's telemetry switch: passed to the langflow container like the LANGFLOW_* settings. */
export const DO_NOT_TRACK = 'DO_NOT_TRACK';
/** The database location and credentials, read by compose for LANGFLOW_DATABASE_URL and the bundled postgres. */
export const DB_VARS = ['POSTGRES_HOST', 'POSTGRES_PORT', 'POSTGRES_USER', 'POSTGRES_DB'] as const;

/** Keys whose loss loses data: a new value makes stored credentials undecryptable. Never replaced by a re-run. */
export const ENCRYPTION_KEYS = ['LANGFLOW_SECRET_KEY'] as const;

/** IPv6 literals in a URL need brackets. */
const hostForUrl = (domain: string) => (domain.includes(':') ? `[${domain}]` : domain);

/** The one origin the browser uses: scheme from the HTTPS mode, the port when it is not the scheme's default. */
export function publicOrigin(a: Pick<LangflowAnswers, 'domain' | 'https' | 'httpPort' | 'httpsPort'>): string {
  if (a.https === 'off') return `http://${hostForUrl(a.domain)}${a.httpPort === 80 ? '' : `:${a.httpPort}`}`;
  if (a.https === 'auto') return `https://${hostForUrl(a.domain)}${a.httpsPort === 443 ? '' : `:${a.httpsPort}`}`;
  return `https://${hostForUrl(a.domain)}`; // proxy: the user's proxy serves the standard port
}

const bool = (b: boolean) => (b ? 'True' : 'False');

/**
 * Every .env value an answer decides, plus the security switches that are always set. A re-run switches the
 * switches back if they were edited. Each line says why.
 */
export function managedValues(a: LangflowAnswers): Record<string, string> {
  const v: Record<string, string> = { ...accessValues(a), ...serverValues(a) };
  if (a.https === 'auto') v[ACME_EMAIL_VAR] = a.email ?? '';
  if (a.console === 'ips') v[CONSOLE_IPS_VAR] = (a.consoleIps ?? []).join(',');
  Object.assign(v, dbLocation(a));
  return v;
}

/** Who may sign in, and from which origin. */
function accessValues(a: LangflowAnswers): Record<string, string> {
  const httpsOn = a.https !== 'off';
  return {
    // The image already sets it false; pinned here so a hand edit is switched back:
    // True signs every visitor in as superuser.
    LANGFLOW_AUTO_LOGIN: 'False',
    // True would skip authentication altogether whenever auto-login is on.
    LANGFLOW_SKIP_AUTH_AUTO_LOGIN: 'False',
    // `langflow superuser` inside the container would create superusers without any login.
    LANGFLOW_ENABLE_SUPERUSER_CLI: 'False',
    // Sign-up only in `open` mode; root and ips: the superuser creates accounts.
    LANGFLOW_ENABLE_SIGNUP: bool(a.console === 'open'),
    // New accounts (open sign-up) cannot log in until the superuser activates them.
    LANGFLOW_NEW_USER_IS_ACTIVE: 'False',
    // With AUTO_LOGIN off Langflow refuses to start without a superuser; the password is a generated secret.
    LANGFLOW_SUPERUSER: a.superuser,
    // Exactly the UI's own origin instead of `*`: no other site may call the API from a browser.
    LANGFLOW_CORS_ORIGINS: publicOrigin(a),
    // The UI is same-origin and needs no CORS; no other origin may send the login cookies.
    LANGFLOW_CORS_ALLOW_CREDENTIALS: 'False',
    // Session cookies only over HTTPS (Langflow's default is False).
    LANGFLOW_ACCESS_SECURE: bool(httpsOn),
    // The refresh cookie is Secure by default, which breaks refresh over plain HTTP (off mode only).
    LANGFLOW_REFRESH_SECURE: bool(httpsOn),
  };
}

/** Where Langflow keeps its data and listens, and what its flows may reach. */
function serverValues(a: LangflowAnswers): Record<string, string> {
  return {
    // Keys, uploads and (sqlite) the database live here, on a persistent volume or host directory.
    LANGFLOW_CONFIG_DIR: CONFIG_DIR,
    // Without it the SQLite file lives inside the container and dies with it.
    LANGFLOW_SAVE_DB_IN_CONFIG_DIR: bool(a.db === 'sqlite'),
    // Inside the container only; nothing publishes 7860 except 127.0.0.1 in proxy mode.
    LANGFLOW_HOST: '0.0.0.0',
    LANGFLOW_PORT: String(LANGFLOW_PORT),
    // Webhook endpoints require an API key instead of running flows as their owner for anyone.
    LANGFLOW_WEBHOOK_AUTH_ENABLE: 'True',
    // File components read only the user's own uploads, not /app/langflow/secret_key or other server files.
    LANGFLOW_RESTRICT_LOCAL_FILE_ACCESS: 'True',
    // On by default; pinned so a re-run restores it: blocks flows from reaching private ranges and cloud metadata.
    LANGFLOW_SSRF_PROTECTION_ENABLED: 'True',
    // The login rate limit (5/min per client) must see real client addresses: the bundled Caddy replaces any
    // X-Forwarded-For a client sends, so it is trusted only with Caddy in front; your own proxy is not assumed to.
    LANGFLOW_RATE_LIMIT_TRUST_PROXY: bool(bundledProxy(a)),
    // Langflow sends usage telemetry to its makers unless this is set (its own name, without the LANGFLOW_ prefix).
    [DO_NOT_TRACK]: 'true',
    [DOMAIN_VAR]: a.domain,
  };
}

/** The POSTGRES_* variables compose assembles LANGFLOW_DATABASE_URL from; none for SQLite. */
function dbLocation(a: LangflowAnswers): Record<string, string> {
  if (a.db === 'external')
    return {
      POSTGRES_HOST: a.dbHost!,
      POSTGRES_PORT: String(a.dbPort ?? DEFAULT_DB_PORT),
      POSTGRES_USER: a.dbUser!,
      POSTGRES_DB: a.dbName ?? DEFAULT_DB_NAME,
    };
  if (!bundledPostgres(a)) return {};
  return {
    POSTGRES_HOST: BUNDLED_DB.host,
    POSTGRES_PORT: String(BUNDLED_DB.port),
    POSTGRES_USER: BUNDLED_DB.user,
    POSTGRES_DB: BUNDLED_DB.name,
  };
}

/** The keys of managedValues that are security switches: always forced back on a re-run, with a warning. */
export const SECURITY_SWITCHES = [
  'LANGFLOW_AUTO_LOGIN',
  'LANGFLOW_SKIP_AUTH_AUTO_LOGIN',
  'LANGFLOW_ENABLE_SUPERUSER_CLI',
  'LANGFLOW_NEW_USER_IS_ACTIVE',
  'LANGFLOW_CORS_ALLOW_CREDENTIALS',
  'LANGFLOW_ACCESS_SECURE',
  'LANGFLOW_WEBHOOK_AUTH_ENABLE',
  'LANGFLOW_RESTRICT_LOCAL_FILE_ACCESS',
  'LANGFLOW_SSRF_PROTECTION_ENABLED',
  'LANGFLOW_CONFIG_DIR',
] as const;

export interface SecretSpec {
  name: string;
  /** Characters; the generator's output always has exactly this length. */
  length: number;
  generate: () => string;
  /** Never replaced once set (a re-run keeps it; a new value loses data or locks the owner out). */
  neverRotate: boolean;
  /** Shown once at the end of the first install (the superuser password), never again unless --show-secrets. */
  showOnce: boolean;
  why: string;
}

/**
 * LANGFLOW_SECRET_KEY is EXACTLY 43 characters: base64url of 32 random bytes, unpadded. Langflow uses a key of 32
 * characters or more directly as the Fernet key (padded with '='), and Fernet needs exactly 32 bytes, so a longer
 * random string would break encryption of stored credentials; a shorter one is only used as a PRNG seed.
 */
export const SECRET_KEY_LENGTH = 43;
export const generateSecretKey = (): string => randomBytes(32).toString('base64url');

/** undefined when Langflow can use `value` as its Fernet key; otherwise why not (for a warning: never replaced). */
export function secretKeyProblem(value: string): string | undefined {
  if (value.length < 32) return 'shorter than 32 characters: Langflow only seeds a random generator with it (weak)';
  if (!/^[A-Za-z0-9_-]+=*$/.test(value)) return 'not URL-safe base64: Langflow cannot use it as a Fernet key';
  const bytes = Buffer.from(value.replace(/=+$/, ''), 'base64url').length;
  if (bytes !== 32)
    return `decodes to ${bytes} bytes, Fernet needs 32: Langflow cannot encrypt stored credentials with it`;
  return undefined;
}

/** Which variables are generated, and how. POSTGRES_PASSWORD only for the bundled DB (external: the user's). */
export function secretSpecs(a: Pick<LangflowAnswers, 'db'>): SecretSpec[] {
  const out: SecretSpec[] = [
    {
      name: 'LANGFLOW_SECRET_KEY',
      length: SECRET_KEY_LENGTH,
      generate: generateSecretKey,
      neverRotate: true,
      showOnce: false,
      why:
        'signs sessions and Fernet-encrypts stored credentials (global variables, API keys, MCP auth); a new key ' +
        "makes them undecryptable — rotate only with upstream's scripts/migrate_secret_key.py",
    },
    {
      name: 'LANGFLOW_SUPERUSER_PASSWORD',
      length: 32,
      generate: () => generateSecret(32),
      neverRotate: true,
      showOnce: true,
      why:
        'Langflow refuses to start without it when auto-login is off; the superuser changes it in the UI ' +
        'afterwards, so a re-run never overwrites it',
    },
  ];
  if (bundledPostgres(a)) {
    out.push({
      name: 'POSTGRES_PASSWORD',
      length: 48,
      generate: () => generateSecret(48),
      neverRotate: true,
      showOnce: false,
      why:
        'the bundled PostgreSQL sets it only when its data directory is first created; a new ' +
        'value locks Langflow out of existing data',
    });
  }
  return out;
}

/** Every secret name a Langflow install can hold (for masking); LANGFLOW_DATABASE_URL carries the DB password. */
export const SECRET_NAMES = [
  'LANGFLOW_SECRET_KEY',
  'LANGFLOW_SUPERUSER_PASSWORD',
  'POSTGRES_PASSWORD',
  'LANGFLOW_DATABASE_URL',
] as const;
export const isSecretName = (name: string): boolean => (SECRET_NAMES as readonly string[]).includes(name);

/** The .env variables the compose file references (values of managedValues and secretSpecs). */
export function envNames(a: LangflowAnswers): string[] {
  const names = [...Object.keys(managedValues(a)), ...secretSpecs(a).map((s) => s.name)];
  if (a.db === 'external') names.push('POSTGRES_PASSWORD');
  return names;
}

/** LANGFLOW_DATABASE_URL as the compose file writes it: references only, assembled from .env by compose. */
export const databaseUrlTemplate = (ref: (name: string) => string): string =>
  `postgresql://${ref('POSTGRES_USER')}:${ref('POSTGRES_PASSWORD')}@${ref('POSTGRES_HOST')}:` +
  `${ref('POSTGRES_PORT')}/${ref('POSTGRES_DB')}`;

/**
 * The environment the langflow container must hold, by name, as compose writes it (`ref` renders a reference to a
 * .env variable). Every LANGFLOW_* of managedValues and the two secrets; LANGFLOW_DATABASE_URL unless sqlite.
 */
export function langflowEnvironment(a: LangflowAnswers, ref: (name: string) => string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(managedValues(a))) if (k.startsWith('LANGFLOW_') || k === DO_NOT_TRACK) out[k] = ref(k);
  out.LANGFLOW_SECRET_KEY = ref('LANGFLOW_SECRET_KEY');
  out.LANGFLOW_SUPERUSER_PASSWORD = ref('LANGFLOW_SUPERUSER_PASSWORD');
  if (a.db !== 'sqlite') out.LANGFLOW_DATABASE_URL = databaseUrlTemplate(ref);
  return out;
}

const split = (s: string | undefined) =>
  (s ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
const isTrue = (s: string | undefined) => /^(true|1|yes|on)$/i.test((s ?? '').trim());

interface ComposeFacts {
  release?: string;
  hasCaddy: boolean;
  proxyPort?: number;
  caddyHttp?: number;
  caddyHttps?: number;
  postgresBind?: string;
  configBind?: string;
}

/** What answersFromEnv needs from a compose file, read as text (harden-init's own file or a hand-made one). */
function composeFacts(compose: string | undefined): ComposeFacts {
  if (!compose) return { hasCaddy: false };
  const image = /^\s*image:\s*["']?((?:docker\.io\/)?langflowai\/langflow:[^\s"']+)/m.exec(compose);
  const num = (re: RegExp) => {
    const m = re.exec(compose);
    return m ? Number(m[1]) : undefined;
  };
  return {
    release: image ? releaseOfImage(image[1]!) : undefined,
    hasCaddy: /^\s*image:\s*["']?(?:docker\.io\/)?(?:library\/)?caddy:/m.test(compose),
    proxyPort: num(/^\s*-\s*["']?127\.0\.0\.1:(\d+):7860["']?\s*$/m),
    caddyHttp: num(/^\s*-\s*["']?(?:[\d.]+:)?(\d+):80["']?\s*$/m),
    caddyHttps: num(/^\s*-\s*["']?(?:[\d.]+:)?(\d+):443["']?\s*$/m),
    postgresBind: /^\s*-\s*["']?(\/[^:"'\s]+):\/var\/lib\/postgresql(?:\/data)?["']?\s*$/m.exec(compose)?.[1],
    configBind: /^\s*-\s*["']?(\/[^:"'\s]+):\/app\/langflow["']?\s*$/m.exec(compose)?.[1],
  };
}

function parseOrigin(
  origin: string | undefined,
): { scheme: 'http' | 'https'; host: string; port?: number } | undefined {
  const list = split(origin);
  if (list.length !== 1 || list[0] === '*') return undefined;
  try {
    const u = new URL(list[0]!);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
    const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
    return { scheme: u.protocol === 'http:' ? 'http' : 'https', host, port: u.port ? Number(u.port) : undefined };
  } catch {
    return undefined;
  }
}

/**
 * The inverse of managedValues (+ the compose file), for re-runs and installs made by hand: the answers the files
 * show, as far as they show them. Upstream defaults that are not an operator's choice (CORS `*`, the superuser
 * `langflow`) are left out so the wizard asks.
 */
export function answersFromEnv(env: Record<string, string>, compose: string | undefined): Partial<LangflowAnswers> {
  const out: Partial<LangflowAnswers> = {};
  const c = composeFacts(compose);
  if (c.release) out.release = c.release;
  const origin = parseOrigin(env.LANGFLOW_CORS_ORIGINS);
  const domain = env[DOMAIN_VAR] || origin?.host;
  if (domain) out.domain = domain;

  let https: HttpsMode | undefined;
  if (origin?.scheme === 'http') https = 'off';
  else if (origin?.scheme === 'https') https = compose === undefined ? 'auto' : c.hasCaddy ? 'auto' : 'proxy';
  else if (compose !== undefined)
    https = c.hasCaddy
      ? isTrue(env.LANGFLOW_ACCESS_SECURE)
        ? 'auto'
        : 'off'
      : c.proxyPort !== undefined
        ? 'proxy'
        : undefined;
  if (https) out.https = https;
  if (https === 'auto' && env[ACME_EMAIL_VAR]) out.email = env[ACME_EMAIL_VAR];

  // Ports: the compose file's published ports first, else the origin's.
  if (https === 'proxy') out.httpPort = c.proxyPort ?? DEFAULT_PORTS.proxyPort;
  else if (https) out.httpPort = c.caddyHttp ?? (https === 'off' ? origin?.port : undefined) ?? DEFAULT_PORTS.httpPort;
  if (https)
    out.httpsPort =
      https === 'auto' ? (c.caddyHttps ?? origin?.port ?? DEFAULT_PORTS.httpsPort) : DEFAULT_PORTS.httpsPort;

  let consoleMode: ConsoleMode | undefined;
  if (isTrue(env.LANGFLOW_ENABLE_SIGNUP)) consoleMode = 'open';
  else if (split(env[CONSOLE_IPS_VAR]).length) consoleMode = 'ips';
  else if (env.LANGFLOW_ENABLE_SIGNUP !== undefined) consoleMode = 'root';
  if (consoleMode) out.console = consoleMode;
  if (consoleMode === 'ips') out.consoleIps = split(env[CONSOLE_IPS_VAR]);

  const su = env.LANGFLOW_SUPERUSER;
  if (su && su !== 'langflow') out.superuser = su;

  let db: DbMode | undefined;
  const host = env.POSTGRES_HOST;
  if (host && host !== BUNDLED_DB.host) db = 'external';
  else if (host === BUNDLED_DB.host) db = c.postgresBind ? 'path' : 'volume';
  else if (isTrue(env.LANGFLOW_SAVE_DB_IN_CONFIG_DIR)) db = 'sqlite';
  if (db) out.db = db;
  if (db === 'path') out.dbPath = c.postgresBind;
  if (db === 'sqlite' && c.configBind) out.dbPath = c.configBind;
  if (db === 'external') {
    Object.assign(out, {
      dbHost: host,
      dbPort: Number(env.POSTGRES_PORT) || DEFAULT_DB_PORT,
      dbUser: env.POSTGRES_USER,
      dbName: env.POSTGRES_DB || DEFAULT_DB_NAME,
    });
  }
  return out;
}
