// The pure heart: answers + what exists → the files to write. No I/O here, so every rule is unit-testable.
import { appendRaw, getEnv, parseEnv, serializeEnv, setEnv, type EnvFile } from './envfile.js';
import { generateSecret, KNOWN_WEAK_VALUES } from './secrets.js';
import { serializeState, sha256, STATE_DIR, STATE_FILE, type State } from './state.js';
import type { Existing } from './existing.js';
import type { AnyAnswers } from '../core/question.js';
import type { BaseAnswers, Finding, Renderable, TargetTemplate } from './render.js';
import { interpolatedNames } from './compose-text.js';

export const ENV_FILE = '.env';
export const COMPOSE_FILE = 'docker-compose.yml';
export const PROPOSED_COMPOSE_FILE = 'docker-compose.proposed.yml';
/**
 * A copy of the compose file harden-init last wrote as its own (no hand edits): the BASE an upgrade needs to carry
 * later hand edits three-way, exact even when a newer harden-init renders the old release differently.
 */
export const WRITTEN_COMPOSE_FILE = `${STATE_DIR}/compose-written.yml`;

export interface PlannedFile {
  path: string;
  old?: string;
  content: string;
  mode: number;
  /** Holds secrets: masked in diffs. */
  secret: boolean;
}

export type ComposePolicy = 'keep' | 'replace';

export interface PlanOptions {
  target: Renderable<BaseAnswers>;
  /** Secrets the operator gave this run (prompt or environment), by .env key (see the target's render.secretInputs). */
  secretValues?: Record<string, string>;
  /** Reads a file of the install (for extra files' old content). */
  readFile?: (path: string) => string | undefined;
  /** What to do with a docker-compose.yml that harden-init did not write as it stands. */
  composePolicy: ComposePolicy;
  /** The answers the install stood for before this run (state, or read from .env). */
  previous?: Partial<BaseAnswers> | AnyAnswers;
  random?: (name: string) => string;
  /** Services and variables accepted as upstream wrote them (--accept-upstream). */
  accepted?: string[];
  /** More files to write with the install (the release files cache); their old content comes from readFile. */
  extraFiles?: { path: string; content: string; mode: number }[];
}

export interface DbMove {
  from: string;
  to: string;
}

export interface Plan {
  answers: BaseAnswers;
  files: PlannedFile[];
  /** Only the files whose content changes. */
  changes: PlannedFile[];
  generatedSecrets: string[];
  keptSecrets: string[];
  /** The compose file differs from what harden-init last wrote (hand edits or another installer). */
  composeEdited: boolean;
  /** The database location changes: its data does not follow. */
  dbMove?: DbMove;
  /** Upstream asks for what the rules cannot harden: the run refuses unless accepted. */
  findings: Finding[];
  accepted: Finding[];
  warnings: string[];
  notes: string[];
}

/** What plan's steps share: the answers, the template, the options, and the notes gathered on the way. */
interface PlanRun {
  target: Renderable<BaseAnswers>;
  answers: BaseAnswers;
  previous: Partial<BaseAnswers>;
  existing: Existing;
  t: TargetTemplate;
  opts: PlanOptions;
  warnings: string[];
  notes: string[];
  generatedSecrets: string[];
  keptSecrets: string[];
}

export function plan(answersIn: AnyAnswers, existing: Existing, t: TargetTemplate, opts: PlanOptions): Plan {
  const target = opts.target;
  const answers = target.normalize(answersIn as BaseAnswers);
  const previous = (opts.previous ?? {}) as Partial<BaseAnswers>;
  const run: PlanRun = {
    target,
    answers,
    previous,
    existing,
    t,
    opts,
    warnings: [],
    notes: [],
    generatedSecrets: [],
    keptSecrets: [],
  };

  let env = startEnv(run);
  const dbMove = dbMoveOf(target, previous, answers);
  if (target.render.beforeEnv) env = target.render.beforeEnv(env, answers, previous, run.warnings);
  env = setManagedValues(run, env);
  env = generateSecrets(run, env);
  env = setSecretInputs(run, env);
  if (target.render.afterEnv) env = target.render.afterEnv(env, answers, t);

  // docker-compose.yml: never overwrite a file that is not the one we wrote, unless told to.
  const rendered = target.render.compose(t, answers, new Set(opts.accepted ?? []));
  const compose = rendered.text;
  // Every variable compose interpolates gets a line, so compose never falls back to "" with a warning.
  const missingRefs = interpolatedNames(compose).filter(
    (n) => getEnv(env, n) === undefined && !n.startsWith('HARDEN_INIT'),
  );
  for (const n of missingRefs) env = setEnv(env, n, '');
  const { files, composeEdited } = plannedFiles(run, env, compose);

  return {
    answers,
    files,
    changes: files.filter((f) => f.old !== f.content),
    generatedSecrets: run.generatedSecrets,
    keptSecrets: run.keptSecrets,
    composeEdited,
    dbMove,
    findings: rendered.findings,
    accepted: rendered.accepted,
    warnings: run.warnings,
    notes: run.notes,
  };
}

