// harden-init's YAML reader: one document of the YAML a compose file uses, read into the model of nodes.ts with the
// very fields (comments, blank lines, quoting, number formats) the `yaml` package (v2) would set on the same text,
// so the printer and the editing code see no difference (test/unit/yaml-parse.test.ts compares the two).
// A single forward pass over the text, a line at a time; no backtracking over more than one line.
// This file reads the structure (block maps and sequences, flow collections, keys, properties); the scalar
// readers, the core schema and comment placement have their own files.
import { readBlockBody } from './block-scalar.js';
import { ITEM_DASH, LINE_BREAK, PROPERTIES, joinComments, ownedCommentLength, placeBefore, placePrelude, splitAtNextKey, type Token } from './comments.js';
import { CORE_TAG_PREFIX, expandTag, resolveScalar } from './core-schema.js';
import { Alias, Document, Pair, Scalar, YAMLError, YAMLMap, YAMLSeq, type Node, type ScalarType } from './nodes.js';
import { NOT_PLAIN_START, plainLine, readPlain } from './plain.js';
import { readQuoted } from './quoted.js';
import {
  FLOW_INDICATORS, ParseFailure, columnAt, fail as failAt, indentAt, isBreakOrSpaceAt, isDocumentMarkerAt, isSpace, lineEndAt, nameEndAt, tagEndAt,
} from './scan.js';

export interface ParseOptions {
  /** `<<` merge keys apply when the document is turned into plain values (Compose does this). */
  merge?: boolean;
}

/** An anchor (`&name`) and a tag (`!tag`, as written) before a node. */
interface NodeProps {
  anchor?: string;
  tag?: string;
}

const quoteType = (quote: string): ScalarType => (quote === '"' ? 'QUOTE_DOUBLE' : 'QUOTE_SINGLE');

