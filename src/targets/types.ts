// The target contract: everything that knows one product lives in src/targets/<id>/ and reaches the generic
// engine (plan, apply, run, verify), the commands, --help and the wizard only through this interface. Adding a
// target is one folder plus one line in src/targets/index.ts. The types the engine and verification share with the
// targets sit below them (src/engine/render.ts, src/verify/types.ts, src/audit/types.ts) and are re-exported here.
import type { AnyAnswers, Question } from '../core/question.js';
import type { TargetAudit } from '../audit/types.js';
import type { HistoryEntry, State, UpstreamCacheRecord } from '../engine/state.js';
import type { Existing } from '../engine/existing.js';
import type { Compose } from '../docker/compose.js';
import type { BaseAnswers, TargetRender, TargetTemplate } from '../engine/render.js';
import type { HealthProbe, LiveCheck, RunningConfig, ServiceExec } from '../verify/types.js';

export type {
  BaseAnswers,
  ExtraFile,
  Finding,
  RenderedCompose,
  SecretInput,
  SecretSpec,
  TargetRender,
  TargetTemplate,
} from '../engine/render.js';
export type { HealthProbe, LiveCheck, RunningConfig, ServiceExec } from '../verify/types.js';
export type { TargetAudit } from '../audit/types.js';

export interface PrepareInput<A> {
  dir: string;
  dirArg: string;
  given: Partial<A>;
  existing: {
    state?: { release?: string; templateVersion?: string; upstreamCache?: UpstreamCacheRecord };
    compose?: string;
    present: boolean;
  };
  allowInsecureRelease: boolean;
  acceptUpstream: string[];
  /** Whether a Docker engine answers; the wizard passes it still being found out, so the read waits for it. */
  dockerAvailable: boolean | Promise<boolean>;
  onLine: (line: string) => void;
  /** Ends the read (an image pull, the containers that read the image) when the run is given up. */
  signal?: AbortSignal;
  /** The run's environment (HARDEN_INIT_RELEASES_DIR and the like). */
  env: NodeJS.ProcessEnv;
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

/** What an image name tells: the target it belongs to and, when its tag pins one, the release. */
export interface Recognized {
  target: string;
  release?: string;
}

/** The stack an install runs, as the guards and preflight see it (the contract's `stack` group). */
export interface TargetStack<A> {
  /** Where the database lives, in words; a change is a move (its data does not follow). */
  dbLocation(a: Partial<A>): string | undefined;
  /** The .env passwords a bundled database keeps from its first start (none for an external server). */
  bundledDbPasswords?(a: Partial<A>): string[];
  /** Host ports the stack publishes ("80:80", "127.0.0.1:8080:80"). */
  publishedPorts(a: A): string[];
  /** The container that holds the published ports when this stack runs (preflight tells it apart). */
  gatewayContainer: string;
}

/** How a running install is verified (the contract's `verify` group). */
export interface TargetVerify<A> {
  /** The HTTP probe that says the application is up. */
  health: HealthProbe;
  /** How the configuration each service runs with is read (which services, which command, how its output parses). */
  running: RunningConfig;
  /** Checks on the running application beyond its configuration (a failing one is drift, exit 3). */
  liveChecks?(exec: ServiceExec, a: A): Promise<LiveCheck[]>;
}

/** What the end of a run prints (the contract's `report` group); never secrets unless asked. */
export interface TargetReport<A> {
  /** Printed once, after files are written or the stack verified. */
  summary(a: A, dir: string): [string, string][];
  /** What the answers leave open (HTTP only, an insecure release). */
  warnings(a: A): string[];
  nextSteps(a: A, dirArg: string): string[];
  url(a: A): string;
}

export interface Target<A extends BaseAnswers = BaseAnswers> {
  id: string;
  title: string;
  /** Its questions, typed by its answers (defineTarget ties the two). */
  questions: Question<A>[];
  /** Which target and release an image name is (state.json absent: the compose file's images tell). */
  recognize(image: string): Recognized | undefined;
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
  /** The install's files from the answers: .env, the compose file, the files beside them. */
  render: TargetRender<A>;
  /** What the running stack occupies: its database, its ports. */
  stack: TargetStack<A>;
  /** How the running stack is verified. */
  verify: TargetVerify<A>;
  /** What the end of a run prints. */
  report: TargetReport<A>;
  /** `harden-init check`: the target's audit rules and what the shared rules must know of its stack. */
  audit?: TargetAudit;
  /** `harden-init backup` / `restore`: what an archive of this target's install holds. */
  backup?: TargetBackup;
  /** `harden-init upgrade`: moving an install to a newer release step by step; without it the command refuses. */
  upgrade?: TargetUpgrade<A>;
}

/** Ties a target's answers to its questions: each question's id and callbacks are checked against `A`. */
export function defineTarget<A extends BaseAnswers>(target: Target<A>): Target<A> {
  return target;
}

/** What the generic backup and restore (src/commands/backup.ts, restore.ts) save of an install and how. */
export interface TargetBackup {
  /** Bundled database services the compose file may have; the first one it declares is dumped through its container. */
  databases: { service: string; engine: 'postgresql' | 'mariadb' }[];
  /**
   * Data volumes (compose keys), saved as tars when the compose file declares
   * them (not the database's own: it is dumped).
   */
  volumes: string[];
  /** The service whose image reads and writes the volumes in throw-away containers (run as root; needs sh and tar). */
  helperService: string;
  /**
   * Files of the install besides .env, docker-compose.yml,
   * docker-compose.override.yml and the state (e.g. a Caddyfile).
   */
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
 * A registry entry: what --help and the flag parser need (light: questions, validators and image recognition
 * only), and the rest of the target loaded when a command runs, so `--help` never loads YAML, Docker or prompt code.
 */
export interface TargetEntry {
  id: string;
  title: string;
  questions: Question<AnyAnswers>[];
  recognize(image: string): Recognized | undefined;
  load(): Promise<Target<BaseAnswers>>;
  /**
   * The members the wizard uses before its first question, from modules that load no rendering, YAML or Docker code
   * (the question must appear at once); a target without it is loaded whole.
   */
  early?(): Promise<TargetEarly>;
}

/** What the wizard needs of a target before its questions are answered. */
export type TargetEarly<A extends BaseAnswers = BaseAnswers> = Pick<
  Target<A>,
  'answersFromEnv' | 'readFromEnv' | 'checkExisting' | 'prepare' | 'begin'
> & { stack: Pick<TargetStack<A>, 'dbLocation'> };

/** One step of an upgrade (Appwrite's guide moves one minor at a time). */
export interface UpgradeStep {
  from: string;
  to: string;
  /** Why this step exists (the rule of the product's guide it follows). */
  why: string;
}

/** The output an upgrade writes as it goes (the command's ui; the target never prints by itself). */
export interface UpgradeUi {
  info(msg: string): void;
  step(msg: string): void;
  warn(msg: string): void;
  success(msg: string): void;
  note(body: string, title: string): void;
  raw(line: string): void;
}

/** The flags of `harden-init upgrade` the target reads. */
export interface UpgradeFlags {
  to?: string;
  resume: boolean;
  noStart: boolean;
  dryRun: boolean;
  json: boolean;
  timeout: number;
  replaceCompose: boolean;
  allowInsecureRelease: boolean;
  acceptUpstream: string[];
}

/** The install an upgrade starts from, read by the command before the target routes it. */
export interface UpgradeInstall<A extends BaseAnswers = BaseAnswers> {
  target: Target<A>;
  dir: string;
  /** --dir as given, for the commands printed back. */
  dirArg: string;
  ui: UpgradeUi;
  flags: UpgradeFlags;
  /** The question flags given (checked against the install; --release refused). */
  given: Partial<A>;
  existing: Existing & { state: State };
  /** The answers the install stands for. */
  current: Partial<A>;
  /** The run's environment (where release descriptions are found, what child processes get). */
  env: NodeJS.ProcessEnv;
}

/** The stack of one step's answers, as the layers above the target start and verify it. */
export interface UpgradeStack {
  /** The .env the stack runs with (its names are kept out of every compose call's environment). */
  env: Record<string, string>;
  /** compose config, then up -d (throws with the reason). */
  start(): Promise<void>;
  /** How many services the started stack has (the health wait counts them). */
  services(): Promise<number>;
  /** Verifies the running containers against the files and reports it; returns the exit code (0: no drift). */
  verify(): Promise<number>;
  /** Compares the release the running application reports with `pinned`; the mismatch, said, when they differ. */
  checkRelease(pinned: string): Promise<{ mismatch?: string }>;
}

/** A bundled database: its engine and the compose service it runs in. */
export interface UpgradeDb {
  engine: 'postgresql' | 'mariadb';
  service: string;
}

/** What the target's upgrade needs from the layers above it (answers, backup, stack), handed in by the command. */
export interface UpgradeDeps<A extends BaseAnswers = BaseAnswers> {
  /** The answers an install stands for (state.json, hand edits of .env kept). */
  existingAnswers(existing: Existing): Partial<A>;
  /** The answers of a run without questions: `given`, else `current`, else the defaults (missing ones refused). */
  headless(given: Partial<A>, current: Partial<A>): A;
  /** The bundled database a compose file declares, as `harden-init backup` finds it (undefined: external). */
  database(composeText: string): UpgradeDb | undefined;
  /** The database dump through its container, streamed. */
  dumpStream(c: Compose, dir: string, dropEnv: string[], db: UpgradeDb): AsyncIterable<Uint8Array>;
  /** Waits until the database in its container accepts connections. */
  waitDbReady(c: Compose, dir: string, dropEnv: string[], db: UpgradeDb, timeoutMs: number): Promise<void>;
  formatBytes(n: number): string;
  /** The stack of these answers, read from the files now on disk. */
  stack(c: Compose, answers: A, template: TargetTemplate): UpgradeStack;
  /** A scrolling log for a long command's output on a terminal; undefined: print its lines plainly. */
  taskLog(title: string): UpgradeTaskLog | undefined;
}

export interface UpgradeTaskLog {
  message(line: string): void;
  success(msg: string, o: { showLog: boolean }): void;
  error(msg: string, o: { showLog: boolean }): void;
}

/** A run of the upgrade: the install, and what the command found of Docker and hands down. */
export interface UpgradeRun<A extends BaseAnswers = BaseAnswers> extends UpgradeInstall<A> {
  /** Compose, when the run starts the stack (not with --no-start or --dry-run). */
  composeTool?: Compose;
  /** Whether a Docker engine answers (the release files are read from images). */
  dockerAvailable: boolean;
  deps: UpgradeDeps<A>;
}

/** Where an upgrade goes: from the release the install runs to the one asked, in steps. */
export interface UpgradeRoute {
  from: string;
  to: string;
  steps: UpgradeStep[];
  /** The step a failed run left unfinished: --resume finishes it first. */
  resume?: HistoryEntry;
  /** Said after the plan (the risks the operator takes). */
  warnings: string[];
}

/** What the end of an upgrade (or its dry run) adds: a warning to review, fields of the --json result. */
export interface UpgradeEnd {
  warning?: string;
  json: Record<string, unknown>;
}

/** `harden-init upgrade` for one target (the contract's `upgrade` group); rollback needs only the step backups. */
export interface TargetUpgrade<A extends BaseAnswers = BaseAnswers> {
  /** The variables that encrypt stored data in every release an upgrade goes through: one missing is refused. */
  encryptionKeys: readonly string[];
  /** The release the install runs, the one it goes to and the steps between: refusals here change nothing. */
  route(i: UpgradeInstall<A>): UpgradeRoute;
  /** What the route cannot do with these flags (a release below the minimum, a step over several); after the intro. */
  check(i: UpgradeInstall<A>, route: UpgradeRoute): void;
  /** Every step worked out without writing (later ones from the files earlier ones would write): the plan's lines. */
  plan(r: UpgradeRun<A>, route: UpgradeRoute): Promise<{ lines: string[]; end: UpgradeEnd }>;
  /** Runs the steps, an unfinished one first; a failure after the files changed says the state and the way back. */
  run(r: UpgradeRun<A>, route: UpgradeRoute): Promise<{ done: HistoryEntry[]; end: UpgradeEnd }>;
}
