// Fixed addresses on the network traefik shares with Appwrite, so Appwrite and traefik can trust exactly the hops
// that exist (traefik itself; in proxy mode the host) instead of every private range, which also holds the
// function and build containers on that network.
import { isIPv4 } from 'node:net';

/** The network traefik and Appwrite's HTTP services share (upstream's name). */
export const SHARED_NETWORK = 'appwrite';
/** A /24 from 10/8 away from Docker's default pools (172.17–31/16, 192.168/20) and the usual 10.0.x/10.1.x LANs. */
export const DEFAULT_SUBNET = '10.213.78.0/24';

const toInt = (ip: string) => ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
const toIp = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
const PRIVATE = [
  ['10.0.0.0', 8],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
] as const;

/** undefined when the value is a private IPv4 network of /16 to /24 written with its first address. */
export function subnetError(v: string): string | undefined {
  const m = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(v);
  const shape = `must be a private IPv4 network from /16 to /24 like ${DEFAULT_SUBNET} (got "${v}")`;
  if (!m || !isIPv4(m[1]!)) return shape;
  const bits = Number(m[2]);
  if (bits < 16 || bits > 24) return shape;
  const base = toInt(m[1]!);
  if (base % 2 ** (32 - bits) !== 0)
    return `${v} is not the start of a /${bits} network (that is ${toIp(base - (base % 2 ** (32 - bits)))}/${bits})`;
  const inside = PRIVATE.some(
    ([net, n]) => bits >= n && Math.floor(base / 2 ** (32 - n)) === Math.floor(toInt(net) / 2 ** (32 - n)),
  );
  if (!inside) return `${v} is not in a private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16)`;
  return undefined;
}

export interface SharedAddresses {
  subnet: string;
  /** The bridge's own address on the host: where connections from the host (docker-proxy or NAT) arrive from. */
  gateway: string;
  /** Traefik's fixed address, outside the range Docker hands out, so no container can take it first. */
  traefik: string;
  /** The upper half of the subnet: what Docker assigns to every other container. */
  ipRange: string;
}

export function sharedAddresses(subnet: string = DEFAULT_SUBNET): SharedAddresses {
  const [ip, bits] = subnet.split('/') as [string, string];
  const base = toInt(ip);
  const half = 2 ** (32 - Number(bits) - 1);
  return {
    subnet,
    gateway: toIp(base + 1),
    traefik: toIp(base + 2),
    ipRange: `${toIp(base + half)}/${Number(bits) + 1}`,
  };
}
