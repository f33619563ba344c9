// The compose file as one model, from `docker compose config` output (what compose really sees) or from the
// file itself (harden-init's own reading when Compose is not installed: references resolved from .env, env_file
// merged, the way compose does it for the cases an install uses). Long and short syntax both.
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { readYaml } from '../engine/yaml-read.js';
import { parseEnv, toRecord } from '../engine/envfile.js';
import type { ComposeModel, Mount, PortBinding, ServiceModel } from './types.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (v === null || v === undefined ? undefined : String(v));

/**
 * Compose's interpolation of one string: `${X}`, `${X:-d}`, `${X-d}`, `${X:?e}`, `${X?e}`, `${X:+r}`, `$X`, `$$`.
 * Unset references become empty (compose warns and does the same).
 */
export function interpolate(s: string, vars: Record<string, string>): string {
  return s.replace(
    /\$(\$|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?+])((?:[^{}]|\{[^{}]*\})*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g,
    (_whole, dollar: string, name?: string, colon?: string, op?: string, arg?: string, bare?: string) => {
      if (dollar === '$') return '$';
      if (bare) return vars[bare] ?? '';
      const v = vars[name!];
      const unsetOrEmpty = colon ? !v : v === undefined;
      if (op === '-') return unsetOrEmpty ? interpolate(arg ?? '', vars) : v!;
      if (op === '+') return unsetOrEmpty ? '' : interpolate(arg ?? '', vars);
      return v ?? '';
    },
  );
}

function deepInterpolate(v: unknown, vars: Record<string, string>): unknown {
  if (typeof v === 'string') return interpolate(v, vars);
  if (Array.isArray(v)) return v.map((x) => deepInterpolate(x, vars));
  if (isObj(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, deepInterpolate(x, vars)]));
  return v;
}

/** `80:80`, `127.0.0.1:8080:80/tcp`, `[::1]:80:80`, `9000` (random host port), and the long form. */
export function parsePort(p: unknown): PortBinding | undefined {
  if (isObj(p)) {
    const target = str(p.target);
    if (!target) return undefined;
    const published = str(p.published);
    const hostIp = str(p.host_ip);
    const protocol = str(p.protocol) ?? 'tcp';
    const text = `${hostIp ? `${hostIp}:` : ''}${published ? `${published}:` : ''}${target}/${protocol}`;
    return { hostIp: hostIp || undefined, published: published || undefined, target, protocol, text };
  }
  const text = str(p);
  if (!text) return undefined;
  let rest = text;
  let protocol = 'tcp';
  const slash = rest.lastIndexOf('/');
  if (slash > 0) {
    protocol = rest.slice(slash + 1);
    rest = rest.slice(0, slash);
  }
  let hostIp: string | undefined;
  const v6 = /^\[([^\]]+)\]:(.*)$/.exec(rest);
  if (v6) {
    hostIp = v6[1];
    rest = v6[2]!;
  }
  const parts = rest.split(':');
  if (!v6 && parts.length === 3) {
    hostIp = parts.shift();
  } else if (!v6 && parts.length > 3) {
    // an unbracketed IPv6 host: the last two parts are the ports
    const target = parts.pop()!;
    const published = parts.pop()!;
    return { hostIp: parts.join(':') || undefined, published, target, protocol, text };
  }
  const target = parts.pop()!;
  const published = parts.pop();
  return { hostIp: hostIp || undefined, published: published || undefined, target, protocol, text };
}

/** `src:dst[:mode]`, `dst` (anonymous volume) and the long form. */
export function parseMount(m: unknown): Mount | undefined {
  if (isObj(m)) {
    const type = str(m.type) ?? 'volume';
    const target = str(m.target);
    if (!target) return undefined;
    const kind = type === 'bind' || type === 'volume' || type === 'tmpfs' ? type : 'other';
    return { kind, source: str(m.source), target, readOnly: m.read_only === true || m.read_only === 'true' };
  }
  const text = str(m);
  if (!text) return undefined;
  const parts = text.split(':');
  if (parts.length === 1) return { kind: 'volume', target: parts[0]!, readOnly: false };
  const [source, target, mode] = parts as [string, string, string | undefined];
  const bind = /^[./~]/.test(source);
  return { kind: bind ? 'bind' : 'volume', source, target, readOnly: (mode ?? '').split(',').includes('ro') };
}

