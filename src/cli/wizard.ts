// The interactive flow: one clack prompt per question the flags did not answer, generated from the schema.
import * as p from '@clack/prompts';
import type { AnyAnswers as Answers, Question } from '../core/question.js';
import { cancelled } from '../core/errors.js';
import { defaultFor, type Partial2 } from './resolve.js';
import { passwordError } from '../validate.js';

function unwrap<T>(value: T): Exclude<T, symbol> {
  if (p.isCancel(value)) throw cancelled();
  return value as Exclude<T, symbol>;
}

export async function askAnswers(questions: Question[], given: Partial2, existing: Partial2): Promise<Answers> {
  const acc: Partial2 = {};
  for (const q of questions) {
    if (!q.when(acc as Partial<Answers>)) continue;
    if (given[q.id] !== undefined) { acc[q.id] = given[q.id]; continue; }
    const current = defaultFor(q, existing, acc);
    const choices = q.choicesFor?.(acc as Partial<Answers>) ?? q.choices;
    if (!q.prompted || (q.kind === 'select' && choices!.length === 1)) { acc[q.id] = current; continue; }
    if (q.kind === 'select') {
      acc[q.id] = unwrap(await p.select({
        message: q.message,
        options: choices!.map((c) => ({ value: c.value, label: c.label, hint: c.hint })),
        initialValue: current as string | undefined,
      }));
    } else {
      const raw = unwrap(await p.text({
        message: q.message,
        placeholder: q.placeholder,
        initialValue: current === undefined ? undefined : q.format(current),
        validate: (v) => q.parse((v ?? '').trim()).error,
      }));
      acc[q.id] = q.parse(raw.trim()).value;
    }
    const warning = q.warn?.(acc[q.id]);
    if (warning) p.log.warn(warning);
  }
  return acc as unknown as Answers;
}

export async function askDbPassword(message = 'Password of the database user (not shown; stored only in .env)', extra?: (v: string) => string | undefined): Promise<string> {
  return unwrap(await p.password({
    message,
    validate: (v) => passwordError(v ?? '') ?? extra?.(v ?? ''),
  }));
}

export async function confirmWrite(message: string, initialValue = true): Promise<boolean> {
  return unwrap(await p.confirm({ message, initialValue }));
}

export async function chooseComposePolicy(): Promise<'keep' | 'replace'> {
  return unwrap(await p.select({
    message: 'docker-compose.yml has changes harden-init did not make. What should happen to it?',
    options: [
      { value: 'keep' as const, label: 'Keep my file; write the new one beside it as docker-compose.proposed.yml', hint: 'safe' },
      { value: 'replace' as const, label: 'Replace it (my file goes to the backup)' },
    ],
    initialValue: 'keep' as const,
  }));
}
