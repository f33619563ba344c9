import { isMap, isSeq, type YAMLMap } from 'yaml';
import { addString, scalar, service } from '../render/doc.js';
import { RenderError } from '../render/generator.js';
import { hasTrustedProxies } from '../releases.js';
import type { Answers } from '../answers.js';
import { SHARED_NETWORK, sharedAddresses } from './addresses.js';
import { GATEWAY } from './publish.js';
import type { Rule } from './types.js';

/**
 * Services that take the client IP from X-Forwarded-For through _APP_TRUSTED_PROXIES: the API (app/http.php) and
 * realtime (app/realtime.php). Upstream's compose passes the variable to neither, so a value in .env alone does
 * nothing and both run with the built-in default (loopback and every private range).
 */
export const TRUSTED_PROXIES_READERS = ['appwrite', 'appwrite-realtime'];

/** The peers Appwrite takes X-Forwarded-For from: traefik, and in proxy mode the host (the operator's proxy). */
export function trustedProxies(a: Pick<Answers, 'https' | 'subnet'>): string {
  const at = sharedAddresses(a.subnet);
  return a.https === 'proxy' ? `${at.traefik}/32,${at.gateway}/32` : `${at.traefik}/32`;
}

export const fixedGatewayAddress: Rule = {
  id: 'trusted-proxies',
  what:
    'the network traefik shares with Appwrite gets a fixed subnet (--subnet, default 10.213.78.0/24; Docker ' +
    'assigns from its upper half) and traefik a fixed address in it; on 2.3+ appwrite and realtime receive ' +
    "_APP_TRUSTED_PROXIES: traefik's address, in proxy mode also the host's (the bridge gateway)",
  why:
    'upstream passes _APP_TRUSTED_PROXIES to no service, so Appwrite trusts X-Forwarded-For from loopback and ' +
    'every private range, including the function and build containers on that network: they could pick their client ' +
    'IP past --console ips and the IP rate limits',
  keeps: 'the client IP traefik reports (in proxy mode: the one your proxy on this host sets)',
  apply({ doc, answers }) {
    const at = sharedAddresses(answers.subnet);
    const nets = doc.get('networks');
    const net = isMap(nets) ? nets.get(SHARED_NETWORK) : undefined;
    if (!isMap(nets) || (net !== null && net !== undefined && !isMap(net)) || !nets.has(SHARED_NETWORK)) {
      throw new RenderError(
        `upstream's compose file declares no "${SHARED_NETWORK}" network to give traefik a fixed address on`,
      );
    }
    const def = (isMap(net) ? net : doc.createNode({})) as YAMLMap;
    def.set('ipam', doc.createNode({ config: [{ subnet: at.subnet, ip_range: at.ipRange, gateway: at.gateway }] }));
    nets.set(SHARED_NETWORK, def);

    const gw = service(doc, GATEWAY);
    if (gw) {
      const list = gw.get('networks');
      const names = isSeq(list) ? list.items.map(scalar) : isMap(list) ? list.items.map((p) => scalar(p.key)) : [];
      if (!names.includes(SHARED_NETWORK))
        throw new RenderError(`upstream's traefik is not on the "${SHARED_NETWORK}" network`);
      // Map form: the only way to give one network an address; the others keep their defaults.
      const map = doc.createNode({}) as YAMLMap;
      for (const n of names) map.set(n, isMap(list) && isMap(list.get(n)) ? list.get(n) : null);
      map.set(SHARED_NETWORK, doc.createNode({ ipv4_address: at.traefik }));
      gw.set('networks', map);
    }

    if (!hasTrustedProxies(answers.release)) return;
    for (const name of TRUSTED_PROXIES_READERS) {
      const svc = service(doc, name);
      if (svc) addString(doc, svc, 'environment', '_APP_TRUSTED_PROXIES');
    }
  },
};
