// The interactive flow: one clack prompt per question the flags did not answer, generated from the schema.
import * as p from '@clack/prompts';
import type { AnyAnswers as Answers, PartialAnswers, Question } from '../core/question.js';
import { cancelled } from '../core/errors.js';
import { defaultFor } from '../install/resolve.js';
import { passwordError } from '../core/validate.js';
import type { Ui } from './ui.js';

/** The run's streams for a prompt (its ui's). */
type On = Pick<Ui, 'streams'>;

function unwrap<T>(value: T): Exclude<T, symbol> {
  if (p.isCancel(value)) throw cancelled();
  return value as Exclude<T, symbol>;
}

/**
 * A change that needs the operator's explicit yes (e.g. a new database location: its data does not follow). It is
 * checked once the last of its questions that applies is answered; a no goes back to the first of them that was
 * asked, with the install's current value as the default, and the run goes on.
 */
export interface ChangeGuard {
  /** The questions whose answers decide it, in list order. */
  ids: string[];
  /** The warning for these answers; undefined when nothing dangerous changes. */
  check: (answers: PartialAnswers) => string | undefined;
  /** The yes/no question after the warning (default no). */
  question: string | ((answers: PartialAnswers) => string);
  /** Called with the answers the operator said yes to. */
  accepted?: (answers: PartialAnswers) => void;
}

export interface AskOptions {
  /** The run's streams the questions are asked on. */
  ui: On;
  /** A re-run: questions marked keptOnRerun are shown with their current value, not asked. */
  rerun?: boolean;
  guards?: ChangeGuard[];
}

export async function askAnswers(
  questions: Question[],
  given: PartialAnswers,
  existing: PartialAnswers,
  o: AskOptions,
): Promise<Answers> {
  const acc: PartialAnswers = {};
  const asked = new Set<string>();
  for (let i = 0; i < questions.length; i++) {
    const q = questions[i]!;
    if (!q.when(acc as Partial<Answers>)) continue;
    if (given[q.id] !== undefined) acc[q.id] = given[q.id];
    else await ask(q, acc, existing, o, asked);
    const back = await guarded(questions, i, acc, asked, o.guards ?? [], o.ui);
    if (back !== undefined) {
      for (const x of questions.slice(back, i + 1)) if (given[x.id] === undefined) delete acc[x.id];
      i = back - 1;
    }
  }
  return acc;
}

async function ask(
  q: Question,
  acc: PartialAnswers,
  existing: PartialAnswers,
  o: AskOptions,
  asked: Set<string>,
): Promise<void> {
  const current = defaultFor(q, existing, acc);
  const choices = q.choicesFor?.(acc as Partial<Answers>) ?? q.choices;
  if (!q.prompted || (q.kind === 'select' && choices!.length === 1)) {
    acc[q.id] = current;
    return;
  }
  if (o.rerun && q.keptOnRerun && existing[q.id] !== undefined) {
    acc[q.id] = existing[q.id];
    p.log.info(q.keptOnRerun(existing[q.id]), o.ui.streams);
    return;
  }
  asked.add(q.id);
  if (q.kind === 'select') {
    acc[q.id] = unwrap(
      await p.select({
        message: q.message,
        options: choices!.map((c) => ({ value: c.value, label: c.label, hint: c.hint })),
        initialValue: current as string | undefined,
        ...o.ui.streams,
      }),
    );
  } else {
    const raw = unwrap(
      await p.text({
        message: q.message,
        placeholder: q.placeholder,
        initialValue: current === undefined ? undefined : q.format(current),
        validate: (v) => q.parse((v ?? '').trim()).error,
        ...o.ui.streams,
      }),
    );
    acc[q.id] = q.parse(raw.trim()).value;
  }
  const warning = q.warn?.(acc[q.id]);
  if (warning) p.log.warn(warning, o.ui.streams);
}

/** After question i: the index to go back to when the operator declined a guarded change, else undefined. */
async function guarded(
  questions: Question[],
  i: number,
  acc: PartialAnswers,
  asked: Set<string>,
  guards: ChangeGuard[],
  ui: On,
): Promise<number | undefined> {
  const q = questions[i]!;
  for (const g of guards) {
    if (!g.ids.includes(q.id)) continue;
    // Only once the last question of the guard that applies is answered.
    if (questions.slice(i + 1).some((x) => g.ids.includes(x.id) && x.when(acc as Partial<Answers>))) continue;
    const warning = g.check(acc);
    if (warning === undefined) continue;
    p.log.warn(warning, ui.streams);
    const message = typeof g.question === 'string' ? g.question : g.question(acc);
    if (unwrap(await p.confirm({ message, initialValue: false, ...ui.streams }))) {
      g.accepted?.({ ...acc });
      continue;
    }
    const back = questions.findIndex((x, k) => k <= i && g.ids.includes(x.id) && asked.has(x.id));
    if (back === -1) throw cancelled(); // all of it came from flags: nothing to ask again
    p.log.info('Not changed: asked again with the current value.', ui.streams);
    return back;
  }
  return undefined;
}

export async function askDbPassword(
  ui: On,
  message = 'Password of the database user (not shown; stored only in .env)',
  extra?: (v: string) => string | undefined,
): Promise<string> {
  return unwrap(
    await p.password({
      ...ui.streams,
      message,
      validate: (v) => passwordError(v ?? '') ?? extra?.(v ?? ''),
    }),
  );
}

export async function confirmWrite(ui: On, message: string, initialValue = true): Promise<boolean> {
  return unwrap(await p.confirm({ message, initialValue, ...ui.streams }));
}

export async function chooseComposePolicy(ui: On): Promise<'keep' | 'replace'> {
  return unwrap(
    await p.select({
      ...ui.streams,
      message: 'docker-compose.yml has changes harden-init did not make. What should happen to it?',
      options: [
        {
          value: 'keep' as const,
          label: 'Keep my file; write the new one beside it as docker-compose.proposed.yml',
          hint: 'safe',
        },
        { value: 'replace' as const, label: 'Replace it (my file goes to the backup)' },
      ],
      initialValue: 'keep' as const,
    }),
  );
}
