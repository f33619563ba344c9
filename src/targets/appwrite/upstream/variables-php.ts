// Reads Appwrite's app/config/variables.php as text. The file is a PHP array literal
// (`return [ [ 'category' => …, 'variables' => [ [ 'name' => …, 'default' => …, … ], … ] ], … ];`); we
// tokenize it and walk the literal, never executing PHP. Anything that is not a literal (a constant such as
// TrustedProxies::DEFAULT, a function call) has no value we can know, so it reads as ''.
import type { UpstreamVariable } from './types.js';

/** Tokens as the parser reads them; 'lit' is a whole flat array the scan already read (see flatArray). */
export type Token =
  | { k: 'lit'; value: Value; at: number }
  | { k: 'str'; v: string; at: number }
  | { k: 'num'; v: string; at: number }
  | { k: 'word'; v: string; at: number }
  | { k: 'punct'; v: string; at: number };

/**
 * A PHP literal as read (test/helpers/variables-php-reference.ts, the oracle of the equivalence test, builds it too).
 */
export type Value =
  | { t: 'str'; v: string }
  | { t: 'num'; v: string }
  | { t: 'bool'; v: boolean }
  | { t: 'arr'; items: { key?: Value; value: Value }[] }
  | { t: 'expr' };

export class PhpParseError extends Error {}

