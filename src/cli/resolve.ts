// Turns flags + the existing install into answers: validation of what was given, defaults for the rest.
import type { Answers } from '../answers.js';
import { QUESTIONS, type Question } from '../questions.js';
import { usageError } from './errors.js';
import type { Existing } from '../engine/existing.js';
import { toRecord } from '../engine/envfile.js';
import { answersFromEnv } from '../targets/appwrite/env-values.js';

export type Partial2 = Partial<Record<keyof Answers, unknown>>;

/** Parses every given flag; the first invalid one is a usage error naming the flag and what it takes. */
export function parseGiven(given: Record<string, string>): Partial2 {
  const out: Partial2 = {};
  for (const q of QUESTIONS) {
    const raw = given[q.id];
    if (raw === undefined) continue;
    const r = q.parse(raw);
    if (r.error !== undefined) throw usageError(`--${q.flag}: ${r.error}`);
    out[q.id] = r.value;
  }
  return out;
}

/** The answers an existing install stands for: state.json when harden-init wrote it, else read from .env. */
export function existingAnswers(e: Existing): Partial2 {
  const fromEnv = e.env ? answersFromEnv(toRecord(e.env), e.compose) : {};
  return { ...fromEnv, ...(e.state?.answers ?? {}) };
}

export function defaultFor(q: Question, existing: Partial2): unknown {
  return existing[q.id] ?? q.fallback;
}

/** Without prompts: given, else existing, else built-in default; anything still missing is a usage error. */
export function resolveHeadless(given: Partial2, existing: Partial2): Answers {
  const acc: Partial2 = {};
  const missing: Question[] = [];
  for (const q of QUESTIONS) {
    if (!q.when(acc as Partial<Answers>)) continue;
    const value = given[q.id] ?? defaultFor(q, existing);
    if (value === undefined) missing.push(q);
    else acc[q.id] = value;
  }
  if (missing.length > 0) {
    throw usageError(
      `Missing ${missing.map((q) => `--${q.flag}`).join(', ')} (no terminal to ask in, or --yes given).`,
      missing.map((q) => `--${q.flag}: ${q.help}`).join('\n'),
    );
  }
  return acc as unknown as Answers;
}

/** The command that repeats this run without prompts; secrets are never on it. */
export function headlessCommand(a: Answers, dir: string): string {
  const parts = ['npx harden-init appwrite', `--dir ${shellQuote(dir)}`];
  for (const q of QUESTIONS) {
    if (!q.when(a)) continue;
    const value = a[q.id];
    if (value === undefined || value === q.fallback) continue;
    parts.push(`--${q.flag} ${shellQuote(q.format(value))}`);
  }
  parts.push('--yes');
  return parts.join(' ');
}

function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:@,+=-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
