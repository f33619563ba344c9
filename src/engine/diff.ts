// A line diff (LCS) for showing what a run would change, with secret values masked before diffing.
import pc from 'picocolors';
import { parseEnv } from './envfile.js';

/** Names that follow the usual secret suffixes (_SECRET, _PASS, _KEY_V1, _TOKEN, PRIVATE_KEY). */
const SECRET_NAME = /_SECRET$|_SECRET_|_PASS$|_PASSWORD$|_KEY$|_KEY_V\d+$|_TOKEN$|PRIVATE_KEY/;

/** Names whose values look secret (broader than the known lists on purpose: masking too much is harmless). */
const SECRET_LOOKING = /(SECRET|PASS|PASSWORD|TOKEN|_KEY|PRIVATE|CREDENTIAL)/i;

/**
 * Whether a variable's value is masked in every output: listed as sensitive, or a secret-looking name. The names a
 * product knows hold credentials without looking it come in `sensitive` (its template's secrets.known).
 */
export function isMaskedName(name: string, sensitive: ReadonlySet<string> = new Set()): boolean {
  return sensitive.has(name) || SECRET_NAME.test(name) || (SECRET_LOOKING.test(name) && !SWITCH_NOT_SECRET.test(name));
}

/** Security switches whose names only look secret (their True/False must stay visible, e.g. CORS credentials). */
const SWITCH_NOT_SECRET = /_ALLOW_CREDENTIALS$/;

export type DiffOp = { op: ' ' | '-' | '+'; line: string };

export function diffLines(a: string[], b: string[]): DiffOp[] {
  // Trim the common head and tail first: typical edits touch a few lines of a long file.
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length,
    endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const A = a.slice(start, endA),
    B = b.slice(start, endB);
  const n = A.length,
    m = B.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--) {
      lcs[i]![j] = A[i] === B[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  const ops: DiffOp[] = a.slice(0, start).map((line) => ({ op: ' ', line }));
  let i = 0,
    j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && A[i] === B[j]) {
      ops.push({ op: ' ', line: A[i]! });
      i++;
      j++;
    }
    // Removals before additions, as in unified diffs.
    else if (i < n && (j === m || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) ops.push({ op: '-', line: A[i++]! });
    else ops.push({ op: '+', line: B[j++]! });
  }
  for (const line of a.slice(endA)) ops.push({ op: ' ', line });
  return ops;
}

/** Unified-style text with `context` lines around each change; empty when nothing differs. */
export function unifiedDiff(oldText: string, newText: string, context = 3): string[] {
  const ops = diffLines(splitLines(oldText), splitLines(newText));
  const keep = new Array<boolean>(ops.length).fill(false);
  ops.forEach((o, k) => {
    if (o.op === ' ') return;
    for (let x = Math.max(0, k - context); x <= Math.min(ops.length - 1, k + context); x++) keep[x] = true;
  });
  const out: string[] = [];
  let gap = false;
  ops.forEach((o, k) => {
    if (!keep[k]) {
      gap = true;
      return;
    }
    if (gap) out.push('…');
    gap = false;
    out.push(`${o.op}${o.line}`);
  });
  return out;
}

function splitLines(text: string): string[] {
  if (text === '') return [];
  return (text.endsWith('\n') ? text.slice(0, -1) : text).split('\n');
}

export function colorize(lines: string[]): string {
  return lines.map((l) => (l.startsWith('+') ? pc.green(l) : l.startsWith('-') ? pc.red(l) : pc.dim(l))).join('\n');
}

/**
 * Replaces the values of sensitive keys in .env text by a mask. The new side marks a changed secret
 * "(changed)" so the diff still shows that something happened, without showing what.
 */
export function maskEnvPair(oldText: string, newText: string, sensitive: Set<string>): [string, string] {
  const oldValues = new Map(
    parseEnv(oldText)
      .lines.filter((l) => l.key)
      .map((l) => [l.key!, l.value ?? '']),
  );
  const maskText = (text: string, markChanged: boolean) =>
    parseEnv(text)
      .lines.map((l) => {
        if (!l.key || !isMaskedName(l.key, sensitive) || !l.value) return l.raw;
        const changed = markChanged && oldValues.has(l.key) && oldValues.get(l.key) !== l.value;
        return `${l.key}=********${changed ? ' (changed)' : ''}`;
      })
      .join('\n') + (text.endsWith('\n') ? '\n' : '');
  return [maskText(oldText, false), maskText(newText, true)];
}

/** A compose file holds no secrets as written by harden-init, but a hand edit may add one: mask those. */
export function maskComposeText(text: string, sensitive: Set<string>): string {
  return text.replace(
    /^(\s*-?\s*["']?)([A-Za-z_][A-Za-z0-9_]*)(=|:[ \t]+)(\S.*)$/gm,
    (line, pre: string, name: string, sep: string, value: string) => {
      // `${_APP_DB_PASS}` reveals nothing
      const reference = /^["']?\$\{?[A-Za-z_][A-Za-z0-9_]*\}?["']?$/.test(value.trim());
      const secretName = isMaskedName(name, sensitive);
      return secretName && !reference ? `${pre}${name}${sep}********` : line;
    },
  );
}
