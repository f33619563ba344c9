// Langflow's parts of the target contract (src/targets/types.ts) that are knowledge, not wiring: how the stack's
// health is judged through the published port, how its running configuration is read, and what is told to the user.
import { readYaml } from '../../engine/yaml-read.js';
import type { HealthProbe, RunningConfig } from '../types.js';
import type { LangflowAnswers } from './answers.js';
import { publicOrigin } from './env-values.js';
import { parsePrintenv } from './probes.js';
import { insecureReason } from './releases.js';
import { keepSafeLines } from '../../core/keep-safe.js';

export const url = (a: LangflowAnswers): string => `${publicOrigin(a)}/`;

/**
 * Polled through the published port with the domain as Host (Caddy; 127.0.0.1:<port> in proxy mode). /health_check
 * stays open under the IP allowlist. An HTTP->HTTPS redirect shows Caddy is up; Langflow's own readiness is its
 * container healthcheck (the same /health_check), which the wait watches too.
 */
export const health: HealthProbe = {
  path: '/health_check',
  judge(status, body, location) {
    if (status === 200 && /"status"\s*:\s*"ok"/.test(body))
      return { ok: true, detail: '/health_check answered status ok' };
    if (status >= 300 && status < 400 && /^https:/.test(String(location ?? '')))
      return { ok: true, detail: `/health_check redirects to HTTPS (${status})` };
    if (status === 502 || status === 503)
      return { ok: false, detail: `the proxy answers ${status}: Langflow is not up yet` };
    if (status === 500)
      return {
        ok: false,
        detail: `/health_check answered 500: Langflow cannot reach its database (${body.trim().slice(0, 80)})`,
      };
    return { ok: false, detail: `/health_check answered HTTP ${status}` };
  },
};

/**
 * The langflow container's environment (Langflow has no command that prints its effective settings). Names are
 * those the compose file passes one-to-one from .env; LANGFLOW_DATABASE_URL is assembled by compose, so compare it
 * with probes.ts's expectedEnv, not with a .env line.
 */
export const running: RunningConfig = {
  services(composeText: string): Map<string, string[]> {
    const doc = (readYaml(composeText, 'docker-compose.yml') ?? {}) as {
      services?: Record<string, { environment?: Record<string, unknown> | string[] }>;
    };
    const env = doc.services?.langflow?.environment;
    const names: string[] = [];
    const entries: [string, string][] = Array.isArray(env)
      ? env.map((e) => {
          const i = String(e).indexOf('=');
          return i < 0 ? [String(e), ''] : [String(e).slice(0, i), String(e).slice(i + 1)];
        })
      : Object.entries(env ?? {}).map(([k, v]) => [k, v == null ? '' : String(v)]);
    for (const [k, v] of entries) {
      const m = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?[?-][^}]*)?\}$/.exec(v);
      if (m && m[1] === k) names.push(k);
    }
    return new Map([['langflow', names]]);
  },
  command: ['printenv'],
  parse: (output: string) => new Map(Object.entries(parsePrintenv(output))),
  label: 'printenv',
};

/** Where the database lives, in words; a change is a move (its data does not follow). */
export function dbLocation(a: Partial<LangflowAnswers>): string | undefined {
  switch (a.db) {
    case 'volume':
      return 'bundled PostgreSQL, Docker volume langflow-postgres';
    case 'path':
      return a.dbPath ? `bundled PostgreSQL, host directory ${a.dbPath}` : undefined;
    case 'sqlite':
      return a.dbPath ? `SQLite in the config directory ${a.dbPath}` : undefined;
    case 'external':
      return a.dbHost ? `external PostgreSQL ${a.dbHost}:${a.dbPort ?? 5432}/${a.dbName ?? 'langflow'}` : undefined;
    default:
      return undefined;
  }
}

export function warnings(a: LangflowAnswers): string[] {
  const out: string[] = [];
  const insecure = insecureReason(a.release);
  if (insecure) out.push(insecure);
  if (a.https === 'off')
    out.push('HTTPS is off: passwords, API keys and sessions travel in clear text. Use this for local testing only.');
  if (a.https === 'auto' && a.httpPort !== 80)
    out.push(
      `HTTP is on port ${a.httpPort}: Let's Encrypt's HTTP challenge needs port 80 (the ` +
        `TLS-ALPN challenge on 443 may still work).`,
    );
  if (a.https === 'auto' && !a.email)
    out.push('No ACME contact e-mail: you will not be told when a certificate cannot be renewed.');
  if (a.console === 'open')
    out.push(
      'Sign-up is open: anyone who reaches Langflow can create an account; it stays ' +
        'inactive until the superuser activates it.',
    );
  if (a.https === 'proxy')
    out.push(
      `Your proxy must forward to http://127.0.0.1:${a.httpPort}, pass WebSocket upgrades, allow large ` +
        `uploads and overwrite X-Forwarded-For.`,
    );
  return out;
}

export function summary(a: LangflowAnswers, dir: string): [string, string][] {
  const rows: [string, string][] = [
    ['Langflow', `${a.release} at ${url(a)}`],
    [
      'HTTPS',
      a.https === 'auto'
        ? `Caddy (Let's Encrypt${a.email ? `, contact ${a.email}` : ''})`
        : a.https === 'proxy'
          ? `your proxy -> 127.0.0.1:${a.httpPort}`
          : 'off (plain HTTP through Caddy)',
    ],
    [
      'Access',
      a.console === 'root'
        ? 'superuser only; sign-up off'
        : a.console === 'ips'
          ? `only from ${(a.consoleIps ?? []).join(', ')}`
          : 'open sign-up; new users inactive until activated',
    ],
    ['Superuser', `${a.superuser} (password: LANGFLOW_SUPERUSER_PASSWORD in ${dir}/.env)`],
    ['Database', dbLocation(a) ?? a.db],
  ];
  return rows;
}

export function nextSteps(a: LangflowAnswers, dirArg: string): string[] {
  const access =
    a.console === 'root'
      ? 'Sign-up is off: add users yourself as the superuser (Admin page).'
      : a.console === 'ips'
        ? `Only clients from ${(a.consoleIps ?? []).join(', ')} reach it; sign-up is off: ` +
          `add users as the superuser (Admin page).`
        : 'Sign-up is open: new accounts stay inactive until you activate them as the superuser (Admin page).';
  return [
    `Open ${url(a)} and sign in as ${a.superuser}: that account is the owner; change its password in Settings.`,
    access,
    `${dirArg}/.env holds LANGFLOW_SECRET_KEY, which decrypts every stored credential: the backup keeps it, encrypted.`,
    '',
    ...keepSafeLines(dirArg),
  ];
}
