// Reads an install for `check` and changes nothing: .env (values, mode, whether git tracks it), the compose file as
// compose sees it (`docker compose config` / `docker-compose config`, else harden-init's own reading), the state,
// and — when the stack runs — what its containers hold (the target's own reader: `vars`, `printenv`).
import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import { exec } from '../core/exec.js';
import { YamlReadError } from '../engine/yaml-read.js';
import { stepError } from '../core/errors.js';
import { readRegular } from '../core/safe-fs.js';
import { ambiguousEntries, parseEnv, toRecord, type AmbiguousEntry } from '../engine/envfile.js';
import { parseState, STATE_FILE } from '../engine/state.js';
import { compose, detectCompose, dockerReachable, tail, type Compose } from '../docker/compose.js';
import { installDirProblems } from '../apply/install-dir.js';
import { configModel, ownModel } from './compose-model.js';
import type { RunningConfig } from '../verify/types.js';
import type { AuditInput, ComposeModel, ComposeSource } from './types.js';

export const COMPOSE_FILES = ['docker-compose.yml', 'docker-compose.yaml', 'compose.yaml', 'compose.yml'];

/** The compose file of an install directory (compose's own order of names), or undefined. */
export function findComposeFile(dir: string): string | undefined {
  return COMPOSE_FILES.find((f) => readRegular(join(dir, f)) !== undefined);
}

export interface RawInstall {
  dir: string;
  env: Record<string, string>;
  envPresent: boolean;
  envMode?: number;
  /** Entries Compose and dotenv read differently. */
  envAmbiguous: AmbiguousEntry[];
  composeFile: string;
  composeText: string;
  state?: AuditInput['state'];
}

/** The files, read without following links (exit 1 when there is no compose file). */
export function readFiles(dir: string): RawInstall {
  const composeFile = findComposeFile(dir);
  if (!composeFile) {
    throw stepError(
      `No install in ${dir}: none of ${COMPOSE_FILES.join(', ')} is there.`,
      'Pass --dir with the directory that holds the compose file and .env.',
    );
  }
  const composeText = readRegular(join(dir, composeFile))!;
  const envText = readRegular(join(dir, '.env'));
  const stateText = readRegular(join(dir, STATE_FILE));
  const state = stateText === undefined ? undefined : parseState(stateText);
  const envFile = envText === undefined ? undefined : parseEnv(envText);
  return {
    dir,
    env: envFile ? toRecord(envFile) : {},
    envAmbiguous: envFile ? ambiguousEntries(envFile) : [],
    envPresent: envText !== undefined,
    envMode: envText === undefined ? undefined : lstatSync(join(dir, '.env')).mode & 0o7777,
    composeFile,
    composeText,
    state: state
      ? {
          target: state.target,
          release: state.release,
          templateVersion: state.templateVersion,
          answers: state.answers as Record<string, unknown>,
        }
      : undefined,
  };
}

/** true/false when git answers for the directory; undefined without git or outside a repository. */
export async function envTracked(dir: string): Promise<boolean | undefined> {
  const opts = { cwd: dir, timeout: 10_000 };
  const inside = await exec('git', ['rev-parse', '--is-inside-work-tree'], opts);
  if (inside.exitCode !== 0) return undefined;
  const r = await exec('git', ['ls-files', '--error-unmatch', '--', '.env'], opts);
  return r.exitCode === 0;
}

export interface ComposeReading {
  model: ComposeModel;
  source: ComposeSource;
  note?: string;
  /** Compose refused the files (the first lines of what it said). */
  error?: string;
  tool?: Compose;
}

