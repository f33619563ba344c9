// Reads and writes .env files line by line, so lines harden-init does not manage stay exactly as they were.
// Values are read by the dotenv package's own parser; the lines are split here only to know which physical
// lines hold which key, so a managed value is rewritten in place. The writer writes only the subset that
// dotenv, compose v1 (python-dotenv) and compose v2 (compose-go) read the same way: bare values of safe
// characters, or single quotes (literal, no expansion) around values without a quote, backslash, "${" or
// line break (checked against docker-compose 1.29 in test/cli/env-readers.test.ts). A hand-written line outside
// that subset may read differently in compose (`a#b`, escapes in double quotes: test/engine/envfile.test.ts).
import { parse as dotenvParse } from 'dotenv';

export interface EnvLine {
  raw: string;
  key?: string;
  /** The line's value as dotenv reads the line on its own. */
  value?: string;
}

export interface EnvFile {
  lines: EnvLine[];
  /** Whether the file ended with a newline (kept on rewrite). */
  trailingNewline: boolean;
  /** Every key's value as dotenv reads the whole file: what getEnv and toRecord answer. */
  values: Readonly<Record<string, string>>;
}

const BARE_SAFE = /^[A-Za-z0-9_.,:/@+=-]*$/;
/** An assignment whose value starts with a quote, in dotenv's syntax (`KEY=`, `export KEY=`, `KEY: `). */
const OPENS_QUOTE = /^\s*(?:export\s+)?[\w.-]+(?:\s*=|:\s)\s*(["'`])/;
/** What dotenv allows after a closing quote on its line: blanks and a comment. */
const AFTER_CLOSE = /^\s*(?:#.*)?$/;

export function parseEnv(text: string): EnvFile {
  const trailingNewline = text.length === 0 || text.endsWith('\n');
  const body = text.endsWith('\n') ? text.slice(0, -1) : text;
  const physical = text.length === 0 ? [] : body.split('\n');
  const lines: EnvLine[] = [];
  for (let i = 0; i < physical.length; i++) {
    // A quoted value may span lines (a PEM key, as dotenv and compose read it): keep it one entry,
    // so it is rewritten, kept and masked as a whole.
    const last = lastLineOf(physical, i);
    lines.push(readLine(physical.slice(i, last + 1).join('\n')));
    i = last;
  }
  return { lines, trailingNewline, values: readValues(text) };
}

function readValues(text: string): Record<string, string> {
  // No prototype: a key named like an Object method is just a key.
  return Object.assign(Object.create(null) as Record<string, string>, dotenvParse(text));
}

function readLine(raw: string): EnvLine {
  if (/^\s*(#|$)/.test(raw)) return { raw };
  const read = Object.entries(dotenvParse(raw));
  return read.length === 1 ? { raw, key: read[0]![0], value: read[0]![1] } : { raw };
}

/**
 * The last physical line of the entry starting at line `i`. dotenv reads a quoted value up to the furthest
 * closing quote that has only blanks or a comment after it on its line, the value holding no other quote of
 * its kind unless after a backslash; with no such quote it reads the first line alone, unquoted.
 */
function lastLineOf(physical: string[], i: number): number {
  const open = OPENS_QUOTE.exec(physical[i]!);
  if (!open) return i;
  const q = open[1]!;
  let last = -1;
  for (let j = i; j < physical.length; j++) {
    const line = physical[j]!.replace(/\r$/, ''); // dotenv reads CRLF as LF
    for (let k = j === i ? open[0].length : 0; k < line.length; k++) {
      if (line[k] !== q) continue;
      if (AFTER_CLOSE.test(line.slice(k + 1))) last = j;
      if (k === 0 || line[k - 1] !== '\\') return last === -1 ? i : last;
    }
  }
  return last === -1 ? i : last;
}

/** Encodes a value so every .env reader yields it back; throws for values no common form can hold. */
export function encodeValue(value: string): string {
  if (BARE_SAFE.test(value)) return value;
  // Compose v1 (python-dotenv) unescapes \\ and expands ${...} even inside single quotes; v2 and dotenv do not.
  if (!/['\\\n\r\u0000]|\$\{/.test(value)) return `'${value}'`;
  throw new Error('value contains a single quote, a backslash, "${" or a line break, which .env readers disagree on');
}

/**
 * The value compose takes: the last assignment wins in dotenv, compose v1 (python-dotenv) and compose v2
 * (compose-go) alike (checked against docker-compose 1.29 in test/cli/env-readers.test.ts).
 */
export function getEnv(file: EnvFile, key: string): string | undefined {
  return file.values[key];
}

export function toRecord(file: EnvFile): Record<string, string> {
  return { ...file.values };
}

/**
 * Sets `key` to `value`: leaves the file byte-identical when it already reads so, rewrites the key's last
 * assignment line in place when the value differs, and appends a new line when the key is absent.
 */
export function setEnv(file: EnvFile, key: string, value: string): EnvFile {
  if (file.values[key] === value) return file;
  const lines = [...file.lines];
  let index = -1;
  lines.forEach((l, i) => {
    if (l.key === key) index = i;
  });
  const line = { raw: `${key}=${encodeValue(value)}`, key, value };
  if (index !== -1) lines[index] = line;
  else lines.push(line);
  // The written form reads back as `value` in every reader (test/safety/envfile-property).
  return { ...file, lines, values: withValues(file.values, { [key]: value }) };
}

/** Removes every assignment of `key`. */
export function deleteEnv(file: EnvFile, key: string): EnvFile {
  const lines = file.lines.filter((l) => l.key !== key);
  if (lines.length === file.lines.length) return file;
  const values = withValues(file.values, {});
  delete values[key];
  return { ...file, lines, values };
}

/** Appends a line as written; what it assigns is read by dotenv from the line alone. */
export function appendRaw(file: EnvFile, raw: string): EnvFile {
  const line = readLine(raw);
  return {
    ...file,
    lines: [...file.lines, line],
    values: line.key === undefined ? file.values : withValues(file.values, { [line.key]: line.value! }),
  };
}

function withValues(values: Readonly<Record<string, string>>, more: Record<string, string>): Record<string, string> {
  return Object.assign(Object.create(null) as Record<string, string>, values, more);
}

export function serializeEnv(file: EnvFile): string {
  const text = file.lines.map((l) => l.raw).join('\n');
  return file.trailingNewline && file.lines.length > 0 ? `${text}\n` : text;
}

export interface AmbiguousEntry {
  /** 1-based line number of the entry's first line. */
  line: number;
  key: string;
  why: string;
}

/**
 * Hand-written entries that dotenv (what harden-init reads with) and Compose (what runs the stack) read as
 * different values. harden-init would otherwise act on a value the containers do not have — a backup logging in
 * with a truncated password, a verify reporting drift that is not there — so callers refuse them by line.
 * The cases are the ones checked against docker-compose 1.29 and compose-go (test/cli/env-readers.test.ts).
 */
export function ambiguousEntries(file: EnvFile): AmbiguousEntry[] {
  const out: AmbiguousEntry[] = [];
  let lineNo = 1;
  for (const l of file.lines) {
    const why = l.key === undefined ? undefined : disagreement(l.raw);
    if (why) out.push({ line: lineNo, key: l.key!, why });
    lineNo += l.raw.split('\n').length;
  }
  return out;
}

function disagreement(raw: string): string | undefined {
  const m = /^\s*(?:export\s+)?[\w.-]+\s*=\s*([\s\S]*)$/.exec(raw.replace(/\r$/, ''));
  if (!m) return undefined;
  const v = m[1]!;
  if (v.startsWith('`')) return 'a backquoted value (Compose keeps the backquotes, dotenv removes them)';
  if (v.startsWith('"')) {
    // Both readers turn \n and \r into line breaks; every other escape only Compose reads.
    if (/\\(?![nr])/.test(v))
      return 'a backslash inside double quotes (Compose reads it as an escape, dotenv keeps it)';
    return undefined;
  }
  if (v.startsWith("'")) return undefined;
  // Unquoted: dotenv ends the value at the first '#', Compose only at a '#' after white space.
  if (/[^\s#]#/.test(v.replace(/\s+#.*$/, '')))
    return "a '#' inside an unquoted value (Compose keeps it, dotenv cuts the value there)";
  return undefined;
}

/** The one message for entries of `.env` that readers disagree on, with the form every reader agrees on. */
export function ambiguousEnvMessage(path: string, entries: AmbiguousEntry[]): string {
  const lines = entries.map((e) => `  ${path} line ${e.line}: ${e.key} — ${e.why}`);
  return (
    `${path} has ${entries.length === 1 ? 'a value' : 'values'} that Compose and harden-init would ` +
    `read differently:\n${lines.join('\n')}`
  );
}
