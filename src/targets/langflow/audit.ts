// What `harden-init check` looks for in a Langflow install (made by hand from upstream's docker_example, or by
// harden-init). Langflow reads its settings from the langflow container's environment, so each rule reads that
// (compose's view: environment plus env_file), with Langflow's own defaults where a variable is not set (its
// settings code). Secret values are never put in a finding.
import { posix } from 'node:path';
import { shellQuote } from '../../core/shell-quote.js';
import { secretWeakness } from '../../audit/secrets.js';
import type { AuditRule, ComposeModel, ServiceModel, TargetAudit } from '../../audit/types.js';
import { SECURITY_SWITCHES, secretKeyProblem } from './env-values.js';
import { CADDY_IMAGE, CADDY_MINIMUM } from './compose.js';
import {
  MINIMUM_RELEASE,
  NEWEST_RELEASE,
  advisoriesFor,
  compareReleases,
  parseRelease,
  releaseOfImage,
} from './releases.js';

const LANGFLOW_IMAGE = /^(?:docker\.io\/)?langflowai\/langflow(?:-[a-z]+)?(?::([^@\s]+))?(?:@.*)?$/;
/** The image's working directory: a relative LANGFLOW_CONFIG_DIR is below it. */
const WORKDIR = '/app';

const CADDY_IMAGE_RE = /^(?:docker\.io\/)?(?:library\/)?caddy(?::([^@\s]+))?(?:@.*)?$/;

/**
 * Whether a caddy image tag is older than CADDY_MINIMUM. A tag without a patch level floats within its minor
 * (caddy:2.7 is whichever 2.7 patch is newest when pulled), so only the minor counts there; undefined when the tag
 * names no version (latest, 2, a variant such as builder): image-unpinned covers those.
 */
export function caddyBelowMinimum(tag: string): boolean | undefined {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?(?:-[a-z0-9.-]+)?$/.exec(tag);
  if (!m) return undefined;
  const [maj, min, patch] = CADDY_MINIMUM.split('.').map(Number) as [number, number, number];
  const have = [Number(m[1]), Number(m[2]), m[3] === undefined ? Infinity : Number(m[3])];
  if (have[0] !== maj) return have[0]! < maj;
  if (have[1] !== min) return have[1]! < min;
  return have[2]! < patch;
}

const isTrue = (v: string | undefined) => /^(true|1|yes|on|t|y)$/i.test((v ?? '').trim());
const isFalse = (v: string | undefined) => /^(false|0|no|off|f|n)$/i.test((v ?? '').trim());

export const langflowServiceOf = (c: ComposeModel): ServiceModel | undefined =>
  Object.values(c.services).find((s) => LANGFLOW_IMAGE.test(s.image ?? '')) ?? c.services.langflow;

/** The release the files pin: state first, else the image tag; 'latest' or no tag is undefined. */
export function langflowRelease(
  c: ComposeModel,
  state: { release?: string; templateVersion?: string } | undefined,
): string | undefined {
  const fromState = state?.release ?? state?.templateVersion;
  if (fromState) return fromState;
  const image = langflowServiceOf(c)?.image;
  if (!image) return undefined;
  const tag = LANGFLOW_IMAGE.exec(image)?.[1];
  return tag ? releaseOfImage(`langflowai/langflow:${tag}`) : undefined;
}

/** Where the config dir is inside the container ('' when Langflow's default, a cache dir in the image, applies). */
function configDir(value: string | undefined): string {
  if (!value) return '';
  return posix.resolve(WORKDIR, value);
}

/** The mount that holds `path` (the longest target that contains it). */
const mountFor = (s: ServiceModel, path: string) =>
  s.mounts
    .filter((m) => m.kind !== 'tmpfs' && (path === m.target || path.startsWith(`${m.target.replace(/\/$/, '')}/`)))
    .sort((a, b) => b.target.length - a.target.length)[0];

/** The password part of a postgresql:// URL (undefined when the URL is absent, not a URL, or has no password). */
function databaseUrlPassword(url: string | undefined): string | undefined {
  const u = parseDatabaseUrl(url);
  return u && u.password !== '' ? decodeURIComponent(u.password) : u ? '' : undefined;
}