/** What compose sees (`config`), or harden-init's own reading when Compose is missing or refuses the files. */
export async function readCompose(raw: RawInstall, useCompose = true): Promise<ComposeReading> {
  const own = (source: ComposeSource, note?: string, error?: string, tool?: Compose): ComposeReading => {
    try {
      return {
        model: ownModel(raw.composeText, raw.env, raw.dir, join(raw.dir, raw.composeFile)),
        source,
        note,
        error,
        tool,
      };
    } catch (e) {
      if (e instanceof YamlReadError) throw stepError(e.message, e.hint);
      throw stepError(
        `${join(raw.dir, raw.composeFile)} is not readable as YAML: ${String((e as Error).message).split('\n')[0]}`,
      );
    }
  };
  const tool = useCompose ? await detectCompose().catch(() => undefined) : undefined;
  if (!tool) return own('own YAML parse', useCompose ? 'Docker Compose is not installed' : undefined);
  const args =
    raw.composeFile === 'docker-compose.yml' || raw.composeFile === 'docker-compose.yaml'
      ? ['config']
      : ['-f', raw.composeFile, 'config'];
  const r = await compose(tool, args, { cwd: raw.dir, dropEnv: Object.keys(raw.env), timeoutMs: 60_000 });
  const label: ComposeSource = tool.flavor === 'v2' ? 'docker compose config' : 'docker-compose config';
  if (r.exitCode !== 0) {
    const said = tail(String(r.stderr || r.all || ''), 3)
      .replace(/\s+/g, ' ')
      .slice(0, 300);
    return own('own YAML parse', `${label} refused the files`, said, tool);
  }
  try {
    return { model: configModel(String(r.stdout)), source: label, tool };
  } catch {
    return own('own YAML parse', `${label} printed something that is not YAML`, undefined, tool);
  }
}

/**
 * What the running containers hold, read with the target's reader in each service it names (only services that
 * run). undefined with a note when Docker does not answer or nothing runs.
 */
export async function readRunning(
  raw: RawInstall,
  tool: Compose | undefined,
  reader: RunningConfig,
  env: NodeJS.ProcessEnv,
): Promise<{ running?: Map<string, Map<string, string>>; note: string }> {
  if (!tool) return { note: 'not read: Docker Compose is not installed' };
  if (!(await dockerReachable(env).catch(() => false)))
    return { note: 'not read: no Docker engine answers (drift not checked)' };
  const dropEnv = Object.keys(raw.env);
  const ps = await compose(tool, ['ps', '--services', '--filter', 'status=running'], {
    cwd: raw.dir,
    dropEnv,
    timeoutMs: 60_000,
  });
  if (ps.exitCode !== 0) return { note: 'not read: docker compose ps failed (drift not checked)' };
  const up = new Set(
    String(ps.stdout)
      .split('\n')
      .map((s) => s.trim())
      .filter(Boolean),
  );
  const wanted = [...reader.services(raw.composeText).keys()].filter((s) => up.has(s));
  if (up.size === 0) return { note: 'not running (drift not checked)' };
  if (wanted.length === 0)
    return { note: `running, but none of the services ${reader.label} reads is up (drift not checked)` };
  const running = new Map<string, Map<string, string>>();
  const failedSvcs: string[] = [];
  for (const svc of wanted) {
    const r = await compose(tool, ['exec', '-T', svc, ...reader.command], { cwd: raw.dir, dropEnv, timeoutMs: 60_000 });
    if (r.exitCode === 0) running.set(svc, reader.parse(String(r.stdout)));
    else failedSvcs.push(svc);
  }
  if (running.size === 0)
    return { note: `running, but ${reader.label} failed in ${failedSvcs.join(', ')} (drift not checked)` };
  return { running, note: failedSvcs.length ? `${reader.label} failed in ${failedSvcs.join(', ')}` : '' };
}

/**
 * The product the files describe: state.json says so; else the images tell, through `recognize` (the targets'
 * registry knows the image names; this module knows none).
 */
export function detectTarget(
  state: AuditInput['state'],
  model: ComposeModel,
  recognize: (images: string[]) => { target: string } | undefined,
): string | undefined {
  if (state?.target) return state.target;
  return recognize(Object.values(model.services).map((s) => s.image ?? ''))?.target;
}

/** What the rules read of one install: its files, compose's view of them, and what the caller knows besides. */
export async function auditInput(
  raw: RawInstall,
  reading: ComposeReading,
  o: Pick<AuditInput, 'dir' | 'dirArg' | 'target' | 'runEnv' | 'release' | 'running' | 'runningNote' | 'reader'>,
): Promise<AuditInput> {
  return {
    ...o,
    dirProblems: installDirProblems(o.dir),
    env: raw.env,
    envPresent: raw.envPresent,
    envMode: raw.envMode,
    envAmbiguous: raw.envAmbiguous,
    envTracked: await envTracked(o.dir),
    composeFile: raw.composeFile,
    composeText: raw.composeText,
    compose: reading.model,
    composeSource: reading.source,
    composeNote: reading.note,
    composeError: reading.error,
    state: raw.state,
  };
}
