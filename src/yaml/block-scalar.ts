// The body of a `|` (literal) or `>` (folded) block scalar: its lines, their indentation, folding and chomping.
import { fail, isDocumentMarkerAt, isSpace, lineEndAt } from './scan.js';

/**
 * The body starting at the line after the header, inside a collection indented `parentIndent` (-1 at the top):
 * its value and the index after the last line it owns. From the header: `literal` for `|`; `chomp` '+' keeps the
 * final line breaks, '-' strips them, '' clips them to one; `explicitIndent` the indentation indicator (1-9),
 * 0 when the first content line sets the indentation.
 */
export function readBlockBody(
  text: string,
  start: number,
  parentIndent: number,
  literal: boolean,
  chomp: string,
  explicitIndent: number,
): [value: string, end: number] {
  // -1 until the first content line sets it (a top-level body may be indented 0).
  let indent = explicitIndent ? Math.max(parentIndent, 0) + explicitIndent : -1;
  const lines: string[] = [];
  let end = start;
  /** Number of lines up to the last one with content (or blank but indented past the body's indent). */
  let contentLines = 0;
  /** The most spaces on a blank line before the first content line. */
  let leadingBlankColumn = 0;
  let lineStart = start;
  while (lineStart < text.length) {
    let i = lineStart;
    while (text[i] === ' ') i++;
    const lineEnd = lineEndAt(text, i);
    const column = i - lineStart;
    if (i === lineEnd) {
      const deeper = indent >= 0 && column > indent;
      lines.push(deeper ? text.slice(lineStart + indent, lineEnd) : '');
      // The first line after the header always belongs to the scalar; later blank ones only if more indented.
      if (lines.length === 1 || deeper) end = lineEnd + 1;
      if (deeper) contentLines = lines.length;
      if (indent < 0) leadingBlankColumn = Math.max(leadingBlankColumn, column);
    } else {
      if (indent < 0) {
        indent = Math.max(column, parentIndent + 1);
        // A blank line above the first content line may not be indented deeper than it (the library refuses it).
        if (leadingBlankColumn > indent && column >= indent)
          fail('BAD_INDENT', 'Block scalar lines must not be less indented than their first line', lineStart);
      }
      if (isDocumentMarkerAt(text, lineStart)) break;
      if (column < indent) {
        // A line of tabs less indented than the body: the library refuses it rather than end the scalar there.
        if (/^[\t ]*$/.test(text.slice(i, lineEnd))) fail('BAD_INDENT', 'Block scalar lines must not be less indented than their first line', lineStart);
        break;
      }
      lines.push(text.slice(lineStart + indent, lineEnd));
      contentLines = lines.length;
      end = lineEnd + 1;
    }
    lineStart = lineEnd + 1;
  }
  const body = lines.slice(0, contentLines);
  let value = literal ? body.join('\n') : fold(body);
  if (chomp === '+') {
    // Keep: every trailing blank line is the scalar's, and so is the text up to the next content line.
    value += '\n'.repeat(lines.length - contentLines + (contentLines ? 1 : 0));
    end = lineStart;
  } else if (chomp !== '-' && contentLines) value += '\n';
  return [value, Math.min(end, text.length)];
}

/**
 * Folded style: a line break between two lines becomes a space, except around more-indented lines (kept as
 * written) and where blank lines stand for the line breaks themselves.
 */
function fold(lines: string[]): string {
  let value = '';
  let blankLines = 0;
  let previousMoreIndented = false;
  let first = true;
  for (const line of lines) {
    if (line === '') { blankLines++; continue; }
    const moreIndented = isSpace(line[0]);
    value += first
      ? '\n'.repeat(blankLines)
      : previousMoreIndented || moreIndented
        ? '\n'.repeat(blankLines + 1)
        : blankLines ? '\n'.repeat(blankLines) : ' ';
    value += line;
    first = false;
    previousMoreIndented = moreIndented;
    blankLines = 0;
  }
  return first ? '\n'.repeat(blankLines) : value;
}