function databaseUrlUser(url: string | undefined): string | undefined {
  const u = parseDatabaseUrl(url);
  return u?.username ? decodeURIComponent(u.username) : undefined;
}

function databaseUrlName(url: string | undefined): string | undefined {
  const name = parseDatabaseUrl(url)?.pathname.replace(/^\//, '');
  const decoded = name ? decodeURIComponent(name) : undefined;
  return decoded && !decoded.includes('$') ? decoded : undefined;
}

function parseDatabaseUrl(url: string | undefined): URL | undefined {
  if (!url || !/^postgres(?:ql)?(?:\+\w+)?:\/\//.test(url)) return undefined;
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

export const LANGFLOW_RULES: AuditRule[] = [
  {
    id: 'secret-key',
    severity: 'high',
    title: 'LANGFLOW_SECRET_KEY unset (the key lives only in the config dir) or weak',
    check(_input, h) {
      if (!h.app) return [];
      const v = h.value('LANGFLOW_SECRET_KEY');
      if (!v) {
        return [
          {
            subject: 'LANGFLOW_SECRET_KEY',
            what: 'is not set: Langflow generates one into <config dir>/secret_key',
            why:
              "the key that signs sessions and encrypts stored credentials then lives only in the container's " +
              'config dir: a lost or recreated volume (or a config dir not on one) makes every stored credential ' +
              'undecryptable, and a backup of .env does not hold it',
            fix:
              `Copy the key Langflow made into .env before anything else: ${h.cd}docker compose exec -T ` +
              `${h.app.name} cat <config dir>/secret_key, then LANGFLOW_SECRET_KEY=<it> in .env and pass it to the ` +
              `service (a harden-init re-run keeps it). A new key instead loses the stored credentials.`,
          },
        ];
      }
      const problem =
        secretKeyProblem(v) ??
        (secretWeakness(v, 32) === 'a published example value' ? 'a published example value' : undefined);
      if (!problem) return [];
      return [
        {
          subject: 'LANGFLOW_SECRET_KEY',
          what: `is ${problem}`,
          why:
            'it signs sessions (a guessed key forges a login as any user) and encrypts stored ' +
            'credentials (global variables, API keys)',
          fix:
            "Rotate with upstream's scripts/migrate_secret_key.py (from Langflow's repository: it re-encrypts " +
            'what is stored), then put the new key (43 characters: openssl rand 32 | basenc --base64url | tr -d =) ' +
            'in .env and run docker compose up -d. Replacing it without the script loses the stored credentials.',
        },
      ];
    },
  },
  {
    id: 'auto-login',
    severity: 'critical',
    title: 'LANGFLOW_AUTO_LOGIN true',
    check(_input, h) {
      if (!h.app || !isTrue(h.value('LANGFLOW_AUTO_LOGIN'))) return [];
      return [
        {
          subject: 'LANGFLOW_AUTO_LOGIN',
          what: 'is true',
          why:
            'every visitor is signed in as the superuser: anyone who reaches Langflow runs ' +
            'code on the server (flows execute Python)',
          fix:
            `Set LANGFLOW_AUTO_LOGIN=False with a superuser and a strong password, or re-run ${h.rerun} (it sets ` +
            `both and shows the password once); then docker compose up -d.`,
        },
      ];
    },
  },
  {
    id: 'superuser-password',
    severity: 'critical',
    title: 'superuser password default (langflow) or unset',
    check(_input, h) {
      if (!h.app) return [];
      const v = h.value('LANGFLOW_SUPERUSER_PASSWORD');
      const weak = secretWeakness(v, 12);
      if (!weak) return [];
      return [
        {
          severity: weak === 'empty' && !isTrue(h.value('LANGFLOW_AUTO_LOGIN')) ? 'high' : 'critical',
          subject: 'LANGFLOW_SUPERUSER_PASSWORD',
          what:
            weak === 'empty'
              ? 'is not set'
              : `is ${(v ?? '').toLowerCase() === 'langflow' ? 'the old default "langflow"' : weak}`,
          why:
            weak === 'empty'
              ? 'with auto-login off Langflow refuses to start without it; with auto-login on the ' +
                'superuser has the old default password'
              : 'the superuser runs code on the server through flows: a known or guessable password hands that over',
          fix:
            `Change the password in the UI (Settings → Password) and put the same strong value in .env, or on a ` +
            `new install re-run ${h.rerun} (it generates one and shows it once).`,
        },
      ];
    },
  },
  {
    id: 'superuser-cli',
    severity: 'medium',
    title: 'superuser CLI enabled',
    check(_input, h) {
      if (!h.app || isFalse(h.value('LANGFLOW_ENABLE_SUPERUSER_CLI'))) return [];
      return [
        {
          subject: 'LANGFLOW_ENABLE_SUPERUSER_CLI',
          what:
            h.value('LANGFLOW_ENABLE_SUPERUSER_CLI') === undefined
              ? "is not set (Langflow's default: enabled)"
              : 'is true',
          why:
            '"langflow superuser" inside the container creates superusers without any login: one more ' +
            'way in for anything that can exec there',
          fix:
            `Set LANGFLOW_ENABLE_SUPERUSER_CLI=False for the langflow service (or re-run ` +
            `${h.rerun}); then docker compose up -d.`,
        },
      ];
    },
  },
  {
    id: 'signup-open',
    severity: 'high',
    title: 'sign-up open with new users active',
    check(_input, h) {
      if (!h.app) return [];
      const signup = h.value('LANGFLOW_ENABLE_SIGNUP');
      if (isFalse(signup) || !isTrue(h.value('LANGFLOW_NEW_USER_IS_ACTIVE'))) return [];
      return [
        {
          subject: 'LANGFLOW_ENABLE_SIGNUP',
          what:
            `is ${signup === undefined ? "not set (Langflow's default: on)" : 'on'} ` +
            `and LANGFLOW_NEW_USER_IS_ACTIVE is true`,
          why:
            'anyone who reaches Langflow can make an account that works at once, and every ' +
            'account runs flows (code) on the server',
          fix:
            `Set LANGFLOW_NEW_USER_IS_ACTIVE=False (the superuser activates accounts) and ` +
            `LANGFLOW_ENABLE_SIGNUP=False unless you need it, or re-run ${h.rerun}; then docker compose up -d.`,
        },
      ];
    },
  },
  {
    id: 'cors-wildcard',
    severity: 'high',
    title: 'CORS * with credentials',
    check(_input, h) {
      if (!h.app) return [];
      const origins = h.value('LANGFLOW_CORS_ORIGINS');
      const creds = h.value('LANGFLOW_CORS_ALLOW_CREDENTIALS');
      const star =
        origins === undefined ||
        origins
          .split(',')
          .map((x) => x.trim())
          .includes('*');
      if (!star || isFalse(creds)) return [];
      return [
        {
          subject: 'LANGFLOW_CORS_ORIGINS',
          what:
            `is ${origins === undefined ? "not set (Langflow's default: *)" : '*'} with ` +
            `LANGFLOW_CORS_ALLOW_CREDENTIALS ${creds === undefined ? 'not set (default: true)' : 'true'}`,
          why:
            'any web site a logged-in user visits can call the API with their ' +
            'session: read flows and secrets, run flows',
          fix:
            `Set LANGFLOW_CORS_ORIGINS to the exact origin of the UI (https://your.domain) and ` +
            `LANGFLOW_CORS_ALLOW_CREDENTIALS=False, or re-run ${h.rerun}; then docker compose up -d.`,
        },
      ];
    },
  },
  {
    id: 'db-password',
    severity: 'high',
    title: 'PostgreSQL password default (langflow) or weak',
    check(input, h) {
      if (!h.app) return [];
      // Upstream's docker_example ships user, password and database all `langflow`: the password is in
      // LANGFLOW_DATABASE_URL and, for the bundled database, in the postgres service's POSTGRES_PASSWORD.
      const fromUrl = databaseUrlPassword(h.value('LANGFLOW_DATABASE_URL'));
      const bundled = Object.values(input.compose.services).find(
        (s) => s.environment.POSTGRES_PASSWORD !== undefined && /postgres/.test(s.image ?? ''),
      );
      const candidates: [string, string | undefined][] = [];
      if (fromUrl !== undefined) candidates.push(['the password in LANGFLOW_DATABASE_URL', fromUrl]);
      if (bundled)
        candidates.push([`POSTGRES_PASSWORD of service ${bundled.name}`, bundled.environment.POSTGRES_PASSWORD]);
      const weak = candidates.map(([where, v]) => [where, secretWeakness(v, 16)] as const).filter(([, w]) => w);
      if (!weak.length) return [];
      const user =
        databaseUrlUser(h.value('LANGFLOW_DATABASE_URL')) ?? bundled?.environment.POSTGRES_USER ?? 'langflow';
      const sql = `ALTER USER "${user.replace(/"/g, '""')}" WITH PASSWORD '<new>'`;
      const database = databaseUrlName(h.value('LANGFLOW_DATABASE_URL')) ?? bundled?.environment.POSTGRES_DB ?? user;
      const first = bundled
        ? `${h.cd}docker compose exec -T ${shellQuote(bundled.name)} psql -U ${shellQuote(user)} -d ` +
          `${shellQuote(database)} -c ${shellQuote(sql)}`
        : `on your database server (psql: ${sql})`;
      const rotate = bundled
        ? `Run harden-init rotate-secret POSTGRES_PASSWORD --dir ${shellQuote(input.dirArg)} (an install made by ` +
          `${h.rerun}: database first, then .env, recreate, verify). By hand: `
        : '';
      return [
        {
          subject: 'database password',
          what: weak.map(([where, w]) => `${where} is ${w}`).join('; '),
          why:
            'whoever reaches the database (a published port, another container on its network) reads every ' +
            'flow, user and stored credential with it',
          fix:
            `${rotate}Change it in the database first: ${first}, then put the same value where Langflow reads it ` +
            `(POSTGRES_PASSWORD in .env for an install made by ${h.rerun}, else LANGFLOW_DATABASE_URL and ` +
            `POSTGRES_PASSWORD) and run docker compose up -d. Changing only the file locks Langflow out of its data.`,
        },
      ];
    },
  },
  {
    id: 'sqlite-ephemeral',
    severity: 'high',
    title: 'SQLite database not in a persistent config dir',
    check(_input, h) {
      if (!h.app) return [];
      if (h.value('LANGFLOW_DATABASE_URL')) return [];
      // then it is where the config dir is (config-volume)
      if (isTrue(h.value('LANGFLOW_SAVE_DB_IN_CONFIG_DIR'))) return [];
      return [
        {
          subject: 'LANGFLOW_SAVE_DB_IN_CONFIG_DIR',
          what: 'is not true and no LANGFLOW_DATABASE_URL is set: the SQLite database lives inside the container',
          why:
            'recreating the container (every upgrade, every "up" after a change) deletes ' +
            'every flow, user and stored credential',
          fix:
            `Back up the database first (${h.cd}docker compose cp ${shellQuote(h.app.name)}:<path of langflow.db> ` +
            `./langflow.db), then set LANGFLOW_SAVE_DB_IN_CONFIG_DIR=True with the config dir on a volume, or use ` +
            `PostgreSQL: re-run ${h.rerun} --db volume.`,
        },
      ];
    },
  },
  {
    id: 'config-volume',
    severity: 'high',
    title: 'config dir not on a volume',
    check(_input, h) {
      if (!h.app) return [];
      const raw = h.value('LANGFLOW_CONFIG_DIR');
      const dir = configDir(raw);
      if (dir && mountFor(h.app, dir)) return [];
      return [
        {
          subject: 'LANGFLOW_CONFIG_DIR',
          what: dir
            ? `is ${raw}${raw !== dir ? ` (${dir} inside the container, relative to ${WORKDIR})` : ''}, ` +
              `which no volume holds`
            : 'is not set: Langflow keeps its config in a cache directory inside the container',
          why:
            'the secret key (when not in .env), uploads and the SQLite database live ' +
            'there: a recreated container loses them',
          fix:
            `Set LANGFLOW_CONFIG_DIR=/app/langflow (absolute) and mount a named volume there ` +
            `("langflow-config:/app/langflow"), or re-run ${h.rerun}; copy the old one out first (docker compose cp).`,
        },
      ];
    },
  },
  {
    id: 'release',
    severity: 'high',
    title: `Langflow image below ${MINIMUM_RELEASE} (its advisories named) or "latest"`,
    check(input, h) {
      const app = h.app;
      if (!app) return [];
      const v = input.release;
      if (!v || !parseRelease(v)) {
        return [
          {
            subject: `service ${app.name}`,
            what: `image "${app.image ?? '(none)'}" pins no release`,
            why:
              `which advisories apply cannot be told, and each pull may bring another release; Langflow below ` +
              `${MINIMUM_RELEASE} has unauthenticated remote code execution holes (CVE-2025-3248, CVE-2026-33017)`,
            fix:
              `Pin langflowai/langflow:${NEWEST_RELEASE} in docker-compose.yml (back up first), or re-run ` +
              `${h.rerun} --release ${NEWEST_RELEASE}; then docker compose up -d.`,
          },
        ];
      }
      if (compareReleases(v, MINIMUM_RELEASE) >= 0) return [];
      const open = advisoriesFor(v);
      const names = open.flatMap((a) => a.ids);
      const critical = open.some((a) => a.critical);
      return [
        {
          severity: critical ? 'critical' : 'high',
          subject: `Langflow ${v}`,
          what: `is below ${MINIMUM_RELEASE}${
            names.length ? `: open to ${names.join(', ')}` : ' (its line gets no further security fixes)'
          }`,
          why: open.length
            ? open.map((a) => `${a.ids.join(', ')}: ${a.summary} (fixed in ${a.fixedIn})`).join('; ')
            : 'older lines get no further security fixes',
          // The re-run keeps every secret and setting and pins the new image; Langflow migrates its database on start.
          fix:
            `Back up, then upgrade: ${h.rerun} --release ${NEWEST_RELEASE} (or pin ` +
            `langflowai/langflow:${NEWEST_RELEASE} by hand); then ${h.cd}docker compose up -d.`,
        },
      ];
    },
  },
  {
    id: 'caddy-version',
    severity: 'high',
    title: `Caddy below ${CADDY_MINIMUM} in front of Langflow (HTTP/2 "rapid reset", CVE-2023-44487)`,
    check(input, h) {
      const hits = [];
      for (const s of Object.values(input.compose.services)) {
        const tag = CADDY_IMAGE_RE.exec(s.image ?? '')?.[1];
        if (tag === undefined || !caddyBelowMinimum(tag)) continue;
        hits.push({
          subject: `service ${s.name}`,
          what: `runs ${s.image}, older than Caddy ${CADDY_MINIMUM}`,
          why:
            'releases before 2.7.5 lack the fix for HTTP/2 "rapid reset" (CVE-2023-44487): any client on the ' +
            'internet can exhaust the proxy with streams it opens and cancels at once',
          fix:
            `Re-run ${h.rerun} (it pins ${CADDY_IMAGE}), or set image: ${CADDY_IMAGE} for ${s.name} in ` +
            `${h.path(input.composeFile)}; then ${h.cd}docker compose up -d.`,
        });
      }
      return hits;
    },
  },
];

export const langflowAudit: TargetAudit = {
  rules: LANGFLOW_RULES,
  appService: (c) => langflowServiceOf(c)?.name,
  release: langflowRelease,
  gateways: ['caddy'],
  socketAllowed: () => false,
  securityVariables: [
    ...SECURITY_SWITCHES,
    'LANGFLOW_ENABLE_SIGNUP',
    'LANGFLOW_CORS_ORIGINS',
    'LANGFLOW_SECRET_KEY',
    'LANGFLOW_SUPERUSER_PASSWORD',
  ],
};
