// What the engine renders an install from, whatever the product: the template a run renders from and the part of a
// target (its `render` group) the planner calls. The targets fill these in (src/targets/types.ts builds the whole
// contract on them); the engine never imports a target.
import type { AnyAnswers } from '../core/question.js';
import type { EnvFile } from './envfile.js';
import type { UpstreamCacheRecord } from './state.js';

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
  /** Every name the product knows holds a credential, in any release (masked even where no name pattern says so). */
  known?: string[];
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
  when(a: A): boolean;
  /** Required (usage error when missing without a terminal) or optional. */
  required: boolean;
  prompt: string;
  /** Whether the value already in .env can be kept (e.g. the external server did not change). */
  keepExisting(a: A, previous: Partial<A>): boolean;
  /** A stricter check than the generic one (where the value goes into a URL unencoded, say). */
  validate?(value: string): string | undefined;
}

/** A file the install needs besides .env and the compose file. */
export interface ExtraFile {
  path: string;
  content: string;
  mode: number;
}

/** How a target turns answers and a template into the install's files (the contract's `render` group). */
export interface TargetRender<A> {
  /** The comment block a new .env starts with (what it holds, which key must never change). */
  envHeader(t: TargetTemplate): string;
  /** Variables the answers decide, plus the security switches that are always on. */
  managedValues(a: A, t: TargetTemplate): Record<string, string>;
  /** Security switches a re-run turns back on, with a warning unless the answer changed them. */
  securitySwitches: string[];
  /** The secrets a run generates when .env lacks them (which depends on the answers: a bundled database's password). */
  secretsToGenerate(a: A, t: TargetTemplate): string[];
  /** The product's own form of a generated secret (default: harden-init's random base64url). */
  generateSecret?(name: string): string;
  /** Secrets the operator supplies, by prompt or environment variable. */
  secretInputs: SecretInput<A>[];
  /** Generated secrets the operator needs once (a first password): shown at the end of the run that made them. */
  showOnce?: string[];
  /** .env work before the generic steps (DB credentials kept aside). */
  beforeEnv?(env: EnvFile, a: A, previous: Partial<A>, warnings: string[]): EnvFile;
  /** .env work after the generic steps (DSNs rebuilt around generated passwords, a key checked). */
  afterEnv?(env: EnvFile, a: A, t: TargetTemplate): EnvFile;
  /** The compose file, with what upstream asks for that the rules cannot harden (refused unless accepted). */
  compose(t: TargetTemplate, a: A, accepted: ReadonlySet<string>): RenderedCompose;
  /** Other files the install needs (e.g. a Caddyfile), rendered from the answers. */
  extraFiles?(a: A, t: TargetTemplate): ExtraFile[];
  /** Host directories the install needs, with their modes (and owner, e.g. 1000:0 for Langflow's config). */
  hostDirs?(a: A): { path: string; mode: number; uid?: number; gid?: number }[];
}

/** The part of a target the planner reads (a Target satisfies it). */
export interface Renderable<A extends BaseAnswers = BaseAnswers> {
  title: string;
  normalize(a: A): A;
  render: TargetRender<A>;
  stack: { dbLocation(a: Partial<A>): string | undefined };
}
