// Prints a YAML document of our model (nodes.ts) as text. Its output equals the `yaml` package's (v2) toString
// byte for byte for the options harden-init uses (test/unit/yaml-stringify.test.ts compares the two), so a
// rendered compose file does not change when the product moves off that package (issue 12). Lines are never
// folded (lineWidth 0); any other option throws rather than print something the library would not.
import { Alias, Document, Pair, Scalar, YAMLMap, YAMLSeq, createNode, isNode, type ScalarType } from './nodes.js';

export interface StringifyOptions {
  /** Only 0 (never fold lines). Absent means 0 too, unlike the library, whose default is 80. */
  lineWidth?: number;
  /** `[ a, b ]` (default) or `[a, b]`. */
  flowCollectionPadding?: boolean;
  /** How strings without a type of their own are written. */
  defaultStringType?: 'PLAIN' | 'QUOTE_DOUBLE';
  /** How implicit keys without a type of their own are written (null: as defaultStringType). */
  defaultKeyType?: 'PLAIN' | null;
  /** What a null prints as (default `null`). */
  nullStr?: string;
  /** Only false: a value seen twice is written twice, never as an anchor and alias (the library's default is true). */
  aliasDuplicateObjects?: false;
}

interface Ctx {
  pad: string;
  strType: ScalarType;
  keyType: ScalarType | null;
  nullStr: string;
  /** Indentation of the lines after the first. */
  ind: string;
  /** Inside a flow collection. */
  flow?: boolean;
  /** Printing an implicit key (`key:`): single line, no block scalar. */
  key?: boolean;
  /** Every value of the map being printed is a plain null: written as `? key` entries. */
  allNull?: boolean;
  /** The document has a trailing comment: a top-level block scalar must be indented to end before it. */
  forceInd?: boolean;
  /** Anchors printed so far: an alias may only refer back. */
  anchors: Set<string>;
}
type Done = (() => void) | undefined;

/** The values each supported option may take (nullStr: any string). */
const ALLOWED: Record<string, unknown[]> = {
  lineWidth: [0],
  flowCollectionPadding: [true, false],
  defaultStringType: ['PLAIN', 'QUOTE_DOUBLE'],
  defaultKeyType: [null, 'PLAIN'],
  aliasDuplicateObjects: [false],
};

function context(opts: StringifyOptions = {}): Ctx {
  for (const [k, v] of Object.entries(opts)) {
    if (v !== undefined && !(k === 'nullStr' ? typeof v === 'string' : ALLOWED[k]?.includes(v))) throw new Error(`YAML option not supported: ${k}: ${JSON.stringify(v)}`);
  }
  return {
    pad: opts.flowCollectionPadding === false ? '' : ' ',
    strType: opts.defaultStringType ?? 'PLAIN',
    keyType: opts.defaultKeyType ?? null,
    nullStr: opts.nullStr ?? 'null',
    ind: '',
    anchors: new Set(),
  };
}

// ---- comments ----

/**
 * Comment text as `#` lines, each line after the first indented (an all-blank comment is just its blank lines).
 * As in the library, \r, U+2028 and U+2029 also start a line here.
 */
function comment(c: string, ind: string): string {
  if (/^\n+$/.test(c)) return c.slice(1);
  return c.split(/([\n\r\u2028\u2029])/).map((l, i) => (i % 2 || !l ? l : ind + (l === ' ' ? '#' : `#${l}`))).join('');
}

/** A comment after `s`: on its line when it is one line and `s` does not end a line, else on lines below. */
const lineComment = (s: string, ind: string, c: string) =>
  s.endsWith('\n') ? comment(c, ind) : c.includes('\n') ? `\n${comment(c, ind)}` : (s.endsWith(' ') ? '' : ' ') + comment(c, '');

function commentBefore(ctx: Ctx, lines: string[], c: string | null | undefined, chompKeep: boolean): void {
  if (c && chompKeep) c = c.replace(/^\n+/, '');
  if (c) lines.push(comment(c, ctx.ind).trimStart());
}

// ---- the document ----

