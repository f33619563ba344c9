// Reads and writes .env files line by line, so lines harden-init does not manage stay exactly as they were.
// The value syntax is the subset that dotenv, compose v1 (python-dotenv) and compose v2 (compose-go) read
// the same way: bare values of safe characters, or single quotes (literal, no expansion) around values
// without a quote, backslash, "${" or line break (measured against docker-compose 1.29: test/cli/env-readers).

export interface EnvLine {
  raw: string;
  key?: string;
  value?: string;
}

export interface EnvFile {
  lines: EnvLine[];
  /** Whether the file ended with a newline (kept on rewrite). */
  trailingNewline: boolean;
}

const ASSIGN = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=\s?(.*)$/;
const BARE_SAFE = /^[A-Za-z0-9_.,:/@+=-]*$/;

export function parseEnv(text: string): EnvFile {
  const trailingNewline = text.length === 0 || text.endsWith('\n');
  const body = text.endsWith('\n') ? text.slice(0, -1) : text;
  const physical = text.length === 0 ? [] : body.split('\n');
  const lines: EnvLine[] = [];
  for (let i = 0; i < physical.length; i++) {
    let raw = physical[i]!;
    // A quoted value may span lines (a PEM key, as dotenv and compose read it): keep it one entry,
    // so it is rewritten, kept and masked as a whole.
    while (opensMultiline(raw) && i + 1 < physical.length) raw += `\n${physical[++i]!}`;
    lines.push(parseLine(raw));
  }
  return { lines, trailingNewline };
}

/** An assignment whose quoted value has not been closed by the end of `raw`. */
function opensMultiline(raw: string): boolean {
  const m = ASSIGN.exec(raw.split('\n')[0]!.replace(/\r$/, ''));
  if (!m) return false;
  const v = raw.slice(raw.indexOf('=') + 1).trimStart();
  const q = v[0];
  if (q !== '"' && q !== "'") return false;
  for (let i = 1; i < v.length; i++) {
    if (q === '"' && v[i] === '\\') { i++; continue; }
    if (v[i] === q) return false;
  }
  return true;
}

function parseLine(raw: string): EnvLine {
  const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  if (/^\s*(#|$)/.test(line)) return { raw };
  const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=\s?([\s\S]*)$/.exec(line);
  if (!m) return { raw };
  return { raw, key: m[1]!, value: decodeValue(m[2]!) };
}

export function decodeValue(rawValue: string): string {
  const v = rawValue.trim();
  if (v.startsWith("'")) {
    const end = v.indexOf("'", 1); // literal, may span lines
    return end === -1 ? v.slice(1) : v.slice(1, end);
  }
  if (v.startsWith('"')) {
    let out = '';
    for (let i = 1; i < v.length; i++) {
      const c = v[i]!;
      if (c === '\\' && i + 1 < v.length) {
        const n = v[++i]!;
        out += n === 'n' ? '\n' : n === 'r' ? '\r' : n === 't' ? '\t' : n;
      } else if (c === '"') {
        break;
      } else {
        out += c;
      }
    }
    return out;
  }
  // Unquoted: an inline comment starts at whitespace followed by '#'.
  const hash = v.search(/\s#/);
  return (hash === -1 ? v : v.slice(0, hash)).trim();
}

/** Encodes a value so every .env reader yields it back; throws for values no common form can hold. */
export function encodeValue(value: string): string {
  if (BARE_SAFE.test(value)) return value;
  // Compose v1 (python-dotenv) unescapes \\ and expands ${...} even inside single quotes; v2 and dotenv do not.
  if (!/['\\\n\r\u0000]|\$\{/.test(value)) return `'${value}'`;
  throw new Error('value contains a single quote, a backslash, "${" or a line break, which .env readers disagree on');
}

export function getEnv(file: EnvFile, key: string): string | undefined {
  let found: string | undefined;
  for (const line of file.lines) if (line.key === key) found = line.value; // last one wins, as in compose
  return found;
}

export function toRecord(file: EnvFile): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of file.lines) if (line.key !== undefined) out[line.key] = line.value ?? '';
  return out;
}

/**
 * Sets `key` to `value`: rewrites the key's last assignment line in place when the value differs,
 * leaves it byte-identical when it does not, and appends a new line when the key is absent.
 */
export function setEnv(file: EnvFile, key: string, value: string): EnvFile {
  const lines = [...file.lines];
  let index = -1;
  lines.forEach((l, i) => { if (l.key === key) index = i; });
  if (index !== -1) {
    if (lines[index]!.value === value) return file;
    lines[index] = { raw: `${key}=${encodeValue(value)}`, key, value };
  } else {
    lines.push({ raw: `${key}=${encodeValue(value)}`, key, value });
  }
  return { ...file, lines };
}

/** Removes every assignment of `key`. */
export function deleteEnv(file: EnvFile, key: string): EnvFile {
  const lines = file.lines.filter((l) => l.key !== key);
  return lines.length === file.lines.length ? file : { ...file, lines };
}

export function appendRaw(file: EnvFile, raw: string): EnvFile {
  return { ...file, lines: [...file.lines, parseLine(raw)] };
}

export function serializeEnv(file: EnvFile): string {
  const text = file.lines.map((l) => l.raw).join('\n');
  return file.trailingNewline && file.lines.length > 0 ? `${text}\n` : text;
}
