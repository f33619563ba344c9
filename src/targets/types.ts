// The target contract: everything that knows one product lives in src/targets/<id>/ and reaches the generic
// engine (plan, apply, run, verify), the CLI, --help and the wizard only through this interface. Adding a
// target is one folder plus one line in src/targets/index.ts.
import type { AnyAnswers, Question } from '../core/question.js';
import type { EnvFile } from '../engine/envfile.js';
import type { TargetAudit } from '../audit/types.js';
import type { UpstreamCacheRecord } from '../engine/state.js';

/** What every target's answers carry: the only fields the generic engine reads by name. */
export interface BaseAnswers extends AnyAnswers {
  release: string;
  domain: string;
  https: 'auto' | 'proxy' | 'off';
  httpPort: number;
  db: string;
}

export interface SecretSpec {
  /** Variables harden-init generates when they are missing or empty. */
  generate: string[];
  /** Variables that encrypt stored data: never changed once set (a missing one is refused, see key-guard). */
  encryptionKeys: string[];
  /** Other sensitive variables: masked in every output. */
  secretLike: string[];
  /** DSNs that embed a generated password: rebuilt from it. */
  dsns: string[];
}

/** What one run renders from: the release's own files (Appwrite) or the target's own base (Langflow). */
export interface TargetTemplate {
  target: string;
  version: string;
  /** The base compose text the target renders from (hashed into state). */
  compose: string;
  /** `NAME=default` lines for a new .env (secrets left empty: they are generated). */
  envDefaults: string;
  /** Variables the running-configuration reader can report (what verification compares). */
  variables: string[];
  secrets: SecretSpec;
  /** Where the template came from, for the summary and the compose header. */
  source: string;
  imageId?: string;
  /** The release cache entry it came from or is kept in, with its files' sha256 (recorded in state.json). */
  upstreamCache?: UpstreamCacheRecord;
}

/** Something upstream's file asks for that the rules cannot harden: refused unless accepted by name. */
export interface Finding {
  subject: string;
  kind: 'service' | 'variable';
  what: string;
  /** What accepting it with --accept-upstream means. */
  accepting: string;
}

export interface RenderedCompose {
  text: string;
  /** Files the compose file needs beside it (the target's extraFiles writes them). */
  files?: { path: string; content: string; mode: number }[];
  findings: Finding[];
  accepted: Finding[];
}

/** A secret the operator supplies (never a flag: it would show in `ps`). */
export interface SecretInput<A> {
  /** The environment variable it may come from, e.g. HARDEN_INIT_DB_PASSWORD. */
  envVar: string;
  /** The .env key it is stored under. */
  key: string;
  /** Whether the answers need it. */
  when: (a: A) => boolean;
  /** Required (usage error when missing without a terminal) or optional. */
  required: boolean;
  prompt: string;
  /** Whether the value already in .env can be kept (e.g. the external server did not change). */
  keepExisting: (a: A, previous: Partial<A>) => boolean;
  /** A stricter check than the generic one (where the value goes into a URL unencoded, say). */
  validate?: (value: string) => string | undefined;
}

export interface PrepareInput<A> {
  dir: string;
  dirArg: string;
  given: Partial<A>;
  existing: { state?: { release?: string; templateVersion?: string; upstreamCache?: UpstreamCacheRecord }; compose?: string; present: boolean };
  allowInsecureRelease: boolean;
  acceptUpstream: string[];
  /** Whether a Docker engine answers; the wizard passes it still being found out, so the read waits for it. */
  dockerAvailable: boolean | Promise<boolean>;
  onLine: (line: string) => void;
  /** Ends the read (an image pull, the containers that read the image) when the run is given up. */
  signal?: AbortSignal;
}

export interface Prepared {
  release: string;
  template: TargetTemplate;
  warnings: string[];
  notes: string[];
  /** Files to write with the install besides .env and compose (e.g. the release cache). */
  files: { path: string; content: string; mode: number }[];
}

/** prepare in two steps (Target.begin): what the release table tells at once, and the read of the release's files. */
export interface Begun {
  /** The release this run installs, chosen from the release table and the install (no file of the release read). */
  release: string;
  warnings: string[];
  notes: string[];
  /** The variables that encrypt stored data, as known before the read: the key guard runs before the questions. */
  encryptionKeys: string[];
  /** What prepare returns, without the warnings and notes above; already handled, so it never rejects unheard. */
  read: Promise<Prepared>;
}

/** How verification reads what a running service holds. */
export interface RunningConfig {
  /** Services to ask, each with the variable names it receives from .env. */
  services(composeText: string): Map<string, string[]>;
  /** The command run in each service with `compose exec -T`. */
  command: string[];
  parse(output: string): Map<string, string>;
  /** How the reader is named in messages ("vars", "printenv"). */
  label: string;
}

export interface HealthProbe {
  path: string;
  /** Judges one response; ok means the application is up. */
  judge(status: number, body: string, location: string | undefined): { ok: boolean; detail: string };
}

