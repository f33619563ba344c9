// What `harden-init check` looks for in an Appwrite install: each rule is one small object (id, severity, what it
// looks at, and a check returning what is wrong, why it matters and the exact fix). The facts behind each come from
// Appwrite's repository and changelog; the README says why each matters ("What is hardened, and why"). Secret
// values are never put in a finding.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { consoleRouters, CONSOLE } from './rules/console-routes.js';
import { ROUTES_FILE } from './rules/traefik-file.js';
import { INSECURE_REASON, RELEASE_LINES, compareReleases, lineOf, parseRelease, releaseCheck } from './releases.js';
import { readCache } from './upstream/cache.js';
import { readDescription } from './upstream/source.js';
import { holdsSocket } from '../../audit/common.js';
import { shellQuote } from '../../core/shell-quote.js';
import { secretWeakness } from '../../audit/secrets.js';
import { KNOWN_SECRET_NAMES } from './secret-names.js';
import type { AuditInput, AuditRule, ComposeModel, RuleHit, ServiceModel, TargetAudit } from '../../audit/types.js';

const APPWRITE_IMAGE = /^(?:docker\.io\/)?appwrite\/appwrite(?::([^@\s]+))?(?:@.*)?$/;
/** The official installer's literal defaults when it runs without a terminal (`--interactive=N`). */
export const INSTALLER_DEFAULTS = new Set(['your-secret-key', 'password', 'rootsecretpassword']);
const KEY = '_APP_OPENSSL_KEY_V1';

const appwriteServicesOf = (c: ComposeModel): ServiceModel[] =>
  Object.values(c.services).filter((s) => APPWRITE_IMAGE.test(s.image ?? ''));
const redisOf = (c: ComposeModel): ServiceModel | undefined =>
  c.services.redis ??
  Object.values(c.services).find((s) => /^(?:docker\.io\/)?(?:library\/)?redis(?::|@|$)/.test(s.image ?? ''));
/**
 * The console's routes as labels: from its own labels (upstream's layout), else from traefik's routes file beside
 * the compose file (harden-init's), its routers to the console's service spelled back as the labels they came from.
 */
function consoleLabels(input: AuditInput, console: ServiceModel): Record<string, string> {
  if (Object.keys(console.labels).some((k) => k.startsWith('traefik.'))) return console.labels;
  const path = join(input.dir, ROUTES_FILE);
  if (!existsSync(path)) return {};
  type Http = {
    routers?: Record<string, { entryPoints?: string[]; middlewares?: string[]; service?: string }>;
    services?: Record<string, { loadBalancer?: { servers?: { url?: string }[] } }>;
    middlewares?: Record<string, { redirectScheme?: { scheme?: string } }>;
  };
  let http: Http | undefined;
  try {
    // Template actions (env reads) stand for a value; the structure is what matters here.
    http = (parse(readFileSync(path, 'utf8').replace(/\{\{[^}]*\}\}/g, 'x')) as { http?: Http } | null)?.http;
  } catch {
    return {};
  }
  const out: Record<string, string> = {};
  const mine = new Set(
    Object.entries(http?.services ?? {})
      .filter(([, s]) =>
        (s.loadBalancer?.servers ?? []).some((x) => new RegExp(`^https?://${CONSOLE}[:/]`).test(x.url ?? '')),
      )
      .map(([n]) => n),
  );
  for (const [name, r] of Object.entries(http?.routers ?? {})) {
    if (!r.service || !mine.has(r.service)) continue;
    if (r.entryPoints?.length) out[`traefik.http.routers.${name}.entrypoints`] = r.entryPoints.join(',');
    if (r.middlewares?.length) out[`traefik.http.routers.${name}.middlewares`] = r.middlewares.join(',');
  }
  for (const [name, m] of Object.entries(http?.middlewares ?? {})) {
    if (m.redirectScheme?.scheme)
      out[`traefik.http.middlewares.${name}.redirectscheme.scheme`] = m.redirectScheme.scheme;
  }
  return out;
}

const traefikOf = (c: ComposeModel): ServiceModel | undefined =>
  c.services.traefik ??
  Object.values(c.services).find((s) => /^(?:docker\.io\/)?(?:library\/)?traefik(?::|@|$)/.test(s.image ?? ''));
