// Where comments and blank lines go. The reader records what lies between two pieces of content as tokens; these
// functions turn them into commentBefore / comment / spaceBefore exactly as the `yaml` library places them.

/** A line break (a blank line when nothing else stood on its line). */
export const LINE_BREAK = 0;
/** The `-` of a sequence item whose value starts on a later line. */
export const ITEM_DASH = 1;
/** An anchor or tag on a line of its own, before the node it belongs to. */
export const PROPERTIES = 2;
/** A comment: its text after `#` (' ' when empty, so it still counts) and the column of its `#`. */
export interface Comment {
  text: string;
  column: number;
}
export type Token = typeof LINE_BREAK | typeof ITEM_DASH | typeof PROPERTIES | Comment;

/**
 * A node's commentBefore and spaceBefore from the tokens before it. `atLineStart` says whether the first token
 * follows a line break. A blank line before the first comment is the node's spaceBefore; blank lines between
 * comments stay in the comment as empty lines. In a sequence, blank lines after the item's `-` do not count.
 */
export function placeBefore(tokens: Token[], atLineStart: boolean, inSeq?: boolean): [comment: string, spaceBefore: boolean] {
  let comment = '';
  let pendingBreaks = '';
  let spaceBefore = false;
  let afterDash = false;
  for (const token of tokens) {
    if (token === LINE_BREAK) {
      if (!atLineStart) pendingBreaks += '\n';
      else if (comment) comment += '\n';
      else if (!afterDash || !inSeq) spaceBefore = true;
      atLineStart = true;
    } else if (token === ITEM_DASH) {
      afterDash = true;
      atLineStart = !!inSeq;
    } else if (token === PROPERTIES) atLineStart = false;
    else {
      comment = comment ? comment + pendingBreaks + token.text : token.text;
      pendingBreaks = '';
      atLineStart = false;
    }
  }
  return [comment, spaceBefore];
}

/** A node's trailing comment: the comments joined, blank lines between them kept, breaks before the first dropped. */
export function joinComments(tokens: Token[]): string {
  let comment = '';
  let pendingBreaks = '';
  for (const token of tokens) {
    if (token === LINE_BREAK) { if (comment) pendingBreaks += '\n'; }
    else if (typeof token == 'object') { comment = comment ? comment + pendingBreaks + token.text : token.text; pendingBreaks = ''; }
  }
  return comment;
}

/**
 * How many of the tokens after a plain, quoted or flow node are its own trailing comment: comment lines indented
 * deeper than its parent collection (`parentIndent`), up to the first that is not, with that last line's break.
 * 0 when there is none, or at the top level, where the document takes them.
 */
export function ownedCommentLength(tokens: Token[], parentIndent: number): number {
  let last = -1;
  if (parentIndent >= 0)
    for (let k = 0; k < tokens.length; k++) {
      const token = tokens[k];
      if (token === LINE_BREAK) continue;
      if (typeof token == 'object' && token.column > parentIndent) last = k;
      else break;
    }
  return last < 0 ? 0 : last + (tokens[last + 1] === LINE_BREAK ? 2 : 1);
}

/**
 * A map value left empty, with the next key at the same indent: the library gives the value the comments up to the
 * line after its last comment (or anchor or tag) indented past the key, and the next key the rest (from the second line break after
 * it). Removes and returns the next key's part.
 */
export function splitAtNextKey(tokens: Token[], indent: number): Token[] {
  const breaks: number[] = [];
  // An anchor or tag on a line of its own under the key is the value's, as a comment indented past the key is.
  tokens.forEach((token, k) =>
    token === LINE_BREAK ? breaks.push(k) : (token === PROPERTIES || (typeof token == 'object' && token.column > indent)) && (breaks.length = 0),
  );
  return breaks.length > 1 ? tokens.splice(breaks[1]) : [];
}

/**
 * The comment lines before the document's content: joined, one blank line kept between groups, and whether a
 * blank line ends them (then they are the document's commentBefore rather than the first node's).
 */
export function placePrelude(tokens: Token[]): [comment: string, endsWithBlank: boolean] {
  let comment = '';
  let afterComment = false;
  let blank = false;
  for (const token of tokens) {
    if (typeof token == 'object') {
      comment += (comment ? (blank ? '\n\n' : '\n') : '') + token.text;
      afterComment = true;
      blank = false;
    } else {
      if (!afterComment) blank = true;
      afterComment = false;
    }
  }
  return [comment, blank];
}
