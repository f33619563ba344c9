// Pure: a three-way merge of hand edits into a new compose file. BASE is the file harden-init wrote for the old
// release, THEIRS the file on disk (BASE plus the operator's edits), NEXT the file harden-init renders for the new
// release. The operator's edits are computed as structured changes on the parsed YAML (a value added, changed or
// removed at a key path; an entry added to or removed from a list that compose reads as a set), then each one is
// applied onto NEXT when it applies cleanly: the path is unchanged between BASE and NEXT, or new. Anything else —
// the new release changed the same value, or removed the service — is a conflict and is NOT applied; the caller
// lists it and writes the proposal (NEXT with every edit forced in) beside the file, so nothing is lost.
//
// Compose's own equivalences are respected: `environment`, `labels` (and the other KEY=VALUE lists) compare the same
// in list form and map form; `ports`, `volumes`, `networks` and the other set-like lists compare as sets, so an added
// volume is one edit and a re-ordering is none. Other lists (command, entrypoint, healthcheck.test) are one value.
import { isAlias, isMap, isScalar, isSeq, type Document, type Node, type YAMLMap, type YAMLSeq } from 'yaml';
import { readYaml, readYamlDocument } from './yaml-read.js';

export type Path = string[];

export type Edit =
  /** A value added (base undefined) or changed at a path. */
  | { kind: 'set'; path: Path; base: unknown; theirs: unknown }
  | { kind: 'remove'; path: Path; base: unknown }
  /** An entry added to or removed from a list compose reads as a set (ports, volumes, …). */
  | { kind: 'add-item'; path: Path; item: unknown }
  | { kind: 'remove-item'; path: Path; item: unknown };

export interface Conflict {
  edit: Edit;
  /** Why it was not applied, one line. */
  reason: string;
  /** The upgrade step where it was not carried (e.g. "1.9.5 → 1.9.10"), when the caller names it. */
  step?: string;
}

export interface MergeResult {
  /** NEXT with every clean edit applied (exactly NEXT's text when there is none). */
  text: string;
  /** Every edit of THEIRS over BASE, in document order. */
  edits: Edit[];
  /** Applied onto NEXT (or already there). */
  carried: Edit[];
  /** Not applied (this merge's own edits). */
  conflicts: Conflict[];
  /** The earlier steps' conflicts passed in (MergeOptions.pending): in the proposal, never in `text`. */
  pending: Conflict[];
  /** Conflicts (pending and own) the proposal could not hold either, with the part of the path that is missing. */
  unwritten: { conflict: Conflict; why: string }[];
  /** Carried edits the admit hook completed (e.g. hardened), with what it said. */
  notes: { edit: Edit; note: string }[];
  /** THEIRS differs from BASE only in comments, quoting or layout (nothing structured to carry). */
  layoutOnly: boolean;
  /**
   * NEXT with the clean edits and every conflicting one (pending first) forced in where it can be, all listed on top.
   */
  proposal?: string;
}

/** What the admit hook says of one edit: refused (taken back, a conflict), or kept — as it is or completed. */
export type Verdict = { refused: string } | { text?: string; note?: string } | undefined;

export interface MergeOptions {
  /** Called with the merged text after each clean edit. The hardening check runs here. */
  admit?: (text: string, edit: Edit) => Verdict;
  /** Names this merge's conflicts (Conflict.step). */
  step?: string;
  /**
   * Not-carried edits of earlier steps of the same run. Their edit is in no file this merge sees (it was never
   * applied), so without them the proposal would lose it: they are never applied to `text`, only written into the
   * proposal where their place still exists, and listed with the step that could not carry them.
   */
  pending?: Conflict[];
}

/** Lists of KEY=VALUE entries that compose equally accepts as a map. */
const KV_LISTS = new Set(['environment', 'labels', 'args', 'sysctls', 'annotations', 'extra_hosts']);
/** Lists compose reads as sets: the order carries no meaning, an entry is added or removed. */
const SET_LISTS = new Set([
  'ports',
  'volumes',
  'networks',
  'depends_on',
  'cap_add',
  'cap_drop',
  'security_opt',
  'dns',
  'dns_search',
  'devices',
  'tmpfs',
  'expose',
  'secrets',
  'configs',
  'env_file',
  'profiles',
  'volumes_from',
  'links',
  'external_links',
  'group_add',
]);

