// Character tests over the reader's text, shared by the scalar readers and the structure reader (parse.ts).
// They take the text and an index, never a substring, so reading allocates nothing per character.

/** The characters that open, close or separate flow collections. */
export const FLOW_INDICATORS = ',[]{}';

/** The characters a tag (`!name`, `!!str`) may hold: those of a URI but for flow indicators and quotes. */
const TAG_CHARS = /[\w\-#;/?:@&=+$.!~*'()]/;

/** Space or tab: the only white space within a line. */
export const isSpace = (c: string | undefined) => c === ' ' || c === '\t';

/** White space, a line break or the end of the text: what must follow an indicator such as `-`, `:` or `---`. */
export function isBreakOrSpaceAt(text: string, i: number): boolean {
  const c = text[i];
  return c === undefined || c === '\n' || isSpace(c);
}

/** Where the name of an anchor or alias starting at i ends: at white space, a line break or a flow indicator. */
export function nameEndAt(text: string, i: number): number {
  while (!isBreakOrSpaceAt(text, i) && !FLOW_INDICATORS.includes(text[i])) i++;
  return i;
}

/** Where the tag whose `!` is at i ends: `!<...>` verbatim, else its tag characters and %XX escapes. */
export function tagEndAt(text: string, i: number): number {
  if (text[i + 1] === '<') {
    while (!isBreakOrSpaceAt(text, i) && text[i] !== '>') i++;
    return text[i] === '>' ? i + 1 : i;
  }
  for (i++; i < text.length; i++) {
    if (text[i] === '%' && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3))) i += 2;
    else if (!TAG_CHARS.test(text[i])) break;
  }
  return i;
}

/** Index of the line break ending the line that holds i (the text's length on the last line). */
export function lineEndAt(text: string, i: number): number {
  const end = text.indexOf('\n', i);
  return end < 0 ? text.length : end;
}

/**
 * The indentation of the line starting at lineStart: its spaces only. A tab never indents, so a line that a tab
 * seems to indent counts as less indented (the library reads it so).
 */
export function indentAt(text: string, lineStart: number): number {
  let i = lineStart;
  while (text[i] === ' ') i++;
  return i - lineStart;
}

/** Zero-based column of i. */
export const columnAt = (text: string, i: number) => i - text.lastIndexOf('\n', i - 1) - 1;

/** A `---` or `...` at the start of a line: it ends the document's content wherever it appears. */
export const isDocumentMarkerAt = (text: string, i: number) =>
  columnAt(text, i) === 0 && (text.startsWith('---', i) || text.startsWith('...', i)) && isBreakOrSpaceAt(text, i + 3);

/** The first syntax error stops the reader; parseDocument turns this into the document's YAMLError. */
export class ParseFailure {
  constructor(
    readonly code: string,
    readonly message: string,
    readonly at: number,
  ) {}
}

export function fail(code: string, message: string, at: number): never {
  throw new ParseFailure(code, message, at);
}
