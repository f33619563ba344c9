// Single- and double-quoted scalars: line folding, `''` in single quotes, backslash escapes in double quotes.
import { fail, indentAt, isDocumentMarkerAt, isSpace } from './scan.js';

/** What a double-quoted `\x` stands for, for each single-character escape of YAML 1.2. */
const ESCAPES: Record<string, string> = {
  0: '\0', a: '\x07', b: '\b', t: '\t', '\t': '\t', n: '\n', v: '\v', f: '\f', r: '\r', e: '\x1b', ' ': ' ',
  '"': '"', '/': '/', '\\': '\\', N: '\x85', _: '\xa0', L: '\u2028', P: '\u2029',
};
/** How many hex digits follow `\x`, `\u` and `\U`. */
const HEX_DIGITS: Record<string, number> = { x: 2, u: 4, U: 8 };

/**
 * The quoted scalar whose opening quote is at `start`: its value and the index after its closing quote. Inside a
 * block collection indented `parentIndent` (-1 at the top) its continuation lines must be indented deeper.
 */
export function readQuoted(text: string, start: number, parentIndent: number): [value: string, end: number] {
  const quote = text[start];
  const double = quote === '"';
  let value = '';
  // Length of `value` up to the last escape: white space an escape wrote is kept when a line break folds.
  let escaped = 0;
  let i = start + 1;
  for (;;) {
    if (i >= text.length) fail('MISSING_CHAR', `Missing closing ${quote}quote`, start);
    const c = text[i];
    if (c === quote) {
      if (!double && text[i + 1] === "'") { value += quote; i += 2; continue; }
      break;
    }
    if (c === '\n' || (double && c === '\\' && text[i + 1] === '\n')) {
      // A line break folds to a space, or to one newline per blank line; `\` before it folds to nothing.
      const backslash = c === '\\';
      if (backslash) i++;
      else {
        let keep = value.length;
        while (keep > escaped && isSpace(value[keep - 1])) keep--;
        value = value.slice(0, keep);
      }
      let blankLines = 0;
      let lineStart: number;
      for (i++; ; i++) {
        lineStart = i;
        while (isSpace(text[i])) i++;
        if (text[i] !== '\n') break;
        blankLines++;
      }
      // A line not indented past the parent ends the scalar there, unclosed (the library reads it so).
      if (isDocumentMarkerAt(text, i) || (i < text.length && indentAt(text, lineStart) <= parentIndent))
        fail('MISSING_CHAR', `Missing closing ${quote}quote`, start);
      value += blankLines ? '\n'.repeat(blankLines) : backslash ? '' : ' ';
      continue;
    }
    if (double && c === '\\') {
      const code = text[i + 1];
      const digits = HEX_DIGITS[code];
      if (digits) {
        const hex = text.slice(i + 2, i + 2 + digits);
        if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length < digits)
          fail('BAD_DQ_ESCAPE', `Invalid escape sequence \\${code}${hex}`, i);
        value += String.fromCodePoint(parseInt(hex, 16));
        i += 2 + digits;
      } else {
        if (!(code in ESCAPES)) fail('BAD_DQ_ESCAPE', `Invalid escape sequence \\${code}`, i);
        value += ESCAPES[code];
        i += 2;
      }
      escaped = value.length;
      continue;
    }
    value += c;
    i++;
  }
  return [value, i + 1];
}
