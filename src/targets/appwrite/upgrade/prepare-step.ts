// One step worked out without writing: the new release's files and answers, the plan of a re-run at that release
// (secrets kept, renamed variables carried, dropped ones removed), and the hand edits of docker-compose.yml merged
// three-way (carry.ts). Planning and running a step both start here, so every refusal comes before a change.
import { join } from 'node:path';
import pc from 'picocolors';
import { usageError } from '../../../core/errors.js';
import type { PartialAnswers } from '../../../core/question.js';
import type { Existing } from '../../../engine/existing.js';
import { deleteEnv, parseEnv, setEnv, toRecord } from '../../../engine/envfile.js';
import { sha256, STATE_FILE, type State } from '../../../engine/state.js';
import {
  plan as makePlan,
  COMPOSE_FILE,
  PROPOSED_COMPOSE_FILE,
  WRITTEN_COMPOSE_FILE as WRITTEN_COMPOSE,
  type Plan,
} from '../../../engine/plan.js';
import { interpolatedNames } from '../../../engine/compose-text.js';
import {
  mergeCompose,
  type Conflict,
  type Edit,
  type MergeResult,
  type Verdict,
} from '../../../engine/compose-merge.js';
import { YamlReadError } from '../../../engine/yaml-read.js';
import { readRegular } from '../../../core/safe-fs.js';
import type { BaseAnswers, UpgradeRun, UpgradeStep } from '../../types.js';
import type { Answers } from '../answers.js';
import type { Template } from '../template.js';
import { releaseFiles, type ReleaseFiles } from '../release-files.js';
import { carryLines, composeBase, hardeningJudge, type Base } from './carry.js';
import { carryEdits, stepChanges, type StepChanges } from './path.js';

export type Run = UpgradeRun<Answers>;

/** One step prepared: the new release's template, answers, the plan, and what changes. */
export interface PreparedStep {
  step: UpgradeStep;
  template: Template;
  answers: Answers;
  plan: Plan;
  changes: StepChanges;
  carried: { renamed: string[]; dropped: string[] };
  /** harden-init's own file for the new release (written as the next step's BASE). */
  rendered: string;
  /** The hand edits of docker-compose.yml, merged three-way (undefined: none, or --replace-compose). */
  handEdits?: { result: MergeResult; base: string; how: string; lines: { carried: string[]; notCarried: string[] } };
}

/** Where a step starts: the install's files (or what earlier planned steps would leave) and the edits still pending. */
export interface StepStart {
  existing: Existing;
  current: PartialAnswers;
  /** The copy of the compose file harden-init last wrote (BASE of the hand-edit merge). */
  storedBase: string | undefined;
  pending: Conflict[];
}

/** The step's answers: the install's with the new release, the flags given over them. */
export function stepAnswers(
  r: Pick<Run, 'target' | 'deps' | 'given'>,
  current: PartialAnswers,
  release: string,
): Answers {
  return r.target.normalize(
    r.deps.headless({ ...r.given, release } as Partial<Answers>, { ...current, release } as Partial<Answers>),
  );
}

/** What the files would be after a step (for planning the next one without writing). */
export function simulateAfter(e: Existing, s: PreparedStep): Existing {
  const env = s.plan.files.find((f) => f.path === '.env')!.content;
  const composeFile = s.plan.files.find((f) => f.path === COMPOSE_FILE);
  const stateText = s.plan.files.find((f) => f.path === STATE_FILE)!.content;
  return {
    ...e,
    envText: env,
    env: parseEnv(env),
    compose: composeFile?.content ?? e.compose,
    stateText,
    state: JSON.parse(stateText) as State,
  };
}

/** The new release rendered for these answers; what it asks that the rules cannot harden is refused. */
function render(r: Run, s: UpgradeStep, template: Template, answers: Answers): string {
  const rendered = r.target.render.compose(template, answers, new Set(r.flags.acceptUpstream));
  if (rendered.findings.length) {
    const lines = rendered.findings.map(
      (x) => `  - ${x.what}\n    accept with --accept-upstream ${x.subject}: ${x.accepting}`,
    );
    throw usageError(
      `Appwrite ${s.to}'s files ask for what harden-init's rules do not know how to harden:\n${lines.join('\n')}`,
      'Review each one; accept it by name only if you trust it. Nothing was changed by this step.',
    );
  }
  return rendered.text;
}