export function parseDocument(source: string, opts: ParseOptions = {}): Document {
  const text = source.replace(/\r\n?/g, '\n');
  const length = text.length;
  const doc = new Document();
  if (opts.merge !== undefined) doc.merge = opts.merge;
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  /** Column of the content line the reader stands on; -1 at the end (or a document marker). */
  let indent = 0;

  const fail = (code: string, message: string, at = pos): never => failAt(code, message, at);
  const report = (list: YAMLError[], code: string, message: string, at: number) => {
    const head = text.slice(0, at);
    list.push(new YAMLError(code, message, { line: head.split('\n').length, col: at - head.lastIndexOf('\n') }));
  };
  const warn = (message: string) => report(doc.warnings, 'TAG_RESOLVE_FAILED', message, pos);
  const breakOrSpaceAt = (i: number) => isBreakOrSpaceAt(text, i);
  const skipSpaces = () => { while (isSpace(text[pos])) pos++; };
  /** Nothing but a comment, if anything, left on this line. */
  const atLineEnd = () => pos >= length || text[pos] === '\n' || text[pos] === '#';
  const atDash = () => text[pos] === '-' && breakOrSpaceAt(pos + 1);

  /** From a line start: blank and comment lines up to the next content line (pos then on its first character). */
  function skipToContent(): Token[] {
    const tokens: Token[] = [];
    for (;;) {
      let indentEnd = pos;
      while (text[indentEnd] === ' ') indentEnd++;
      let first = indentEnd;
      while (isSpace(text[first])) first++;
      if (first >= length) { pos = length; indent = -1; return tokens; }
      if (text[first] === '\n') { tokens.push(LINE_BREAK); pos = first + 1; continue; }
      if (text[first] === '#') {
        const end = lineEndAt(text, first);
        // Its column counts the spaces before it only: a tab never indents (the library reads it so).
        tokens.push({ text: text.slice(first + 1, end) || ' ', column: indentEnd - pos });
        if (end < length) tokens.push(LINE_BREAK);
        pos = end + 1;
        continue;
      }
      if (indentEnd === pos && isDocumentMarkerAt(text, indentEnd)) { indent = -1; return tokens; }
      // Tabs may stand before a comment or on a blank line, but never in a content line's indentation.
      if (first > indentEnd) fail('TAB_AS_INDENT', 'Tabs are not allowed as indentation', indentEnd);
      indent = indentEnd - pos;
      pos = indentEnd;
      return tokens;
    }
  }

  /**
   * The rest of a content line: an optional comment (returned), then the line break. An empty comment (`#` alone)
   * is returned as `empty`.
   */
  function finishLine(empty = ' '): string | undefined {
    skipSpaces();
    let comment: string | undefined;
    if (text[pos] === '#') {
      if (pos && !breakOrSpaceAt(pos - 1)) fail('MISSING_CHAR', 'Comments must be separated from other tokens by white space characters');
      const end = lineEndAt(text, pos);
      comment = text.slice(pos + 1, end) || empty;
      pos = end;
    }
    if (pos < length && text[pos] !== '\n') fail('UNEXPECTED_TOKEN', 'Unexpected content at the end of a line');
    if (pos < length) pos++;
    return comment;
  }

  /** `&anchor` and `!tag` before a node on this line (`inFlow` inside a flow collection). */
  function readProps(inFlow = false): NodeProps {
    const props: NodeProps = {};
    for (;;) {
      const c = text[pos];
      if (c !== '&' && c !== '!') return props;
      const start = pos;
      pos = c === '&' ? nameEndAt(text, pos) : tagEndAt(text, pos);
      // `!"x"` or `&a[1]` is no tag or anchor followed by a node: the library refuses it.
      if (!breakOrSpaceAt(pos) && !(inFlow && ',]}'.includes(text[pos])))
        fail('MISSING_CHAR', 'Tags and anchors must be separated from the next token by white space');
      // The library refuses a verbatim tag left open, `!!` with no name and a named handle (`!e!x`): no document declares one.
      if (c === '!' && /^!(?:<[^>]*$|!$|![^!]*!|[^!<]+!)/.test(text.slice(start, pos)))
        fail('TAG_RESOLVE_FAILED', `Could not resolve tag: ${text.slice(start, pos)}`, start);
      if (c === '&') {
        if (pos === start + 1) fail('BAD_ALIAS', 'Anchor cannot be an empty string', start);
        joinProps(props, { anchor: text.slice(start + 1, pos) }, start);
      } else joinProps(props, { tag: text.slice(start, pos) }, start);
      skipSpaces();
    }
  }

  /** Adds `more` (read later) to `props`: a node has one anchor and one tag at most. */
  function joinProps(props: NodeProps, more: NodeProps, at = pos): NodeProps {
    if (props.anchor && more.anchor) fail('MULTIPLE_ANCHORS', 'A node can have at most one anchor', at);
    if (props.tag && more.tag) fail('MULTIPLE_TAGS', 'A node can have at most one tag', at);
    return Object.assign(props, more);
  }

  function scalar(source: string, type: ScalarType, props: NodeProps, comment?: string): Scalar {
    const tag = props.tag && expandTag(props.tag);
    // A tag that does not fit (`!!int abc`, `!custom`) leaves the text as a string, with a warning.
    let resolved = resolveScalar(source, type === 'PLAIN', tag);
    if (!resolved) { warn(`Unresolved tag: ${tag}`); resolved = [source]; }
    const [value, format, minFractionDigits] = resolved;
    const node = new Scalar(value);
    node.source = source;
    node.type = type;
    if (format) node.format = format;
    if (minFractionDigits !== undefined) node.minFractionDigits = minFractionDigits;
    if (tag) node.tag = tag;
    if (props.anchor) node.anchor = props.anchor;
    if (comment) node.comment = comment;
    return node;
  }

  function applyCollectionProps(node: YAMLMap | YAMLSeq, props: NodeProps): void {
    if (props.anchor) node.anchor = props.anchor;
    if (!props.tag) return;
    // A bare `!` on a collection resolves to its own core type; a tag other than that is kept, with a warning.
    const own = CORE_TAG_PREFIX + (node instanceof YAMLMap ? 'map' : 'seq');
    const tag = expandTag(props.tag);
    if (tag !== '!' && tag !== own) warn(`Unresolved tag: ${tag}`);
    node.tag = tag === '!' ? own : tag;
  }

  function quoted(parentIndent: number, props: NodeProps): Scalar {
    const type = quoteType(text[pos]);
    const [value, end] = readQuoted(text, pos, parentIndent);
    pos = end;
    return scalar(value, type, props);
  }

  function plain(parentIndent: number, inFlow: boolean, props: NodeProps): Scalar {
    const [value, end] = readPlain(text, pos, parentIndent, inFlow);
    pos = end;
    return scalar(value, 'PLAIN', props);
  }

  /** A block scalar at its `|` or `>`, inside a collection indented `parentIndent`. */
  function blockScalar(parentIndent: number, props: NodeProps): Scalar {
    const literal = text[pos++] === '|';
    let chomp = '';
    let explicitIndent = 0;
    for (let k = 0; k < 2; k++) {
      const c = text[pos];
      if (c === '+' || c === '-') { chomp = c; pos++; }
      else if (c >= '1' && c <= '9') { explicitIndent = +c; pos++; }
    }
    if (!breakOrSpaceAt(pos) && text[pos] !== '#') fail('UNEXPECTED_TOKEN', 'Unexpected characters in a block scalar header');
    // The library keeps no comment for a bare `#` after a block scalar's header.
    const comment = finishLine('');
    const [value, end] = readBlockBody(text, pos, parentIndent, literal, chomp, explicitIndent);
    pos = end;
    return scalar(value, literal ? 'BLOCK_LITERAL' : 'BLOCK_FOLDED', props, comment);
  }

  /** An alias at its `*`. */
  function alias(): Alias {
    const start = ++pos;
    pos = nameEndAt(text, pos);
    if (pos === start) fail('BAD_ALIAS', 'Alias cannot be an empty string');
    return new Alias(text.slice(start, pos));
  }

  /**
   * A flow collection at its `[` or `{`, inside a block collection indented `parentIndent` (-1 at the top); `nested`
   * inside another flow collection. pos is after the closing bracket on return.
   */
  function flowCollection(props: NodeProps, parentIndent: number, nested = false): YAMLMap | YAMLSeq {
    const isMap = text[pos] === '{';
    const close = isMap ? '}' : ']';
    const collection = isMap ? new YAMLMap() : new YAMLSeq();
    applyCollectionProps(collection, props);
    collection.flow = true;
    const open = pos++;
    const unclosed = () => fail('MISSING_CHAR', `Expected flow ${isMap ? 'map' : 'sequence'} to end with ${close}`, open);
    /** Comments not yet placed: the next item's commentBefore, or the collection's comment at its end. */
    let pending: string[] = [];
    let previous: Node | null = null;
    // Spaces, line breaks and comments: a comment on the line of the previous item is that item's.
    const skip = () => {
      let newLine = false;
      let lineIndent = 0;
      for (;;) {
        if (pos >= length) unclosed();
        const c = text[pos];
        if (isSpace(c)) pos++;
        else if (c === '\n') { pos++; newLine = true; lineIndent = indentAt(text, pos); }
        else if (c === '#') {
          const end = lineEndAt(text, pos);
          const comment = text.slice(pos + 1, end) || ' ';
          if (!newLine && previous) previous.comment = previous.comment ? previous.comment + '\n' + comment : comment;
          else pending.push(comment);
          pos = end;
        } else if (isDocumentMarkerAt(text, pos)) unclosed();
        else {
          // Its lines must be indented past the block collection it is in; only the outermost closing bracket may
          // stand at that collection's own indent (the library allows it too).
          const closesAtParent = !nested && lineIndent === parentIndent && (c === ']' || c === '}');
          if (newLine && lineIndent <= parentIndent && !closesAtParent)
            fail('BAD_INDENT', 'Flow collection in block collection must be sufficiently indented');
          return;
        }
      }
    };
    /** A key or value, or null where there is none (`[a, : b]`, `{: b}`). */
    const item = (): Node | null => {
      const itemProps = readProps(true);
      const c = text[pos];
      let node!: Node;
      if (c === '[' || c === '{') node = flowCollection(itemProps, parentIndent, true);
      else if (c === '"' || c === "'") node = quoted(parentIndent, itemProps);
      else if (c === '*') node = alias();
      else if (c === '?' && (breakOrSpaceAt(pos + 1) || FLOW_INDICATORS.includes(text[pos + 1])))
        fail('NOT_SUPPORTED', 'Explicit keys (?) are not supported');
      else if (c === '-' && (breakOrSpaceAt(pos + 1) || FLOW_INDICATORS.includes(text[pos + 1])))
        fail('BLOCK_IN_FLOW', 'Block collections are not allowed within flow collections');
      else if (c === ',' || c === close || (c === ':' && (breakOrSpaceAt(pos + 1) || FLOW_INDICATORS.includes(text[pos + 1])))) {
        if (!itemProps.anchor && !itemProps.tag) return null;
        node = scalar('', 'PLAIN', itemProps);
      } else if (NOT_PLAIN_START.includes(c)) fail('UNEXPECTED_TOKEN', `Unexpected ${c} in flow collection`);
      else node = plain(parentIndent, true, itemProps);
      if (pending.length) { node.commentBefore = pending.join('\n'); pending = []; }
      return node;
    };
    for (;;) {
      skip();
      if (text[pos] === close) { pos++; break; }
      if (text[pos] === ',') fail('UNEXPECTED_TOKEN', 'Unexpected , in flow collection');
      const key = item();
      skip();
      let entry: Node | Pair | null = key;
      if (text[pos] === ':') {
        pos++;
        skip();
        const value = text[pos] === ',' || text[pos] === close ? scalar('', 'PLAIN', {}) : item();
        const pair = new Pair(key ?? scalar('', 'PLAIN', {}), value);
        if (isMap) entry = pair;
        else {
          // `[a: b]` is a sequence holding a one-pair flow map.
          const map = new YAMLMap();
          map.flow = true;
          map.items.push(pair);
          entry = map;
        }
        previous = value;
        skip();
      } else {
        if (!key) fail('UNEXPECTED_TOKEN', 'Unexpected token in flow collection');
        if (isMap) entry = new Pair(key, null);
        previous = key;
      }
      (collection.items as unknown[]).push(entry);
      if (text[pos] === ',') { pos++; continue; }
      if (text[pos] !== close) fail('MISSING_CHAR', `Expected , or ${close} in flow collection`);
    }
    if (pending.length) collection.comment = pending.join('\n');
    return collection;
  }

  /** A map key on this line (then pos is after its `:`), or null with pos unchanged. */
  function mapKey(props: NodeProps): Node | null {
    const start = pos;
    const warnings = doc.warnings.length;
    const lineEnd = lineEndAt(text, pos);
    const c = text[pos];
    // A scalar key becomes a node only once its `:` is found, so one that turns out to be a value warns only once
    // (when read again as the value); a flow collection or alias read here drops its warnings if it is no key.
    let key: Node | string;
    let type: ScalarType = 'PLAIN';
    if (c === '?' && breakOrSpaceAt(pos + 1)) fail('NOT_SUPPORTED', 'Complex mapping keys (?) are not supported');
    if (c === '"' || c === "'") {
      type = quoteType(c);
      [key, pos] = readQuoted(text, pos, -1);
    } else if (c === '*') key = alias();
    else if (c === '[' || c === '{') key = flowCollection(props, -1);
    else if (NOT_PLAIN_START.includes(c)) return null;
    else {
      const [textEnd, stop] = plainLine(text, pos, false);
      if (text[stop] !== ':') return null;
      key = text.slice(pos, textEnd);
      pos = stop;
    }
    skipSpaces();
    if (pos <= lineEnd && text[pos] === ':' && breakOrSpaceAt(pos + 1)) {
      pos++;
      return typeof key == 'string' ? scalar(key, type, props) : key;
    }
    pos = start;
    doc.warnings.length = warnings;
    return null;
  }

  /**
   * The trailing comment of a plain, quoted or flow node: the one on its line, then the comment lines below it
   * indented deeper than its parent. Returns the tokens after those, for the parent to place.
   */
  function trailingComment(node: Node, parentIndent: number): Token[] {
    const comment = finishLine();
    const tokens = skipToContent();
    const owned = ownedCommentLength(tokens, parentIndent);
    if (!owned) {
      if (comment) node.comment = comment;
      return tokens;
    }
    node.comment = joinComments([...(comment ? [{ text: comment, column: parentIndent }] : []), LINE_BREAK, ...tokens.slice(0, owned)]);
    return tokens.slice(owned);
  }

  /**
   * A block collection at column `column` ends: the comment lines after it that reach its own column are its
   * trailing comment; otherwise (and always at the top level) they go on to what follows.
   */
  function endCollection<T extends YAMLMap | YAMLSeq>(collection: T, column: number, tokens: Token[]): [T, Token[]] {
    if (indent > column) fail('BAD_INDENT', 'Bad indentation of a mapping or sequence entry');
    if (column === 0 || tokens.every((t) => typeof t != 'object' || t.column < column)) return [collection, tokens];
    const [comment] = placeBefore(tokens, true);
    if (comment) collection.comment = comment;
    return [collection, []];
  }

  /**
   * The block node at pos, inside a collection indented `parentIndent` (-1 for the document). `onKeyLine` when on
   * a map key's line, where no block collection may start; `outer` the props written on an earlier line. Returns
   * the node and the comment lines after it that its parent places; pos is then on the next content line.
   */
  function blockNode(parentIndent: number, onKeyLine: boolean, outer: NodeProps = {}): [Node, Token[]] {
    const column = columnAt(text, pos);
    const props = readProps();
    const c = text[pos];
    if (atDash()) {
      if (onKeyLine) fail('BLOCK_AS_IMPLICIT_KEY', 'A block sequence may not be used as an implicit map key');
      if (props.anchor || props.tag) fail('MISSING_CHAR', 'A block sequence may not start on the line of its anchor or tag');
      return blockSeq(column, joinProps(outer, props));
    }
    if (c === '|' || c === '>') return [blockScalar(parentIndent, joinProps(outer, props)), skipToContent()];
    // The props on this line belong to the first key, those on earlier lines to the map.
    const key = mapKey(props);
    if (key) {
      if (onKeyLine) fail('BLOCK_AS_IMPLICIT_KEY', 'Nested mappings are not allowed in compact mappings');
      return blockMap(column, key, [], outer);
    }
    const all = joinProps(outer, props);
    let node!: Node;
    if (c === '[' || c === '{') node = flowCollection(all, parentIndent);
    else if (c === '*') {
      node = alias();
      if (all.anchor || all.tag) fail('ALIAS_PROPS', 'An alias node must not specify any properties');
    } else if (c === '"' || c === "'") node = quoted(parentIndent, all);
    else if (NOT_PLAIN_START.includes(c)) fail('UNEXPECTED_TOKEN', `Unexpected ${c}`);
    else node = plain(parentIndent, false, all);
    return [node, trailingComment(node, parentIndent)];
  }

  /**
   * The value after a map's `:` or a sequence's `-` (pos just after it), on this line or the next ones. `tokens`
   * holds what came before it (the `-` and the comments before an item).
   */
  function blockValue(parentIndent: number, tokens: Token[], inSeq: boolean): [Node, Token[]] {
    const gap = pos;
    skipSpaces();
    let start = pos;
    const props = readProps();
    // After a `-`, a tab before an anchor or tag counts as indentation to the library, which refuses it.
    if (inSeq && pos > start && text.slice(gap, start).includes('\t')) fail('TAB_AS_INDENT', 'Tabs are not allowed as indentation', gap);
    if (!atLineEnd()) {
      // On the indicator's line: read again with the props, which then belong to the node (or its first key).
      pos = start;
      const read = blockNode(parentIndent, !inSeq);
      // `-<tab>a: 1`: a tab may separate a scalar from its `-`, but never indent a block collection.
      if ((read[0] instanceof YAMLMap || read[0] instanceof YAMLSeq) && !read[0].flow && text.slice(gap, start).includes('\t'))
        fail('TAB_AS_INDENT', 'Tabs are not allowed as indentation', gap);
      decorate(read[0], tokens, inSeq, inSeq);
      return read;
    }
    // Props alone on the indicator's line, or on lines of their own below it, belong to the node after them.
    for (let column = parentIndent; ; column = indent) {
      if (pos > start) tokens.push(PROPERTIES);
      // The text may end on this line: no line break then (it would count as a blank line in a comment).
      const lineBreak = lineEndAt(text, pos) < length;
      const lineComment = finishLine();
      if (lineComment) tokens.push({ text: lineComment, column });
      if (lineBreak) tokens.push(LINE_BREAK);
      tokens.push(...skipToContent());
      if (indent <= parentIndent) break;
      start = pos;
      const more = readProps();
      if (pos === start || !atLineEnd()) { pos = start; break; }
      joinProps(props, more, start);
    }
    // On the next lines: deeper, or a map's value may be a sequence at the map's own indent (`key:\n- item`).
    if (indent > parentIndent || (indent === parentIndent && !inSeq && atDash())) {
      const read = blockNode(parentIndent, false, props);
      decorate(read[0], tokens, inSeq, inSeq);
      return read;
    }
    // No value: an empty scalar, which takes the comments as its `comment` rather than `commentBefore`.
    const rest = !inSeq && parentIndent >= 0 && indent === parentIndent ? splitAtNextKey(tokens, parentIndent) : [];
    const node = scalar('', 'PLAIN', props);
    const [comment, spaceBefore] = placeBefore(tokens, inSeq, inSeq);
    if (comment) node.comment = comment;
    if (spaceBefore) node.spaceBefore = true;
    return [node, rest];
  }

  function decorate(node: Node, tokens: Token[], atLineStart: boolean, inSeq?: boolean): void {
    const [comment, spaceBefore] = placeBefore(tokens, atLineStart, inSeq);
    if (comment) node.commentBefore = comment;
    if (spaceBefore) node.spaceBefore = true;
  }

  /** A block map at `column` whose first key has been read; `keyTokens` are the tokens before that key. */
  function blockMap(column: number, key: Node, keyTokens: Token[], props: NodeProps): [YAMLMap, Token[]] {
    const map = new YAMLMap();
    applyCollectionProps(map, props);
    for (;;) {
      decorate(key, keyTokens, true);
      if (key instanceof Scalar) {
        const value = key.value;
        // `<<` may repeat when merge keys apply: each one merges another map.
        const mergeKey = opts.merge && value === '<<' && key.type === 'PLAIN';
        if (!mergeKey && map.items.some((pair) => pair.key instanceof Scalar && pair.key.value === value))
          report(doc.errors, 'DUPLICATE_KEY', 'Map keys must be unique', pos);
      }
      const [value, tokens] = blockValue(column, [], false);
      map.items.push(new Pair(key, value));
      if (indent !== column || atDash()) return endCollection(map, column, tokens);
      keyTokens = tokens;
      const lineStart = pos;
      key = mapKey(readProps()) ?? fail('MISSING_CHAR', 'Implicit map keys need to be followed by map values', lineStart);
    }
  }

  /** A block sequence whose first `-` is at pos, in column `column`. */
  function blockSeq(column: number, props: NodeProps): [YAMLSeq, Token[]] {
    const seq = new YAMLSeq();
    applyCollectionProps(seq, props);
    let tokens: Token[] = [];
    for (;;) {
      pos++;
      tokens.push(ITEM_DASH);
      const [value, after] = blockValue(column, tokens, true);
      seq.items.push(value);
      if (indent !== column || !atDash()) return endCollection(seq, column, after);
      tokens = after;
    }
  }

  try {
    const prelude = skipToContent();
    if (indent === 0 && text[pos] === '%') fail('NOT_SUPPORTED', 'Directives (%) are not supported');
    let explicitStart = false;
    let contents: Node | null = null;
    let rest: Token[] = [];
    let startTokens: Token[] = [];
    if (indent < 0 && text.startsWith('---', pos)) {
      explicitStart = true;
      doc.directives = { docStart: true }; // printed back, as the library does
      pos += 3;
      skipSpaces();
      if (atLineEnd()) {
        const comment = finishLine();
        startTokens = [...(comment ? [{ text: comment, column: 0 }] : []), LINE_BREAK, ...skipToContent()];
      } else indent = columnAt(text, pos);
    }
    if (indent >= 0) {
      // An anchor or tag alone on the first line belongs to the node on the lines after it, as after a key's `:`.
      const start = pos;
      readProps(); // moves past them (and refuses bad ones)
      const propsAlone = pos > start && atLineEnd();
      pos = start;
      [contents, rest] = propsAlone ? blockValue(-1, [], false) : blockNode(-1, false);
      decorate(contents, startTokens, false);
      if (indent >= 0) fail('BAD_INDENT', 'Bad indentation: content after the document');
    } else if (explicitStart) contents = scalar('', 'PLAIN', {}, placeBefore(startTokens, false)[0] || undefined);
    doc.contents = contents;
    let comment = joinComments(rest);
    if (text.startsWith('...', pos)) {
      pos += 3;
      doc.directives = { ...doc.directives, docEnd: true };
      const lineComment = finishLine();
      const [after] = placePrelude([...(lineComment ? [{ text: lineComment, column: 0 }] : []), ...skipToContent()]);
      if (lineComment || after) comment = comment ? comment + '\n' + after : after;
    }
    if (comment) doc.comment = comment;
    if (pos < length) fail('MULTIPLE_DOCS', 'Source contains multiple documents; please use YAML.parseAllDocuments()');
    // Comment lines before the content are the first node's commentBefore, unless a blank line or `---` separates
    // them from it: then they are the document's.
    const [before, endsWithBlank] = placePrelude(prelude);
    if (before) {
      const first = contents instanceof YAMLMap || contents instanceof YAMLSeq ? !contents.flow && contents.items[0] : null;
      const target = endsWithBlank || explicitStart || !contents ? null : first ? (first instanceof Pair ? first.key : first) : contents;
      if (!target) doc.commentBefore = before;
      else {
        const node = target as Node;
        node.commentBefore = node.commentBefore ? before + '\n' + node.commentBefore : before;
      }
    }
  } catch (e) {
    if (!(e instanceof ParseFailure)) throw e;
    report(doc.errors, e.code, e.message, e.at);
  }
  return doc;
}

/** The plain value of a one-document YAML text, as `yaml`'s parse() gives it; throws the first problem. */
export function parse(text: string, opts: ParseOptions = {}): unknown {
  const doc = parseDocument(text, opts);
  if (doc.errors.length) throw doc.errors[0];
  return doc.toJS();
}
