import { addString, service } from '../render/doc.js';
import { GATEWAY } from './publish.js';
import type { Rule } from './types.js';

/** Private ranges a local reverse proxy's connections arrive from (loopback and Docker's bridges). */
export const PROXY_TRUSTED_IPS = '127.0.0.1/32,::1/128,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16';

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
  what: 'proxy mode: traefik keeps X-Forwarded-* only from loopback and private ranges (HTTP is published on 127.0.0.1 only)',
  why: 'without it traefik drops the proxy\'s headers, so Appwrite sees neither the client IP (IP whitelist) nor https (redirect loops)',
  keeps: 'the client IP and scheme your proxy sets',
  apply({ doc, answers }) {
    const gw = service(doc, GATEWAY);
    if (!gw || answers.https !== 'proxy') return;
    addString(doc, gw, 'command', `--entrypoints.appwrite_web.forwardedHeaders.trustedIPs=${PROXY_TRUSTED_IPS}`);
  },
};