export function stringifyDocument(doc: Document, opts?: StringifyOptions): string {
  if (doc.errors.length > 0) throw new Error('Document with errors cannot be stringified');
  const ctx = context(opts);
  const { docStart, docEnd } = doc.directives ?? {};
  // A comment above the document is set apart by a blank line, or by the `---` marker.
  const lines = doc.commentBefore ? [comment(doc.commentBefore, ''), docStart ? '---' : ''] : docStart ? ['---'] : [];
  let chompKeep = false;
  let contentComment: string | null | undefined = null;
  const c = doc.contents;
  if (isNode(c)) {
    if (c.spaceBefore && docStart) lines.push('');
    if (c.commentBefore) lines.push(comment(c.commentBefore, ''));
    ctx.forceInd = !!doc.comment;
    contentComment = c.comment;
  }
  let body = node(c, ctx, () => (contentComment = null), contentComment ? undefined : () => (chompKeep = true));
  if (contentComment) body += lineComment(body, '', contentComment);
  // A top-level block scalar's header goes on the `---` line.
  if ((body[0] === '|' || body[0] === '>') && lines[lines.length - 1] === '---') lines[lines.length - 1] = `--- ${body}`;
  else lines.push(body);
  let dc = doc.comment;
  if (docEnd) lines.push(dc && !dc.includes('\n') ? `... ${comment(dc, '')}` : '...', ...(dc?.includes('\n') ? [comment(dc, '')] : []));
  else {
    if (dc && chompKeep) dc = dc.replace(/^\n+/, '');
    if (dc) {
      if ((!chompKeep || contentComment) && lines[lines.length - 1] !== '') lines.push('');
      lines.push(comment(dc, ''));
    }
  }
  return `${lines.join('\n')}\n`;
}

/** The text of a plain JS value (objects, arrays, strings, numbers, booleans, null) as a YAML document. */
export function stringify(value: unknown, opts?: StringifyOptions): string {
  // As the library: undefined has no document (its result is undefined, whatever the type says).
  if (value === undefined) return undefined as unknown as string;
  return stringifyDocument(value instanceof Document ? value : new Document(value), opts);
}

// ---- nodes ----

const YAML_TAG = 'tag:yaml.org,2002:';

