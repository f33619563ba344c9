// harden-init's YAML reader: one document of the YAML a compose file uses, read into the model of nodes.ts with the
// very fields (comments, blank lines, quoting, number formats) the `yaml` package (v2) would set on the same text,
// so the printer and the editing code see no difference (test/unit/yaml-parse.test.ts compares the two).
// A single forward pass over the text, a line at a time; no backtracking over more than one line.
import { Alias, Document, Pair, Scalar, YAMLError, YAMLMap, YAMLSeq, type Node, type ScalarType } from './nodes.js';

export interface ParseOptions {
  /** `<<` merge keys apply when the document is turned into plain values (Compose does this). */
  merge?: boolean;
}

// What lies between two pieces of content, as the library's comment placement needs it:
// 0 a line break, 1 the `-` of a sequence item, 2 an anchor or tag, or a comment (text after `#`, column of `#`).
type Tok = 0 | 1 | 2 | { c: string; i: number };
type Props = { a?: string; t?: string };

const CORE = 'tag:yaml.org,2002:';
const FLOW = ',[]{}';
const ESC: Record<string, string> = {
  0: '\0', a: '\x07', b: '\b', t: '\t', '\t': '\t', n: '\n', v: '\v', f: '\f', r: '\r', e: '\x1b', ' ': ' ',
  '"': '"', '/': '/', '\\': '\\', N: '\x85', _: '\xa0', L: '\u2028', P: '\u2029',
};
const HEXLEN: Record<string, number> = { x: 2, u: 4, U: 8 };
const sp = (c: string | undefined) => c === ' ' || c === '\t';

/** The core schema's types of a plain scalar, in the library's order; undefined when none matches `only`. */
function resolve(str: string, only?: string): [unknown, string?, number?] | undefined {
  // Most values (names, images, paths) start with a letter no core type can: skip the patterns for them.
  if (!only && str && !/^[-+.~\dnNtTfF]/.test(str)) return [str];
  const is = (k: string, re: RegExp) => (!only || only === k) && re.test(str);
  if (is('null', /^(?:~|[Nn]ull|NULL)?$/)) return [null];
  if (is('bool', /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/)) return [str[0] === 't' || str[0] === 'T'];
  if (is('int', /^0o[0-7]+$/)) return [parseInt(str.slice(2), 8), 'OCT'];
  if (is('int', /^[-+]?[0-9]+$/)) return [parseInt(str, 10)];
  if (is('int', /^0x[0-9a-fA-F]+$/)) return [parseInt(str.slice(2), 16), 'HEX'];
  if (is('float', /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/))
    return [/nan$/i.test(str) ? NaN : str[0] === '-' ? -Infinity : Infinity];
  if (is('float', /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/)) return [parseFloat(str), 'EXP'];
  if (is('float', /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/)) {
    const dot = str.indexOf('.');
    return [parseFloat(str), undefined, str.endsWith('0') ? str.length - dot - 1 : undefined];
  }
  return only === 'str' || !only ? [str] : undefined;
}

/** Comment and blank-line flag for a node from the tokens before it (the library's rules). */
function before(toks: Tok[], atNl: boolean, seq?: boolean): [string, boolean] {
  let cm = '', sep = '', space = false, found = false;
  for (const t of toks) {
    if (t === 0) {
      if (!atNl) sep += '\n';
      else if (cm) cm += '\n';
      else if (!found || !seq) space = true;
      atNl = true;
    } else if (t === 1) {
      found = true;
      atNl = !!seq;
    } else if (t === 2) atNl = false;
    else {
      cm = cm ? cm + sep + t.c : t.c;
      sep = '';
      atNl = false;
    }
  }
  return [cm, space];
}

/** The comment after a node: comments joined, blank lines between them kept. */
function after(toks: Tok[]): string {
  let cm = '', sep = '';
  for (const t of toks) {
    if (t === 0) { if (cm) sep += '\n'; }
    else if (typeof t == 'object') { cm = cm ? cm + sep + t.c : t.c; sep = ''; }
  }
  return cm;
}

class Stop extends Error {}

