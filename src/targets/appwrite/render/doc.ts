// Small helpers over the compose YAML document, so each hardening rule reads as what it does.
import { isMap, isScalar, isSeq, type Document, type Node, type Pair, type YAMLMap, type YAMLSeq } from 'yaml';
import { serviceNames, servicesOf } from './generator.js';

export function scalar(n: unknown): string {
  return String(isScalar(n) ? n.value : n);
}

export function eachService(doc: Document, fn: (name: string, svc: YAMLMap) => void): void {
  const services = servicesOf(doc);
  for (const name of serviceNames(services)) {
    const svc = services.get(name);
    if (isMap(svc)) fn(name, svc);
  }
}

export function service(doc: Document, name: string): YAMLMap | undefined {
  const svc = servicesOf(doc).get(name);
  return isMap(svc) ? svc : undefined;
}

/** A list-valued key as strings (a map form yields its keys), [] when absent. */
export function strings(svc: YAMLMap, key: string): string[] {
  const v = svc.get(key);
  if (isSeq(v)) return v.items.map(scalar);
  if (isMap(v)) return v.items.map((p) => scalar((p as Pair).key));
  return [];
}

export function setStrings(doc: Document, svc: YAMLMap, key: string, values: string[], quoted = false): void {
  const seq = doc.createNode(values) as YAMLSeq;
  if (quoted) for (const item of seq.items) (item as { type?: string }).type = 'QUOTE_DOUBLE';
  svc.set(key, seq);
}

/** Adds to a list-valued key (creating it); in map form adds a key with an empty value. */
export function addString(doc: Document, svc: YAMLMap, key: string, value: string): void {
  const v = svc.get(key);
  if (isSeq(v)) {
    if (!v.items.map(scalar).includes(value)) v.add(doc.createNode(value));
    return;
  }
  if (isMap(v)) {
    if (!v.has(value)) v.set(value, null);
    return;
  }
  svc.set(key, doc.createNode([value]));
}

export function removeStrings(svc: YAMLMap, key: string, drop: (value: string) => boolean): string[] {
  const v = svc.get(key);
  const removed: string[] = [];
  if (isSeq(v)) {
    v.items = v.items.filter((i) => {
      const s = scalar(i);
      if (drop(s)) {
        removed.push(s);
        return false;
      }
      return true;
    });
    if (v.items.length === 0) svc.delete(key);
  }
  return removed;
}

/** Environment variable names a service takes from .env: `- NAME`, `NAME=$X`/`${X}` references, map form. */
export function envReferences(svc: YAMLMap): string[] {
  const out = new Set<string>();
  const env = svc.get('environment');
  const items: [string, string | undefined][] = isSeq(env)
    ? env.items.map(scalar).map((e) => {
        const i = e.indexOf('=');
        return i < 0 ? [e, undefined] : [e.slice(0, i), e.slice(i + 1)];
      })
    : isMap(env)
      ? env.items.map((p) => [
          scalar((p as Pair).key),
          (p as Pair).value == null ? undefined : scalar((p as Pair).value),
        ])
      : [];
  for (const [name, value] of items) {
    if (value === undefined) out.add(name);
    else for (const m of value.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)) out.add(m[1]!);
  }
  return [...out];
}

export { interpolatedNames } from '../../../engine/compose-text.js';

export function labelsOf(svc: YAMLMap): string[] {
  const v = svc.get('labels');
  if (isSeq(v)) return v.items.map(scalar);
  if (isMap(v)) return v.items.map((p) => `${scalar((p as Pair).key)}=${scalar((p as Pair).value)}`);
  return [];
}

/** Sets a label; a `.middlewares` label upstream already sets is extended, never duplicated. */
export function addLabel(doc: Document, svc: YAMLMap, key: string, value: string): void {
  const v = svc.get('labels');
  const merge = (old: string | undefined) =>
    old && key.endsWith('.middlewares') && !old.split(',').includes(value)
      ? `${old},${value}`
      : old && key.endsWith('.middlewares')
        ? old
        : value;
  if (isMap(v)) {
    v.set(key, merge(v.has(key) ? scalar(v.get(key)) : undefined));
    return;
  }
  if (isSeq(v)) {
    const i = v.items.findIndex((n) => scalar(n).startsWith(`${key}=`));
    if (i >= 0) {
      v.set(i, doc.createNode(`${key}=${merge(scalar(v.items[i]).slice(key.length + 1))}`));
      return;
    }
  }
  addString(doc, svc, 'labels', `${key}=${value}`);
}

export function ensureNetwork(doc: Document, name: string, def: Record<string, unknown>): void {
  let nets = doc.get('networks') as YAMLMap | undefined;
  if (!isMap(nets)) {
    doc.set('networks', doc.createNode({}));
    nets = doc.get('networks') as YAMLMap;
  }
  nets.set(name, doc.createNode(def));
}

export type { Node };
