// The YAML document model harden-init edits compose files in: maps, sequences, scalars, aliases, each keeping
// what printing it back needs (comments, blank lines, quoting style, flow style, anchors). Its fields and
// methods follow the `yaml` package's (v2) document API, which this replaces in the bundle (issue 12): the same
// names mean the same thing, so `yaml` stays the test oracle (test/helpers/yaml-oracle.ts) for the parser and
// the printer, and the code that edits documents reads as before.

import { stringifyDocument, type StringifyOptions } from './stringify.js';

export type ScalarType = 'PLAIN' | 'QUOTE_DOUBLE' | 'QUOTE_SINGLE' | 'BLOCK_LITERAL' | 'BLOCK_FOLDED';

/** What every node may carry besides its value. */
abstract class NodeBase {
  /** Comment lines above the node (without `#`, joined by "\n"). */
  commentBefore?: string | null;
  /** The comment after the node (on its line, or below a collection). */
  comment?: string | null;
  /** A blank line before the node. */
  spaceBefore?: boolean;
  anchor?: string;
  /** An explicit tag (`!!str`, `!custom`), as written. */
  tag?: string;
}

export class Scalar<T = unknown> extends NodeBase {
  static readonly PLAIN = 'PLAIN';
  static readonly QUOTE_DOUBLE = 'QUOTE_DOUBLE';
  static readonly QUOTE_SINGLE = 'QUOTE_SINGLE';
  static readonly BLOCK_LITERAL = 'BLOCK_LITERAL';
  static readonly BLOCK_FOLDED = 'BLOCK_FOLDED';
  value: T;
  /** How the scalar was written; undefined for created nodes (printed plain when that reads back the same). */
  type?: ScalarType;
  /** The scalar's text as written in the source (parsed nodes only). */
  source?: string;
  /** Number formats kept from the source: `HEX`, `OCT`, `EXP`; fraction digits for `1.50`. */
  format?: string;
  minFractionDigits?: number;
  constructor(value: T) {
    super();
    this.value = value;
  }
  toJSON(): T {
    return this.value;
  }
}

export class Alias extends NodeBase {
  /** The anchor name it refers to. */
  source: string;
  constructor(source: string) {
    super();
    this.source = source;
  }
  /** The node the alias refers to: the last node before it in document order with that anchor. */
  resolve(doc: Document): Node | undefined {
    let found: Node | undefined;
    let done = false;
    const walk = (n: unknown): void => {
      if (done || !n || typeof n !== 'object') return;
      if (n === this) { done = true; return; }
      if (n instanceof Pair) { walk(n.key); walk(n.value); return; }
      if ((n as NodeBase).anchor === this.source) found = n as Node;
      if (n instanceof YAMLMap || n instanceof YAMLSeq) for (const it of n.items) walk(it);
    };
    walk(doc.contents);
    return found;
  }
}

export class Pair<K = unknown, V = unknown> {
  key: K;
  value: V | null;
  constructor(key: K, value: V | null = null) {
    this.key = key;
    this.value = value;
  }
}

/** Whether a map key (node or plain value) stands for `key`. */
function keyMatches(candidate: unknown, key: unknown): boolean {
  const want = key instanceof Scalar ? key.value : key;
  return candidate === key || candidate === want || (candidate instanceof Scalar && candidate.value === want);
}

const isScalarValue = (v: unknown) => v === null || (typeof v !== 'object' && typeof v !== 'function');

export class YAMLMap<K = unknown, V = unknown> extends NodeBase {
  items: Pair<K, V>[] = [];
  /** Written `{ a: b }` rather than as a block. */
  flow?: boolean;
  private pair(key: unknown): Pair<K, V> | undefined {
    return this.items.find((p) => keyMatches(p.key, key));
  }
  /** The value at `key`: a scalar's value unless keepScalar. */
  get(key: unknown, keepScalar?: boolean): unknown {
    const v = this.pair(key)?.value;
    return (!keepScalar && v instanceof Scalar ? v.value : v) ?? undefined;
  }
  has(key: unknown): boolean {
    return this.pair(key) !== undefined;
  }
  /** Sets a value; an existing scalar node keeps its node (and comments) and takes the new value. */
  set(key: unknown, value: unknown): void {
    const prev = this.pair(key);
    if (!prev) { this.items.push(new Pair(key as K, value as V)); return; }
    if (prev.value instanceof Scalar && isScalarValue(value)) prev.value.value = value;
    else prev.value = value as V;
  }
  add(pair: Pair<K, V>): void {
    if (this.has(pair.key)) throw new Error(`Key ${String(pair.key)} already set`);
    this.items.push(pair);
  }
  delete(key: unknown): boolean {
    const p = this.pair(key);
    if (!p) return false;
    this.items.splice(this.items.indexOf(p), 1);
    return true;
  }
  toJSON(): Record<string, unknown> {
    return toJS(this) as Record<string, unknown>;
  }
}