export function parseDocument(text: string, opts: ParseOptions = {}): Document {
  const s = text.replace(/\r\n?/g, '\n');
  const L = s.length;
  const doc = new Document();
  if (opts.merge !== undefined) doc.merge = opts.merge;
  let p = s.charCodeAt(0) === 0xfeff ? 1 : 0;
  /** Column of the content line the reader stands on; -1 at the end (or a document marker). */
  let ind = 0;

  const posOf = (at: number) => {
    const head = s.slice(0, at);
    const nl = head.lastIndexOf('\n');
    return { line: head.split('\n').length, col: at - nl };
  };
  const problem = (list: YAMLError[], code: string, msg: string, at: number) => list.push(new YAMLError(code, msg, posOf(at)));
  const fail = (code: string, msg: string, at = p): never => {
    problem(doc.errors, code, msg, at);
    throw new Stop();
  };
  const warn = (msg: string) => problem(doc.warnings, 'TAG_RESOLVE_FAILED', msg, p);
  const ws = (i: number) => i >= L || s[i] === '\n' || sp(s[i]);
  const col = (i: number) => i - s.lastIndexOf('\n', i - 1) - 1;
  const eolAt = (i: number) => { const e = s.indexOf('\n', i); return e < 0 ? L : e; };
  const atMarker = (i: number) => col(i) === 0 && (s.startsWith('---', i) || s.startsWith('...', i)) && ws(i + 3);
  const skipSp = () => { while (sp(s[p])) p++; };
  const atEnd = () => p >= L || s[p] === '\n' || s[p] === '#';
  const isDash = () => s[p] === '-' && ws(p + 1);

  /** From a line start: blank and comment lines up to the next content line (p then on its first character). */
  function gap(): Tok[] {
    const g: Tok[] = [];
    for (;;) {
      let i = p;
      while (s[i] === ' ') i++;
      let j = i;
      while (sp(s[j])) j++;
      if (j >= L) { p = L; ind = -1; return g; }
      if (s[j] === '\n') { g.push(0); p = j + 1; continue; }
      if (s[j] === '#') {
        const e = eolAt(j);
        g.push({ c: s.slice(j + 1, e) || ' ', i: j - p });
        if (e < L) g.push(0);
        p = e + 1;
        continue;
      }
      if (i === p && atMarker(i)) { ind = -1; return g; }
      if (j > i) fail('TAB_AS_INDENT', 'Tabs are not allowed as indentation', i);
      ind = i - p;
      p = i;
      return g;
    }
  }

  /** The rest of a content line: an optional comment (returned), then the line break. */
  function lineEnd(): string | undefined {
    skipSp();
    let c: string | undefined;
    if (s[p] === '#') {
      if (p && !ws(p - 1)) fail('MISSING_CHAR', 'Comments must be separated from other tokens by white space characters');
      const e = eolAt(p);
      c = s.slice(p + 1, e) || ' ';
      p = e;
    }
    if (p < L && s[p] !== '\n') fail('UNEXPECTED_TOKEN', 'Unexpected content at the end of a line');
    if (p < L) p++;
    return c;
  }

  /** `&anchor` and `!tag` before a node on this line. */
  function props(pr: Props = {}): Props {
    for (;;) {
      const c = s[p];
      if (c !== '&' && c !== '!') return pr;
      const st = p;
      while (!ws(p) && !(c === '&' && FLOW.includes(s[p]))) p++;
      const name = s.slice(st + 1, p);
      if (c === '&') {
        if (!name) fail('BAD_ALIAS', 'Anchor cannot be an empty string', st);
        pr.a = name;
      } else pr.t = s.slice(st, p);
      skipSp();
    }
  }

  const tagName = (t: string) => (t.startsWith('!!') ? CORE + t.slice(2) : t.startsWith('!<') ? t.slice(2, -1) : t);

  function scalar(src: string, type: ScalarType, pr: Props, comment?: string): Scalar {
    let r: ReturnType<typeof resolve> = type === 'PLAIN' ? resolve(src) : [src];
    const tag = pr.t && tagName(pr.t);
    if (tag && tag !== '!') {
      const kind = tag.startsWith(CORE) ? tag.slice(CORE.length) : '';
      r = /^(?:str|null|bool|int|float)$/.test(kind) ? resolve(src, kind) : undefined;
      if (!r) { warn(`Unresolved tag: ${tag}`); r = [src]; }
    } else if (tag) r = [src];
    const n = new Scalar(r![0]);
    n.source = src;
    n.type = type;
    if (r![1]) n.format = r![1];
    if (r![2] !== undefined) n.minFractionDigits = r![2];
    if (tag) n.tag = tag;
    if (pr.a) n.anchor = pr.a;
    if (comment) n.comment = comment;
    return n;
  }

  function collTag(c: YAMLMap | YAMLSeq, pr: Props): void {
    if (pr.a) c.anchor = pr.a;
    if (!pr.t) return;
    const want = CORE + (c instanceof YAMLMap ? 'map' : 'seq');
    const tag = tagName(pr.t);
    if (tag !== '!' && tag !== want) warn(`Unresolved tag: ${tag}`);
    c.tag = tag === '!' ? want : tag;
  }

  /** One line of a plain scalar from i: its end (trailing spaces dropped) and where it stopped. */
  function plainLine(i: number, flow: boolean): [number, number] {
    let e = i, k = i;
    for (; k < L; k++) {
      const c = s[k];
      if (c === '\n' || (c === '#' && (k === i || sp(s[k - 1])))) break;
      if (c === ':' && (ws(k + 1) || (flow && FLOW.includes(s[k + 1])))) break;
      if (flow && FLOW.includes(c)) break;
      if (!sp(c)) e = k + 1;
    }
    return [e, k];
  }

  /** A plain scalar from p, folded over the lines indented deeper than n (any lines inside a flow collection). */
  function plain(n: number, flow: boolean): string {
    let [e, k] = plainLine(p, flow);
    let v = s.slice(p, e);
    p = e;
    while (s[k] === '\n') {
      let blank = 0, i = k + 1, st: number;
      for (;;) {
        st = i;
        while (sp(s[i])) i++;
        if (s[i] !== '\n') break;
        blank++;
        i++;
      }
      if (i >= L || s[i] === '#' || (!flow && (i - st <= n || atMarker(st))) || (flow && FLOW.includes(s[i]))) break;
      if (s[i] === ':' && ws(i + 1)) break;
      [e, k] = plainLine(i, flow);
      v += (blank ? '\n'.repeat(blank) : ' ') + s.slice(i, e);
      p = e;
    }
    if (!flow && s[k] === ':') fail('MULTILINE_IMPLICIT_KEY', 'Implicit keys need to be on a single line', k);
    return v;
  }

  /** A quoted scalar at p (its quote character), with line folding and escapes. */
  function quoted(): string {
    const q = s[p];
    let v = '', keep = 0, i = p + 1;
    for (;;) {
      if (i >= L) fail('MISSING_CHAR', `Missing closing ${q}quote`, p);
      const c = s[i];
      if (c === q) {
        if (q === "'" && s[i + 1] === "'") { v += q; i += 2; continue; }
        break;
      }
      if (c === '\n' || (q === '"' && c === '\\' && s[i + 1] === '\n')) {
        const esc = c === '\\';
        if (esc) i++;
        else { let k = v.length; while (k > keep && sp(v[k - 1])) k--; v = v.slice(0, k); }
        let blank = 0;
        for (i++; ; i++) {
          while (sp(s[i])) i++;
          if (s[i] !== '\n') break;
          blank++;
        }
        if (atMarker(i)) fail('MISSING_CHAR', `Missing closing ${q}quote`, p);
        v += blank ? '\n'.repeat(blank) : esc ? '' : ' ';
        continue;
      }
      if (q === '"' && c === '\\') {
        const e = s[i + 1];
        const hl = HEXLEN[e];
        if (hl) {
          const h = s.slice(i + 2, i + 2 + hl);
          if (!/^[0-9a-fA-F]+$/.test(h) || h.length < hl) fail('BAD_DQ_ESCAPE', `Invalid escape sequence \\${e}${h}`, i);
          v += String.fromCodePoint(parseInt(h, 16));
          i += 2 + hl;
        } else {
          if (!(e in ESC)) fail('BAD_DQ_ESCAPE', `Invalid escape sequence \\${e}`, i);
          v += ESC[e];
          i += 2;
        }
        keep = v.length;
        continue;
      }
      v += c;
      i++;
    }
    p = i + 1;
    return v;
  }

  /** A block scalar at its `|` or `>`; n is the enclosing collection's indent. */
  function blockScalar(n: number, pr: Props): Scalar {
    const lit = s[p++] === '|';
    let chomp = '', explicit = 0;
    for (let k = 0; k < 2; k++) {
      const c = s[p];
      if (c === '+' || c === '-') { chomp = c; p++; }
      else if (c >= '1' && c <= '9') { explicit = +c; p++; }
    }
    if (!ws(p) && s[p] !== '#') fail('UNEXPECTED_TOKEN', 'Unexpected characters in a block scalar header');
    const comment = lineEnd();
    let indent = explicit ? Math.max(n, 0) + explicit : 0;
    const lines: string[] = [];
    let end = p, last = 0;
    while (p < L) {
      let i = p;
      while (s[i] === ' ') i++;
      const e = eolAt(i);
      if (i === e) {
        lines.push(indent && i - p > indent ? s.slice(p + indent, e) : '');
        // The first line after the header always belongs to the scalar; later blank ones only if more indented.
        if (lines.length === 1 || (indent && i - p > indent)) end = e + 1;
        if (indent && i - p > indent) last = lines.length;
      } else {
        if (!indent) indent = Math.max(i - p, n + 1);
        if (i - p < indent || atMarker(p)) break;
        lines.push(s.slice(p + indent, e));
        last = lines.length;
        end = e + 1;
      }
      p = e + 1;
    }
    const body = lines.slice(0, last);
    let v = '';
    if (lit) v = body.join('\n');
    else {
      let blank = 0, prevMore = false, first = true;
      for (const l of body) {
        if (l === '') { blank++; continue; }
        const more = sp(l[0]);
        v += first ? '\n'.repeat(blank) : prevMore || more ? '\n'.repeat(blank + 1) : blank ? '\n'.repeat(blank) : ' ';
        v += l;
        first = false;
        prevMore = more;
        blank = 0;
      }
      if (first) v = '\n'.repeat(blank);
    }
    if (chomp === '+') v += '\n'.repeat(lines.length - last + (last ? 1 : 0));
    if (chomp === '+') end = p; else if (chomp !== '-' && last) v += '\n';
    p = Math.min(end, L);
    return scalar(v, lit ? 'BLOCK_LITERAL' : 'BLOCK_FOLDED', pr, comment);
  }

  /** An alias at its `*`. */
  function alias(flow: boolean): Alias {
    const st = ++p;
    while (!ws(p) && !(flow && FLOW.includes(s[p]))) p++;
    if (p === st) fail('BAD_ALIAS', 'Alias cannot be an empty string');
    return new Alias(s.slice(st, p));
  }

  /** A flow collection at its `[` or `{`; p is after the closing bracket on return. */
  function flowColl(pr: Props): YAMLMap | YAMLSeq {
    const isMap = s[p] === '{';
    const close = isMap ? '}' : ']';
    const coll = isMap ? new YAMLMap() : new YAMLSeq();
    collTag(coll, pr);
    coll.flow = true;
    const open = p++;
    let pending: string[] = [];
    let prev: Node | null = null;
    // Spaces, line breaks and comments: a comment on the line of the previous item is that item's.
    const skip = () => {
      let nl = false;
      for (;;) {
        if (p >= L) fail('MISSING_CHAR', `Expected flow ${isMap ? 'map' : 'sequence'} to end with ${close}`, open);
        const c = s[p];
        if (sp(c)) p++;
        else if (c === '\n') { p++; nl = true; }
        else if (c === '#') {
          const e = eolAt(p);
          const t = s.slice(p + 1, e) || ' ';
          if (!nl && prev) prev.comment = prev.comment ? prev.comment + '\n' + t : t;
          else pending.push(t);
          p = e;
        } else if (atMarker(p)) fail('MISSING_CHAR', `Expected flow ${isMap ? 'map' : 'sequence'} to end with ${close}`, open);
        else return;
      }
    };
    const item = (): Node | null => {
      const ip = props();
      const c = s[p];
      let node!: Node;
      if (c === '[' || c === '{') node = flowColl(ip);
      else if (c === '"' || c === "'") node = scalar(quoted(), c === '"' ? 'QUOTE_DOUBLE' : 'QUOTE_SINGLE', ip);
      else if (c === '*') node = alias(true);
      else if (c === ',' || c === close || (c === ':' && (ws(p + 1) || FLOW.includes(s[p + 1])))) {
        if (!ip.a && !ip.t) return null;
        node = scalar('', 'PLAIN', ip);
      } else if (c === ']' || c === '}') fail('UNEXPECTED_TOKEN', `Unexpected ${c} in flow collection`);
      else node = scalar(plain(-1, true), 'PLAIN', ip);
      if (pending.length) { node.commentBefore = pending.join('\n'); pending = []; }
      return node;
    };
    for (;;) {
      skip();
      if (s[p] === close) { p++; break; }
      if (s[p] === ',') fail('UNEXPECTED_TOKEN', 'Unexpected , in flow collection');
      const key = item();
      skip();
      let entry: Node | Pair | null = key;
      if (s[p] === ':') {
        p++;
        skip();
        const v = s[p] === ',' || s[p] === close ? scalar('', 'PLAIN', {}) : item();
        const k = key ?? scalar('', 'PLAIN', {});
        const pair = new Pair(k, v);
        if (isMap) entry = pair;
        else {
          const m = new YAMLMap();
          m.flow = true;
          m.items.push(pair);
          entry = m;
        }
        prev = v;
        skip();
      } else {
        if (!key) fail('UNEXPECTED_TOKEN', 'Unexpected token in flow collection');
        if (isMap) entry = new Pair(key, null);
        prev = key;
      }
      (coll.items as unknown[]).push(entry);
      if (s[p] === ',') { p++; continue; }
      if (s[p] !== close) fail('MISSING_CHAR', `Expected , or ${close} in flow collection`);
    }
    if (pending.length) coll.comment = pending.join('\n');
    return coll;
  }

  /** A map key on this line (then p is after its `:`), or null with p unchanged. */
  function key(pr: Props): Node | null {
    const st = p;
    const w = doc.warnings.length;
    const line = eolAt(p);
    const c = s[p];
    let make: () => Node;
    if (c === '"' || c === "'") {
      const v = quoted();
      make = () => scalar(v, c === '"' ? 'QUOTE_DOUBLE' : 'QUOTE_SINGLE', pr);
    } else if (c === '*') {
      const a = alias(false);
      make = () => a;
    } else if (c === '[' || c === '{') {
      const f = flowColl(pr);
      make = () => f;
    } else {
      const [e, stop] = plainLine(p, false);
      if (s[stop] !== ':') return null;
      const v = s.slice(p, e);
      make = () => scalar(v, 'PLAIN', pr);
      p = stop;
    }
    skipSp();
    if (p <= line && s[p] === ':' && ws(p + 1)) { p++; return make(); }
    p = st;
    doc.warnings.length = w;
    return null;
  }

  /** An absorbing node's trailing comment: its line's, then deeper-indented comment lines below it. */
  function tail(node: Node, n: number): Tok[] {
    const c = lineEnd();
    const g = gap();
    let last = -1;
    if (n >= 0)
      for (let k = 0; k < g.length; k++) {
        const t = g[k];
        if (t === 0) continue;
        if (typeof t == 'object' && t.i > n) last = k;
        else break;
      }
    if (last < 0) {
      if (c) node.comment = c;
      return g;
    }
    const take = last + (g[last + 1] === 0 ? 2 : 1);
    node.comment = after([...(c ? [{ c, i: n }] : []), 0, ...g.slice(0, take)]);
    return g.slice(take);
  }

  /** A collection ends: its trailing comment lines go on to the parent or stay as its comment. */
  function close<T extends YAMLMap | YAMLSeq>(c: T, at: number, g: Tok[]): [T, Tok[]] {
    if (ind > at) fail('BAD_INDENT', 'Bad indentation of a mapping or sequence entry');
    if (at === 0 || g.every((t) => typeof t != 'object' || t.i < at)) return [c, g];
    const cm = before(g, true)[0];
    if (cm) c.comment = cm;
    return [c, []];
  }

  /**
   * The block node at p, whose enclosing collection is indented n (-1 for the document). `inl` when on a map key's
   * line, where no block collection may start; `outer` the props written on an earlier line. Returns the node and
   * the comment lines after it that its parent places; p is then on the next content line.
   */
  function block(n: number, inl: boolean, outer: Props = {}): [Node, Tok[]] {
    const at = col(p);
    const pr = props();
    const c = s[p];
    if (isDash()) {
      if (inl) fail('BLOCK_AS_IMPLICIT_KEY', 'A block sequence may not be used as an implicit map key');
      return seq(at, Object.assign(outer, pr));
    }
    if (c === '?' && ws(p + 1)) fail('NOT_SUPPORTED', 'Complex mapping keys (?) are not supported');
    if (c === '|' || c === '>') {
      const node = blockScalar(n, Object.assign(outer, pr));
      return [node, gap()];
    }
    const k = key(pr);
    if (k) {
      if (inl) fail('BLOCK_AS_IMPLICIT_KEY', 'Nested mappings are not allowed in compact mappings');
      return map(at, k, [], outer);
    }
    const all = Object.assign(outer, pr);
    let node!: Node;
    if (c === '[' || c === '{') node = flowColl(all);
    else if (c === '*') {
      node = alias(false);
      if (all.a || all.t) fail('ALIAS_PROPS', 'An alias node must not specify any properties');
    } else if (c === '"' || c === "'") node = scalar(quoted(), c === '"' ? 'QUOTE_DOUBLE' : 'QUOTE_SINGLE', all);
    else if ('#,]}@`%'.includes(c)) fail('UNEXPECTED_TOKEN', `Unexpected ${c}`);
    else node = scalar(plain(n, false), 'PLAIN', all);
    return [node, tail(node, n)];
  }

  /** The value after a map's `:` or a sequence's `-` (p just after it), on this line or the next ones. */
  function value(n: number, toks: Tok[], inSeq: boolean): [Node, Tok[]] {
    if (!ws(p)) fail('MISSING_CHAR', 'Expected white space after the indicator');
    skipSp();
    const st = p;
    const pr = props();
    if (!atEnd()) {
      p = st;
      const r = block(n, !inSeq);
      decorate(r[0], toks, inSeq, inSeq);
      return r;
    }
    if (p > st) toks.push(2);
    const c = lineEnd();
    if (c) toks.push({ c, i: n });
    toks.push(0, ...gap());
    if (ind > n || (ind === n && !inSeq && isDash())) {
      const r = block(n, false, pr);
      decorate(r[0], toks, inSeq, inSeq);
      return r;
    }
    // No value: an empty scalar. Comment lines before a next key at this indent are split off as the library does.
    let rest: Tok[] = [];
    if (!inSeq && ind === n) {
      const nl: number[] = [];
      toks.forEach((t, k) => (t === 0 ? nl.push(k) : typeof t == 'object' && t.i > n && (nl.length = 0)));
      if (nl.length > 1) rest = toks.splice(nl[1]);
    }
    const node = scalar('', 'PLAIN', pr);
    const [cm, space] = before(toks, inSeq, inSeq);
    if (cm) node.comment = cm;
    if (space) node.spaceBefore = true;
    return [node, rest];
  }

  function decorate(node: Node, toks: Tok[], atNl: boolean, inSeq?: boolean): void {
    const [cm, space] = before(toks, atNl, inSeq);
    if (cm) node.commentBefore = cm;
    if (space) node.spaceBefore = true;
  }

  function map(at: number, k: Node, kToks: Tok[], pr: Props): [YAMLMap, Tok[]] {
    const m = new YAMLMap();
    collTag(m, pr);
    for (;;) {
      decorate(k, kToks, true);
      const kv = k instanceof Scalar ? k.value : k;
      if (k instanceof Scalar && m.items.some((q) => q.key instanceof Scalar && q.key.value === kv) && !(opts.merge && kv === '<<' && k.type === 'PLAIN'))
        problem(doc.errors, 'DUPLICATE_KEY', 'Map keys must be unique', p);
      const [v, g] = value(at, [], false);
      m.items.push(new Pair(k, v));
      if (ind !== at || isDash()) return close(m, at, g);
      kToks = g;
      const ln = p;
      k = key(props()) ?? fail('MISSING_CHAR', 'Implicit map keys need to be followed by map values', ln);
    }
  }

  function seq(at: number, pr: Props): [YAMLSeq, Tok[]] {
    const q = new YAMLSeq();
    collTag(q, pr);
    let toks: Tok[] = [];
    for (;;) {
      p++;
      toks.push(1);
      const [v, g] = value(at, toks, true);
      q.items.push(v);
      if (ind !== at || !isDash()) return close(q, at, g);
      toks = g;
    }
  }

  /** The document comment from the lines before it, and whether a blank line ends them. */
  function prelude(g: Tok[]): [string, boolean] {
    let cm = '', atC = false, blank = false;
    for (const t of g) {
      if (typeof t == 'object') { cm += (cm ? (blank ? '\n\n' : '\n') : '') + t.c; atC = true; blank = false; }
      else { if (!atC) blank = true; atC = false; }
    }
    return [cm, blank];
  }

  try {
    const pre = gap();
    if (ind === 0 && s[p] === '%') fail('NOT_SUPPORTED', 'Directives (%) are not supported');
    let start = false;
    let contents: Node | null = null;
    let rest: Tok[] = [];
    let startToks: Tok[] = [];
    if (ind < 0 && s.startsWith('---', p)) {
      start = true;
      doc.directives = { docStart: true }; // printed back, as the library does
      p += 3;
      skipSp();
      if (atEnd()) {
        const c = lineEnd();
        startToks = [...(c ? [{ c, i: 0 }] : []), 0, ...gap()];
      } else ind = col(p);
    }
    if (ind >= 0) {
      [contents, rest] = block(-1, false);
      decorate(contents, startToks, false);
      if (ind >= 0) fail('BAD_INDENT', 'Bad indentation: content after the document');
    } else if (start) contents = scalar('', 'PLAIN', {}, before(startToks, false)[0] || undefined);
    doc.contents = contents;
    let cm = after(rest);
    if (s.startsWith('...', p)) {
      p += 3;
      doc.directives = { ...doc.directives, docEnd: true };
      const c = lineEnd();
      const tailCm = prelude([...(c ? [{ c, i: 0 }] : []), ...gap()])[0];
      if (c || tailCm) cm = cm ? cm + '\n' + tailCm : tailCm;
    }
    if (cm) doc.comment = cm;
    if (p < L) fail('MULTIPLE_DOCS', 'Source contains multiple documents; please use YAML.parseAllDocuments()');
    const [pc, blank] = prelude(pre);
    if (pc) {
      const first = contents instanceof YAMLMap || contents instanceof YAMLSeq ? (!contents.flow && contents.items[0]) : null;
      const target = blank || start || !contents ? null : first ? (first instanceof Pair ? first.key : first) : contents;
      if (!target) doc.commentBefore = pc;
      else {
        const t = target as Node;
        t.commentBefore = t.commentBefore ? pc + '\n' + t.commentBefore : pc;
      }
    }
  } catch (e) {
    if (!(e instanceof Stop)) throw e;
  }
  return doc;
}

/** The plain value of a one-document YAML text, as `yaml`'s parse() gives it; throws the first problem. */
export function parse(text: string, opts: ParseOptions = {}): unknown {
  const doc = parseDocument(text, opts);
  if (doc.errors.length) throw doc.errors[0];
  return doc.toJS();
}