const FORM = Symbol('kv-list form');
type KvMap = Record<string, string | null> & { [FORM]?: 'list' };

const YAML_OUT = { lineWidth: 0 } as const; // no folding: a rendered compose file round-trips byte for byte

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const scalarText = (v: unknown): string | null =>
  v === null || v === undefined ? null : typeof v === 'object' ? JSON.stringify(v) : String(v);

/** extra_hosts writes host:ip, the others KEY=VALUE (a bare KEY passes the variable through). */
const sepOf = (list: string | undefined) => (list === 'extra_hosts' ? ':' : '=');

function splitEntry(entry: string, list: string | undefined): [string, string | null] {
  const at = entry.indexOf(sepOf(list));
  return at < 0 ? [entry, null] : [entry.slice(0, at), entry.slice(at + 1)];
}

/** A KEY=VALUE list (or map) as a map of strings; list form remembered for writing back. */
function kvMap(v: unknown, list: string): KvMap | undefined {
  if (Array.isArray(v)) {
    if (!v.every((x) => typeof x === 'string' || typeof x === 'number')) return undefined;
    const out: KvMap = {};
    for (const x of v.map(String)) {
      const [k, val] = splitEntry(x, list);
      out[k] = val;
    }
    Object.defineProperty(out, FORM, { value: 'list', enumerable: false });
    return out;
  }
  if (isPlainObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, scalarText(x)]));
  return undefined;
}

/** The parsed file in a canonical shape: KEY=VALUE lists as maps; everything else as parsed. */
export function normalize(v: unknown, key?: string): unknown {
  if (key !== undefined && KV_LISTS.has(key)) {
    const m = kvMap(v, key);
    if (m) return m;
  }
  if (Array.isArray(v)) return v.map((x) => normalize(x));
  if (isPlainObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalize(x, k)]));
  return v;
}

/** Structural equality (map key order ignored). */
export function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => same(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && same(a[k], b[k]));
  }
  return false;
}

const isSetList = (path: Path) => path.length >= 3 && path[0] === 'services' && SET_LISTS.has(path[path.length - 1]!);
const isKvParent = (path: Path) => path.length >= 1 && KV_LISTS.has(path[path.length - 1]!);

// How the three texts are named when one is not readable (the operator edits THEIRS; the others harden-init made).
const NAMES = {
  theirs: 'docker-compose.yml',
  base: 'the compose file harden-init last wrote',
  next: 'the new compose file',
} as const;

function parseModel(text: string, file: string = NAMES.next): Record<string, unknown> {
  const v = readYaml(text, file, { merge: true });
  if (v === null || v === undefined) return {};
  if (!isPlainObject(v)) throw new Error(`${file} is not a compose file: the top level is not a map`);
  return normalize(v) as Record<string, unknown>;
}

function diffAt(base: unknown, theirs: unknown, path: Path, out: Edit[]): void {
  if (same(base, theirs)) return;
  if (isPlainObject(base) && isPlainObject(theirs)) {
    for (const [k, t] of Object.entries(theirs)) {
      if (!Object.hasOwn(base, k)) out.push({ kind: 'set', path: [...path, k], base: undefined, theirs: t });
      else diffAt(base[k], t, [...path, k], out);
    }
    for (const [k, b] of Object.entries(base))
      if (!Object.hasOwn(theirs, k)) out.push({ kind: 'remove', path: [...path, k], base: b });
    return;
  }
  if (Array.isArray(base) && Array.isArray(theirs) && isSetList(path)) {
    for (const t of theirs) if (!base.some((b) => same(b, t))) out.push({ kind: 'add-item', path, item: t });
    for (const b of base) if (!theirs.some((t) => same(b, t))) out.push({ kind: 'remove-item', path, item: b });
    return;
  }
  out.push({ kind: 'set', path, base, theirs });
}

/** Sorted set-like lists (for comparing whole files as compose reads them). */
function canonical(v: unknown, path: Path = []): unknown {
  if (Array.isArray(v)) {
    const items = v.map((x) => canonical(x));
    return isSetList(path) ? items.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1)) : items;
  }
  if (isPlainObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, canonical(x, [...path, k])]));
  return v;
}

/** Whether two compose files say the same to compose (forms of KEY=VALUE lists, order of sets, comments aside). */
export function sameCompose(a: string, b: string): boolean {
  return same(canonical(parseModel(a)), canonical(parseModel(b)));
}

