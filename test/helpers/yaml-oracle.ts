// The `yaml` package (a devDependency) as the oracle for harden-init's own YAML reader and printer (src/yaml/):
// `fromLib` copies a document the library parsed into our model field for field, `project` turns either model's
// document into plain JSON of exactly the fields our model keeps, so two documents compare with toEqual.
import * as lib from 'yaml';
import { Alias, Document, Pair, Scalar, YAMLMap, YAMLSeq, type Node } from '../../src/yaml/nodes.js';

const COMMON = ['commentBefore', 'comment', 'spaceBefore', 'anchor', 'tag'] as const;
const SCALAR = ['type', 'source', 'format', 'minFractionDigits'] as const;

function copyFields(from: object, to: object, fields: readonly string[]): void {
  for (const f of fields) {
    const v = (from as Record<string, unknown>)[f];
    if (v !== undefined) (to as Record<string, unknown>)[f] = v;
  }
}

function convert(n: unknown): unknown {
  if (lib.isScalar(n)) {
    const s = new Scalar(n.value);
    copyFields(n, s, [...COMMON, ...SCALAR]);
    return s;
  }
  if (lib.isAlias(n)) {
    const a = new Alias(n.source);
    copyFields(n, a, COMMON);
    return a;
  }
  if (lib.isMap(n) || lib.isSeq(n)) {
    const c = lib.isMap(n) ? new YAMLMap() : new YAMLSeq();
    copyFields(n, c, [...COMMON, 'flow']);
    c.items = (n.items as unknown[]).map(convert) as never[];
    return c;
  }
  if (lib.isPair(n)) return new Pair(convert(n.key), convert(n.value));
  return n; // a plain value held where a node could be
}

/** Our model's copy of a document the `yaml` library parsed (or built). */
export function fromLib(doc: lib.Document): Document {
  const d = new Document();
  d.contents = convert(doc.contents) as Node | null;
  copyFields(doc, d, ['commentBefore', 'comment']);
  // The `---` / `...` markers the document was written with (printed back).
  if (doc.directives?.docStart || doc.directives?.docEnd) d.directives = { docStart: doc.directives.docStart === true || undefined, docEnd: doc.directives.docEnd || undefined };
  return d;
}

function toLibNode(n: unknown, doc: lib.Document): unknown {
  if (n instanceof Scalar) { const s = new lib.Scalar(n.value); copyFields(n, s, [...COMMON, ...SCALAR]); return s; }
  if (n instanceof Alias) { const a = new lib.Alias(n.source); copyFields(n, a, COMMON); return a; }
  if (n instanceof YAMLMap || n instanceof YAMLSeq) {
    const c = n instanceof YAMLMap ? new lib.YAMLMap(doc.schema) : new lib.YAMLSeq(doc.schema);
    copyFields(n, c, [...COMMON, 'flow']);
    c.items = n.items.map((x) => toLibNode(x, doc)) as never[];
    return c;
  }
  if (n instanceof Pair) return new lib.Pair(toLibNode(n.key, doc), toLibNode(n.value, doc));
  return n;
}

/** The `yaml` library's copy of a document in our model (the other direction of fromLib). */
export function toLib(doc: Document): lib.Document {
  const d = new lib.Document();
  d.contents = toLibNode(doc.contents, d) as never;
  copyFields(doc, d, ['commentBefore', 'comment']);
  if (doc.directives?.docStart) d.directives!.docStart = true;
  if (doc.directives?.docEnd) d.directives!.docEnd = true;
  return d;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function fields(n: object, list: readonly string[]): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const f of list) {
    const v = (n as Record<string, unknown>)[f];
    // Absent, undefined, null and false mean the same to the printer.
    if (v !== undefined && v !== null && v !== false) out[f] = v as Json;
  }
  return out;
}

const value = (v: unknown): Json => (typeof v === 'number' && !Number.isFinite(v) ? `number:${v}` : Object.is(v, -0) ? 'number:-0' : (v as Json));

/** Plain JSON of a node in either model (ours or the library's), limited to the fields our model keeps. */
export function project(n: unknown): Json {
  if (lib.isScalar(n) || n instanceof Scalar) return { S: value((n as Scalar).value), ...fields(n, [...COMMON, ...SCALAR]) };
  if (lib.isAlias(n) || n instanceof Alias) return { A: (n as Alias).source, ...fields(n, COMMON) };
  if (lib.isMap(n) || n instanceof YAMLMap) return { M: (n as YAMLMap).items.map(project), ...fields(n, [...COMMON, 'flow']) };
  if (lib.isSeq(n) || n instanceof YAMLSeq) return { Q: (n as YAMLSeq).items.map(project), ...fields(n, [...COMMON, 'flow']) };
  if (lib.isPair(n) || n instanceof Pair) return { P: [project((n as Pair).key), project((n as Pair).value)] };
  if (lib.isDocument(n) || n instanceof Document) {
    const markers = (n as Document).directives;
    return { D: project((n as Document).contents), ...fields(n, ['commentBefore', 'comment']), start: markers?.docStart === true, end: markers?.docEnd === true };
  }
  return { plain: value(n ?? null) };
}