const index = (key: unknown): number | undefined => {
  const k = key instanceof Scalar ? key.value : key;
  const n = typeof k === 'number' ? k : typeof k === 'string' ? Number(k) : NaN;
  return Number.isInteger(n) && n >= 0 ? n : undefined;
};

export class YAMLSeq<T = unknown> extends NodeBase {
  items: T[] = [];
  /** Written `[a, b]` rather than as a block. */
  flow?: boolean;
  get(key: unknown, keepScalar?: boolean): unknown {
    const i = index(key);
    const v = i === undefined ? undefined : this.items[i];
    return !keepScalar && v instanceof Scalar ? v.value : v;
  }
  has(key: unknown): boolean {
    const i = index(key);
    return i !== undefined && i < this.items.length;
  }
  /** Sets item i; an existing scalar node keeps its node (and comments) and takes the new value. */
  set(key: unknown, value: unknown): void {
    const i = index(key);
    if (i === undefined) throw new Error(`Expected a valid index, not ${String(key)}.`);
    const prev = this.items[i];
    if (prev instanceof Scalar && isScalarValue(value)) prev.value = value;
    else this.items[i] = value as T;
  }
  add(value: T): void {
    this.items.push(value);
  }
  delete(key: unknown): boolean {
    const i = index(key);
    return i !== undefined && this.items.splice(i, 1).length > 0;
  }
  toJSON(): unknown[] {
    return toJS(this) as unknown[];
  }
}

export type Node = Scalar | YAMLMap | YAMLSeq | Alias;
export type ParsedNode = Node;

/** A problem found while parsing, with where it is (1-based line and column). */
export class YAMLError extends Error {
  readonly code: string;
  readonly linePos?: { line: number; col: number };
  constructor(code: string, message: string, pos?: { line: number; col: number }) {
    super(pos ? `${message} at line ${pos.line}, column ${pos.col}` : message);
    this.name = 'YAMLParseError';
    this.code = code;
    this.linePos = pos;
  }
}

export interface ToJSOptions {
  /** Apply `<<` merge keys (Compose does; YAML 1.2 itself does not). */
  merge?: boolean;
}

export class Document<T = unknown> {
  contents: T | null;
  commentBefore?: string | null;
  comment?: string | null;
  errors: YAMLError[] = [];
  warnings: YAMLError[] = [];
  /** Merge keys apply in toJS (the `merge` option it was parsed with). */
  merge?: boolean;
  /** The document was written with a `---` start and/or `...` end marker: printed back (as the library's). */
  directives?: { docStart?: boolean | null; docEnd?: boolean };
  constructor(value?: unknown) {
    this.contents = (value === undefined ? null : createNode(value)) as T | null;
  }
  private collection(): YAMLMap | YAMLSeq {
    if (this.contents instanceof YAMLMap || this.contents instanceof YAMLSeq) return this.contents;
    throw new Error('Expected a YAML collection as document contents');
  }
  get(key: unknown, keepScalar?: boolean): unknown {
    return this.contents instanceof YAMLMap || this.contents instanceof YAMLSeq ? this.contents.get(key, keepScalar) : undefined;
  }
  has(key: unknown): boolean {
    return this.contents instanceof YAMLMap || this.contents instanceof YAMLSeq ? this.contents.has(key) : false;
  }
  set(key: unknown, value: unknown): void {
    if (this.contents === null) this.contents = new YAMLMap() as T;
    this.collection().set(key, value);
  }
  delete(key: unknown): boolean {
    return this.collection().delete(key);
  }
  createNode(value: unknown): Node {
    return createNode(value);
  }
  toJS(opts: ToJSOptions = {}): unknown {
    return toJS(this.contents, { merge: opts.merge ?? this.merge ?? false, doc: this });
  }
  toJSON(): unknown {
    return this.toJS();
  }
  /** The document as YAML text (stringify.ts; lineWidth is always 0). */
  toString(opts?: StringifyOptions): string {
    return stringifyDocument(this, opts);
  }
}