function tagString(tag: string): string {
  if (tag.startsWith(YAML_TAG)) return `!!${tag.slice(YAML_TAG.length).replace(/[!,[\]{}]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`)}`;
  return tag[0] === '!' ? tag : `!<${tag}>`;
}

function node(item: unknown, ctx: Ctx, onComment?: Done, onChompKeep?: Done): string {
  if (item instanceof Pair) return pair(item, ctx, onComment, onChompKeep);
  if (item instanceof Alias) {
    if (!ctx.anchors.has(item.source)) throw new Error(`Unresolved alias (the anchor must be set before the alias): ${item.source}`);
    return `*${item.source}${ctx.key ? ' ' : ''}`;
  }
  const n = isNode(item) ? item : createNode(item);
  const props: string[] = [];
  if (n.anchor) {
    ctx.anchors.add(n.anchor);
    props.push(`&${n.anchor}`);
  }
  if (n.tag) props.push(tagString(n.tag));
  const s = n instanceof Scalar ? scalar(n, ctx, onComment, onChompKeep) : collection(n as YAMLMap | YAMLSeq, ctx, onComment, onChompKeep);
  if (!props.length) return s;
  return n instanceof Scalar || s[0] === '{' || s[0] === '[' ? `${props.join(' ')} ${s}` : `${props.join(' ')}\n${ctx.ind}${s}`;
}

// ---- collections ----

function collection(c: YAMLMap | YAMLSeq, ctx: Ctx, onComment: Done, onChompKeep: Done): string {
  const isMap = c instanceof YAMLMap;
  if (isMap && !ctx.allNull && c.items.every((p) => p.value == null)) ctx = { ...ctx, allNull: true };
  const [open, close] = isMap ? '{}' : '[]';
  // `{ a: 1, b: 2 }` on one line, unless a comment or a multi-line item needs one item per line.
  const flow = !!(ctx.flow || c.flow);
  const ictx = { ...ctx, ind: ctx.ind + (isMap ? '' : '  ') + (flow ? '  ' : ''), flow };
  const items = c.items as unknown[];
  const lines: string[] = [];
  let newlines = false;
  let linesAtValue = 0;
  let chompKeep = false; // the item before ended with a kept (`|+`) block scalar: its blank lines are the gap
  items.forEach((item, i) => {
    let com: string | null | undefined = null;
    const k = item instanceof Pair && isNode(item.key) ? item.key : null;
    const first = k ?? (isNode(item) ? item : null);
    if (first) {
      if (!chompKeep && first.spaceBefore) lines.push('');
      commentBefore(ctx, lines, first.commentBefore, chompKeep);
      if (first === item) com = first.comment;
    }
    if (flow && item instanceof Pair) {
      // In a flow map the value's comment follows the whole entry.
      if (k?.comment) newlines = true;
      const v = item.value;
      if (isNode(v)) {
        com = v.comment;
        if (v.commentBefore) newlines = true;
      } else if (v == null && k?.comment) com = k.comment;
    }
    if (com) newlines = true;
    chompKeep = false;
    let s = node(item, ictx, () => (com = null), flow ? undefined : () => (chompKeep = true));
    if (flow) {
      newlines ||= lines.length > linesAtValue || s.includes('\n');
      if (i < items.length - 1) s += ',';
    }
    if (com) {
      s += lineComment(s, ictx.ind, com);
      chompKeep = false;
    }
    lines.push((isMap || flow ? '' : '- ') + s);
    linesAtValue = lines.length;
  });
  if (flow) {
    if (!lines.length) return open + close;
    if (!newlines) return `${open}${ctx.pad}${lines.join(' ')}${ctx.pad}${close}`;
    return `${open}${lines.map((l) => (l ? `\n  ${ctx.ind}${l}` : '\n')).join('')}\n${ctx.ind}${close}`;
  }
  let out = lines.length ? lines[0]! : open + close;
  for (const l of lines.slice(1)) out += l ? `\n${ctx.ind}${l}` : '\n';
  if (c.comment) {
    out += `\n${comment(c.comment, ctx.ind)}`;
    onComment?.();
  } else if (chompKeep) onChompKeep?.();
  return out;
}

function pair({ key, value }: Pair, ctx: Ctx, onComment: Done, onChompKeep: Done): string {
  const { ind, flow, allNull } = ctx;
  let keyComment = (isNode(key) && key.comment) || null;
  let explicit =
    !key ||
    (keyComment && value == null && !flow) ||
    key instanceof YAMLMap ||
    key instanceof YAMLSeq ||
    (key instanceof Scalar ? key.type === 'BLOCK_FOLDED' || key.type === 'BLOCK_LITERAL' : typeof key === 'object');
  const vctx: Ctx = { ...ctx, allNull: false, key: !explicit && !allNull, ind: `${ind}  ` };
  let keyCommentDone = false;
  let chompKeep = false;
  let s = node(key, vctx, () => (keyCommentDone = true), () => (chompKeep = true));
  if (!explicit && !flow && s.length > 1024) explicit = true;
  if (flow) {
    if (allNull || value == null) {
      if (keyCommentDone) onComment?.();
      return s === '' ? '?' : explicit ? `? ${s}` : s;
    }
  } else if (allNull || (value == null && explicit)) {
    s = `? ${s}`;
    if (keyComment && !keyCommentDone) s += lineComment(s, vctx.ind, keyComment);
    else if (chompKeep) onChompKeep?.();
    return s;
  }
  if (keyCommentDone) keyComment = null;
  if (explicit) {
    if (keyComment) s += lineComment(s, vctx.ind, keyComment);
    s = `? ${s}\n${ind}:`;
  } else {
    s += ':';
    if (keyComment) s += lineComment(s, vctx.ind, keyComment);
  }
  const v = isNode(value) ? value : value && typeof value === 'object' ? createNode(value) : value;
  const { spaceBefore: vsb, commentBefore: vcb, comment: vc } = isNode(value) ? value : ({} as Partial<Scalar>);
  vctx.key = false;
  chompKeep = false;
  let valueCommentDone = false;
  const vs = node(v, vctx, () => (valueCommentDone = true), () => (chompKeep = true));
  let ws = ' ';
  if (keyComment || vsb || vcb) {
    // The value starts on a line of its own: after a blank line and/or its comment lines.
    ws = vsb ? '\n' : '';
    if (vcb) ws += `\n${comment(vcb, vctx.ind)}`;
    if (vs === '' && !flow) {
      if (ws === '\n' && vc) ws = '\n\n';
    } else ws += `\n${vctx.ind}`;
  } else if (!explicit && (v instanceof YAMLMap || v instanceof YAMLSeq)) {
    const nl = vs.indexOf('\n');
    if (nl >= 0 || !(flow || (v.flow ?? v.items.length === 0))) {
      // A block collection goes below its key, unless its first line holds only its anchor/tag.
      let propsLine = false;
      if (nl >= 0 && (vs[0] === '&' || vs[0] === '!')) {
        let sp = vs.indexOf(' ');
        if (vs[0] === '&' && sp !== -1 && sp < nl && vs[sp + 1] === '!') sp = vs.indexOf(' ', sp + 1);
        propsLine = sp === -1 || nl < sp;
      }
      if (!propsLine) ws = `\n${vctx.ind}`;
    }
  } else if (vs === '' || vs[0] === '\n') ws = '';
  s += ws + vs;
  if (flow) {
    if (valueCommentDone) onComment?.();
  } else if (vc && !valueCommentDone) s += lineComment(s, vctx.ind, vc);
  else if (chompKeep) onChompKeep?.();
  return s;
}

// ---- scalars ----

/** Which core-schema type prints the scalar: its explicit tag's, else its value's. */
function scalar(n: Scalar, ctx: Ctx, onComment: Done, onChompKeep: Done): string {
  const { value, format, tag } = n;
  const t = tag?.startsWith(YAML_TAG) ? tag.slice(YAML_TAG.length) : '';
  const kind = /^(str|null|bool|int|float|map|seq)$/.test(t)
    ? t
    : typeof value === 'string' ? 'str'
    : value == null ? 'null'
    : typeof value === 'boolean' ? 'bool'
    : typeof value === 'number' || typeof value === 'bigint' ? 'num'
    : '';
  switch (kind) {
    case 'str': return string(n, ctx, onComment, onChompKeep, true);
    case 'map': case 'seq': return string(n, ctx, onComment, onChompKeep, false);
    case 'null': return typeof n.source === 'string' && /^(?:~|[Nn]ull|NULL)?$/.test(n.source) ? n.source : ctx.nullStr;
    case 'bool': {
      const src = n.source;
      return src && /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/.test(src) && value === /^t/i.test(src) ? src : value ? 'true' : 'false';
    }
    case 'int': return format === 'HEX' ? radix(n, 16) : format ? radix(n, 8) : number(n);
    case 'float': return format === 'EXP' ? exponent(n) : number(n);
    case 'num': return format === 'EXP' ? exponent(n) : format === 'HEX' ? radix(n, 16) : format === 'OCT' ? radix(n, 8) : number(n);
  }
  throw new Error(`Tag not resolved for ${value === null ? 'null' : typeof value} value`);
}

/** `0x1f`, `0o17`: only for integers from 0 up. */
function radix(n: Scalar, r: number): string {
  const v = n.value as number;
  return (Number.isInteger(v) || typeof v === 'bigint') && v >= 0 ? (r === 16 ? '0x' : '0o') + v.toString(r) : number(n);
}

function exponent(n: Scalar): string {
  const v = Number(n.value);
  return Number.isFinite(v) ? v.toExponential() : number(n);
}

function number({ value, format, minFractionDigits: digits, tag }: Scalar): string {
  if (typeof value === 'bigint') return String(value);
  const v = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(v)) return Number.isNaN(v) ? '.nan' : v < 0 ? '-.inf' : '.inf';
  let s = Object.is(value, -0) ? '-0' : JSON.stringify(value);
  // `1.50` keeps its trailing zero.
  if (!format && digits && (!tag || tag === `${YAML_TAG}float`) && /^-?\d/.test(s) && !s.includes('e')) {
    if (!s.includes('.')) s += '.';
    s += '0'.repeat(Math.max(0, digits - (s.length - s.indexOf('.') - 1)));
  }
  return s;
}

// ---- strings ----

/** A string the core schema would read as something else (null, bool, int, float) when written plain. */
const NOT_A_STRING =
  /^(?:~|[Nn]ull|NULL|[Tt]rue|TRUE|[Ff]alse|FALSE|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?(?:\.(?:inf|Inf|INF)|(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?)|\.nan|\.NaN|\.NAN)?$/;

/** A string that plain style cannot hold: starts with an indicator, has `: ` or ` #`, ends with a space or `:`… */
const NOT_PLAIN = /^[\n\t ,[\]{}#&*!|>'"%@`]|^[?-](?:[ \t]|$)|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$/;

/** Lines starting like a document marker or directive, which a reader could take for one. */
const hasDocMarker = (s: string) => /^(?:%|---|\.\.\.)/m.test(s);

function string(n: Scalar, ctx: Ctx, onComment: Done, onChompKeep: Done, actualString: boolean): string {
  const value = typeof n.value === 'string' ? n.value : String(n.value);
  let type = n.type;
  // Control characters and lone surrogates only have escapes.
  if (type !== 'QUOTE_DOUBLE' && /[\x00-\x08\x0b-\x1f\x7f-\x9f\u{D800}-\u{DFFF}]/u.test(value)) type = 'QUOTE_DOUBLE';
  const write = (t: string | undefined): string | null => {
    switch (t) {
      case 'BLOCK_FOLDED':
      case 'BLOCK_LITERAL':
        return ctx.key || ctx.flow ? quoted(value, ctx) : block(value, t, n.comment, ctx, onComment, onChompKeep);
      case 'QUOTE_DOUBLE': return doubleQuoted(value, ctx);
      case 'QUOTE_SINGLE': return singleQuoted(value, ctx);
      case 'PLAIN': return plain(value, type, n.comment, ctx, onComment, onChompKeep, actualString);
    }
    return null;
  };
  return write(type) ?? write((ctx.key && ctx.keyType) || ctx.strType)!;
}

function plain(value: string, type: string | undefined, com: Scalar['comment'], ctx: Ctx, onComment: Done, onChompKeep: Done, actualString: boolean): string {
  const { key, flow, ind } = ctx;
  const multiline = value.includes('\n');
  if ((key && multiline) || (flow && /[[\]{},]/.test(value))) return quoted(value, ctx);
  if (NOT_PLAIN.test(value)) {
    return key || flow || !multiline ? quoted(value, ctx) : block(value, type, com, ctx, onComment, onChompKeep);
  }
  // A multi-line string that was not written plain reads best as a block scalar.
  if (!key && !flow && type !== 'PLAIN' && multiline) return block(value, type, com, ctx, onComment, onChompKeep);
  if (hasDocMarker(value)) {
    if (ind === '') return block(value, type, com, { ...ctx, forceInd: true }, onComment, onChompKeep);
    if (key && ind === '  ') return quoted(value, ctx);
  }
  const s = value.replace(/\n+/g, `$&\n${ind}`);
  return actualString && NOT_A_STRING.test(s) ? quoted(value, ctx) : s;
}

/** Double quotes unless the string holds `"` and no `'`. */
const quoted = (value: string, ctx: Ctx) => (value.includes('"') && !value.includes("'") ? singleQuoted : doubleQuoted)(value, ctx);

function singleQuoted(value: string, ctx: Ctx): string {
  // A line break next to a space or tab, or one in a key, needs double quotes.
  if ((ctx.key && value.includes('\n')) || /[ \t]\n|\n[ \t]/.test(value)) return doubleQuoted(value, ctx);
  const ind = ctx.ind || (hasDocMarker(value) ? '  ' : '');
  return `'${value.replace(/'/g, "''").replace(/\n+/g, `$&\n${ind}`)}'`;
}

const ESCAPES: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\b': '\\b', '\f': '\\f', '\r': '\\r', '\t': '\\t', '\0': '\\0', '\x07': '\\a', '\x0b': '\\v', '\x1b': '\\e' };

function doubleQuoted(value: string, ctx: Ctx): string {
  const ind = ctx.ind || (hasDocMarker(value) ? '  ' : '');
  // A long string outside a key breaks its lines where the value does: `\n` is written as a blank line.
  const lines = !ctx.key && JSON.stringify(value).length >= 40;
  const last = value.length - 1;
  let out = '"';
  for (let i = 0; i <= last; i++) {
    const ch = value[i]!;
    const code = ch.charCodeAt(0);
    if (ch === '\n') {
      if (!lines || i === last) { out += '\\n'; continue; }
      out += '\n\n';
      while (value[i + 1] === '\n' && i + 1 < last) { out += '\n'; i++; }
      out += ind;
      // A space at the start of a continuation line would be folded away: escape it.
      if (value[i + 1] === ' ') out += '\\';
    } else if (ch === ' ' && value[i + 1] === '\n') out += '\\ ';
    else if (ESCAPES[ch]) out += ESCAPES[ch];
    else if (code < 0x20) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (code >= 0xd800 && code < 0xdc00 && /[\udc00-\udfff]/.test(value[i + 1] ?? '')) out += ch + value[++i];
    else if (code >= 0xd800 && code < 0xe000) out += `\\u${code.toString(16)}`; // a lone surrogate
    else out += ch;
  }
  return `${out}"`;
}

/** `|` or `>` with its chomping (`-` strip, `+` keep) and indentation indicators, then the lines. */
function block(value: string, type: string | undefined, com: Scalar['comment'], ctx: Ctx, onComment: Done, onChompKeep: Done): string {
  // Trailing spaces after the last line break cannot be told apart from indentation.
  let t = value.length;
  while (t > 0 && (value[t - 1] === ' ' || value[t - 1] === '\t')) t--;
  if (t < value.length && value[t - 1] === '\n') return quoted(value, ctx);
  const ind = ctx.ind || (ctx.forceInd || hasDocMarker(value) ? '  ' : '');
  const literal = type !== 'BLOCK_FOLDED';
  if (!value) return literal ? '|\n' : '>\n';
  let e = value.length;
  while (e > 0 && /[\n\t ]/.test(value[e - 1]!)) e--;
  let end = value.slice(e);
  const nl = end.indexOf('\n');
  let chomp = '';
  if (nl === -1) chomp = '-';
  else if (e === 0 || nl !== end.length - 1) {
    chomp = '+';
    onChompKeep?.();
  }
  if (end) {
    value = value.slice(0, e);
    if (end.endsWith('\n')) end = end.slice(0, -1);
    // Blank lines that are followed by whitespace-only text get the indentation before that text.
    end = end.replace(/\n+(?=[^\n])/g, `$&${ind}`);
  }
  let s = 0;
  let lastNl = -1;
  let space = false;
  for (; s < value.length; s++) {
    if (value[s] === ' ') space = true;
    else if (value[s] === '\n') lastNl = s;
    else break;
  }
  let start = value.slice(0, lastNl + 1);
  if (start) {
    value = value.slice(start.length);
    start = start.replace(/\n+/g, `$&${ind}`);
  }
  let header = (space ? (ind ? '2' : '1') : '') + chomp;
  if (com) {
    header += ` ${comment(com.replace(/ ?[\r\n]+/g, ' '), '')}`;
    onComment?.();
  }
  if (literal) return `|${header}\n${ind}${start}${value.replace(/\n+/g, `$&${ind}`)}${end}`;
  return `>${header}\n${ind}${start}${folded(value).replace(/\n+/g, `$&${ind}`)}${end}`;
}

/**
 * The body of a folded scalar: every run of line breaks gets one more (a single break would read as a space),
 * except next to a more-indented line (starting with a space or tab), which is not folded: the break before it,
 * and the last of the whitespace and breaks after it, stay as they are.
 */
function folded(value: string): string {
  const d = value.replace(/\n+/g, '\n$&');
  const ws = (c: string | undefined) => c === ' ' || c === '\t';
  let out = '';
  for (let i = 0; i < d.length; ) {
    let line = -1;
    if (i === 0 && ws(d[0])) line = 0;
    else if (d[i] === '\n' && ws(d[i + 1])) line = i + 1;
    if (line < 0) { out += d[i++]; continue; }
    let e = line;
    while (e < d.length && !'\n\r\u2028\u2029'.includes(d[e]!)) e++;
    let w = e;
    while (w < d.length && (d[w] === '\n' || ws(d[w]))) w++;
    const absorb = w > e && d[w - 1] === '\n';
    out += d.slice(line, absorb ? w - 1 : e);
    i = absorb ? w : e;
  }
  return out;
}
