// The shape of a wizard question. Each target declares its own list (src/targets/<id>/questions.ts); the flag
// parser, --help, the missing-flag check and the clack flow are all generated from those lists, so a question
// cannot exist in one and be forgotten in another.
import { parseList } from './validate.js';

export type Parsed = { value: unknown; error?: undefined } | { value?: undefined; error: string };

export interface Choice {
  value: string;
  label: string;
  hint?: string;
}

/** Answers as the generic engine sees them: a record; each target has its own typed view. */
export type AnyAnswers = Record<string, unknown>;
/** Answers given so far (flags, an install, the questions asked): some of a target's answers `A`. */
export type PartialAnswers<A extends AnyAnswers = AnyAnswers> = Partial<A>;

// Callbacks are methods (checked bivariantly), so a target's Question<Answers>[] is also a Question[] to the
// generic flow.
export interface Question<A = AnyAnswers> {
  id: keyof A & string;
  flag: string;
  /** select: one of `choices`; text: free text; flag-only questions are never prompted. */
  kind: 'select' | 'text';
  prompted: boolean;
  message: string;
  help: string;
  placeholder?: string;
  choices?: Choice[];
  /** Whether the question applies given the answers so far. */
  when(a: Partial<A>): boolean;
  /** For a question that applies only to one mode: the flag and value that mode is chosen with. */
  needs?: string;
  /** Built-in default when there is no existing install; undefined means the answer is required. */
  fallback?: unknown;
  /** A default that depends on earlier answers (wins over `fallback`). */
  fallbackFor?(a: Partial<A>): unknown;
  /** Choices that apply given earlier answers (a select with one left is not asked). */
  choicesFor?(a: Partial<A>): Choice[];
  parse(raw: string): Parsed;
  /** How the current value is shown as a prompt default / on the headless command line. */
  format(value: unknown): string;
  warn?(value: unknown): string | undefined;
  /**
   * A setting a re-run keeps as it is (changing it is an operation of its own, e.g. a database engine needs a dump
   * and restore): shown as this line instead of asked.
   */
  keptOnRerun?(value: unknown): string;
}

export const str = (v: unknown) => String(v);
export const list = (v: unknown) => (v as string[]).join(',');

export function oneOf(allowed: readonly string[]) {
  return (raw: string): Parsed =>
    allowed.includes(raw) ? { value: raw } : { error: `must be one of ${allowed.join(', ')} (got "${raw}")` };
}
export function checked(check: (v: string) => string | undefined, convert: (v: string) => unknown = (v) => v) {
  return (raw: string): Parsed => {
    const error = check(raw);
    return error ? { error } : { value: convert(raw) };
  };
}
export function listOf(check: (v: string) => string | undefined, canonical?: (v: string) => string) {
  return (raw: string): Parsed => {
    const { items, error } = parseList(raw, check, canonical);
    return error ? { error } : { value: items };
  };
}
