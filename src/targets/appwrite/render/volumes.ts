// Reads a service's volume entries in their short form (`source:target[:mode]`) or long form.
import { isMap, isSeq, type YAMLMap } from 'yaml';
import { scalar } from './doc.js';

export interface Mount {
  source: string;
  target: string;
  raw: string;
}

export function mountsOf(svc: YAMLMap): Mount[] {
  const v = svc.get('volumes');
  if (!isSeq(v)) return [];
  return v.items.map((i) => {
    if (isMap(i))
      return {
        source: scalar(i.get('source') ?? ''),
        target: scalar(i.get('target') ?? ''),
        raw: JSON.stringify(i.toJSON()),
      };
    const raw = scalar(i);
    const [source = '', target = ''] = raw.split(':');
    return { source, target, raw };
  });
}

export const DOCKER_SOCKET = '/var/run/docker.sock';
export const isSocket = (m: Mount) => m.source === DOCKER_SOCKET || m.source === '/run/docker.sock';
/**
 * A bind mount of a host path (absolute, relative or home), as opposed to a named volume. A source Compose
 * interpolates (`${DIR:-./data}`) counts too: it is a host path whenever the variable holds one (fail safe).
 */
export const isHostPath = (m: Mount) => /^[./~$]/.test(m.source);
