// Turns flags + the existing install into answers: validation of what was given, defaults for the rest.
import type { AnyAnswers as Answers, PartialAnswers, Question } from '../core/question.js';
import type { BaseAnswers, Target } from '../targets/types.js';
import { usageError } from '../core/errors.js';
import { shellQuote } from '../core/shell-quote.js';
import type { Existing } from '../engine/existing.js';
import { toRecord } from '../engine/envfile.js';

/** Parses every given flag; the first invalid one is a usage error naming the flag and what it takes. */
export function parseGiven(
  questions: Question[],
  given: Record<string, string>,
  title = 'this target',
): PartialAnswers {
  const out: PartialAnswers = {};
  const own = new Set(questions.map((q) => q.flag));
  for (const flag of Object.keys(given)) {
    if (!own.has(flag))
      throw usageError(`--${flag} is not a setting of ${title}.`, 'Run harden-init --help for the options.');
  }
  for (const q of questions) {
    const raw = given[q.flag];
    if (raw === undefined) continue;
    const r = q.parse(raw);
    if (r.error !== undefined) throw usageError(`--${q.flag}: ${r.error}`);
    out[q.id] = r.value;
  }
  return out;
}

/**
 * The answers an existing install stands for: state.json when harden-init wrote it, else read from .env.
 * Where .env was edited by hand since (it disagrees with state), .env wins and a note says so: a re-run
 * must not silently undo an edit.
 */
export function existingAnswers(
  target: Pick<Target<BaseAnswers>, 'answersFromEnv' | 'readFromEnv'>,
  e: Existing,
): { answers: PartialAnswers; notes: string[] } {
  const fromEnv: PartialAnswers = e.env ? target.answersFromEnv(toRecord(e.env), e.compose) : {};
  const state = (e.state?.answers ?? {}) as PartialAnswers;
  const answers: PartialAnswers = { ...fromEnv, ...state };
  const notes: string[] = [];
  if (!e.state) return { answers, notes };
  const differs = (a: unknown, b: unknown) => JSON.stringify(a) !== JSON.stringify(b);
  for (const key of target.readFromEnv) {
    if (fromEnv[key] !== undefined && state[key] !== undefined && differs(fromEnv[key], state[key])) {
      answers[key] = fromEnv[key];
      notes.push(
        `.env was edited since the last run: ${key} is ${JSON.stringify(fromEnv[key])} there (was ` +
          `${JSON.stringify(state[key])}); keeping the edit.`,
      );
    }
  }
  if (fromEnv.https !== undefined && (fromEnv.https === 'off') !== (state.https === 'off')) {
    answers.https = fromEnv.https;
    notes.push(
      `.env was edited since the last run: HTTPS forcing is ` +
        `${fromEnv.https === 'off' ? 'off' : 'on'} there; keeping the edit.`,
    );
  }
  return { answers, notes };
}

export function defaultFor(q: Question, existing: PartialAnswers, acc: PartialAnswers = {}): unknown {
  const current = existing[q.id];
  if (
    current !== undefined &&
    (!q.choicesFor || q.choicesFor(acc as Partial<Answers>).some((c) => c.value === current))
  )
    return current;
  return q.fallbackFor?.(acc as Partial<Answers>) ?? q.fallback;
}

/** Without prompts: given, else existing, else built-in default; anything still missing is a usage error. */
export function resolveHeadless(questions: Question[], given: PartialAnswers, existing: PartialAnswers): Answers {
  const acc: PartialAnswers = {};
  const missing: Question[] = [];
  for (const q of questions) {
    if (!q.when(acc as Partial<Answers>)) continue;
    const value = given[q.id] ?? defaultFor(q, existing, acc);
    if (value === undefined) missing.push(q);
    else acc[q.id] = value;
  }
  if (missing.length > 0) {
    throw usageError(
      `Missing ${missing.map((q) => `--${q.flag}`).join(', ')} (no terminal to ask in, or --yes given).`,
      missing.map((q) => `--${q.flag}: ${q.help}`).join('\n'),
    );
  }
  return acc;
}

/** Checks across answers: flags given for a mode not chosen, and ports that collide. */
export function checkConsistency(
  questions: Question[],
  given: PartialAnswers,
  a: Answers,
  title = 'this product',
): void {
  for (const q of questions) {
    if (given[q.id] !== undefined && !q.when(a)) {
      const key = q.needs?.slice(2).split(' ')[0] as keyof Answers | undefined;
      const here = key && key in a ? ` (here ${q.needs!.split(' ')[0]} is ${String(a[key])})` : '';
      throw usageError(`--${q.flag} does not apply: it is used with ${q.needs ?? 'another setting'}${here}.`);
    }
    const allowed = q.choicesFor?.(a);
    if (given[q.id] !== undefined && allowed && !allowed.some((c) => c.value === given[q.id])) {
      throw usageError(
        `--${q.flag}: must be one of ${allowed.map((c) => c.value).join(', ')} for ${title} ` +
          `${a.release} (got "${String(given[q.id])}")`,
      );
    }
  }
  if (given.httpsPort !== undefined && a.https !== 'auto') {
    throw usageError(
      `--https-port does not apply: it is used with --https auto (here --https is ` +
        `${a.https}; only --http-port is published).`,
    );
  }
  if (a.https === 'auto' && a.httpPort === a.httpsPort) {
    throw usageError(
      `--http-port and --https-port are both ${a.httpPort}: HTTP and HTTPS need two different host ports.`,
    );
  }
}

/** For `verify`: what the install says, with built-in defaults for the rest; nothing is required. */
export function lenientAnswers(questions: Question[], existing: PartialAnswers): Answers {
  const acc: PartialAnswers = {};
  for (const q of questions) acc[q.id] = existing[q.id] ?? q.fallbackFor?.(acc as Partial<Answers>) ?? q.fallback;
  acc.domain ??= 'localhost';
  return acc;
}

/** The command that repeats this run without prompts; secrets are never on it. */
export function headlessCommand(
  target: { id: string; questions: Question[] },
  a: Answers,
  dir: string,
  extra: string[] = [],
): string {
  const parts = [`npx harden-init ${target.id}`, `--dir ${shellQuote(dir)}`];
  const acc: Partial<Answers> = {};
  for (const q of target.questions) {
    if (!q.when(a)) continue;
    const value = a[q.id];
    const fallback = q.fallbackFor?.(acc) ?? q.fallback;
    (acc as Record<string, unknown>)[q.id] = value;
    if (value === undefined || JSON.stringify(value) === JSON.stringify(fallback)) continue;
    if (typeof value === 'boolean') {
      parts.push(value ? `--${q.flag}` : `--no-${q.flag}`);
      continue;
    }
    parts.push(`--${q.flag} ${shellQuote(q.format(value))}`);
  }
  parts.push(...extra, '--yes');
  return parts.join(' ');
}
