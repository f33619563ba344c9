// The hardened docker-compose.yml and Caddyfile harden-init writes for Langflow. Langflow ships no installer
// template, so this is harden-init's own file, built from the facts of upstream's docker_example (image, config
// dir, postgres:16 with the official image's POSTGRES_* contract) and hardened where that example is not:
// pinned images, no published port but the proxy's, the database on an internal network, healthchecks, restart
// policies, no-new-privileges, dropped capabilities, read-only root file systems where the service allows it,
// log rotation, and no secret in the file (every value is a reference into .env, see env-values.ts).
import { sha256 } from '../../engine/state.js';
import { stringify } from 'yaml';
import { bundledPostgres, bundledProxy, type LangflowAnswers } from './answers.js';
import { CONFIG_DIR, LANGFLOW_PORT, langflowEnvironment } from './env-values.js';
import { langflowImage } from './releases.js';
import { caddyEmailError } from './questions.js';
import { usageError } from '../../core/errors.js';

export const POSTGRES_IMAGE = 'postgres:16';
/**
 * The internet-facing proxy, pinned exactly: the newest Caddy 2 release known when this was written. Never below
 * CADDY_MINIMUM, the first release with the fix for HTTP/2 "rapid reset" (CVE-2023-44487), a remote denial of service.
 */
export const CADDY_IMAGE = 'caddy:2.11.7';
export const CADDY_MINIMUM = '2.7.5';
/** The generated Caddyfile, next to docker-compose.yml, mounted read-only. */
export const CADDYFILE = 'Caddyfile';
export const CADDYFILE_LABEL = 'org.harden-init.caddyfile-sha256';
/** Caddy's answer to a client outside the allowlist (console=ips); probes.ts recognises it. */
export const ALLOWLIST_REFUSAL = 'Forbidden: this client address is not allowed to reach Langflow';
/** Paths the allowlist leaves open: the health endpoints (no data), so health checks work through the proxy. */
export const OPEN_PATHS = ['/health', '/health_check'] as const;

export interface RenderOptions {
  /** Test only: Caddy's own CA instead of an ACME certificate (real HTTPS without a public name). */
  tlsInternal?: boolean;
}

/** A .env reference compose refuses to start without (an empty security switch is a mistake, not a default). */
export const envRef = (name: string): string => `\${${name}:?${name} must be set in .env}`;

const LOGGING = { driver: 'json-file', options: { 'max-size': '10m', 'max-file': '5' } };
const NO_NEW_PRIVILEGES = ['no-new-privileges:true'];

/** Host ports of the stack: only Caddy publishes (auto/off), or langflow on 127.0.0.1 (proxy). */
export function publishedPorts(a: LangflowAnswers): string[] {
  if (a.https === 'proxy') return [`127.0.0.1:${a.httpPort}:${LANGFLOW_PORT}`];
  if (a.https === 'auto') return [`${a.httpPort}:80`, `${a.httpsPort}:443`];
  return [`${a.httpPort}:80`];
}

export interface HostDir {
  path: string;
  /** Owner the directory must have before the first start. */
  uid: number;
  gid: number;
  mode: number;
  why: string;
}

/**
 * Host directories to create before `up` (the db-path checks of core/db-path.ts apply to each): with --db sqlite
 * Langflow's config dir, owned by the image's user 1000:0 (Langflow writes /app/langflow/secret_key there as that
 * user: a root-owned bind mount fails with PermissionError); with --db path PostgreSQL's data dir (its entrypoint
 * chowns it).
 */
export function hostDirs(a: LangflowAnswers): HostDir[] {
  if (a.db === 'sqlite')
    return [
      {
        path: a.dbPath!,
        uid: 1000,
        gid: 0,
        mode: 0o700,
        why: "Langflow config dir (secret_key, uploads, langflow.db), written by the image's user 1000:0",
      },
    ];
  if (a.db === 'path')
    return [
      {
        path: a.dbPath!,
        uid: 0,
        gid: 0,
        mode: 0o700,
        why: 'PostgreSQL data directory (the postgres entrypoint takes ownership)',
      },
    ];
  return [];
}