function envRecord(v: unknown, vars?: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  if (Array.isArray(v)) {
    for (const e of v) {
      const s = String(e);
      const i = s.indexOf('=');
      if (i < 0) {
        if (vars && vars[s] !== undefined) out[s] = vars[s]!;
      } // bare name: from .env (own parse)
      else out[s.slice(0, i)] = s.slice(i + 1);
    }
  } else if (isObj(v)) {
    for (const [k, x] of Object.entries(v)) {
      if (x === null || x === undefined) {
        if (vars && vars[k] !== undefined) out[k] = vars[k]!;
      } else out[k] = String(x);
    }
  }
  return out;
}

function labelRecord(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (Array.isArray(v))
    for (const e of v) {
      const s = String(e);
      const i = s.indexOf('=');
      out[i < 0 ? s : s.slice(0, i)] = i < 0 ? '' : s.slice(i + 1);
    }
  else if (isObj(v)) for (const [k, x] of Object.entries(v)) out[k] = x == null ? '' : String(x);
  return out;
}

const argv = (v: unknown): string[] | undefined =>
  Array.isArray(v) ? v.map(String) : typeof v === 'string' ? v.trim().split(/\s+/).filter(Boolean) : undefined;

/** A parsed compose document (compose config output or an interpolated file) as the model. */
export function modelFromDoc(
  doc: unknown,
  envFile?: (path: string) => Record<string, string>,
  vars?: Record<string, string>,
): ComposeModel {
  const d = isObj(doc) ? doc : {};
  const services: Record<string, ServiceModel> = {};
  for (const [name, raw] of Object.entries(isObj(d.services) ? d.services : {})) {
    const s = isObj(raw) ? raw : {};
    // env_file first, environment wins (compose's order).
    const fromFiles: Record<string, string> = {};
    if (envFile && s.env_file !== undefined) {
      const files = Array.isArray(s.env_file) ? s.env_file : [s.env_file];
      for (const f of files) {
        const path = isObj(f) ? str(f.path) : str(f);
        if (path) Object.assign(fromFiles, envFile(path));
      }
    }
    const networks = Array.isArray(s.networks)
      ? s.networks.map(String)
      : isObj(s.networks)
        ? Object.keys(s.networks)
        : [];
    services[name] = {
      name,
      image: str(s.image),
      restart: str(s.restart),
      ports: (Array.isArray(s.ports) ? s.ports : []).map(parsePort).filter((p): p is PortBinding => p !== undefined),
      mounts: (Array.isArray(s.volumes) ? s.volumes : []).map(parseMount).filter((m): m is Mount => m !== undefined),
      networks: networks.length ? networks : s.network_mode ? [] : ['default'],
      environment: { ...fromFiles, ...envRecord(s.environment, vars) },
      labels: labelRecord(s.labels),
      entrypoint: argv(s.entrypoint),
      command: argv(s.command),
      user: str(s.user),
      privileged: s.privileged === true,
    };
  }
  const networks: Record<string, { internal: boolean }> = {};
  for (const [k, v] of Object.entries(isObj(d.networks) ? d.networks : {}))
    networks[k] = { internal: isObj(v) && v.internal === true };
  if (!networks.default) networks.default = { internal: false };
  return { services, networks };
}

/** harden-init's own reading of the file, for when Compose is not installed (`file` names it in an error). */
export function ownModel(
  composeText: string,
  env: Record<string, string>,
  dir: string,
  file = 'docker-compose.yml',
): ComposeModel {
  const doc = deepInterpolate(readYaml(composeText, file), env);
  const envFile = (path: string): Record<string, string> => {
    try {
      return toRecord(parseEnv(readFileSync(isAbsolute(path) ? path : join(dir, path), 'utf8')));
    } catch {
      return {};
    }
  };
  return modelFromDoc(doc, envFile, env);
}

/** `docker compose config` output as the model (env_file already merged, references already resolved). */
export function configModel(configText: string): ComposeModel {
  return modelFromDoc(readYaml(configText, 'the output of compose config'));
}
