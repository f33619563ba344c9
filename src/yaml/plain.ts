// Plain (unquoted) scalars: where one ends on its line, and how it folds over the lines after it.
import { FLOW_INDICATORS, fail, indentAt, isBreakOrSpaceAt, isDocumentMarkerAt, isSpace } from './scan.js';

/** Indicators no plain scalar may start with (`-`, `?` and `:` may, when no space follows; `[{'"&*!` start other nodes). */
export const NOT_PLAIN_START = '#,]}|>@`%';

/**
 * One line of a plain scalar from `start`: the end of its text (trailing spaces dropped) and where it stopped:
 * a line break, a ` #` comment, a `: ` (a key's end) or, inside flow collections, a flow indicator.
 */
export function plainLine(text: string, start: number, inFlow: boolean): [textEnd: number, stop: number] {
  let textEnd = start;
  let i = start;
  for (; i < text.length; i++) {
    const c = text[i];
    if (c === '\n' || (c === '#' && (i === start || isSpace(text[i - 1])))) break;
    if (c === ':' && (isBreakOrSpaceAt(text, i + 1) || (inFlow && FLOW_INDICATORS.includes(text[i + 1])))) break;
    if (inFlow && FLOW_INDICATORS.includes(c)) break;
    if (!isSpace(c)) textEnd = i + 1;
  }
  return [textEnd, i];
}

/**
 * The plain scalar at `start`, folded over the following lines indented deeper than `parentIndent`, the block
 * collection it is in (or its flow collection is in; -1 at the top): its value and the end of its text.
 */
export function readPlain(text: string, start: number, parentIndent: number, inFlow: boolean): [value: string, end: number] {
  let [textEnd, stop] = plainLine(text, start, inFlow);
  let value = text.slice(start, textEnd);
  let end = textEnd;
  while (text[stop] === '\n') {
    let blankLines = 0;
    let i = stop + 1;
    let lineStart: number;
    for (;;) {
      lineStart = i;
      while (isSpace(text[i])) i++;
      if (text[i] !== '\n') break;
      blankLines++;
      i++;
    }
    // The scalar goes on unless the next line is a comment, is not indented past the parent, or starts other syntax.
    if (i >= text.length || text[i] === '#') break;
    if (indentAt(text, lineStart) <= parentIndent || isDocumentMarkerAt(text, lineStart)) break;
    if (inFlow && FLOW_INDICATORS.includes(text[i])) break;
    if (text[i] === ':' && isBreakOrSpaceAt(text, i + 1)) break;
    [textEnd, stop] = plainLine(text, i, inFlow);
    // A single line break folds to a space; n blank lines fold to n newlines.
    value += (blankLines ? '\n'.repeat(blankLines) : ' ') + text.slice(i, textEnd);
    end = textEnd;
  }
  // A block key's `:` on a continuation line: the library reports the multi-line key rather than reading a value.
  if (!inFlow && text[stop] === ':') fail('MULTILINE_IMPLICIT_KEY', 'Implicit keys need to be on a single line', stop);
  return [value, end];
}
