import { isSeq, type YAMLMap } from 'yaml';
import { addString, ensureNetwork, service } from '../render/doc.js';
import { DOCKER_SOCKET, isSocket, mountsOf } from '../render/volumes.js';
import { GATEWAY } from './publish.js';
import type { Rule } from './types.js';

export const SOCKET_PROXY = 'docker-socket-proxy';
// tecnativa/docker-socket-proxy: HAProxy in front of the socket; each API section is off unless its
// variable is 1 (CONTAINERS), and POST (any write) is off by default. Pinned, like every other image.
export const SOCKET_PROXY_IMAGE = 'tecnativa/docker-socket-proxy:0.3.0';
export const SOCKET_NETWORK = 'socket-proxy';

export const traefikViaSocketProxy: Rule = {
  id: 'socket-proxy',
  what: 'traefik reads containers through a read-only docker-socket-proxy (containers only) on an internal network instead of mounting the Docker socket',
  why: 'whoever reaches the Docker API is root on the host, and a `:ro` mount protects the file, not the API; traefik faces the internet',
  keeps: 'traefik\'s Docker provider (it only lists and inspects containers and watches events); the executor and orchestrator keep the socket they need',
  apply({ doc }) {
    const gw = service(doc, GATEWAY);
    if (!gw) return;
    // Every spelling of the mount (short or long form, /var/run or /run): traefik is "known" to refuse.ts
    // only because this rule takes the socket away.
    const vols = gw.get('volumes');
    if (isSeq(vols)) {
      const socket = mountsOf(gw).map(isSocket);
      vols.items = vols.items.filter((_, i) => !socket[i]);
      if (vols.items.length === 0) gw.delete('volumes');
    }
    addString(doc, gw, 'command', `--providers.docker.endpoint=tcp://${SOCKET_PROXY}:2375`);
    addString(doc, gw, 'networks', SOCKET_NETWORK);
    ensureNetwork(doc, SOCKET_NETWORK, { internal: true });
    const services = doc.get('services') as YAMLMap;
    services.set(SOCKET_PROXY, doc.createNode({
      image: SOCKET_PROXY_IMAGE,
      container_name: 'appwrite-docker-socket-proxy',
      restart: 'unless-stopped',
      security_opt: ['no-new-privileges:true'],
      environment: ['CONTAINERS=1', 'POST=0'],
      volumes: [`${DOCKER_SOCKET}:${DOCKER_SOCKET}:ro`],
      networks: [SOCKET_NETWORK],
    }));
  },
};