/** A node for a plain JS value: objects become maps (keys in insertion order), arrays sequences; nodes stay. */
export function createNode(value: unknown): Node {
  if (isNode(value)) return value;
  if (value instanceof Map) {
    const m = new YAMLMap();
    for (const [k, v] of value) if (v !== undefined) m.items.push(new Pair(createNode(k), createNode(v)));
    return m;
  }
  if (Array.isArray(value) || value instanceof Set) {
    const s = new YAMLSeq();
    for (const v of value) s.items.push(createNode(v === undefined ? null : v));
    return s;
  }
  if (value !== null && typeof value === 'object') {
    const m = new YAMLMap();
    for (const [k, v] of Object.entries(value)) if (v !== undefined) m.items.push(new Pair(createNode(k), createNode(v)));
    return m;
  }
  return new Scalar(value);
}

export const isScalar = (n: unknown): n is Scalar => n instanceof Scalar;
export const isMap = (n: unknown): n is YAMLMap => n instanceof YAMLMap;
export const isSeq = (n: unknown): n is YAMLSeq => n instanceof YAMLSeq;
export const isPair = (n: unknown): n is Pair => n instanceof Pair;
export const isAlias = (n: unknown): n is Alias => n instanceof Alias;
export const isDocument = (n: unknown): n is Document => n instanceof Document;
export const isCollection = (n: unknown): n is YAMLMap | YAMLSeq => n instanceof YAMLMap || n instanceof YAMLSeq;
export const isNode = (n: unknown): n is Node => isScalar(n) || isCollection(n) || isAlias(n);

interface JSContext {
  merge: boolean;
  doc?: Document;
  /** The JS value made for each anchored node, for the aliases after it. */
  anchored?: Map<string, unknown>;
}

const isMergeKey = (k: unknown) => k === '<<' || (k instanceof Scalar && k.value === '<<' && (!k.type || k.type === 'PLAIN'));

/** The plain JS value of a node (or of a plain value held where a node could be). */
export function toJS(n: unknown, ctx: JSContext = { merge: false }): unknown {
  ctx.anchored ??= new Map();
  let out: unknown;
  if (n instanceof Scalar) out = n.value;
  else if (n instanceof Alias) {
    if (!ctx.anchored.has(n.source)) {
      // A node's own toJSON() has no document to find the anchor in: like the library, it gives the alias's name.
      if (!ctx.doc) return { source: n.source };
      throw new ReferenceError(`Unresolved alias (the anchor must be set before the alias): ${n.source}`);
    }
    out = ctx.anchored.get(n.source);
  } else if (n instanceof YAMLSeq) {
    const arr: unknown[] = [];
    if (n.anchor) ctx.anchored.set(n.anchor, arr); // set first: an alias inside refers to the container
    for (const it of n.items) arr.push(toJS(it, ctx));
    return arr;
  } else if (n instanceof YAMLMap) {
    const obj: Record<string, unknown> = {};
    if (n.anchor) ctx.anchored.set(n.anchor, obj);
    for (const p of n.items) {
      if (ctx.merge && isMergeKey(p.key)) { mergeInto(obj, toJS(p.value, ctx)); continue; }
      const k = toJS(p.key, ctx);
      const key = k === null || k === undefined ? '' : typeof k === 'object' ? JSON.stringify(k) : String(k);
      Object.defineProperty(obj, key, { value: toJS(p.value, ctx), writable: true, enumerable: true, configurable: true });
    }
    return obj;
  } else if (Array.isArray(n)) {
    return n.map((x) => toJS(x, ctx));
  } else if (n instanceof Pair) {
    return toJS(createMapOf(n), ctx);
  } else out = n ?? null;
  if (n instanceof NodeBase && n.anchor) ctx.anchored.set(n.anchor, out);
  return out;
}

const createMapOf = (p: Pair) => Object.assign(new YAMLMap(), { items: [p] });

/**
 * `<<: *a` or `<<: [*a, *b]`: the merged maps' keys that the map does not set itself (earlier sources win). A
 * sequence merges its maps whether written in place or reached through an alias (`<<: *list`), as the library does.
 */
function mergeInto(obj: Record<string, unknown>, value: unknown): void {
  const sources = Array.isArray(value) ? value : [value];
  for (const src of sources) {
    if (src === null || typeof src !== 'object' || Array.isArray(src)) throw new Error('Merge sources must be maps or map aliases');
    // Own keys only, and defined rather than assigned: `constructor` or `__proto__` are keys like any other here.
    for (const [k, v] of Object.entries(src)) {
      if (!Object.hasOwn(obj, k)) Object.defineProperty(obj, k, { value: v, writable: true, enumerable: true, configurable: true });
    }
  }
}
