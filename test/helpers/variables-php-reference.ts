// The variables.php reader as it was before the regex-driven scan: src/targets/appwrite/upstream/variables-php.ts
// at commit c169b47, whose tokenizer steps through the text a character (or token) at a time and whose parser
// reads every token. The oracle of test/unit/variables-php-equivalence.test.ts: the faster reader must give the
// same variables, or the same error, for every input. Not part of the product.
import type { UpstreamVariable } from '../../src/targets/appwrite/upstream/types.js';

type Token =
  | { k: 'str'; v: string; at: number }
  | { k: 'num'; v: string; at: number }
  | { k: 'word'; v: string; at: number }
  | { k: 'punct'; v: string; at: number };

type Value =
  | { t: 'str'; v: string }
  | { t: 'num'; v: string }
  | { t: 'bool'; v: boolean }
  | { t: 'arr'; items: { key?: Value; value: Value }[] }
  | { t: 'expr' };

class PhpParseError extends Error {}

function lineOf(text: string, at: number): number {
  let line = 1;
  for (let i = 0; i < at && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

const DQ_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', v: '\v', f: '\f', e: '\x1b', '\\': '\\', $: '$', '"': '"' };

function decodeDoubleQuoted(body: string): string {
  // PHP double-quoted escapes; `$var` interpolation is kept as literal text (variables.php does not use it).
  return body.replace(/\\(u\{[0-9a-fA-F]+\}|x[0-9a-fA-F]{1,2}|[0-7]{1,3}|.)/gs, (all, e: string) => {
    if (e in DQ_ESCAPES) return DQ_ESCAPES[e]!;
    if (e[0] === 'u' && e.length > 1) return String.fromCodePoint(parseInt(e.slice(2, -1), 16));
    if (e[0] === 'x' && e.length > 1) return String.fromCharCode(parseInt(e.slice(1), 16));
    if (/^[0-7]+$/.test(e)) return String.fromCharCode(parseInt(e, 8) & 0xff);
    return all; // unknown escape: PHP keeps the backslash
  });
}

// Sticky (`y`) patterns match at lastIndex without slicing the text: the tokenizer runs once per run over a 66 KB
// file on a cold process, where a regex test and a string copy per character cost tens of milliseconds.
const WHITESPACE = /\s+/y;
const NUMBER = /^(?:0[xX][0-9a-fA-F_]+|0[bB][01_]+|\d[\d_]*(?:\.\d[\d_]*)?(?:[eE][+-]?\d+)?)/;
const WORD = /^[A-Za-z_\\\x80-\uffff][\w\\\x80-\uffff]*/;
const isDigit = (code: number) => code >= 48 && code <= 57;
/** The first character WORD accepts: [A-Za-z_\\\x80-\uffff]. */
const startsWord = (code: number) => (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95 || code === 92 || (code >= 0x80 && code <= 0xffff);

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    WHITESPACE.lastIndex = i;
    if (WHITESPACE.test(text)) { i = WHITESPACE.lastIndex; continue; }
    if (text.startsWith('<?php', i)) { i += 5; continue; }
    if (text.startsWith('?>', i)) { i += 2; continue; }
    if (text.startsWith('//', i) || (c === '#' && text[i + 1] !== '[')) {
      while (i < n && text[i] !== '\n') i++;
      continue;
    }
    if (text.startsWith('/*', i)) {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) throw new PhpParseError(`unterminated comment at line ${lineOf(text, i)}`);
      i = end + 2;
      continue;
    }
    if (c === "'" || c === '"') {
      const start = i;
      const quote = text.charCodeAt(i);
      let j = i + 1;
      for (;;) {
        if (j >= n) throw new PhpParseError(`unterminated string at line ${lineOf(text, start)}`);
        const d = text.charCodeAt(j);
        if (d === quote) break;
        if (d === 92 && j + 1 < n) { j += 2; continue; } // a backslash and the character it escapes
        j++;
      }
      const body = text.slice(i + 1, j);
      i = j + 1;
      // Single-quoted: only \' and \\ are escapes; every other backslash is literal.
      const v = c === "'" ? body.replace(/\\(['\\])/g, '$1') : decodeDoubleQuoted(body);
      out.push({ k: 'str', v, at: start });
      continue;
    }
    if (text.startsWith('=>', i)) { out.push({ k: 'punct', v: '=>', at: i }); i += 2; continue; }
    // Each pattern can only match from its first character; the slice caps a token's length as before.
    const code = text.charCodeAt(i);
    let m = isDigit(code) ? NUMBER.exec(text.slice(i, i + 64)) : null;
    if (m) { out.push({ k: 'num', v: m[0].replace(/_/g, ''), at: i }); i += m[0].length; continue; }
    m = startsWord(code) ? WORD.exec(text.slice(i, i + 256)) : null;
    if (m) { out.push({ k: 'word', v: m[0], at: i }); i += m[0].length; continue; }
    out.push({ k: 'punct', v: c, at: i });
    i++;
  }
  return out;
}

class Parser {
  pos = 0;
  constructor(private readonly toks: Token[], private readonly text: string) {}

  private peek(o = 0): Token | undefined { return this.toks[this.pos + o]; }
  private isPunct(t: Token | undefined, v: string): boolean { return t?.k === 'punct' && t.v === v; }
  private fail(msg: string): never {
    const t = this.peek();
    throw new PhpParseError(`${msg} at ${t ? `line ${lineOf(this.text, t.at)}` : 'end of file'}`);
  }

  /** One expression, up to (not including) `,`, `=>`, `;` or the enclosing array's closer. */
  expr(closer: string): Value {
    const parts: Value[] = [];
    const ops: string[] = [];
    for (;;) {
      const t = this.peek();
      if (!t) {
        if (closer === ';') break;
        this.fail('unexpected end of file');
      }
      if (t.k === 'punct' && (t.v === ',' || t.v === '=>' || t.v === ';' || t.v === closer)) break;
      if (t.k === 'punct' && (t.v === ']' || t.v === ')')) this.fail(`unbalanced '${t.v}'`);
      if (this.isPunct(t, '[')) { this.pos++; parts.push(this.array(']')); continue; }
      if (t.k === 'word' && t.v.toLowerCase() === 'array' && this.isPunct(this.peek(1), '(')) {
        this.pos += 2;
        parts.push(this.array(')'));
        continue;
      }
      if (this.isPunct(t, '(')) { this.pos++; this.array(')'); parts.push({ t: 'expr' }); continue; }
      this.pos++;
      if (t.k === 'str') parts.push({ t: 'str', v: t.v });
      else if (t.k === 'num') parts.push({ t: 'num', v: t.v });
      else if (t.k === 'word' && /^(true|false)$/i.test(t.v)) parts.push({ t: 'bool', v: t.v.toLowerCase() === 'true' });
      else if (t.k === 'punct' && (t.v === '.' || t.v === '-' || t.v === '+')) ops.push(t.v);
      else parts.push({ t: 'expr' });
    }
    if (parts.length === 1 && ops.length === 0) return parts[0]!;
    // -5 / +5
    if (parts.length === 1 && parts[0]!.t === 'num' && ops.length === 1 && ops[0] !== '.') {
      return { t: 'num', v: (ops[0] === '-' ? '-' : '') + parts[0]!.v };
    }
    // 'a' . 'b': a concatenation of literals is still a literal.
    if (parts.length > 1 && ops.length === parts.length - 1 && ops.every((o) => o === '.') &&
        parts.every((p) => p.t === 'str' || p.t === 'num')) {
      return { t: 'str', v: parts.map((p) => (p as { v: string }).v).join('') };
    }
    return { t: 'expr' };
  }

  /** After the opener; consumes the closer. */
  array(closer: string): Value {
    const items: { key?: Value; value: Value }[] = [];
    for (;;) {
      if (this.isPunct(this.peek(), closer)) { this.pos++; return { t: 'arr', items }; }
      const first = this.expr(closer);
      let item: { key?: Value; value: Value } = { value: first };
      if (this.isPunct(this.peek(), '=>')) { this.pos++; item = { key: first, value: this.expr(closer) }; }
      items.push(item);
      const t = this.peek();
      if (this.isPunct(t, ',')) { this.pos++; continue; }
      if (this.isPunct(t, closer)) continue;
      this.fail(`expected ',' or '${closer}'`);
    }
  }

  /** The `return …;` value, or the first array literal when there is no return. */
  top(): Value {
    const ret = this.toks.findIndex((t) => t.k === 'word' && t.v.toLowerCase() === 'return');
    this.pos = ret >= 0 ? ret + 1 : this.toks.findIndex((t) => t.k === 'punct' && t.v === '[');
    if (this.pos < 0) this.fail('no array literal');
    return this.expr(';');
  }
}

function get(arr: Extract<Value, { t: 'arr' }>, key: string): Value | undefined {
  return arr.items.find((i) => i.key?.t === 'str' && i.key.v === key)?.value;
}

function scalar(v: Value | undefined): string {
  return v && (v.t === 'str' || v.t === 'num') ? v.v : '';
}

export function referenceParseVariablesPhp(text: string): UpstreamVariable[] {
  let root: Value;
  try {
    root = new Parser(tokenize(text), text).top();
  } catch (e) {
    if (e instanceof PhpParseError) throw new Error(`variables.php: cannot read the PHP array: ${e.message}`);
    throw e;
  }
  const out: UpstreamVariable[] = [];
  const walk = (v: Value): void => {
    if (v.t !== 'arr') return;
    const list = get(v, 'variables');
    if (list?.t === 'arr') {
      for (const { value: entry } of list.items) {
        if (entry.t !== 'arr') continue;
        const name = get(entry, 'name');
        if (!name) continue;
        // A name we cannot read is a variable we cannot vet (it might be a secret): refuse, do not skip.
        if (name.t !== 'str') throw new Error("variables.php: a variable's 'name' is not a string literal");
        const required = get(entry, 'required');
        out.push({
          name: name.v,
          default: scalar(get(entry, 'default')),
          filter: scalar(get(entry, 'filter')),
          required: required?.t === 'bool' ? required.v : required?.t === 'num' ? Number(required.v) !== 0 : false,
        });
      }
    }
    for (const i of v.items) if (i.value !== list) walk(i.value);
  };
  walk(root);
  if (out.length === 0) {
    throw new Error("variables.php: no variable found (expected entries like [ 'name' => '_APP_…', 'default' => … ] under 'variables')");
  }
  return out;
}
