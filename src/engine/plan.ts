// The pure heart: answers + what exists → the files to write. No I/O here, so every rule is unit-testable.
import { normalizeAnswers, type Answers } from '../answers.js';
import { appendRaw, getEnv, parseEnv, serializeEnv, setEnv, type EnvFile } from './envfile.js';
import { generateSecret, KNOWN_WEAK_VALUES } from './secrets.js';
import { serializeState, sha256, STATE_FILE, type State } from './state.js';
import type { Existing } from './existing.js';
import type { Template } from './template.js';
import { managedValues, secretsToGenerate } from '../targets/appwrite/env-values.js';
import { renderCompose } from '../targets/appwrite/compose.js';

export const ENV_FILE = '.env';
export const COMPOSE_FILE = 'docker-compose.yml';
export const PROPOSED_COMPOSE_FILE = 'docker-compose.proposed.yml';

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
  /** The external database's password, when given (prompt or HARDEN_INIT_DB_PASSWORD). */
  dbPassword?: string;
  /** What to do with a docker-compose.yml that harden-init did not write as it stands. */
  composePolicy: ComposePolicy;
  random?: () => string;
}

export interface Plan {
  answers: Answers;
  files: PlannedFile[];
  /** Only the files whose content changes. */
  changes: PlannedFile[];
  generatedSecrets: string[];
  keptSecrets: string[];
  /** The compose file differs from what harden-init last wrote (hand edits or another installer). */
  composeEdited: boolean;
  warnings: string[];
  notes: string[];
}

export function plan(answersIn: Answers, existing: Existing, t: Template, opts: PlanOptions): Plan {
  const answers = normalizeAnswers(answersIn);
  const random = opts.random ?? (() => generateSecret());
  const warnings: string[] = [];
  const notes: string[] = [];
  const generatedSecrets: string[] = [];
  const keptSecrets: string[] = [];

  // .env: start from what is there (every line kept), else from the template's defaults.
  let env: EnvFile;
  if (existing.env) {
    env = existing.env;
    const known = new Set(env.lines.map((l) => l.key).filter(Boolean));
    const missing = parseEnv(t.envDefaults).lines.filter((l) => l.key && !known.has(l.key));
    if (missing.length > 0) {
      env = appendRaw(env, `# Added by harden-init from the Appwrite ${t.version} template`);
      for (const l of missing) env = appendRaw(env, l.raw);
    }
  } else {
    env = parseEnv(`${envHeader(t)}${t.envDefaults}`);
  }

  for (const [key, value] of Object.entries(managedValues(answers))) {
    const before = getEnv(env, key);
    if (existing.env && before !== undefined && before !== value && isSecuritySwitch(key)) {
      warnings.push(`${key} was "${before}"; harden-init sets it back to "${value}".`);
    }
    env = setEnv(env, key, value);
  }

  for (const key of secretsToGenerate(t.secrets.generate, answers.db)) {
    const current = getEnv(env, key);
    if (current) {
      keptSecrets.push(key);
      if (KNOWN_WEAK_VALUES.has(current)) warnings.push(weakSecretWarning(key, t));
    } else {
      env = setEnv(env, key, random());
      generatedSecrets.push(key);
    }
  }

  if (answers.db === 'external') {
    const current = getEnv(env, '_APP_DB_PASS');
    if (opts.dbPassword !== undefined && opts.dbPassword !== current) {
      if (current) notes.push('_APP_DB_PASS: replaced by the external database password you gave.');
      env = setEnv(env, '_APP_DB_PASS', opts.dbPassword);
    } else if (current) {
      keptSecrets.push('_APP_DB_PASS');
    }
  }

  // docker-compose.yml: never overwrite a file that is not the one we wrote, unless told to.
  const compose = renderCompose(t.compose, answers);
  const recorded = existing.state?.composeSha256;
  const composeEdited = existing.compose !== undefined && existing.compose !== compose
    && (recorded === undefined || sha256(existing.compose) !== recorded);
  const files: PlannedFile[] = [
    { path: ENV_FILE, old: existing.envText, content: serializeEnv(env), mode: 0o600, secret: true },
  ];
  let writtenCompose = compose;
  if (composeEdited && opts.composePolicy === 'keep') {
    writtenCompose = existing.compose!;
    files.push({ path: PROPOSED_COMPOSE_FILE, old: existing.proposedCompose, content: compose, mode: 0o644, secret: false });
    notes.push(`${COMPOSE_FILE} was changed since harden-init wrote it${recorded ? '' : ' (or was written by another tool)'}: it is kept as it is; the file harden-init would write is in ${PROPOSED_COMPOSE_FILE}. Compare them, merge what you need, or re-run with --replace-compose.`);
  } else {
    files.push({ path: COMPOSE_FILE, old: existing.compose, content: compose, mode: 0o644, secret: false });
    if (composeEdited) notes.push(`${COMPOSE_FILE} had changes harden-init did not make; they are replaced (the old file goes to the backup).`);
  }

  const state: State = {
    schema: 1,
    target: t.target,
    templateVersion: t.version,
    answers,
    composeSha256: composeEdited && opts.composePolicy === 'keep' ? recorded : sha256(writtenCompose),
  };
  files.push({ path: STATE_FILE, old: existing.stateText, content: serializeState(state), mode: 0o600, secret: false });

  return {
    answers,
    files,
    changes: files.filter((f) => f.old !== f.content),
    generatedSecrets,
    keptSecrets,
    composeEdited,
    warnings,
    notes,
  };
}

function isSecuritySwitch(key: string): boolean {
  return ['_APP_ENV', '_APP_OPTIONS_ABUSE', '_APP_OPTIONS_ROUTER_PROTECTION'].includes(key);
}

function weakSecretWarning(key: string, t: Template): string {
  const why = t.secrets.encryptionKeys.includes(key)
    ? 'changing it makes stored passwords, OAuth secrets and API keys unreadable, so harden-init keeps it; rotate it only on a fresh install'
    : 'harden-init keeps it because the running service was set up with it; change it in the service first, then in .env';
  return `${key} holds a well-known example value: ${why}.`;
}

function envHeader(t: Template): string {
  return [
    `# Appwrite ${t.version} settings, written by harden-init.`,
    '# Holds secrets: keep it private (mode 0600) and out of version control.',
    '# _APP_OPENSSL_KEY_V1 encrypts stored data: changing it makes that data unreadable.',
    '',
  ].join('\n') + '\n';
}
