import { addString, service } from '../render/doc.js';
import { GATEWAY } from './publish.js';
import { sharedAddresses } from './addresses.js';
import type { Rule } from './types.js';

export const gatewayNoPhoneHome: Rule = {
  id: 'gateway-no-phone-home',
  what: 'traefik: no version check, no anonymous usage report',
  why: 'a hardened server makes no outgoing calls it does not need',
  keeps: 'routing and certificates',
  apply({ doc }) {
    const gw = service(doc, GATEWAY);
    if (!gw) return;
    addString(doc, gw, 'command', '--global.checknewversion=false');
    addString(doc, gw, 'command', '--global.sendanonymoususage=false');
  },
};

export const proxyForwardedHeaders: Rule = {
  id: 'proxy-forwarded-headers',
  what:
    "proxy mode: traefik keeps X-Forwarded-* only from the host (the shared network's gateway address, " +
    'where connections to 127.0.0.1 arrive from)',
  why:
    "without it traefik drops the proxy's headers, so Appwrite sees neither the client IP " +
    '(IP whitelist) nor https (redirect loops)',
  keeps: 'the client IP and scheme your proxy sets',
  apply({ doc, answers }) {
    const gw = service(doc, GATEWAY);
    if (!gw || answers.https !== 'proxy') return;
    // Docker forwards published ports over the container's gateway network, the first by name: the shared one
    // ("appwrite" < "gateway"); a connection from the host's loopback arrives from that bridge's own address.
    addString(
      doc,
      gw,
      'command',
      `--entrypoints.appwrite_web.forwardedHeaders.trustedIPs=${sharedAddresses(answers.subnet).gateway}/32`,
    );
  },
};