/** The operator's edits: what turns BASE into THEIRS, as structured changes. */
export function composeEdits(baseText: string, theirsText: string): Edit[] {
  const out: Edit[] = [];
  diffAt(parseModel(baseText, NAMES.base), parseModel(theirsText, NAMES.theirs), [], out);
  return out;
}

export function getPath(root: unknown, path: Path): unknown {
  let cur: unknown = root;
  for (const k of path) {
    if (!isPlainObject(cur) || !Object.hasOwn(cur, k)) return undefined;
    cur = cur[k];
  }
  return cur;
}

// ---- writing into the new file's YAML document (its comments and layout kept) --------------------------------------

class NotWritable extends Error {}

/** The node at a path of the document: maps followed by key, KEY=VALUE lists by entry. Aliases are not followed. */
function nodeAt(doc: Document, path: Path): Node | undefined {
  let cur: unknown = doc.contents;
  for (const [i, k] of path.entries()) {
    if (isAlias(cur)) throw new NotWritable('the new file shares this value through a YAML anchor');
    if (isMap(cur)) cur = (cur as YAMLMap).get(k, true);
    else if (isSeq(cur) && isKvParent(path.slice(0, i))) cur = kvItem(cur as YAMLSeq, k, path[i - 1])?.node;
    else return undefined;
    if (cur === undefined) return undefined;
  }
  if (isAlias(cur)) throw new NotWritable('the new file shares this value through a YAML anchor');
  return cur as Node;
}

function kvItem(seq: YAMLSeq, key: string, list: string | undefined): { index: number; node: Node } | undefined {
  for (const [index, item] of seq.items.entries()) {
    if (isScalar(item) && splitEntry(String(item.value), list)[0] === key) return { index, node: item };
  }
  return undefined;
}

/** A normalized value as YAML data again (KEY=VALUE maps back to the list form they came in). */
function denormalize(v: unknown, key?: string): unknown {
  if (isPlainObject(v) && (v as KvMap)[FORM] === 'list') {
    return Object.entries(v).map(([k, x]) => (x === null ? k : `${k}${sepOf(key)}${String(x)}`));
  }
  if (Array.isArray(v)) return v.map((x) => denormalize(x));
  if (isPlainObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, denormalize(x, k)]));
  return v;
}

function parentOf(doc: Document, path: Path): Node {
  const parent = path.length === 1 ? doc.contents : nodeAt(doc, path.slice(0, -1));
  if (!parent) throw new NotWritable('its parent is not in the file');
  return parent as Node;
}

function writeSet(doc: Document, path: Path, value: unknown): void {
  const parent = parentOf(doc, path);
  const key = path[path.length - 1]!;
  if (isMap(parent)) {
    parent.set(doc.createNode(key), doc.createNode(denormalize(value, key)));
    return;
  }
  if (isSeq(parent) && isKvParent(path.slice(0, -1))) {
    const list = path[path.length - 2];
    const entry = doc.createNode(value === null ? key : `${key}${sepOf(list)}${scalarText(value)}`);
    const at = kvItem(parent, key, list);
    if (at) parent.items[at.index] = entry;
    else parent.items.push(entry);
    return;
  }
  throw new NotWritable('its parent is not a map in the new file');
}

function writeRemove(doc: Document, path: Path): void {
  const parent = parentOf(doc, path);
  const key = path[path.length - 1]!;
  if (isMap(parent)) {
    parent.delete(key);
    return;
  }
  if (isSeq(parent)) {
    const at = kvItem(parent, key, path[path.length - 2]);
    if (at) parent.items.splice(at.index, 1);
    return;
  }
  throw new NotWritable('its parent is not a map in the new file');
}

const holdsAlias = (n: unknown): boolean =>
  isAlias(n) ||
  (isSeq(n) && n.items.some(holdsAlias)) ||
  (isMap(n) && n.items.some((p) => holdsAlias(p.key) || holdsAlias(p.value)));

function writeItem(doc: Document, path: Path, item: unknown, add: boolean): void {
  const seq = nodeAt(doc, path);
  if (!isSeq(seq)) throw new NotWritable('the list is not in the new file');
  // An entry holding an alias has no value of its own (toJSON gives the alias's
  // name): like any shared value, not writable.
  if (seq.items.some(holdsAlias))
    throw new NotWritable('the new file shares an entry of this list through a YAML anchor');
  const i = seq.items.findIndex((n) => same(normalize((n as Node).toJSON?.() ?? n), item));
  if (add && i < 0) seq.items.push(doc.createNode(item));
  if (!add && i >= 0) seq.items.splice(i, 1);
}