const engineOf = (input: AuditInput, value: (n: string) => string | undefined): 'postgresql' | 'mariadb' | 'other' => {
  const a = value('_APP_DB_ADAPTER');
  if (a === 'postgresql' || input.compose.services.postgresql) return 'postgresql';
  if (a === 'mariadb' || a === undefined || input.compose.services.mariadb)
    return a === undefined && !input.compose.services.mariadb ? 'other' : 'mariadb';
  return 'other';
};
const disabled = (v: string | undefined) => (v ?? '').trim().toLowerCase() !== 'enabled';
const list = (v: string | undefined) =>
  (v ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

/** The release the files pin: harden-init's state, else the tag of Appwrite's image. */
export function appwriteRelease(c: ComposeModel, state: AuditInput['state']): string | undefined {
  const fromState = state?.release ?? state?.templateVersion;
  if (fromState) return fromState;
  for (const s of appwriteServicesOf(c)) {
    const tag = APPWRITE_IMAGE.exec(s.image ?? '')?.[1];
    if (tag && parseRelease(tag)) return tag;
  }
  return undefined;
}

function dbPasswordFix(
  h: { cd: string },
  dirArg: string,
  engine: string,
  name: string,
  user: string,
  schema: string,
): string {
  const rotate = `harden-init rotate-secret ${name} --dir ${shellQuote(dirArg)}`;
  const after =
    `then put the same value in .env as ${name}=<new> and run ${h.cd}docker compose up -d. Only emptying ` +
    `the line and re-running harden-init would lock Appwrite out of its data.`;
  const by =
    `Run ${rotate} (the bundled database: changed in the running database first, then .env, the ` +
    `stack recreated and verified, undone on failure). By hand: make a password of 48 random characters ` +
    `(openssl rand -base64 36 | tr "+/" "-_"),`;
  // psql needs the database (-d: without it, it connects to one named like the
  // user) and "user" quoted (a reserved word).
  if (engine === 'postgresql')
    return (
      `${by} change it in the database first: ${h.cd}docker compose exec -T postgresql psql -U ` +
      `${shellQuote(user)} -d ${shellQuote(schema)} -c ` +
      `${shellQuote(`ALTER USER "${user.replace(/"/g, '""')}" WITH PASSWORD '<new>'`)}; ${after}`
    );
  if (engine === 'mariadb')
    return (
      `${by} change it in the database first: ${h.cd}docker compose exec mariadb mariadb -uroot -p -e ` +
      `${shellQuote(`ALTER USER '${name === '_APP_DB_ROOT_PASS' ? 'root' : user}'@'%' IDENTIFIED BY '<new>'`)}; ` +
      `${after}`
    );
  return (
    `Change the password on the database server first, then put the same value in .env as ` +
    `${name}=<new> and run ${h.cd}docker compose up -d.`
  );
}