export function renderCompose(a: LangflowAnswers, opts: RenderOptions = {}): string {
  const pg = bundledPostgres(a);
  const proxy = bundledProxy(a);
  const services: Record<string, unknown> = { langflow: langflowService(a, pg) };
  if (pg) services.postgres = postgresService(a);
  if (proxy) services.caddy = caddyService(a, opts);
  const volumes: Record<string, null> = {};
  if (a.db !== 'sqlite') volumes['langflow-config'] = null;
  if (a.db === 'volume') volumes['langflow-postgres'] = null;
  if (proxy) {
    volumes['caddy-data'] = null;
    volumes['caddy-config'] = null;
  }
  const networks: Record<string, unknown> = { web: {} };
  if (pg) networks.db = { internal: true };

  const doc: Record<string, unknown> = { services, networks };
  if (Object.keys(volumes).length) doc.volumes = volumes;
  const header =
    '# Written by harden-init for Langflow. Settings and secrets live in .env; re-run harden-init to change them.\n';
  // Every string double-quoted: Compose v1 reads YAML 1.1, where 80:80 is a number and `on` a boolean.
  return (
    header +
    stringify(doc, {
      defaultStringType: 'QUOTE_DOUBLE',
      defaultKeyType: 'PLAIN',
      lineWidth: 0,
      nullStr: '',
      aliasDuplicateObjects: false,
    })
  );
}

function langflowService(a: LangflowAnswers, pg: boolean): Record<string, unknown> {
  const langflow: Record<string, unknown> = {
    image: langflowImage(a.release),
    // The image's own user; pinned so a changed image default can never make it root.
    user: '1000:0',
    restart: 'unless-stopped',
    environment: langflowEnvironment(a, envRef),
    volumes: [a.db === 'sqlite' ? `${a.dbPath}:${CONFIG_DIR}` : `langflow-config:${CONFIG_DIR}`],
    networks: pg ? ['web', 'db'] : ['web'],
    healthcheck: {
      // /health answers before the app is ready; /health_check also checks the database.
      test: ['CMD', 'curl', '-fsS', '-o', '/dev/null', `http://127.0.0.1:${LANGFLOW_PORT}/health_check`],
      interval: '15s',
      timeout: '10s',
      retries: 5,
      start_period: '180s',
    },
    security_opt: NO_NEW_PRIVILEGES,
    cap_drop: ['ALL'],
    logging: LOGGING,
  };
  // Not read_only: Langflow writes caches and installs component dependencies at run time outside /app/langflow.
  if (pg) langflow.depends_on = { postgres: { condition: 'service_healthy' } };
  if (a.https === 'proxy') langflow.ports = publishedPorts(a);
  return langflow;
}

