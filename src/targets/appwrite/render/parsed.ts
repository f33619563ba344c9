// The compose file's YAML document as plain JSON, and back. Parsing upstream's 31 KB compose file with `yaml` is
// the largest single cost of a render (tens of ms on a cold process; JSON.parse of the same tree is well under
// one), so the install's release cache keeps this form next to the file (upstream/cache.ts) and a render uses it.
// The tree keeps every node's own fields (values, comments, blank lines, styles, anchors, ranges), so a revived
// document prints exactly what a parse of the text prints; anything it cannot represent means "parse instead".
import {
  Alias,
  Document,
  isAlias,
  isDocument,
  isMap,
  isPair,
  isScalar,
  isSeq,
  Pair,
  Scalar,
  YAMLMap,
  YAMLSeq,
  type Node,
} from 'yaml';
import { readYamlDocument } from '../../../engine/yaml-read.js';

/**
 * Bumped when the tree's shape changes: an older tree is then ignored (and the text parsed). 1 was the `yaml`
 * package's nodes, 2 those of a YAML module of harden-init's own (other fields, no directives); 3 is the package's
 * again, so neither kind of older cache is revived into nodes it was not made from.
 */
export const TREE_FORMAT = 3;

type Props = Record<string, unknown>;
/** S scalar, M map, Q sequence, A alias; P a map entry. */
type TreeNode =
  | { k: 'S'; p: Props; v: unknown }
  | { k: 'A'; p: Props }
  | { k: 'M' | 'Q'; p: Props; i: TreeNode[] }
  | { k: 'P'; p: Props; a: TreeNode | null; b: TreeNode | null };
export interface ComposeTree {
  format: number;
  doc: Props;
  directives: Props;
  contents: TreeNode | null;
}

class Unrepresentable extends Error {}

/** A scalar value JSON keeps exactly (numbers JSON cannot write are tagged). */
function encodeValue(v: unknown): unknown {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) && !Object.is(v, -0) ? v : { n: String(v) };
  if (v === undefined) return { u: 1 };
  throw new Unrepresentable(`a ${typeof v} scalar`);
}
function decodeValue(v: unknown): unknown {
  if (v === null || typeof v === 'string' || typeof v === 'boolean' || typeof v === 'number') return v;
  const o = v as { n?: unknown; u?: unknown };
  if (typeof o === 'object' && o.u === 1) return undefined;
  if (typeof o === 'object' && (o.n === 'NaN' || o.n === 'Infinity' || o.n === '-Infinity' || o.n === '0'))
    return o.n === '0' ? -0 : Number(o.n);
  throw new Error('bad scalar value');
}

/** A node's own plain fields (comments, style, anchor, range…), minus its children. */
function ownProps(n: object, skip: string[]): Props {
  const p: Props = {};
  for (const [key, val] of Object.entries(n)) {
    if (skip.includes(key) || val === undefined) continue;
    if (val !== null && typeof val === 'object' && !(Array.isArray(val) && val.every((x) => typeof x === 'number')))
      throw new Unrepresentable(`field ${key}`);
    p[key] = val;
  }
  return p;
}

function toTree(n: unknown): TreeNode | null {
  if (n === null || n === undefined) return null;
  if (isScalar(n)) return { k: 'S', p: ownProps(n, ['value']), v: encodeValue(n.value) };
  if (isAlias(n)) return { k: 'A', p: ownProps(n, []) };
  if (isMap(n) || isSeq(n))
    return { k: isMap(n) ? 'M' : 'Q', p: ownProps(n, ['items']), i: (n.items as unknown[]).map((x) => toTree(x)!) };
  if (isPair(n)) return { k: 'P', p: ownProps(n, ['key', 'value']), a: toTree(n.key), b: toTree(n.value) };
  throw new Unrepresentable('a node that is not YAML');
}

