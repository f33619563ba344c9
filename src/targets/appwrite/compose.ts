// Turns the hardened base template (bundled MariaDB in a volume, ports 80/443) into the compose file for
// the user's answers. Edits go through the YAML document model so comments and layout survive.
import { isMap, isSeq, parseDocument, type Document, type YAMLMap, type YAMLSeq } from 'yaml';
import type { Answers } from '../../answers.js';

const DB_SERVICE = 'mariadb';
const DB_VOLUME = 'appwrite-mariadb';
const DB_DATA_DIR = '/var/lib/mysql';
const GATEWAY = 'traefik';

/**
 * Private ranges the local reverse proxy's connections arrive from: Docker's bridge gateways. Only
 * loopback can reach the published port in proxy mode, so trusting these is trusting local processes.
 */
export const PROXY_TRUSTED_IPS = '127.0.0.1/32,::1/128,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16';

export function renderCompose(template: string, a: Answers): string {
  const doc = parseDocument(template);
  const services = doc.get('services') as YAMLMap;
  setGatewayPorts(doc, a);
  if (a.https === 'proxy') trustProxyHeaders(doc);
  if (a.db === 'path') {
    const vols = doc.getIn(['services', DB_SERVICE, 'volumes']) as YAMLSeq;
    const i = vols.items.findIndex((n) => String((n as { value?: unknown }).value ?? n).startsWith(`${DB_VOLUME}:`));
    vols.set(i, doc.createNode(`${a.dbPath}:${DB_DATA_DIR}:rw`));
    doc.deleteIn(['volumes', DB_VOLUME]);
  } else if (a.db === 'external') {
    services.delete(DB_SERVICE);
    for (const pair of services.items) {
      const svc = pair.value as YAMLMap;
      const deps = svc.get('depends_on');
      if (isMap(deps)) {
        deps.delete(DB_SERVICE);
        if (deps.items.length === 0) svc.delete('depends_on');
      } else if (isSeq(deps)) {
        deps.items = deps.items.filter((n) => String((n as { value?: unknown }).value) !== DB_SERVICE);
        if (deps.items.length === 0) svc.delete('depends_on');
      }
    }
    doc.deleteIn(['volumes', DB_VOLUME]);
  }
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}

function setGatewayPorts(doc: Document, a: Answers): void {
  const ports =
    a.https === 'auto' ? [`${a.httpPort}:80`, `${a.httpsPort}:443`]
    : a.https === 'proxy' ? [`127.0.0.1:${a.httpPort}:80`] // the user's proxy on this host is the only client
    : [`${a.httpPort}:80`];
  const seq = doc.createNode(ports) as YAMLSeq;
  for (const item of seq.items) (item as { type?: string }).type = 'QUOTE_DOUBLE';
  doc.setIn(['services', GATEWAY, 'ports'], seq);
}

function trustProxyHeaders(doc: Document): void {
  const cmd = doc.getIn(['services', GATEWAY, 'command']) as YAMLSeq;
  // Keep X-Forwarded-For/-Proto from the proxy, so Appwrite sees the client IP (whitelist) and https (redirects).
  cmd.add(doc.createNode(`--entrypoints.appwrite_web.forwardedHeaders.trustedIPs=${PROXY_TRUSTED_IPS}`));
}