function postgresService(a: LangflowAnswers): Record<string, unknown> {
  return {
    image: POSTGRES_IMAGE,
    restart: 'unless-stopped',
    environment: {
      POSTGRES_USER: envRef('POSTGRES_USER'),
      POSTGRES_PASSWORD: envRef('POSTGRES_PASSWORD'),
      POSTGRES_DB: envRef('POSTGRES_DB'),
    },
    volumes: [a.db === 'path' ? `${a.dbPath}:/var/lib/postgresql/data` : 'langflow-postgres:/var/lib/postgresql/data'],
    // Internal network only: no route to or from outside, no published port.
    networks: ['db'],
    healthcheck: {
      // Over TCP: during first initialisation the temporary server listens on the socket only.
      test: ['CMD-SHELL', 'pg_isready -q -h 127.0.0.1 -U "$${POSTGRES_USER}" -d "$${POSTGRES_DB}"'],
      interval: '10s',
      timeout: '5s',
      retries: 10,
      start_period: '30s',
    },
    read_only: true,
    tmpfs: ['/var/run/postgresql', '/tmp'],
    security_opt: NO_NEW_PRIVILEGES,
    // What the official entrypoint needs to take ownership of its data directory and drop to the postgres user.
    cap_drop: ['ALL'],
    cap_add: ['CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'SETGID', 'SETUID'],
    logging: LOGGING,
  };
}

function caddyService(a: LangflowAnswers, opts: RenderOptions): Record<string, unknown> {
  const file = caddyfile(a, opts)!;
  return {
    image: CADDY_IMAGE,
    restart: 'unless-stopped',
    ports: publishedPorts(a),
    volumes: [`./${CADDYFILE}:/etc/caddy/Caddyfile:ro`, 'caddy-data:/data', 'caddy-config:/config'],
    networks: ['web'],
    depends_on: ['langflow'],
    // Compose does not look into a mounted file: a changed Caddyfile changes this label, so `up -d` recreates caddy.
    labels: { [CADDYFILE_LABEL]: sha256(file) },
    read_only: true,
    tmpfs: ['/tmp'],
    security_opt: NO_NEW_PRIVILEGES,
    cap_drop: ['ALL'],
    cap_add: ['NET_BIND_SERVICE'],
    logging: LOGGING,
  };
}

/** The Caddyfile for the bundled proxy (https auto/off); undefined in proxy mode (no Caddy). */
export function caddyfile(a: LangflowAnswers, opts: RenderOptions = {}): string | undefined {
  if (!bundledProxy(a)) return undefined;
  const auto = a.https === 'auto';
  const global: string[] = ['\tadmin off'];
  if (auto && a.email) {
    // A hand-edited .env reaches here without the flag's validation.
    const bad = caddyEmailError(a.email);
    if (bad) throw usageError(`ACME_EMAIL (the --email of the bundled Caddy): ${bad}`);
    global.push(`\temail ${a.email}`);
  }
  if (opts.tlsInternal) global.push('\tskip_install_trust');
  // HTTP/3 needs 443/udp, which is not published.
  global.push('\tservers {', '\t\tprotocols h1 h2', '\t}');

  const site: string[] = [];
  if (auto && opts.tlsInternal) site.push('\ttls internal');
  if (a.console === 'ips') {
    site.push(
      `\t@outside {`,
      `\t\tnot remote_ip ${(a.consoleIps ?? []).join(' ')}`,
      `\t\tnot path ${OPEN_PATHS.join(' ')}`,
      '\t}',
    );
    site.push(`\trespond @outside "${ALLOWLIST_REFUSAL}" 403`);
  }
  site.push('\theader {');
  // HSTS only where the certificate is Caddy's own: with off there is no HTTPS to pin.
  if (auto) site.push('\t\tStrict-Transport-Security "max-age=31536000"');
  // No other site may frame the UI (clickjacking a logged-in superuser): the old
  // header for old browsers, CSP for the rest.
  site.push('\t\tX-Frame-Options DENY', '\t\tContent-Security-Policy "frame-ancestors \'none\'"');
  site.push(
    '\t\tX-Content-Type-Options nosniff',
    '\t\tReferrer-Policy strict-origin-when-cross-origin',
    '\t\t-Server',
    '\t}',
  );
  // WebSockets pass through reverse_proxy as they are; Caddy sets no request-body limit, so uploads are bounded
  // by Langflow's own LANGFLOW_MAX_FILE_SIZE_UPLOAD. flush_interval -1 streams chat responses as they come.
  site.push(`\treverse_proxy langflow:${LANGFLOW_PORT} {`, '\t\tflush_interval -1', '\t}');

  const host = a.domain.includes(':') ? `[${a.domain}]` : a.domain;
  return [
    '# Written by harden-init for Langflow; re-run harden-init to change it (hand edits are replaced).',
    '{',
    ...global,
    '}',
    '',
    `${auto ? host : 'http://'} {`,
    ...site,
    '}',
    '',
    ...(auto ? httpsRedirect(host, a.httpsPort) : []),
  ].join('\n');
}

/**
 * Caddy's own HTTP→HTTPS redirect names the port it listens on in the container (443); published on another host
 * port, that address leads nowhere. So with a non-default --https-port the redirect is written out, to the published
 * port (Caddy still answers ACME HTTP challenges on that site before any route of it).
 */
function httpsRedirect(host: string, httpsPort: number): string[] {
  if (httpsPort === 443) return [];
  return [`http://${host} {`, `	redir https://${host}:${httpsPort}{uri} 308`, '}', ''];
}