export function lineOf(text: string, at: number): number {
  let line = 1;
  for (let i = 0; i < at && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

const DQ_ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  v: '\v',
  f: '\f',
  e: '\x1b',
  '\\': '\\',
  $: '$',
  '"': '"',
};

export function decodeDoubleQuoted(body: string): string {
  // PHP double-quoted escapes; `$var` interpolation is kept as literal text (variables.php does not use it).
  return body.replace(/\\(u\{[0-9a-fA-F]+\}|x[0-9a-fA-F]{1,2}|[0-7]{1,3}|.)/gs, (all, e: string) => {
    if (e in DQ_ESCAPES) return DQ_ESCAPES[e]!;
    if (e[0] === 'u' && e.length > 1) return String.fromCodePoint(parseInt(e.slice(2, -1), 16));
    if (e[0] === 'x' && e.length > 1) return String.fromCharCode(parseInt(e.slice(1), 16));
    if (/^[0-7]+$/.test(e)) return String.fromCharCode(parseInt(e, 8) & 0xff);
    return all; // unknown escape: PHP keeps the backslash
  });
}

// The scan runs in the regex engine's compiled code, not a JavaScript loop per character: the file is ~66 KB and
// read once per run on a cold process, where such a loop (and one step per token) cost most of the parse.
// One sticky (`y`) pattern reads a token and the whitespace and comments before it, trying the alternatives in
// the order a character-by-character scan would. The group that matched tells the kind:
//   skipped: whitespace, <?php, ?>, // and # (not #[) line comments, /* */ comments
//   1 a flat array, 2 single-quoted string body, 3 double-quoted string body, 4 a number's first digit,
//   5 word, 6 `=>` or any one character; none: more to skip (an empty match before the end) or the end of the text.
// A flat array is `[ 'key' => 'value' | true | false, … ]` with only whitespace between its tokens: the shape of
// nearly every variable's entry. It becomes one token holding the array the parser would build from its tokens.
// Every repetition the engine must be able to undo is bounded ({0,64}): unbounded, each step of it takes room on
// the engine's backtrack stack, and a large enough input (a few MB) fails with "Maximum call stack size exceeded".
// Past a bound the scan goes on in smaller steps: the skip in the next match, a long flat array as its tokens, a
// string with many escapes (or an unterminated one: the quote comes back as group 6) by stringEnd().
// A word is at most 256 characters long (a longer run is more than one token).
const WORD_CAP = 256;
const SKIP = String.raw`\s+|<\?php|\?>|\/\/[^\n]*|#(?!\[)[^\n]*|\/\*[\s\S]*?\*\/`;
const SQ_BODY = String.raw`[^'\\]*(?:\\[\s\S][^'\\]*){0,64}`; // a backslash always takes the next character along
const DQ_BODY = String.raw`[^"\\]*(?:\\[\s\S][^"\\]*){0,64}`;
const TRUE = '[tT][rR][uU][eE]';
const FALSE = '[fF][aA][lL][sS][eE]';
// `true`/`false` only as a whole word: the tokenizer reads `true\u00a0` as one word (U+00A0 is a word character to
// it, though also whitespace), which is not a boolean.
const BOOL = String.raw`(?:${TRUE}|${FALSE})(?![\w\\\x80-\uffff])`;
const PAIR = String.raw`'${SQ_BODY}'\s*=>\s*(?:'${SQ_BODY}'|${BOOL})\s*`;
const TOKEN = new RegExp(
  [
    `(?:${SKIP}){0,64}`,
    `(?:(?=${SKIP})`,
    String.raw`|(\[\s*(?:${PAIR},\s*){0,64}(?:${PAIR})?\])`,
    `|'(${SQ_BODY})'`,
    `|"(${DQ_BODY})"`,
    String.raw`|(\d)`,
    String.raw`|([A-Za-z_\\\x80-\uffff][\w\\\x80-\uffff]{0,${WORD_CAP - 1}})`,
    String.raw`|(=>|[\s\S])|$)`,
  ].join(''),
  'y',
);
/** One pair of a flat array, after `[` or `,`: key body, value body or `true` (else the value is `false`). */
const FLAT_PAIR = new RegExp(String.raw`\s*'(${SQ_BODY})'\s*=>\s*(?:'(${SQ_BODY})'|(${TRUE})|${FALSE})\s*,?`, 'y');
// A number is read from at most 64 characters (numbers are rare in the file: read from the slice, as before).
const NUMBER = /^(?:0[xX][0-9a-fA-F_]+|0[bB][01_]+|\d[\d_]*(?:\.\d[\d_]*)?(?:[eE][+-]?\d+)?)/;
const NUMBER_CAP = 64;
const QUOTE_OR_BACKSLASH = { "'": /['\\]/g, '"': /["\\]/g } as const;

/** A single-quoted body's value: only \' and \\ are escapes; every other backslash is literal. */
const singleQuoted = (body: string): string => (body.includes('\\') ? body.replace(/\\(['\\])/g, '$1') : body);

/** Where the string opened at `start` ends (its closing quote), or -1 when it does not. */
function stringEnd(text: string, start: number, quote: "'" | '"'): number {
  const next = QUOTE_OR_BACKSLASH[quote];
  next.lastIndex = start + 1;
  for (let m = next.exec(text); m !== null; m = next.exec(text)) {
    if (m[0] === quote) return m.index;
    next.lastIndex = m.index + 2; // a backslash and the character it escapes (none at the end: no match follows)
  }
  return -1;
}

/** The array a flat-array match stands for (`at`: its `[`); the pairs end at its `]`, which no pair matches. */
function flatArray(text: string, at: number): Value {
  const items: { key?: Value; value: Value }[] = [];
  FLAT_PAIR.lastIndex = at + 1;
  for (let m = FLAT_PAIR.exec(text); m !== null; m = FLAT_PAIR.exec(text)) {
    const value: Value =
      m[2] !== undefined ? { t: 'str', v: singleQuoted(m[2]) } : { t: 'bool', v: m[3] !== undefined };
    items.push({ key: { t: 'str', v: singleQuoted(m[1]!) }, value });
  }
  return { t: 'arr', items };
}

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  TOKEN.lastIndex = 0;
  for (;;) {
    const m = TOKEN.exec(text)!; // never null: the last alternative matches the empty end
    const end = TOKEN.lastIndex;
    if (m[1] !== undefined) {
      const at = end - m[1].length;
      out.push({ k: 'lit', value: flatArray(text, at), at });
    } else if (m[2] !== undefined) {
      out.push({ k: 'str', v: singleQuoted(m[2]), at: end - m[2].length - 2 });
    } else if (m[3] !== undefined) {
      out.push({ k: 'str', v: decodeDoubleQuoted(m[3]), at: end - m[3].length - 2 });
    } else if (m[4] !== undefined) {
      const at = end - 1;
      const v = NUMBER.exec(text.slice(at, at + NUMBER_CAP))![0];
      TOKEN.lastIndex = at + v.length;
      out.push({ k: 'num', v: v.replace(/_/g, ''), at });
    } else if (m[5] !== undefined) {
      out.push({ k: 'word', v: m[5], at: end - m[5].length });
    } else if (m[6] !== undefined) {
      const at = end - m[6].length;
      if (m[6] === "'" || m[6] === '"') {
        const close = stringEnd(text, at, m[6]);
        if (close < 0) throw new PhpParseError(`unterminated string at line ${lineOf(text, at)}`);
        const body = text.slice(at + 1, close);
        out.push({ k: 'str', v: m[6] === "'" ? singleQuoted(body) : decodeDoubleQuoted(body), at });
        TOKEN.lastIndex = close + 1;
      } else if (m[6] === '/' && text.charCodeAt(at + 1) === 42) {
        throw new PhpParseError(`unterminated comment at line ${lineOf(text, at)}`);
      } else {
        out.push({ k: 'punct', v: m[6], at });
      }
    } else if (end === text.length) {
      return out;
    }
  }
}

export class Parser {
  pos = 0;
  constructor(
    private readonly toks: Token[],
    private readonly text: string,
  ) {}

  private peek(o = 0): Token | undefined {
    return this.toks[this.pos + o];
  }
  private isPunct(t: Token | undefined, v: string): boolean {
    return t?.k === 'punct' && t.v === v;
  }
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
      if (this.isPunct(t, '[')) {
        this.pos++;
        parts.push(this.array(']'));
        continue;
      }
      if (t.k === 'lit') {
        this.pos++;
        parts.push(t.value);
        continue;
      } // a flat array, already read
      if (t.k === 'word' && t.v.toLowerCase() === 'array' && this.isPunct(this.peek(1), '(')) {
        this.pos += 2;
        parts.push(this.array(')'));
        continue;
      }
      if (this.isPunct(t, '(')) {
        this.pos++;
        this.array(')');
        parts.push({ t: 'expr' });
        continue;
      }
      this.pos++;
      if (t.k === 'str') parts.push({ t: 'str', v: t.v });
      else if (t.k === 'num') parts.push({ t: 'num', v: t.v });
      else if (t.k === 'word' && /^(true|false)$/i.test(t.v))
        parts.push({ t: 'bool', v: t.v.toLowerCase() === 'true' });
      else if (t.k === 'punct' && (t.v === '.' || t.v === '-' || t.v === '+')) ops.push(t.v);
      else parts.push({ t: 'expr' });
    }
    if (parts.length === 1 && ops.length === 0) return parts[0]!;
    // -5 / +5
    if (parts.length === 1 && parts[0]!.t === 'num' && ops.length === 1 && ops[0] !== '.') {
      return { t: 'num', v: (ops[0] === '-' ? '-' : '') + parts[0]!.v };
    }
    // 'a' . 'b': a concatenation of literals is still a literal.
    if (
      parts.length > 1 &&
      ops.length === parts.length - 1 &&
      ops.every((o) => o === '.') &&
      parts.every((p) => p.t === 'str' || p.t === 'num')
    ) {
      return { t: 'str', v: parts.map((p) => (p as { v: string }).v).join('') };
    }
    return { t: 'expr' };
  }

  /** After the opener; consumes the closer. */
  array(closer: string): Value {
    const items: { key?: Value; value: Value }[] = [];
    for (;;) {
      if (this.isPunct(this.peek(), closer)) {
        this.pos++;
        return { t: 'arr', items };
      }
      const first = this.expr(closer);
      let item: { key?: Value; value: Value } = { value: first };
      if (this.isPunct(this.peek(), '=>')) {
        this.pos++;
        item = { key: first, value: this.expr(closer) };
      }
      items.push(item);
      const t = this.peek();
      if (this.isPunct(t, ',')) {
        this.pos++;
        continue;
      }
      if (this.isPunct(t, closer)) continue;
      this.fail(`expected ',' or '${closer}'`);
    }
  }

  /** The `return …;` value, or the first array literal when there is no return. */
  top(): Value {
    const ret = this.toks.findIndex((t) => t.k === 'word' && t.v.toLowerCase() === 'return');
    this.pos = ret >= 0 ? ret + 1 : this.toks.findIndex((t) => (t.k === 'punct' && t.v === '[') || t.k === 'lit');
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

export function parseVariablesPhp(text: string): UpstreamVariable[] {
  return variablesOf(() => new Parser(tokenize(text), text).top());
}

/** The variables in the literal `read` returns (a PhpParseError from it becomes the reader's error). */
export function variablesOf(read: () => Value): UpstreamVariable[] {
  let root: Value;
  try {
    root = read();
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
    throw new Error(
      "variables.php: no variable found (expected entries like [ 'name' => " +
        "'_APP_…', 'default' => … ] under 'variables')",
    );
  }
  return out;
}

const q = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** The inverse of parseVariablesPhp, in the shape of 1.9.6's file (descriptions, questions, introductions empty). */
export function encodeVariablesPhp(
  vars: UpstreamVariable[],
  categoryOf: (v: UpstreamVariable) => string = () => 'General',
): string {
  const groups: { category: string; vars: UpstreamVariable[] }[] = [];
  for (const v of vars) {
    const category = categoryOf(v);
    const last = groups[groups.length - 1];
    if (last && last.category === category) last.vars.push(v);
    else groups.push({ category, vars: [v] });
  }
  const pad = (n: number): string => ' '.repeat(n);
  const entry = (v: UpstreamVariable): string =>
    [
      `${pad(12)}[`,
      `${pad(16)}'name' => ${q(v.name)},`,
      `${pad(16)}'description' => '',`,
      `${pad(16)}'introduction' => '',`,
      `${pad(16)}'default' => ${q(v.default)},`,
      `${pad(16)}'required' => ${v.required ? 'true' : 'false'},`,
      `${pad(16)}'question' => '',`,
      `${pad(16)}'filter' => ${q(v.filter)}`,
      `${pad(12)}]`,
    ].join('\n');
  const body = groups
    .map((g) =>
      [
        `${pad(4)}[`,
        `${pad(8)}'category' => ${q(g.category)},`,
        `${pad(8)}'description' => '',`,
        `${pad(8)}'variables' => [`,
        g.vars.map(entry).join(',\n'),
        `${pad(8)}]`,
        `${pad(4)}]`,
      ].join('\n'),
    )
    .join(',\n');
  return `<?php\n\nuse Utopia\\Config\\Config;\n\nreturn [\n${body}\n];\n`;
}
