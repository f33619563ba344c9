import { eachService, service, setStrings } from '../render/doc.js';
import type { Answers } from '../answers.js';
import type { Rule } from './types.js';

export const GATEWAY = 'traefik';
export const MQTT_PORTS = { tls: 8883, wss: 8084 };

/** Host ports the gateway publishes for these answers; nothing else publishes any. */
export function gatewayPorts(a: Answers): string[] {
  const ports =
    a.https === 'auto'
      ? [`${a.httpPort}:80`, `${a.httpsPort}:443`]
      : a.https === 'proxy'
        ? [`127.0.0.1:${a.httpPort}:80`] // the user's proxy on this host is the only client
        : [`${a.httpPort}:80`];
  // Proxy mode promises 127.0.0.1 only: MQTT too (the operator's proxy forwards it if it should be public).
  const host = a.https === 'proxy' ? '127.0.0.1:' : '';
  if (a.mqtt) ports.push(`${host}${MQTT_PORTS.tls}:8883`, `${host}${MQTT_PORTS.wss}:8084`);
  return ports;
}

export const publishGatewayOnly: Rule = {
  id: 'publish-gateway-only',
  what:
    'only traefik publishes ports: HTTP, HTTPS (auto mode), MQTT 8883/8084 only with --mqtt; proxy mode binds ' +
    'every published port (MQTT included) to 127.0.0.1',
  why: 'every published port is reachable from the internet; upstream publishes MQTT on 2.3+ whether used or not',
  keeps: 'the API, console and realtime through traefik; MQTT when asked',
  apply({ doc, answers, accepted }) {
    eachService(doc, (name, svc) => {
      if (name !== GATEWAY && !accepted.has(name)) svc.delete('ports');
    });
    const gw = service(doc, GATEWAY);
    if (gw) setStrings(doc, gw, 'ports', gatewayPorts(answers), true);
  },
};