// ---- deciding each edit -------------------------------------------------------------------------------------------

const dotted = (p: Path) => p.join('.');

const parentPathOf = (e: Edit): Path =>
  e.kind === 'add-item' || e.kind === 'remove-item' ? e.path : e.path.slice(0, -1);

/** The first part of the edit's place the file no longer has (the service, most often), named. */
function missingPlace(next: unknown, e: Edit): string | undefined {
  const parentPath = parentPathOf(e);
  for (let i = 1; i <= parentPath.length; i++) {
    if (getPath(next, parentPath.slice(0, i)) === undefined)
      return `${dotted(parentPath.slice(0, i))} is not in the new release's file`;
  }
  return undefined;
}

/** How the edit stands against NEXT: already there, clean (apply it), or a conflict with its reason. */
function judge(next: unknown, e: Edit): { state: 'already' | 'clean' } | { state: 'conflict'; reason: string } {
  const now = getPath(next, e.path);
  const parentPath = parentPathOf(e);
  const parentThere =
    parentPath.length === 0 || isPlainObject(getPath(next, parentPath)) || Array.isArray(getPath(next, parentPath));
  const gone = (): string =>
    missingPlace(next, e) ?? `${dotted(parentPath)} has another form in the new release's file`;
  switch (e.kind) {
    case 'set': {
      if (same(now, e.theirs)) return { state: 'already' };
      if (!parentThere) return { state: 'conflict', reason: gone() };
      if (e.base === undefined) {
        if (now === undefined) return { state: 'clean' };
        if (
          isPlainObject(now) &&
          isPlainObject(e.theirs) &&
          Object.entries(e.theirs).every(([k, v]) => !Object.hasOwn(now, k) || same(now[k], v))
        )
          return { state: 'clean' };
        return { state: 'conflict', reason: 'the new release sets it too, to another value' };
      }
      if (same(now, e.base)) return { state: 'clean' };
      return {
        state: 'conflict',
        reason: now === undefined ? 'the new release removed it' : 'the new release changed it too',
      };
    }
    case 'remove':
      if (now === undefined) return { state: 'already' };
      return same(now, e.base) ? { state: 'clean' } : { state: 'conflict', reason: 'the new release changed it' };
    case 'add-item':
      if (Array.isArray(now) && now.some((x) => same(x, e.item))) return { state: 'already' };
      return Array.isArray(now) ? { state: 'clean' } : { state: 'conflict', reason: gone() };
    case 'remove-item':
      return Array.isArray(now) && now.some((x) => same(x, e.item)) ? { state: 'clean' } : { state: 'already' };
  }
}

function write(doc: Document, next: unknown, e: Edit): void {
  switch (e.kind) {
    case 'set': {
      const now = getPath(next, e.path);
      if (e.base === undefined && isPlainObject(now) && isPlainObject(e.theirs)) {
        // A map they added where the new release added one too: their keys join it.
        for (const [k, v] of Object.entries(e.theirs)) if (!Object.hasOwn(now, k)) writeSet(doc, [...e.path, k], v);
        return;
      }
      writeSet(doc, e.path, e.theirs);
      return;
    }
    case 'remove':
      writeRemove(doc, e.path);
      return;
    case 'add-item':
      writeItem(doc, e.path, e.item, true);
      return;
    case 'remove-item':
      writeItem(doc, e.path, e.item, false);
      return;
  }
}

/** Tries one edit on a text: the new text, or the reason it cannot be written. */
function tryWrite(text: string, e: Edit, force: boolean): { text: string } | { reason: string } {
  const doc = readYamlDocument(text, NAMES.next);
  const model = parseModel(text);
  if (!force) {
    const j = judge(model, e);
    if (j.state === 'conflict') return { reason: j.reason };
    if (j.state === 'already') return { text };
  }
  try {
    if (force && e.kind === 'set') writeSet(doc, e.path, e.theirs);
    else write(doc, model, e);
  } catch (err) {
    if (err instanceof NotWritable) return { reason: err.message };
    throw err;
  }
  return { text: doc.toString(YAML_OUT) };
}

