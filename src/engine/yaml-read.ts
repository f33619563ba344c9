// The one way harden-init reads a YAML file it did not just print itself: an install's compose file (re-runs,
// check, backup, upgrade), what `docker compose config` prints, a release image's compose file. The `yaml` package
// does the reading with the same options everywhere, and every way a file can fail reaches the user as one line
// that names the file and, when there is one, the line: a syntax error, duplicate keys, an alias bomb (aliases
// that expand exponentially), collections nested deeper than any compose file needs.
import {
  isCollection,
  isPair,
  parseDocument,
  type Document,
  type DocumentOptions,
  type ParseOptions,
  type SchemaOptions,
  type YAMLError,
} from 'yaml';
import { CliError, EXIT } from '../core/errors.js';

/**
 * Alias expansions allowed when a file becomes plain values (the package counts each alias times the aliases in
 * what it points to). A compose file shares a few blocks (`x-logging: &logging`) with each service: far under this.
 * Ten levels of ten aliases each (a "billion laughs") is over it at the third level, before any memory is spent.
 */
export const MAX_ALIASES = 1000;

/** Collections inside collections: compose files need fewer than 10; deeper recursion would exhaust the stack. */
export const MAX_DEPTH = 100;

const OPTIONS: ParseOptions & DocumentOptions & SchemaOptions = {
  prettyErrors: true, // errors carry their line and column
  uniqueKeys: true, // a key twice in one map is an error, as in Compose (which of the two would win is not guessed)
  strict: true,
};

/** A YAML file harden-init refuses to read; the message names the file and what is wrong (and where). */
export class YamlReadError extends CliError {
  constructor(
    message: string,
    readonly file: string,
    readonly line?: number,
  ) {
    super(
      message,
      EXIT.usage,
      `Fix ${file} (it must be one YAML document, as Docker Compose reads it), then run harden-init again.`,
    );
  }
}

const TOO_DEEP =
  `collections nested more than ${MAX_DEPTH} levels deep (no compose file needs that many; refused ` +
  `so reading it cannot exhaust the stack)`;
const TOO_MANY_ALIASES =
  `too many YAML aliases: expanding them would take more than ${MAX_ALIASES} ` +
  `alias copies (an "alias bomb"); refused`;

function fromYamlError(e: YAMLError, file: string): YamlReadError {
  const at = e.linePos?.[0];
  // prettyErrors appends " at line L, column C:" and a quote of the line; the position is given once, first.
  const what =
    e.code === 'RESOURCE_EXHAUSTION' ? TOO_DEEP : e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  return new YamlReadError(
    `${file}${at ? ` line ${at.line}, column ${at.col}` : ''}: not readable as YAML: ${what}`,
    file,
    at?.line,
  );
}

/** The depth of the deepest collection, without recursion (a tree that parsed may still be deep). */
function depthOf(doc: Document): number {
  let max = 0;
  const stack: [unknown, number][] = [[doc.contents, 1]];
  while (stack.length) {
    const [n, d] = stack.pop()!;
    if (isPair(n)) {
      stack.push([n.key, d], [n.value, d]);
      continue;
    }
    if (!isCollection(n)) continue;
    if (d > max) max = d;
    if (max > MAX_DEPTH) return max;
    for (const item of n.items) stack.push([item, d + 1]);
  }
  return max;
}

/**
 * The document of a YAML text, for reading and editing with comments and layout kept. Throws YamlReadError on the
 * first error; warnings (an unknown tag such as Compose's `!reset`) are not errors. A byte-order mark and CRLF
 * line ends are read as YAML defines them (the package does), not stripped beforehand.
 */
export function readYamlDocument(text: string, file: string, opts: { merge?: boolean } = {}): Document.Parsed {
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, { ...OPTIONS, ...opts });
  } catch (e) {
    if (e instanceof RangeError) throw new YamlReadError(`${file}: not readable as YAML: ${TOO_DEEP}`, file);
    throw e;
  }
  if (doc.errors.length) throw fromYamlError(doc.errors[0]!, file);
  if (depthOf(doc) > MAX_DEPTH) throw new YamlReadError(`${file}: not readable as YAML: ${TOO_DEEP}`, file);
  return doc;
}

/** A document's plain value, aliases expanded within MAX_ALIASES. */
export function yamlValue(doc: Document, file: string): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (e) {
    if (e instanceof ReferenceError && /alias count/i.test(e.message))
      throw new YamlReadError(`${file}: ${TOO_MANY_ALIASES}`, file);
    if (e instanceof ReferenceError) throw new YamlReadError(`${file}: not readable as YAML: ${e.message}`, file);
    if (e instanceof RangeError) throw new YamlReadError(`${file}: not readable as YAML: ${TOO_DEEP}`, file);
    throw e;
  }
}

/** The plain value of a YAML text (readYamlDocument, then yamlValue); `merge` applies `<<` keys as Compose does. */
export function readYaml(text: string, file: string, opts: { merge?: boolean } = {}): unknown {
  return yamlValue(readYamlDocument(text, file, opts), file);
}
