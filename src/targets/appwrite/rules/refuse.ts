// Fail safe: what upstream's file asks for that these rules do not know how to harden is refused until
// the operator accepts it by name (--accept-upstream <service|VARIABLE>). Runs on every install, re-run
// and upgrade, so a newer release than the table cannot slip in a risk unseen.
import type { Document, YAMLMap } from 'yaml';
import { eachService, scalar, strings } from '../render/doc.js';
import { isHostPath, isSocket, mountsOf } from '../render/volumes.js';
import type { UpstreamFiles } from '../upstream/types.js';
import { classifySecrets } from '../secret-names.js';

export type Capability =
  | 'ports'
  | 'docker-socket'
  | 'host-path'
  | 'privileged'
  | 'root-user'
  | 'host-namespace'
  | 'capabilities'
  | 'unconfined'
  | 'devices';

/** Services whose risky needs are known and handled (or deliberately kept) by the rules. */
export const KNOWN_CAPABILITIES: Record<string, Capability[]> = {
  traefik: ['ports', 'docker-socket'], // ports: re-published by publish-gateway-only; socket: replaced by the proxy
  'openruntimes-executor': ['docker-socket', 'host-path'], // starts runtime containers; shares /tmp with them
  orchestrator: ['docker-socket', 'root-user'], // 2.x: starts build containers
};

export type { Finding } from '../../types.js';
import type { Finding } from '../../types.js';

export function capabilitiesOf(svc: YAMLMap): { cap: Capability; detail: string }[] {
  const out: { cap: Capability; detail: string }[] = [];
  const ports = strings(svc, 'ports');
  if (ports.length) out.push({ cap: 'ports', detail: `publishes ${ports.join(', ')}` });
  for (const m of mountsOf(svc)) {
    if (isSocket(m)) out.push({ cap: 'docker-socket', detail: `mounts the Docker socket (${m.source})` });
    else if (isHostPath(m)) out.push({ cap: 'host-path', detail: `mounts the host path ${m.source}` });
  }
  if (scalar(svc.get('privileged') ?? '') === 'true') out.push({ cap: 'privileged', detail: 'runs privileged' });
  const user = scalar(svc.get('user') ?? '');
  if (user === 'root' || user === '0' || user.startsWith('0:') || user.startsWith('root:'))
    out.push({ cap: 'root-user', detail: 'runs as root (user: root)' });
  for (const ns of ['network_mode', 'pid', 'ipc', 'userns_mode']) {
    if (scalar(svc.get(ns) ?? '') === 'host')
      out.push({ cap: 'host-namespace', detail: `shares the host's ${ns.replace('_mode', '')} namespace` });
  }
  const unconfined = strings(svc, 'security_opt').filter((o) => /unconfined/.test(o));
  if (unconfined.length) out.push({ cap: 'unconfined', detail: `drops kernel confinement (${unconfined.join(', ')})` });
  const devices = strings(svc, 'devices');
  if (devices.length) out.push({ cap: 'devices', detail: `gets host devices ${devices.join(', ')}` });
  const caps = strings(svc, 'cap_add');
  if (caps.length) out.push({ cap: 'capabilities', detail: `adds capabilities ${caps.join(', ')}` });
  return out;
}

function entrypointOf(svc: YAMLMap): string | undefined {
  const e = svc.get('entrypoint');
  if (e === undefined || e === null) return undefined;
  const list = strings(svc, 'entrypoint');
  return list.length ? list[0] : scalar(e).trim().split(/\s+/)[0];
}

export function findUnknowns(doc: Document, files: UpstreamFiles, generated: Set<string>): Finding[] {
  const findings: Finding[] = [];
  eachService(doc, (name, svc) => {
    const allowed = KNOWN_CAPABILITIES[name] ?? [];
    for (const { cap, detail } of capabilitiesOf(svc)) {
      if (allowed.includes(cap)) continue;
      findings.push({
        subject: name,
        kind: 'service',
        what: `service ${name} ${detail}, which harden-init's rules do not know how to harden`,
        accepting: `${name} is written as upstream wrote it (${detail})`,
      });
    }
    const image = scalar(svc.get('image') ?? '');
    const entry = entrypointOf(svc);
    if (entry && files.executables.length && /appwrite\/appwrite/.test(image) && !files.executables.includes(entry)) {
      findings.push({
        subject: name,
        kind: 'service',
        what:
          `service ${name} runs "${entry}", which appwrite/appwrite:${files.version} does not ship in ` +
          `/usr/local/bin (it would restart forever)`,
        accepting: `${name} is kept although its entrypoint is missing`,
      });
    }
  });
  for (const v of classifySecrets(files.variables).unknown) {
    if (generated.has(v)) continue;
    findings.push({
      subject: v,
      kind: 'variable',
      what: `variable ${v} looks like a secret harden-init does not know (it would keep upstream's default)`,
      accepting: `${v} gets a crypto-random value like the other generated secrets`,
    });
  }
  return findings;
}
