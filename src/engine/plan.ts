// The pure heart: answers + what exists → the files to write. No I/O here, so every rule is unit-testable.
import { normalizeAnswers, type Answers } from '../answers.js';
import { appendRaw, deleteEnv, getEnv, parseEnv, serializeEnv, setEnv, type EnvFile } from './envfile.js';
import { generateSecret, KNOWN_WEAK_VALUES } from './secrets.js';
import { serializeState, sha256, STATE_FILE, type State } from './state.js';
import type { Existing } from './existing.js';
import type { Template } from './template.js';
import { BUNDLED_DB, managedValues, secretsToGenerate } from '../targets/appwrite/env-values.js';
import { renderCompose } from '../targets/appwrite/compose.js';
import type { Finding } from '../targets/appwrite/rules/refuse.js';
import { usageDsn } from '../targets/appwrite/secret-names.js';
import { interpolatedNames } from '../targets/appwrite/render/doc.js';

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
  /** The SMTP password, when given (prompt or HARDEN_INIT_SMTP_PASSWORD). */
  smtpPassword?: string;
  /** What to do with a docker-compose.yml that harden-init did not write as it stands. */
  composePolicy: ComposePolicy;
  /** The answers the install stood for before this run (state, or read from .env). */
  previous?: Partial<Answers>;
  random?: () => string;
  /** Services and variables accepted as upstream wrote them (--accept-upstream). */
  accepted?: string[];
  /** More files to write with the install (the release files cache). */
  extraFiles?: PlannedFile[];
}

/** Where the bundled DB's credentials wait while an external DB is in use, so a switch back finds them. */
export const BUNDLED_DB_STASH: Record<string, string> = {
  _APP_DB_USER: '_HARDEN_INIT_BUNDLED_DB_USER',
  _APP_DB_SCHEMA: '_HARDEN_INIT_BUNDLED_DB_SCHEMA',
  _APP_DB_PASS: '_HARDEN_INIT_BUNDLED_DB_PASS',
};

export interface DbMove { from: string; to: string }

export interface Plan {
  answers: Answers;
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

  const previous = opts.previous ?? {};
  const dbMove = dbMoveOf(previous, answers);
  if (previous.db !== undefined && previous.db !== 'external' && answers.db === 'external') {
    for (const [key, stash] of Object.entries(BUNDLED_DB_STASH)) {
      const v = getEnv(env, key);
      if (v) env = setEnv(env, stash, v);
    }
  } else if (previous.db === 'external' && answers.db !== 'external') {
    const stashed = Object.values(BUNDLED_DB_STASH).some((k) => getEnv(env, k) !== undefined);
    for (const [key, stash] of Object.entries(BUNDLED_DB_STASH)) {
      const v = getEnv(env, stash);
      if (v !== undefined) env = deleteEnv(setEnv(env, key, v), stash);
    }
    if (!stashed) warnings.push('The bundled database will be created with the user and password that were used for the external server (_APP_DB_USER, _APP_DB_PASS).');
  }

  for (const [key, value] of Object.entries(managedValues(answers, new Set(t.variables)))) {
    const before = getEnv(env, key);
    const explained = FORCE_HTTPS_KEYS.includes(key) && previous.https !== undefined && previous.https !== answers.https;
    if (existing.env && before !== undefined && before !== value && isSecuritySwitch(key) && !explained) {
      warnings.push(`${key} was "${before}"; harden-init sets it back to "${value}".`);
    }
    env = setEnv(env, key, value);
  }

  for (const key of secretsToGenerate(t.secrets.generate, answers)) {
    const current = getEnv(env, key);
    if (current) {
      keptSecrets.push(key);
      if (KNOWN_WEAK_VALUES.has(current)) warnings.push(weakSecretWarning(key, t));
    } else {
      env = setEnv(env, key, random());
      generatedSecrets.push(key);
    }
  }

  if (opts.smtpPassword !== undefined && answers.smtpHost) env = setEnv(env, '_APP_SMTP_PASSWORD', opts.smtpPassword);

  // 2.x: the ClickHouse DSNs embed _APP_USAGE_PASS; rebuilt while they point at the bundled ClickHouse.
  const usagePass = getEnv(env, '_APP_USAGE_PASS');
  for (const key of t.secrets.dsns) {
    const current = getEnv(env, key) || t.upstream.variables.find((v) => v.name === key)?.default || '';
    if (usagePass && /@clickhouse[:/]/.test(current)) {
      const next = usageDsn(current, usagePass);
      if (next !== getEnv(env, key)) env = setEnv(env, key, next);
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
  const rendered = renderCompose(t, answers, new Set(opts.accepted ?? []));
  const compose = rendered.text;
  // Every variable compose interpolates gets a line, so compose never falls back to "" with a warning.
  const missingRefs = interpolatedNames(compose).filter((n) => getEnv(env, n) === undefined && !n.startsWith('HARDEN_INIT'));
  for (const n of missingRefs) env = setEnv(env, n, '');
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
    release: t.version,
    imageId: t.upstream.imageId,
    upstreamSha256: sha256(t.compose),
    answers,
    composeSha256: composeEdited && opts.composePolicy === 'keep' ? recorded : sha256(writtenCompose),
  };
  files.push(...(opts.extraFiles ?? []));
  files.push({ path: STATE_FILE, old: existing.stateText, content: serializeState(state), mode: 0o600, secret: false });

  return {
    answers,
    files,
    changes: files.filter((f) => f.old !== f.content),
    generatedSecrets,
    keptSecrets,
    composeEdited,
    dbMove,
    findings: rendered.findings,
    accepted: rendered.accepted,
    warnings,
    notes,
  };
}

const FORCE_HTTPS_KEYS = ['_APP_OPTIONS_FORCE_HTTPS', '_APP_OPTIONS_ROUTER_FORCE_HTTPS'];

function isSecuritySwitch(key: string): boolean {
  return ['_APP_ENV', '_APP_OPTIONS_ABUSE', '_APP_OPTIONS_ROUTER_PROTECTION', ...FORCE_HTTPS_KEYS].includes(key);
}

function dbLocation(a: Partial<Answers>): string | undefined {
  const engine = a.dbEngine ?? 'mariadb'; // installs made before 2.x support ran MariaDB
  if (a.db === 'volume') return `the Docker volume appwrite-${engine}`;
  if (a.db === 'path') return `the host directory ${a.dbPath}`;
  if (a.db === 'external') return `the external server ${a.dbHost}:${a.dbPort ?? BUNDLED_DB[engine].port}/${a.dbName}`;
  return undefined;
}

function dbMoveOf(previous: Partial<Answers>, next: Answers): DbMove | undefined {
  const from = dbLocation(previous);
  const to = dbLocation(next)!;
  return from !== undefined && from !== to ? { from, to } : undefined;
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