export interface Target<A extends BaseAnswers = BaseAnswers> {
  id: string;
  title: string;
  /** Its questions (typed loosely: the generic flow treats answers as a record). */
  questions: Question[];
  /** Answers that do not apply to the chosen modes are dropped. */
  normalize(a: A): A;
  /** Reads the answers an install stands for from its .env (installs made by hand or another tool). */
  answersFromEnv(env: Record<string, string>, compose: string | undefined): Partial<A>;
  /** The .env variable each answer is read from, for messages about hand edits. */
  answerEnvNames: Record<string, string>;
  /** Answers whose hand edits in .env win over state.json on a re-run. */
  readFromEnv: (keyof A & string)[];
  /** Refuses, before any question, what the install as it stands and the flags given cannot go together. */
  checkExisting?(previous: Partial<A>, given: Partial<A>, rerun: boolean): void;
  /** Refuses what the answers cannot express together (beyond each question's own check). */
  check?(a: A): void;
  /** Picks the release and obtains the template (Appwrite: from the release image). */
  prepare(input: PrepareInput<A>): Promise<Prepared>;
  /**
   * prepare split for the wizard: the release and its refusals at once (before any question), the read of its files
   * (an image pull can take minutes) started and left running while the questions are asked. Without it the wizard
   * awaits prepare before the first question.
   */
  begin?(input: PrepareInput<A>): Begun;
  envHeader(t: TargetTemplate): string;
  /** Variables the answers decide, plus the security switches that are always on. */
  managedValues(a: A, t: TargetTemplate): Record<string, string>;
  /** Security switches a re-run turns back on, with a warning unless the answer changed them. */
  securitySwitches: string[];
  secretsToGenerate(a: A, t: TargetTemplate): string[];
  generateSecret?(name: string): string;
  secretInputs: SecretInput<A>[];
  /** Generated secrets the operator needs once (a first password): shown at the end of the run that made them. */
  showOnce?: string[];
  /** Target-specific .env work before (DB credentials kept aside) and after (DSNs) the generic steps. */
  beforeEnv?(env: EnvFile, a: A, previous: Partial<A>, warnings: string[]): EnvFile;
  afterEnv?(env: EnvFile, a: A, t: TargetTemplate): EnvFile;
  renderCompose(t: TargetTemplate, a: A, accepted: ReadonlySet<string>): RenderedCompose;
  /** Other files the install needs (e.g. a Caddyfile), rendered from the answers. */
  extraFiles?(a: A, t: TargetTemplate): { path: string; content: string; mode: number }[];
  /** Host directories the install needs, with their modes (and owner, e.g. 1000:0 for Langflow's config). */
  hostDirs?(a: A): { path: string; mode: number; uid?: number; gid?: number }[];
  /** Where the database lives, in words; a change is a move (its data does not follow). */
  dbLocation(a: Partial<A>): string | undefined;
  /** The .env passwords a bundled database keeps from its first start (none for an external server). */
  bundledDbPasswords?(a: Partial<A>): string[];
  /** Host ports the stack publishes ("80:80", "127.0.0.1:8080:80"). */
  publishedPorts(a: A): string[];
  /** The container that holds the published ports when this stack runs (preflight tells it apart). */
  gatewayContainer: string;
  health: HealthProbe;
  running: RunningConfig;
  /** Checks on the running application beyond its configuration (a failing one is drift, exit 3). */
  liveChecks?(exec: ServiceExec, a: A): Promise<LiveCheck[]>;
  /** Printed once, after files are written or the stack verified (never secrets unless asked). */
  summary(a: A, dir: string): [string, string][];
  warnings(a: A): string[];
  nextSteps(a: A, dirArg: string): string[];
  url(a: A): string;
  /** `harden-init check`: the target's audit rules and what the shared rules must know of its stack. */
  audit?: TargetAudit;
  /** `harden-init backup` / `restore`: what an archive of this target's install holds. */
  backup?: TargetBackup;
  /** Flags that belong on the printed headless command besides the answers (e.g. --allow-insecure-release). */
}

/** What the generic backup and restore (src/commands/backup.ts, restore.ts) save of an install and how. */
export interface TargetBackup {
  /** Bundled database services the compose file may have; the first one it declares is dumped through its container. */
  databases: { service: string; engine: 'postgresql' | 'mariadb' }[];
  /** Data volumes (compose keys), saved as tars when the compose file declares them (not the database's own: it is dumped). */
  volumes: string[];
  /** The service whose image reads and writes the volumes in throw-away containers (run as root; needs sh and tar). */
  helperService: string;
  /** Files of the install besides .env, docker-compose.yml, docker-compose.override.yml and the state (e.g. a Caddyfile). */
  files: { path: string; mode: number }[];
  /** The variable that encrypts stored data: restoring over an install whose value differs needs --force. */
  keyVariable: string;
  /**
   * Container directories that may be bind mounts of a host directory holding data (Langflow's config dir with its
   * SQLite database): saved as tars while their service is paused (a file database at rest), restored into it.
   */
  hostDirs?: { service: string; path: string }[];
}

/**
 * A registry entry: what --help and the flag parser need (light: questions and validators only), and the
 * rest of the target loaded when a command runs, so `--help` never loads YAML, Docker or prompt code.
 */
export interface TargetEntry {
  id: string;
  title: string;
  questions: Question<AnyAnswers>[];
  load(): Promise<Target<BaseAnswers>>;
  /**
   * The members the wizard uses before its first question, from modules that load no rendering, YAML or Docker code
   * (the question must appear at once); a target without it is loaded whole.
   */
  early?(): Promise<TargetEarly>;
}

/** What the wizard needs of a target before its questions are answered. */
export type TargetEarly = Pick<Target<BaseAnswers>, 'answersFromEnv' | 'readFromEnv' | 'checkExisting' | 'prepare' | 'begin' | 'dbLocation'>;

/** One live check beyond the configuration comparison (e.g. "auto-login is refused"). */
export interface LiveCheck { name: string; ok: boolean; detail: string }

/** Runs a command in a running service (compose exec -T), for live checks. */
export type ServiceExec = (service: string, argv: string[]) => Promise<{ exitCode: number; stdout: string }>;