/** .env: start from what is there (every line kept), else from the template's defaults. */
function startEnv({ existing, t, target }: Pick<PlanRun, 'existing' | 't' | 'target'>): EnvFile {
  if (!existing.env) return parseEnv(`${target.render.envHeader(t)}${t.envDefaults}`);
  let env = existing.env;
  const known = new Set(env.lines.map((l) => l.key).filter(Boolean));
  const missing = parseEnv(t.envDefaults).lines.filter((l) => l.key && !known.has(l.key));
  if (missing.length > 0) {
    env = appendRaw(env, `# Added by harden-init from the ${target.title} ${t.version} template`);
    for (const l of missing) env = appendRaw(env, l.raw);
  }
  return env;
}

function setManagedValues(
  r: Pick<PlanRun, 'target' | 'answers' | 'previous' | 'existing' | 't' | 'warnings'>,
  envIn: EnvFile,
): EnvFile {
  const { target, answers, previous } = r;
  let env = envIn;
  for (const [key, value] of Object.entries(target.render.managedValues(answers, r.t))) {
    const before = getEnv(env, key);
    // A switch that follows an answer (force-HTTPS and the HTTPS mode) is not "turned back on" when the answer changed.
    const explained = previous.https !== undefined && previous.https !== answers.https && /HTTPS|SECURE/.test(key);
    const switchedBack = before !== undefined && before !== value && target.render.securitySwitches.includes(key);
    if (r.existing.env && switchedBack && !explained) {
      r.warnings.push(`${key} was "${before}"; harden-init sets it back to "${value}".`);
    }
    env = setEnv(env, key, value);
  }
  return env;
}

type SecretsStep = Pick<PlanRun, 'target' | 'answers' | 't' | 'opts' | 'warnings' | 'keptSecrets' | 'generatedSecrets'>;

function generateSecrets(r: SecretsStep, envIn: EnvFile): EnvFile {
  const { target, t } = r;
  const random = r.opts.random ?? ((name: string) => target.render.generateSecret?.(name) ?? generateSecret());
  let env = envIn;
  for (const key of target.render.secretsToGenerate(r.answers, t)) {
    const current = getEnv(env, key);
    if (current) {
      r.keptSecrets.push(key);
      if (KNOWN_WEAK_VALUES.has(current)) r.warnings.push(weakSecretWarning(key, t));
    } else {
      env = setEnv(env, key, random(key));
      r.generatedSecrets.push(key);
    }
  }
  return env;
}

/** Secrets the operator supplies (an external database's password, SMTP): set when given, else kept. */
function setSecretInputs(
  r: Pick<PlanRun, 'target' | 'answers' | 'opts' | 'notes' | 'keptSecrets'>,
  envIn: EnvFile,
): EnvFile {
  let env = envIn;
  for (const input of r.target.render.secretInputs) {
    if (!input.when(r.answers)) continue;
    const given = r.opts.secretValues?.[input.key];
    const current = getEnv(env, input.key);
    if (given !== undefined && given !== current) {
      if (current && input.required) r.notes.push(`${input.key}: replaced by the password you gave.`);
      env = setEnv(env, input.key, given);
    } else if (current && input.required) {
      r.keptSecrets.push(input.key);
    }
  }
  return env;
}

type FilesRun = Pick<PlanRun, 'target' | 'answers' | 'existing' | 't' | 'opts' | 'notes'>;