export async function prepareStep(r: Run, s: UpgradeStep, start: StepStart): Promise<PreparedStep> {
  const { target, dir, flags } = r;
  const { existing, current } = start;
  const opts = { dir, dockerAvailable: r.dockerAvailable, acceptUpstream: flags.acceptUpstream, env: r.env };
  const { template, cache } = await releaseFiles(s.to, { ...opts, onLine: (l) => r.ui.raw(pc.dim(`│  ${l}`)) });
  // The old release's files: its variable names, and (for a hand-edited compose) the file harden-init wrote for it.
  const old = await releaseFiles(s.from, opts).catch(() => undefined);
  const answers = stepAnswers(r, current, s.to);
  target.check?.(answers);
  const rendered = render(r, s, template, answers);
  const oldVariables = old
    ? old.template.variables
    : existing.env!.lines.map((l) => l.key).filter((k): k is string => Boolean(k));
  const changes = stepChanges(
    { version: s.from, compose: existing.compose!, variables: oldVariables },
    { version: s.to, compose: rendered, variables: template.variables },
  );
  const keep = new Set([
    ...interpolatedNames(rendered),
    ...Object.keys(target.render.managedValues(answers, template)),
  ]);
  const edits = carryEdits(toRecord(existing.env!), changes, keep);
  let env = existing.env!;
  for (const [k, v] of Object.entries(edits.set)) env = setEnv(env, k, v);
  for (const k of edits.remove) env = deleteEnv(env, k);
  const read = (path: string) => readRegular(join(dir, path));
  const plan = makePlan(answers, { ...existing, env }, template, {
    target,
    readFile: read,
    composePolicy: 'replace',
    previous: current as Partial<BaseAnswers>,
    accepted: flags.acceptUpstream,
    extraFiles: cache, // the plan writes the copy of its own compose file (WRITTEN_COMPOSE) with it
  });
  if (plan.dbMove)
    throw usageError(
      `The database location would change (${plan.dbMove.from} → ${plan.dbMove.to}): an upgrade never moves data.`,
    );
  const prepared: PreparedStep = {
    step: s,
    template,
    answers: plan.answers as Answers,
    plan,
    changes,
    carried: { renamed: edits.renamed, dropped: edits.dropped },
    rendered,
  };
  const handEdits = await mergeHandEdits(r, s, start, old, rendered, plan);
  return handEdits ? withHandEdits(prepared, existing, handEdits) : prepared;
}

/** The step with its hand edits: the merged file written, the rest proposed beside it. */
function withHandEdits(
  prepared: PreparedStep,
  existing: Existing,
  handEdits: NonNullable<PreparedStep['handEdits']>,
): PreparedStep {
  const { step: s, changes, plan, rendered } = prepared;
  // Services and ports as harden-init's own files change them (the hand edits are listed on their own).
  const ownChanges = stepChanges(
    { version: s.from, compose: handEdits.base, variables: [] },
    { version: s.to, compose: rendered, variables: [] },
  );
  for (const k of ['servicesAdded', 'servicesRemoved', 'portsAdded', 'portsRemoved'] as const)
    changes[k] = ownChanges[k];
  // The file written: the new release's with the clean edits; the rest proposed beside it. state.json keeps the
  // sha256 of harden-init's own file, so the edits still count as hand edits (a re-run keeps them; the next
  // upgrade carries them again).
  const files = plan.files.flatMap((f) => {
    if (f.path === PROPOSED_COMPOSE_FILE && handEdits.result.proposal) return [];
    if (f.path !== COMPOSE_FILE) return [f];
    const merged = { ...f, content: handEdits.result.text };
    return handEdits.result.proposal
      ? [
          merged,
          {
            path: PROPOSED_COMPOSE_FILE,
            old: existing.proposedCompose,
            content: handEdits.result.proposal,
            mode: 0o644,
            secret: false,
          },
        ]
      : [merged];
  });
  return { ...prepared, plan: { ...plan, files, changes: files.filter((f) => f.old !== f.content) }, handEdits };
}