/** The three-way merge (see the top of this file). Throws only when a file is not YAML. */
export function mergeCompose(
  baseText: string,
  theirsText: string,
  nextText: string,
  opts: MergeOptions = {},
): MergeResult {
  const edits = composeEdits(baseText, theirsText);
  const layoutOnly = edits.length === 0 && baseText !== theirsText;
  let text = nextText;
  const carried: Edit[] = [];
  const conflicts: Conflict[] = [];
  const notes: { edit: Edit; note: string }[] = [];
  const conflict = (edit: Edit, reason: string): Conflict =>
    opts.step === undefined ? { edit, reason } : { edit, reason, step: opts.step };
  for (const e of edits) {
    const r = tryWrite(text, e, false);
    if ('reason' in r) {
      conflicts.push(conflict(e, r.reason));
      continue;
    }
    const verdict = r.text === text ? undefined : opts.admit?.(r.text, e);
    if (verdict && 'refused' in verdict) {
      conflicts.push(conflict(e, verdict.refused));
      continue;
    }
    text = verdict?.text ?? r.text;
    carried.push(e);
    if (verdict?.note) notes.push({ edit: e, note: verdict.note });
  }
  const pending = opts.pending ?? [];
  const all = [...pending, ...conflicts];
  const p = all.length ? proposalOf(text, all) : undefined;
  return {
    text,
    edits,
    carried,
    conflicts,
    pending,
    notes,
    layoutOnly,
    unwritten: p?.unwritten ?? [],
    proposal: p?.text,
  };
}

/** The merged file with each conflicting edit forced in where its place exists; every conflict listed on top. */
function proposalOf(
  merged: string,
  conflicts: Conflict[],
): { text: string; unwritten: { conflict: Conflict; why: string }[] } {
  let text = merged;
  const unwritten: { conflict: Conflict; why: string }[] = [];
  const lines = conflicts.map((c) => {
    const r = tryWrite(text, c.edit, true);
    if ('text' in r) text = r.text;
    else unwritten.push({ conflict: c, why: missingPlace(parseModel(text), c.edit) ?? r.reason });
    return `#   ${describeEdit(c.edit)} — not applied: ${c.reason}${
      'reason' in r ? ' (not written below either: its place is gone)' : ''
    }${c.step ? ` [step ${c.step}]` : ''}`;
  });
  const body = [
    '# PROPOSAL, not in use. harden-init wrote docker-compose.yml for the new release with the hand edits that applied',
    '# cleanly; the edits below did not, and are written into this copy (where their place still exists) for you to',
    '# review. Take what you need into docker-compose.yml by hand, then run `harden-init check`.',
    ...lines,
    '',
    text,
  ].join('\n');
  return { text: body, unwritten };
}

/** Whether a file (its text) still holds what an edit asks for. */
export function editHolds(text: string, e: Edit): boolean {
  const now = getPath(parseModel(text), e.path);
  switch (e.kind) {
    case 'set':
      if (same(now, e.theirs)) return true;
      // A map they added beside one the new release added: their keys are there.
      return (
        e.base === undefined &&
        isPlainObject(e.theirs) &&
        isPlainObject(now) &&
        Object.entries(e.theirs).every(([k, v]) => same(now[k], v))
      );
    case 'remove':
      return now === undefined;
    case 'add-item':
      return Array.isArray(now) && now.some((x) => same(x, e.item));
    case 'remove-item':
      return !Array.isArray(now) || !now.some((x) => same(x, e.item));
  }
}

/** One line naming an edit (values shown unless the caller masks them). */
export function describeEdit(e: Edit, show: (path: Path) => boolean = () => true): string {
  const value = (v: unknown) =>
    show(e.path) ? ` = ${JSON.stringify(denormalize(v, e.path[e.path.length - 1]))}` : ' (value hidden)';
  switch (e.kind) {
    case 'set':
      return `${e.base === undefined ? 'added' : 'changed'} ${dotted(e.path)}${value(e.theirs)}`;
    case 'remove':
      return `removed ${dotted(e.path)}`;
    case 'add-item':
      return `added to ${dotted(e.path)}: ${JSON.stringify(e.item)}`;
    case 'remove-item':
      return `removed from ${dotted(e.path)}: ${JSON.stringify(e.item)}`;
  }
}