export const APPWRITE_RULES: AuditRule[] = [
  {
    id: 'openssl-key',
    severity: 'critical',
    title: `${KEY} missing, a known default or weak`,
    check(input, h) {
      const weak = secretWeakness(h.value(KEY), 32);
      if (!weak) return [];
      const installer = INSTALLER_DEFAULTS.has((h.value(KEY) ?? '').toLowerCase());
      return [
        {
          subject: KEY,
          what:
            weak === 'empty'
              ? 'is missing or empty'
              : `is ${installer ? "the official installer's literal example value" : weak}`,
          why:
            'Appwrite encrypts stored passwords, OAuth secrets and API keys with it: anyone who knows or guesses ' +
            'it decrypts them from a database dump or backup',
          fix:
            weak === 'empty'
              ? `If this install has data, restore the key from a backup of .env (cp <backup>/.env ` +
                `${h.path('.env')}) before anything else: a new key makes the stored secrets unreadable. Only a new ` +
                `install without data may take a generated one: ${h.rerun}.`
              : `Do NOT change it in place or re-run to replace it: data encrypted with the old key becomes ` +
                `unreadable. Plan a migration: back up (harden-init backup --dir ${shellQuote(input.dirArg)} ...), ` +
                `set up a new install with a generated key, move projects over with Appwrite's Migrations, then ` +
                `retire this one. Meanwhile keep .env and every backup private.`,
        },
      ];
    },
  },
  {
    id: 'installer-defaults',
    severity: 'critical',
    title: "the official installer's literal defaults (your-secret-key, password, rootsecretpassword)",
    check(input) {
      const names = Object.entries(input.env)
        .filter(([, v]) => INSTALLER_DEFAULTS.has(v.trim().toLowerCase()))
        .map(([k]) => k);
      if (!names.length) return [];
      return [
        {
          subject: '.env',
          what:
            `${names.join(', ')} ${names.length === 1 ? 'holds' : 'hold'} the literal example values Appwrite's ` +
            `installer writes when run without a terminal`,
          why: "these values are published in Appwrite's own installer: everyone knows them",
          fix:
            `Replace each as its own finding says ` +
            `(${names.includes(KEY) ? `${KEY} only by a planned migration; ` : ''}the database passwords in the ` +
            `database first, the shared secrets by emptying their line and re-running harden-init).`,
        },
      ];
    },
  },
  {
    id: 'secret-weak',
    severity: 'high',
    title: "_APP_EXECUTOR_SECRET, _APP_DB_PASS, _APP_DB_ROOT_PASS (and 2.x's generated secrets) default or weak",
    check(input, h) {
      const out: RuleHit[] = [];
      const engine = engineOf(input, h.value);
      const user = h.value('_APP_DB_USER') || 'user';
      const shared = [
        '_APP_EXECUTOR_SECRET',
        '_APP_JOBS_SECRET',
        '_APP_GEO_SECRET',
        '_APP_NOTIFICATIONS_TRACKING_SECRET',
      ];
      const db = ['_APP_DB_PASS', ...(engine === 'mariadb' ? ['_APP_DB_ROOT_PASS'] : []), '_APP_USAGE_PASS'];
      for (const name of [...shared, ...db]) {
        const v = h.value(name);
        // 2.x-only secrets are checked where the install has them.
        if (v === undefined && !['_APP_EXECUTOR_SECRET', '_APP_DB_PASS', '_APP_DB_ROOT_PASS'].includes(name)) continue;
        const weak = secretWeakness(v);
        if (!weak) continue;
        const isDb = db.includes(name);
        out.push({
          subject: name,
          what: `is ${
            INSTALLER_DEFAULTS.has((v ?? '').toLowerCase()) ? "the official installer's literal example value" : weak
          }`,
          why: isDb
            ? "it is the database's (or ClickHouse's) password: with it, anything on the same network " +
              "reads and changes all of Appwrite's data"
            : "it authenticates Appwrite's own services to each other (the executor runs code with the Docker " +
              'socket): a guessable value lets a container on the network impersonate Appwrite',
          fix: isDb
            ? name === '_APP_USAGE_PASS'
              ? `Empty the line (${name}=) together with _APP_CONNECTIONS_DB_USAGE and ` +
                `_APP_CONNECTIONS_DB_EXECUTIONS and re-run ${h.rerun}: ClickHouse takes its password from the ` +
                `environment at start, and harden-init rebuilds both DSNs around the new one.`
              : dbPasswordFix(h, input.dirArg, engine, name, user, h.value('_APP_DB_SCHEMA') || 'appwrite')
            : `Empty the line in .env (${name}=) and re-run ${h.rerun}: it generates 48 random characters ` +
              `and recreates the services that share it.`,
        });
      }
      return out;
    },
  },
  {
    id: 'app-env',
    severity: 'medium',
    title: '_APP_ENV not production',
    check(_input, h) {
      const v = h.value('_APP_ENV');
      if (v === undefined || v === 'production') return [];
      return [
        {
          subject: '_APP_ENV',
          what: `is "${v}", not production`,
          why:
            'development mode shows error details and stack traces to clients ' +
            'and relaxes checks meant for production',
          fix:
            `Re-run ${h.rerun} (it switches it back), or set _APP_ENV=production in ` +
            `.env and run ${h.cd}docker compose up -d.`,
        },
      ];
    },
  },
  {
    id: 'force-https',
    severity: 'high',
    title: '_APP_OPTIONS_FORCE_HTTPS / _APP_OPTIONS_ROUTER_FORCE_HTTPS disabled',
    check(input, h) {
      const off = ['_APP_OPTIONS_FORCE_HTTPS', '_APP_OPTIONS_ROUTER_FORCE_HTTPS'].filter((k) => disabled(h.value(k)));
      if (!off.length) return [];
      const chosen = input.state?.answers?.https === 'off';
      return [
        {
          severity: chosen ? 'low' : 'high',
          subject: off.join(', '),
          what:
            `${off.length === 1 ? 'is' : 'are'} not ` +
            `enabled${chosen ? ' (harden-init was run with --https off)' : ''}`,
          why:
            'API calls, sessions and function/site traffic over plain HTTP can be read and changed on the way; ' +
            'Appwrite does not redirect them to HTTPS',
          fix:
            `Re-run ${h.rerun} --https auto (or --https proxy behind your own TLS proxy), or set ` +
            `${off.map((k) => `${k}=enabled`).join(' and ')} in .env and run ${h.cd}docker compose up -d.`,
        },
      ];
    },
  },
  {
    id: 'abuse-disabled',
    severity: 'high',
    title: '_APP_OPTIONS_ABUSE disabled',
    check(_input, h) {
      const v = h.value('_APP_OPTIONS_ABUSE');
      if (v === undefined || !disabled(v)) return [];
      return [
        {
          subject: '_APP_OPTIONS_ABUSE',
          what: `is "${v}"`,
          why:
            'without abuse protection there is no rate limit on logins, password recovery or ' +
            'the API: passwords can be brute-forced',
          fix:
            `Re-run ${h.rerun} (it switches it back on), or set _APP_OPTIONS_ABUSE=enabled in ` +
            `.env and run ${h.cd}docker compose up -d.`,
        },
      ];
    },
  },
  {
    id: 'console-open',
    severity: 'high',
    title: 'console sign-up open to anyone (root whitelist off, both lists empty)',
    check(_input, h) {
      const root = h.value('_APP_CONSOLE_WHITELIST_ROOT');
      if (root === undefined || !disabled(root)) return [];
      if (list(h.value('_APP_CONSOLE_WHITELIST_EMAILS')).length || list(h.value('_APP_CONSOLE_WHITELIST_IPS')).length)
        return [];
      return [
        {
          subject: '_APP_CONSOLE_WHITELIST_ROOT',
          what: 'is disabled and neither _APP_CONSOLE_WHITELIST_EMAILS nor _APP_CONSOLE_WHITELIST_IPS lists anyone',
          why:
            'anyone who reaches the console can create an account and their own projects on your server; on an ' +
            'empty database the first sign-up owns it',
          fix:
            `Re-run ${h.rerun} --console root (only the first user; others by invitation), or --console ` +
            `emails --console-emails a@example.com.`,
        },
      ];
    },
  },
  {
    id: 'console-ip-cidr',
    severity: 'medium',
    title: 'a CIDR range in _APP_CONSOLE_WHITELIST_IPS (never matches)',
    check(_input, h) {
      const ranges = list(h.value('_APP_CONSOLE_WHITELIST_IPS')).filter((x) => x.includes('/'));
      if (!ranges.length) return [];
      return [
        {
          subject: '_APP_CONSOLE_WHITELIST_IPS',
          what: `holds the range${ranges.length === 1 ? '' : 's'} ${ranges.join(', ')}`,
          why:
            'Appwrite compares client addresses exactly: a range never matches, so the sign-up restriction you ' +
            'meant does not work as written (nobody from it can sign up)',
          fix: `List exact addresses: re-run ${h.rerun} --console ips --console-ips <ip>,<ip>.`,
        },
      ];
    },
  },
  {
    id: 'security-email',
    severity: 'medium',
    title: 'certificate / security e-mail empty',
    check(_input, h) {
      const cert = h.value('_APP_EMAIL_CERTIFICATES') || h.value('_APP_SYSTEM_SECURITY_EMAIL_ADDRESS');
      if (cert && !/@appwrite\.io$/i.test(cert)) return [];
      return [
        {
          severity: cert ? 'low' : 'medium',
          subject: '_APP_EMAIL_CERTIFICATES',
          what: cert
            ? "and _APP_SYSTEM_SECURITY_EMAIL_ADDRESS are Appwrite's example address (@appwrite.io)"
            : 'and _APP_SYSTEM_SECURITY_EMAIL_ADDRESS are both empty',
          why: cert
            ? 'certificate expiry and security notices go to Appwrite, not to you'
            : 'the certificates worker throws for every job without an address: no certificate is ' +
              'issued or renewed, custom domains included',
          fix:
            `Re-run ${h.rerun} --email you@example.com (sets _APP_EMAIL_CERTIFICATES, _APP_EMAIL_SECURITY ` +
            `and _APP_SYSTEM_SECURITY_EMAIL_ADDRESS).`,
        },
      ];
    },
  },
  {
    id: 'redis-exposed',
    severity: 'high',
    title: 'Redis published or on a network that is not internal',
    check(input, h) {
      const redis = redisOf(input.compose);
      if (!redis) return [];
      const out: RuleHit[] = [];
      const open = redis.networks.filter((n) => !input.compose.networks[n]?.internal);
      if (redis.ports.length || open.length) {
        out.push({
          subject: `service ${redis.name}`,
          what: [
            redis.ports.length ? `publishes ${redis.ports.map((p) => p.text).join(', ')}` : '',
            open.length
              ? `joins the network${open.length === 1 ? '' : 's'} ${open.join(', ')}, which ` +
                `${open.length === 1 ? 'is' : 'are'} not internal`
              : '',
          ]
            .filter(Boolean)
            .join(' and '),
          why:
            'Redis has no password here: whatever reaches it (function and build containers on a shared network, ' +
            'or the internet) reads sessions and queues and can inject jobs',
          fix:
            `Re-run ${h.rerun} --replace-compose (Redis only on an "internal: true" network with ` +
            `the services that use it, nothing published), or do the same by hand in ` +
            `docker-compose.yml; then ${h.cd}docker compose up -d.`,
        });
      }
      return out;
    },
  },
  {
    id: 'redis-password',
    severity: 'info',
    title: 'Redis without a password: reported as information, never flagged (1.9 cannot use one)',
    check(input, h) {
      const out: RuleHit[] = [];
      if (redisOf(input.compose) && !h.value('_APP_REDIS_PASS')) {
        const line = lineOf(input.release ?? '');
        out.push({
          subject: '_APP_REDIS_PASS',
          what: 'is empty: not flagged',
          why:
            line === '1.9'
              ? "Appwrite 1.9's queue connections (workers and the API's publisher, utopia-php/queue 0.21) " +
                'never send AUTH: a Redis password stops every worker with NOAUTH. The protection is keeping ' +
                'Redis on an internal network (redis-exposed).'
              : 'whether every 2.x connection sends AUTH is unverified, and one that does not would stop with ' +
                'NOAUTH; the protection is keeping Redis on an internal network (redis-exposed).',
          fix: 'Nothing to change for the password; keep Redis internal and unpublished.',
        });
      }
      return out;
    },
  },
  {
    id: 'missing-entrypoint',
    severity: 'medium',
    title: 'a service whose entrypoint the pinned release does not ship',
    check(input) {
      if (!input.release) return [];
      let bin: string[] | undefined;
      try {
        bin = (readCache(input.dir, input.release) ?? readDescription(input.release, input.runEnv))?.executables;
      } catch {
        bin = undefined;
      }
      if (!bin) {
        return [
          {
            severity: 'info',
            subject: 'entrypoints',
            what:
              `not checked: the list of Appwrite ${input.release}'s executables is not at hand (no cache in ` +
              `.harden-init/upstream/, no release description)`,
            why: 'a service whose entrypoint the image lacks restart-loops',
            fix:
              `To check: docker run --rm --entrypoint ls appwrite/appwrite:${input.release} /usr/local/bin, and ` +
              `compare with each service's entrypoint.`,
          },
        ];
      }
      const have = new Set(bin);
      return appwriteServicesOf(input.compose)
        .filter(
          (s) =>
            s.entrypoint?.[0] &&
            !have.has(s.entrypoint[0].replace(/^\/usr\/local\/bin\//, '')) &&
            !s.entrypoint[0].startsWith('/') &&
            !['php', 'sh', 'bash', 'docker-entrypoint.sh'].includes(s.entrypoint[0]),
        )
        .map((s) => ({
          subject: `service ${s.name}`,
          what: `runs "${s.entrypoint![0]}", which Appwrite ${input.release} does not ship`,
          why:
            'the container exits at once and restarts for ever; its queue is never worked (a ' +
            'leftover of another release or a hand edit)',
          fix:
            `Remove the service from docker-compose.yml (or re-run harden-init --dir ${shellQuote(input.dirArg)} ` +
            `--replace-compose, which renders the release's own file); then docker compose up -d --remove-orphans.`,
        }));
    },
  },
  {
    id: 'migration-host',
    severity: 'low',
    title: '_APP_MIGRATION_HOST missing',
    check(_input, h) {
      if (h.value('_APP_MIGRATION_HOST')) return [];
      return [
        {
          subject: '_APP_MIGRATION_HOST',
          what: 'is missing or empty',
          why:
            'migrations (imports from another Appwrite, Firebase, Supabase, NHost) ' +
            'cannot call back into the API and fail',
          fix:
            `Set _APP_MIGRATION_HOST=appwrite in .env (the API service's name) and run ` +
            `${h.cd}docker compose up -d, or re-run ${h.rerun}.`,
        },
      ];
    },
  },
  {
    id: 'traefik-socket',
    severity: 'high',
    title: 'traefik with access to the Docker API (the raw socket, or a socket proxy that lets it inspect containers)',
    check(input, h) {
      const t = traefikOf(input.compose);
      if (!t) return [];
      const fix =
        `Re-run ${h.rerun} --replace-compose: traefik then reads its routes from traefik-routes.yml and ` +
        `has no Docker API at all (no socket, no socket proxy).`;
      const out = [];
      if (holdsSocket(t)) {
        out.push({
          subject: `service ${t.name}`,
          what: 'mounts /var/run/docker.sock (":ro" protects the file, not the Docker API)',
          why: 'traefik faces the internet; whoever takes it over controls the Docker API, which is root on the host',
          fix,
        });
      }
      // A Docker provider through a socket proxy: the containers section includes inspect, which returns every
      // container's environment.
      const endpoint = (t.command ?? [])
        .find((c) => /^--providers\.docker\.endpoint=/i.test(c))
        ?.replace(/^[^=]*=/, '');
      const host = endpoint ? /^(?:tcp|https?):\/\/\[?([^\]:/]+)/i.exec(endpoint)?.[1] : undefined;
      const proxy = host ? Object.values(input.compose.services).find((s) => s.name === host && s !== t) : undefined;
      const containers = proxy?.environment.CONTAINERS;
      if (proxy && holdsSocket(proxy) && containers !== undefined && /^(?:1|true|yes)$/i.test(containers.trim())) {
        out.push({
          subject: `service ${proxy.name}`,
          what: `lets traefik read the Docker API's containers section (CONTAINERS=${containers})`,
          why:
            "container inspect returns every container's environment: traefik, which faces the internet, can read " +
            'every secret (database passwords, the encryption key, the executor secret) and fetch container archives',
          fix,
        });
      }
      return out;
    },
  },
  {
    id: 'console-http',
    severity: 'medium',
    title: 'console reachable over plain HTTP in auto mode',
    check(input, h) {
      const t = traefikOf(input.compose);
      const console = input.compose.services[CONSOLE];
      if (!t || !console || !t.ports.some((p) => p.target === '443')) return [];
      const entryRedirect = (t.command ?? []).some((c) =>
        /^--entrypoints\.appwrite_web\.http\.redirections\.entrypoint\.to=/.test(c),
      );
      if (entryRedirect) return [];
      const own = consoleLabels(input, console);
      const labels = Object.entries(own).map(([k, v]) => `${k}=${v}`);
      const redirects = new Set(
        Object.keys(own)
          .map((k) => /^traefik\.http\.middlewares\.([^.]+)\.redirectscheme\.scheme$/.exec(k)?.[1])
          .filter(Boolean),
      );
      const plain = consoleRouters(labels).web.filter(
        (r) =>
          !(own[`traefik.http.routers.${r}.middlewares`] ?? '')
            .split(',')
            .some((m) => redirects.has(m.trim().replace(/@.*$/, ''))),
      );
      if (!plain.length) return [];
      return [
        {
          subject: `service ${CONSOLE}`,
          what:
            `its plain-HTTP router${plain.length === 1 ? '' : 's'} ${plain.join(', ')} ` +
            `serve${plain.length === 1 ? 's' : ''} the console without redirecting to HTTPS`,
          why:
            "Appwrite's force-HTTPS covers API routes only: the console and its login form are served over plain " +
            'HTTP too, where a password can be read on the way',
          fix:
            `Re-run ${h.rerun} --replace-compose (the console's HTTP router then redirects to HTTPS; API and ACME ` +
            `challenges on port 80 stay as they are).`,
        },
      ];
    },
  },
  {
    id: 'release',
    severity: 'low',
    title: "an Appwrite release older than the newest pinned one (critical below the line's security minimum)",
    check(input, h) {
      const v = input.release;
      if (!v || !parseRelease(v)) return [];
      const c = releaseCheck(v);
      if (!c) {
        return [
          {
            severity: 'medium',
            subject: `Appwrite ${v}`,
            what: 'belongs to no release line harden-init knows (1.9, 2.x)',
            why:
              'no security minimum is known for it; releases before 1.9.10 / 2.6.2 ' +
              'have CVE-2026-111497 (critical, remote)',
            fix:
              `Move to a maintained line: 1.9.10, or 2.x (${RELEASE_LINES[0]!.newest}) with the ` +
              `upgrade path in Appwrite's updates guide.`,
          },
        ];
      }
      if (c.belowMinimum) {
        return [
          {
            severity: 'critical',
            subject: `Appwrite ${v}`,
            what: `is below its line's security minimum ${c.minimum}: it has CVE-2026-111497 (GHSA-9v8h-qqgm-4m35)`,
            why: INSECURE_REASON,
            fix:
              `${h.rerun} --release ${c.newestOfLine}, then ${h.cd}docker compose exec appwrite migrate (one ` +
              `minor at a time; back up first: harden-init backup --dir ${shellQuote(input.dirArg)} ...).`,
          },
        ];
      }
      if (compareReleases(v, c.newestOfLine) < 0) {
        return [
          {
            subject: `Appwrite ${v}`,
            what: `is older than the newest ${c.line} release harden-init pins, ${c.newestOfLine}`,
            why:
              `${c.newestOfLine} carries the line's later fixes (see Appwrite's changelog between ${v} and ` +
              `${c.newestOfLine}); ${v} has no known critical hole`,
            fix: `${h.rerun} --release ${c.newestOfLine}, then ${h.cd}docker compose exec appwrite migrate.`,
          },
        ];
      }
      return [];
    },
  },
];

/** Services that really need the Docker socket: they start function and build containers (traefik needs none). */
const SOCKET_USERS =
  /^(?:docker\.io\/)?(?:openruntimes\/executor|ghcr\.io\/open-runtimes\/orchestrator\/orchestrator)(?::|@|$)/;

export const appwriteAudit: TargetAudit = {
  rules: APPWRITE_RULES,
  appService: (c) => (c.services.appwrite ? 'appwrite' : appwriteServicesOf(c)[0]?.name),
  release: appwriteRelease,
  gateways: ['traefik'],
  // traefik's socket is the traefik-socket rule's finding.
  socketAllowed: (s) =>
    SOCKET_USERS.test(s.image ?? '') ||
    s.name === 'traefik' ||
    /^(?:docker\.io\/)?(?:library\/)?traefik(?::|@|$)/.test(s.image ?? ''),
  secretNames: KNOWN_SECRET_NAMES,
  securityVariables: [
    '_APP_ENV',
    '_APP_OPTIONS_ABUSE',
    '_APP_OPTIONS_ROUTER_PROTECTION',
    '_APP_OPTIONS_FORCE_HTTPS',
    '_APP_OPTIONS_ROUTER_FORCE_HTTPS',
    '_APP_CONSOLE_WHITELIST_ROOT',
    '_APP_CONSOLE_WHITELIST_EMAILS',
    '_APP_CONSOLE_WHITELIST_IPS',
    KEY,
  ],
};
