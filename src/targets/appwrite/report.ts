// What a run tells the operator about an Appwrite install: the summary, warnings the answers call for, and
// the next steps once it runs.
import type { Answers } from './answers.js';
import { lineOf } from './releases.js';
import { keepSafeLines } from '../../core/keep-safe.js';
import { urlHost } from '../../core/url-host.js';

export function appwriteSummary(a: Answers, dir: string): [string, string][] {
  const engine = a.dbEngine === 'postgresql' ? 'PostgreSQL' : 'MariaDB';
  const rows: [string, string][] = [
    ['Release', `Appwrite ${a.release}${a.topology ? ` (${a.topology} workers)` : ''}`],
    ['Directory', dir],
    ['Domain', a.domain],
    [
      'HTTPS',
      a.https === 'auto'
        ? `Appwrite certificates; ports ${a.httpPort}, ${a.httpsPort}`
        : a.https === 'proxy'
          ? `your reverse proxy; HTTP on 127.0.0.1:${a.httpPort}`
          : `off (plain HTTP on port ${a.httpPort})`,
    ],
    ['Security e-mail', a.email],
    [
      'Console sign-up',
      a.console === 'root'
        ? 'first user only, others by invitation'
        : a.console === 'emails'
          ? `listed e-mails: ${a.consoleEmails!.join(', ')}`
          : a.console === 'ips'
            ? `listed IPs: ${a.consoleIps!.join(', ')}`
            : 'open to anyone',
    ],
    [
      'Database',
      a.db === 'volume'
        ? `bundled ${engine}, Docker volume appwrite-${a.dbEngine}`
        : a.db === 'path'
          ? `bundled ${engine}, data in ${a.dbPath}`
          : `external ${engine} ${a.dbUser}@${a.dbHost}:${a.dbPort}/${a.dbName}`,
    ],
    [
      'Mail',
      a.smtpHost
        ? `${a.smtpHost}:${a.smtpPort} (${a.smtpSecure}) as ${a.smtpSender}`
        : 'not set up: no invitations or recovery e-mails',
    ],
  ];
  if (a.mqtt !== undefined)
    rows.push(['MQTT', a.mqtt ? 'published on 8883 (TLS) and 8084 (WebSocket)' : 'not published']);
  return rows;
}

export function appwriteWarnings(a: Answers): string[] {
  const out: string[] = [];
  if (a.https === 'auto' && a.httpPort !== 80)
    out.push(
      `HTTP is on port ${a.httpPort}: Let's Encrypt's HTTP challenge needs port 80 reachable from the internet, so ` +
        `certificates will fail unless something forwards port 80 here.`,
    );
  if (a.https === 'proxy' && a.console === 'ips' && lineOf(a.release) === '1.9') {
    out.push(
      [
        'Appwrite 1.9 takes the client IP from the leftmost X-Forwarded-For entry of any request, so a ' +
          'client can pick its own IP unless your proxy overwrites the header (2.x has ' +
          '_APP_TRUSTED_PROXIES). Set it in your proxy:',
        '  nginx: proxy_set_header X-Forwarded-For $remote_addr;',
        `  Caddy: reverse_proxy 127.0.0.1:${a.httpPort} { header_up X-Forwarded-For {remote_host} }`,
      ].join('\n'),
    );
  }
  return out;
}

export const appwriteUrl = (a: Answers): string => `${a.https === 'off' ? 'http' : 'https'}://${urlHost(a.domain)}/`;

/** Who the first account is, per console sign-up mode: what the operator must do before anyone else does. */
function firstAccount(a: Answers): string {
  switch (a.console) {
    case 'root':
      return (
        "Create the first account now: it becomes the console's owner and sign-up closes " +
        'behind it (others join by invitation).'
      );
    case 'emails':
      return (
        `Sign up with a listed address (${a.consoleEmails!.join(', ')}): only these can ` +
        `create console accounts, each its own.`
      );
    case 'ips':
      return (
        `Sign up from a listed address (${a.consoleIps!.join(', ')}): only clients there can ` +
        `create console accounts, each its own.`
      );
    default:
      return (
        `Sign-up is open to anyone who reaches the console: create your account ` +
        `now, then close it with --console root.`
      );
  }
}

export function appwriteNextSteps(a: Answers, dirArg: string): string[] {
  return [
    `Open ${appwriteUrl(a)}`,
    firstAccount(a),
    ...(a.https === 'auto'
      ? [`Point the DNS name ${a.domain} at this server; the certificate needs port ${a.httpPort} reachable.`]
      : []),
    '',
    ...keepSafeLines(dirArg),
  ];
}