/**
 * BASE of the merge: the file harden-init wrote, exactly (its copy, else the old release re-rendered); else refused.
 */
async function baseOf(
  r: Run,
  s: UpgradeStep,
  start: StepStart,
  old: ReleaseFiles | undefined,
  recorded: string,
): Promise<Base> {
  const { existing, storedBase } = start;
  const answers = existing.state?.answers ? r.target.normalize(existing.state.answers as Answers) : undefined;
  const base = await composeBase(recorded, [
    { how: WRITTEN_COMPOSE, text: () => storedBase },
    {
      how: `Appwrite ${s.from}'s files re-rendered with the recorded answers`,
      text: () =>
        old && answers
          ? r.target.render.compose(old.template, answers, new Set(r.flags.acceptUpstream)).text
          : undefined,
    },
  ]);
  if (!base) {
    throw usageError(
      `${COMPOSE_FILE} was edited by hand since harden-init wrote it, and harden-init cannot tell exactly what it ` +
        `wrote for ${s.from} (no ${WRITTEN_COMPOSE} and the re-rendered file differs), so it cannot carry the ` +
        `edits: it stops here (nothing was changed).`,
      'Keep your edits in docker-compose.override.yml (which harden-init never touches) and re-run with ' +
        "--replace-compose: the edited file goes into the first step's backup.",
    );
  }
  return base;
}

/** The hardening check each carried edit passes (carry.ts), with the .env and answers the step writes. */
function judgeOf(
  r: Run,
  s: UpgradeStep,
  plan: Plan,
  next: string,
): ((text: string, edit: Edit) => Verdict) | undefined {
  const envText = plan.files.find((f) => f.path === '.env')!.content;
  return r.target.audit
    ? hardeningJudge(
        {
          audit: r.target.audit,
          dir: r.dir,
          dirArg: r.dirArg,
          target: 'appwrite',
          runEnv: r.env,
          release: s.to,
          env: toRecord(parseEnv(envText)),
          answers: plan.answers as Answers,
          accepted: new Set(r.flags.acceptUpstream),
        },
        next,
      )
    : undefined;
}

/**
 * The three-way merge when docker-compose.yml is not the file harden-init wrote: undefined when it is (or with
 * --replace-compose); a usage error (nothing changed) when harden-init cannot tell exactly what it wrote.
 */
async function mergeHandEdits(
  r: Run,
  s: UpgradeStep,
  start: StepStart,
  old: ReleaseFiles | undefined,
  next: string,
  plan: Plan,
): Promise<PreparedStep['handEdits']> {
  const { existing, pending } = start;
  const recorded = existing.state?.composeSha256;
  const step = `${s.from} → ${s.to}`;
  if (recorded === undefined || sha256(existing.compose!) === recorded || r.flags.replaceCompose) {
    if (!pending.length) return undefined;
    // No hand edit to carry (an earlier step carried none), but earlier steps'
    // not-carried ones still go into the proposal.
    const result = mergeCompose(existing.compose!, existing.compose!, next, { pending, step });
    return { result, base: existing.compose!, how: 'the file on disk', lines: carryLines(result, 'the file on disk') };
  }
  const base = await baseOf(r, s, start, old, recorded);
  const judge = judgeOf(r, s, plan, next);
  let result: MergeResult;
  try {
    result = mergeCompose(base.text, existing.compose!, next, { admit: judge, pending, step });
  } catch (e) {
    // The YAML reader's own message already names the file, the line and what is wrong.
    const why =
      e instanceof YamlReadError
        ? e.message
        : `${COMPOSE_FILE} is not readable as YAML (${(e as Error).message.split('\n')[0]})`;
    throw usageError(
      `${why}: its hand edits cannot be carried; nothing was changed.`,
      "Fix the file, or re-run with --replace-compose (the edited file goes into the first step's backup).",
    );
  }
  return { result, base: base.text, how: base.how, lines: carryLines(result, base.how) };
}
