// What `harden-init check` works with: a finding, the severities in order, the install as read (files, what
// compose sees, and what the containers hold), and a rule. Generic: each target brings its own rules through
// `audit` in the target contract (src/targets/types.ts); the rules every target shares are in ./common.ts.
import type { RunningConfig } from '../verify/types.js';
import type { AmbiguousEntry } from '../engine/envfile.js';
import type { DirProblem } from '../apply/install-dir.js';

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];
/** What --fail-on accepts (info never fails a check). */
export const FAIL_ON = ['critical', 'high', 'medium', 'low'] as const;
export type FailOn = (typeof FAIL_ON)[number];
export const DEFAULT_FAIL_ON: FailOn = 'high';

/** 0 for critical … 4 for info: lower is worse. */
export const rank = (s: Severity): number => SEVERITIES.indexOf(s);

export interface AuditFinding {
  id: string;
  severity: Severity;
  /** The variable, service or file it is about. */
  subject: string;
  /** What is wrong (never a secret value). */
  what: string;
  /** Why it matters. */
  why: string;
  /** The exact fix: the command to run or the line to change. */
  fix: string;
}

/** A finding as a rule returns it: id and (by default) severity come from the rule. */
export type RuleHit = Omit<AuditFinding, 'id' | 'severity'> & { severity?: Severity };

export interface PortBinding {
  /** Host address; undefined means every interface (0.0.0.0 and ::). */
  hostIp?: string;
  /** Host port (or range); undefined means a random host port (still published, on every interface). */
  published?: string;
  target: string;
  protocol: string;
  /** As written, for messages. */
  text: string;
}

export interface Mount {
  kind: 'bind' | 'volume' | 'tmpfs' | 'other';
  source?: string;
  target: string;
  readOnly: boolean;
}

export interface ServiceModel {
  name: string;
  image?: string;
  restart?: string;
  ports: PortBinding[];
  mounts: Mount[];
  /** Network keys it joins ("default" when none is named). */
  networks: string[];
  /** Its environment as compose passes it (env_file merged, references resolved). */
  environment: Record<string, string>;
  labels: Record<string, string>;
  entrypoint?: string[];
  command?: string[];
  user?: string;
  privileged: boolean;
}

export interface ComposeModel {
  services: Record<string, ServiceModel>;
  /** Top-level networks by key: whether they are `internal: true`. */
  networks: Record<string, { internal: boolean }>;
}

/** How the compose file was read. */
export type ComposeSource = 'docker compose config' | 'docker-compose config' | 'own YAML parse';

export interface AuditInput {
  dir: string;
  /** The directory as the operator wrote it (for printed commands). */
  dirArg: string;
  target: string;
  /** The run's environment (where a target looks for what it reads besides the install, e.g. release descriptions). */
  runEnv: NodeJS.ProcessEnv;
  /** The install directory or .harden-init/ owned by another user or writable by group or others. */
  dirProblems?: DirProblem[];
  /** .env as key → value (empty record when there is no .env). */
  env: Record<string, string>;
  envPresent: boolean;
  /** Mode bits of .env (undefined when it is absent). */
  envMode?: number;
  /** Entries of .env that Compose and dotenv read as different values. */
  envAmbiguous?: AmbiguousEntry[];
  /** Whether git tracks .env (undefined when git or a repository is not there). */
  envTracked?: boolean;
  composeFile: string;
  /** The compose file as written (what the running-config readers parse). */
  composeText: string;
  compose: ComposeModel;
  composeSource: ComposeSource;
  /** Why compose's own reading was not used, when it was not. */
  composeNote?: string;
  /** What compose said when it refused the files. */
  composeError?: string;
  /** harden-init's state, when the install has one. */
  state?: { target?: string; release?: string; templateVersion?: string; answers?: Record<string, unknown> };
  /** The release the install pins, as far as the files tell (undefined: unpinned or unknown). */
  release?: string;
  /** What the running containers hold, by service (undefined when the stack does not run or was not read). */
  running?: Map<string, Map<string, string>>;
  /** Why `running` is absent, for the report. */
  runningNote?: string;
  /** The target's reader `running` was read with (its `running` in the contract: which services, which variables). */
  reader?: RunningConfig;
}

/** A target's audit: its rules, plus what the shared rules must know about its stack. */
export interface TargetAudit {
  rules: AuditRule[];
  /** The service whose environment the product reads its settings from. */
  appService(c: ComposeModel): string | undefined;
  /** The release the files pin (state first, then the image tag). */
  release(c: ComposeModel, state: AuditInput['state']): string | undefined;
  /** Services meant to publish ports on every interface (the gateway: traefik, caddy). */
  gateways: readonly string[];
  /** Whether a service legitimately holds the Docker socket (or a target rule reports it itself). */
  socketAllowed(s: ServiceModel): boolean;
  /** Variables whose change a drift finding rates high (security switches). */
  securityVariables: readonly string[];
  /** Names the product knows hold credentials though no name pattern says so: their drift shows no values. */
  secretNames?: ReadonlySet<string>;
}

export interface AuditRule {
  id: string;
  /** The default severity of its findings (a hit may set its own). */
  severity: Severity;
  /** One line: what the rule looks at. */
  title: string;
  check(input: AuditInput, helpers: AuditHelpers): RuleHit[];
}

export interface AuditHelpers {
  /** The app service's value of a variable as compose passes it, else .env's. */
  value(name: string): string | undefined;
  /** The app service (its name), when there is one. */
  app?: ServiceModel;
  /** `harden-init <target> --dir <dir>` quoted for the shell, for fixes. */
  rerun: string;
  /** `cd <dir> && ` quoted for the shell. */
  cd: string;
  /** The path of a file of the install, quoted for the shell. */
  path(file: string): string;
}
