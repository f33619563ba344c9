// The variables.php tokenizer as it was before the regex-driven scan (src/targets/appwrite/upstream/variables-php.ts
// at commit c169b47): it steps through the text a character (or token) at a time. The oracle of
// test/targets/appwrite/upstream/variables-php-equivalence.test.ts: the faster scan must give the same variables, or the same error, for
// every input. Not part of the product.
import type { UpstreamVariable } from '../../src/targets/appwrite/upstream/types.js';
// Shared with the product: the parser, string decoding and the walk from the literal to the variables. What was
// rewritten, and is compared, is the scan from text to tokens (the old one below never makes a 'lit' token).
import {
  decodeDoubleQuoted,
  lineOf,
  Parser,
  PhpParseError,
  variablesOf,
  type Token,
} from '../../src/targets/appwrite/upstream/variables-php.js';

const WHITESPACE = /\s+/y;
const NUMBER = /^(?:0[xX][0-9a-fA-F_]+|0[bB][01_]+|\d[\d_]*(?:\.\d[\d_]*)?(?:[eE][+-]?\d+)?)/;
const WORD = /^[A-Za-z_\\\x80-\uffff][\w\\\x80-\uffff]*/;
const isDigit = (code: number) => code >= 48 && code <= 57;
/** The first character WORD accepts: [A-Za-z_\\\x80-\uffff]. */
const startsWord = (code: number) =>
  (code >= 65 && code <= 90) ||
  (code >= 97 && code <= 122) ||
  code === 95 ||
  code === 92 ||
  (code >= 0x80 && code <= 0xffff);

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    WHITESPACE.lastIndex = i;
    if (WHITESPACE.test(text)) {
      i = WHITESPACE.lastIndex;
      continue;
    }
    if (text.startsWith('<?php', i)) {
      i += 5;
      continue;
    }
    if (text.startsWith('?>', i)) {
      i += 2;
      continue;
    }
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
        if (d === 92 && j + 1 < n) {
          j += 2;
          continue;
        } // a backslash and the character it escapes
        j++;
      }
      const body = text.slice(i + 1, j);
      i = j + 1;
      // Single-quoted: only \' and \\ are escapes; every other backslash is literal.
      const v = c === "'" ? body.replace(/\\(['\\])/g, '$1') : decodeDoubleQuoted(body);
      out.push({ k: 'str', v, at: start });
      continue;
    }
    if (text.startsWith('=>', i)) {
      out.push({ k: 'punct', v: '=>', at: i });
      i += 2;
      continue;
    }
    // Each pattern can only match from its first character; the slice caps a token's length as before.
    const code = text.charCodeAt(i);
    let m = isDigit(code) ? NUMBER.exec(text.slice(i, i + 64)) : null;
    if (m) {
      out.push({ k: 'num', v: m[0].replace(/_/g, ''), at: i });
      i += m[0].length;
      continue;
    }
    m = startsWord(code) ? WORD.exec(text.slice(i, i + 256)) : null;
    if (m) {
      out.push({ k: 'word', v: m[0], at: i });
      i += m[0].length;
      continue;
    }
    out.push({ k: 'punct', v: c, at: i });
    i++;
  }
  return out;
}

export function referenceParseVariablesPhp(text: string): UpstreamVariable[] {
  return variablesOf(() => new Parser(tokenize(text), text).top());
}