/** The tree of a freshly parsed document; undefined when it had errors or holds something JSON cannot keep. */
export function composeTree(doc: Document): ComposeTree | undefined {
  if (doc.errors.length || doc.warnings.length) return undefined;
  try {
    return {
      format: TREE_FORMAT,
      doc: ownProps(doc, ['contents', 'errors', 'warnings', 'options', 'directives', 'schema']),
      directives: ownProps(doc.directives ?? {}, ['yaml', 'tags']),
      contents: toTree(doc.contents),
    };
  } catch (e) {
    if (e instanceof Unrepresentable) return undefined;
    throw e;
  }
}

const isProps = (p: unknown): p is Props => typeof p === 'object' && p !== null && !Array.isArray(p);

function fromTree(t: unknown, doc: Document): Node | Pair | null {
  if (t === null) return null;
  const n = t as TreeNode;
  if (!isProps(n) || !isProps(n.p)) throw new Error('bad node');
  let node: Node | Pair;
  switch (n.k) {
    case 'S':
      node = new Scalar(decodeValue(n.v));
      break;
    case 'A':
      node = new Alias(String(n.p.source));
      break;
    case 'M':
    case 'Q': {
      if (!Array.isArray(n.i)) throw new Error('bad collection');
      const c = n.k === 'M' ? new YAMLMap(doc.schema) : new YAMLSeq(doc.schema);
      c.items = n.i.map((x) => fromTree(x, doc)) as never[];
      if (n.k === 'M' && !c.items.every((x) => isPair(x))) throw new Error('a map entry that is not a pair');
      node = c;
      break;
    }
    case 'P':
      node = new Pair(fromTree(n.a, doc), fromTree(n.b, doc));
      break;
    default:
      throw new Error('unknown node kind');
  }
  for (const [key, val] of Object.entries(n.p)) {
    if (key === 'items' || key === 'key' || key === 'value') throw new Error('bad field');
    Object.assign(node, { [key]: val });
  }
  return node;
}

/** The document a tree describes (throws on a tree that is not one composeTree wrote). */
export function reviveCompose(tree: unknown): Document {
  const t = tree as ComposeTree;
  if (!isProps(t) || t.format !== TREE_FORMAT || !isProps(t.doc) || !isProps(t.directives))
    throw new Error('not a compose tree of this format');
  const doc = new Document();
  const contents = fromTree(t.contents, doc);
  if (contents !== null && !isMap(contents)) throw new Error('the document is not a map');
  doc.contents = contents;
  for (const [key, val] of Object.entries(t.doc)) {
    if (
      key === 'contents' ||
      key === 'errors' ||
      key === 'warnings' ||
      key === 'options' ||
      key === 'directives' ||
      key === 'schema'
    )
      throw new Error('bad field');
    Object.assign(doc, { [key]: val });
  }
  const directives = doc.directives;
  if (!directives) throw new Error('the document has no directives');
  for (const [key, val] of Object.entries(t.directives)) {
    if (key === 'yaml' || key === 'tags') throw new Error('bad field');
    Object.assign(directives, { [key]: val });
  }
  if (!isDocument(doc)) throw new Error('not a document');
  return doc;
}

// Trees known for exact compose texts in this process (registered by the release cache after it checked the text
// against its recorded sha256). A render of the same text revives instead of parsing.
const known = new Map<string, unknown>();

export function rememberTree(composeText: string, tree: unknown): void {
  known.set(composeText, tree);
}

/**
 * The document of a release's compose text: revived from a known tree when one is registered and sound, else
 * parsed (a YamlReadError, naming `file`, when it is not readable).
 */
export function composeDocument(
  composeText: string,
  file = "the release's docker-compose.yml",
): Document.Parsed | Document {
  const tree = known.get(composeText);
  if (tree !== undefined) {
    try {
      return reviveCompose(tree);
    } catch {
      known.delete(composeText); // a tree that does not revive is not trusted: parse the text
    }
  }
  return readYamlDocument(composeText, file);
}