/** .env, the compose file (or the proposed one beside a hand-edited file), the target's extra files, the state. */
function plannedFiles(r: FilesRun, env: EnvFile, compose: string): { files: PlannedFile[]; composeEdited: boolean } {
  const { existing, opts } = r;
  const recorded = existing.state?.composeSha256;
  const composeEdited =
    existing.compose !== undefined &&
    existing.compose !== compose &&
    (recorded === undefined || sha256(existing.compose) !== recorded);
  const kept = composeEdited && opts.composePolicy === 'keep';
  const withOld = (f: { path: string; content: string; mode: number }): PlannedFile => ({
    ...f,
    old: opts.readFile?.(f.path),
    secret: false,
  });
  const files: PlannedFile[] = [
    { path: ENV_FILE, old: existing.envText, content: serializeEnv(env), mode: 0o600, secret: true },
    ...(kept ? proposedCompose(r, compose) : replacedCompose(r, compose, composeEdited)),
    ...(r.target.render.extraFiles?.(r.answers, r.t) ?? []).map(withOld),
    ...(opts.extraFiles ?? []).map(withOld),
  ];
  // A kept hand-edited file keeps the recorded hash: the next run still sees it as edited.
  const state = plannedState(r, kept ? recorded : sha256(compose));
  files.push({ path: STATE_FILE, old: existing.stateText, content: serializeState(state), mode: 0o600, secret: false });
  return { files, composeEdited };
}

/** A compose file edited by hand is kept; harden-init's version is written beside it. */
function proposedCompose(r: FilesRun, compose: string): PlannedFile[] {
  const recorded = r.existing.state?.composeSha256;
  r.notes.push(
    `${COMPOSE_FILE} was changed since harden-init wrote it${recorded ? '' : ' (or was written by another tool)'}: ` +
      `it is kept as it is; the file harden-init would write is in ${PROPOSED_COMPOSE_FILE}. Compare them, merge ` +
      `what you need, or re-run with --replace-compose.`,
  );
  return [
    { path: PROPOSED_COMPOSE_FILE, old: r.existing.proposedCompose, content: compose, mode: 0o644, secret: false },
  ];
}

function replacedCompose(r: FilesRun, compose: string, composeEdited: boolean): PlannedFile[] {
  const { existing, opts } = r;
  const files: PlannedFile[] = [
    { path: COMPOSE_FILE, old: existing.compose, content: compose, mode: 0o644, secret: false },
  ];
  // Written with every new content of the compose file only: a re-run that changes nothing writes nothing.
  if (existing.compose !== compose)
    files.push({
      path: WRITTEN_COMPOSE_FILE,
      old: opts.readFile?.(WRITTEN_COMPOSE_FILE),
      content: compose,
      mode: 0o644,
      secret: false,
    });
  if (composeEdited)
    r.notes.push(
      `${COMPOSE_FILE} had changes harden-init did not make; they are replaced (the old file goes to the backup).`,
    );
  return files;
}

function plannedState(r: FilesRun, composeSha256: string | undefined): State {
  const { existing, t } = r;
  return {
    schema: 1,
    target: t.target,
    templateVersion: t.version,
    release: t.version,
    imageId: t.imageId,
    upstreamSha256: sha256(t.compose),
    ...(t.upstreamCache ? { upstreamCache: t.upstreamCache } : {}),
    answers: r.answers as State['answers'],
    // The upgrade history stays with the install through ordinary re-runs.
    ...(existing.state?.history ? { history: existing.state.history } : {}),
    composeSha256,
  };
}

function dbMoveOf(
  target: Renderable<BaseAnswers>,
  previous: Partial<BaseAnswers>,
  next: BaseAnswers,
): DbMove | undefined {
  const from = target.stack.dbLocation(previous);
  const to = target.stack.dbLocation(next)!;
  return from !== undefined && from !== to ? { from, to } : undefined;
}

function weakSecretWarning(key: string, t: TargetTemplate): string {
  const why = t.secrets.encryptionKeys.includes(key)
    ? 'changing it makes the data it encrypts unreadable, so harden-init keeps it; rotate it only with the ' +
      "product's own migration or on a fresh install"
    : `harden-init keeps it because the running service was set up with it; harden-init rotate-secret ${key} changes ` +
      `it safely (a database password in the database first, then .env, recreate, verify)`;
  return `${key} holds a well-known example value: ${why}.`;
}
