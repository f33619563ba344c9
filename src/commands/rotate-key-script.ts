// Runs templates/langflow/rotate_secret_key.py with the Python of the install's own Langflow image: in a one-off
// container of the langflow service (`compose run --rm --no-deps -T`: the service's networks, so the database is
// reachable, its volumes, so a SQLite file is there, and its environment, so LANGFLOW_DATABASE_URL is the one
// compose builds from .env), or in the running langflow container (`compose exec -T`, for the check after start).
// Both keys and the script itself go in on stdin: a key on a command line is readable by every local user in
// /proc and in `docker inspect`, and nothing has to be mounted into the container.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { childEnv, type Compose } from '../docker/compose.js';
import { templatesRoot } from '../engine/template.js';

export const SCRIPT_PATH = join('langflow', 'rotate_secret_key.py');
export const SERVICE = 'langflow';

/** Reads the config line, then runs the rest of stdin (the script) as __main__ with the mode in argv[1]. */
export const BOOTSTRAP = [
  'import sys',
  'line = sys.stdin.readline()',
  'source = sys.stdin.read()',
  "sys.argv = ['rotate_secret_key.py'] + sys.argv[1:]",
  "exec(compile(source, 'rotate_secret_key.py', 'exec'), {'__name__': '__main__', '_CONFIG_LINE': line})",
].join('\n');

export type ScriptMode = 'dry-run' | 'rotate' | 'verify';

export interface FieldCount {
  encrypted: number;
  plaintext: number;
}
export interface Failure {
  table: string;
  id: string;
  field: string;
}

/** The script's last stdout line. */
export interface ScriptReport {
  ok: boolean;
  mode?: string;
  database?: string;
  fields?: Record<string, FieldCount>;
  skipped_tables?: string[];
  failures?: Failure[];
  refused?: string;
  updated_rows?: number;
  error?: string;
}

export interface ScriptResult {
  exitCode: number;
  report?: ScriptReport;
  /** What the run printed besides the report (stderr, tracebacks, compose's own lines), for an error message. */
  output: string;
  timedOut: boolean;
}

export interface ScriptConfig {
  old_key?: string;
  new_key?: string;
  key?: string;
  database_url?: string;
}

export function scriptSource(): string {
  return readFileSync(join(templatesRoot(), SCRIPT_PATH), 'utf8');
}

/** stdin for the bootstrap: the config line, then the script. */
export function scriptInput(config: ScriptConfig, source = scriptSource()): string {
  return `${JSON.stringify(config)}\n${source}`;
}

/** The report from the script's output: its last line that parses as a JSON object. */
export function parseReport(stdout: string): ScriptReport | undefined {
  const lines = stdout
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .reverse();
  for (const l of lines) {
    if (!l.startsWith('{')) continue;
    try {
      const v = JSON.parse(l) as unknown;
      if (v && typeof v === 'object' && 'ok' in v) return v as ScriptReport;
    } catch {
      /* not the report */
    }
  }
  return undefined;
}

export interface RunWhere {
  compose: Compose;
  dir: string;
  /** The .env keys: compose must read them from .env, never from harden-init's own environment. */
  dropEnv: string[];
  timeoutMs: number;
}

/**
 * One run of the script. `where: 'one-off'` starts a throw-away container of the service (Langflow stopped);
 * 'running' executes in the running container.
 */
export async function runScript(
  w: RunWhere,
  mode: ScriptMode,
  config: ScriptConfig,
  where: 'one-off' | 'running',
): Promise<ScriptResult> {
  const head =
    where === 'one-off'
      ? ['run', '--rm', '--no-deps', '-T', '--entrypoint', 'python3', SERVICE]
      : ['exec', '-T', SERVICE, 'python3'];
  const r = await execa(w.compose.file, [...w.compose.baseArgs, ...head, '-c', BOOTSTRAP, mode], {
    cwd: w.dir,
    env: childEnv(w.dropEnv),
    extendEnv: false,
    input: scriptInput(config),
    reject: false,
    timeout: w.timeoutMs,
    forceKillAfterDelay: 2_000,
    cleanup: true,
  });
  const stdout = String(r.stdout ?? '');
  const report = parseReport(stdout);
  const rest = [
    String(r.stderr ?? ''),
    stdout
      .split('\n')
      .filter((l) => !l.trim().startsWith('{"ok"'))
      .join('\n'),
  ]
    .join('\n')
    .trim();
  return {
    exitCode: r.exitCode ?? -1,
    report,
    output: rest.split('\n').slice(-8).join('\n'),
    timedOut: Boolean(r.timedOut),
  };
}

/** One line per field, for the report: "variable.value: 3 re-encrypted (1 plaintext left as it is)". */
export function describeCounts(report: ScriptReport, verb: string): string[] {
  const out: string[] = [];
  for (const [field, c] of Object.entries(report.fields ?? {})) {
    out.push(`${field}: ${c.encrypted} ${verb}${c.plaintext ? ` (${c.plaintext} plaintext, left as it is)` : ''}`);
  }
  if (out.length === 0)
    out.push(`no encrypted value stored yet (nothing to ${verb === 're-encrypted' ? 're-encrypt' : 'check'})`);
  if (report.skipped_tables?.length)
    out.push(`tables this release does not have (skipped): ${report.skipped_tables.join(', ')}`);
  return out;
}

export function describeFailures(failures: Failure[] | undefined, max = 10): string {
  const list = failures ?? [];
  const shown = list.slice(0, max).map((f) => `${f.table} row ${f.id}, ${f.field}`);
  return shown.join('\n') + (list.length > max ? `\n… and ${list.length - max} more` : '');
}

/** Why a run failed, in one message (no key is ever in it: the script prints none). */
export function scriptFailure(r: ScriptResult, what: string): string {
  if (r.timedOut) return `${what}: timed out and was stopped.`;
  const rep = r.report;
  if (rep?.failures?.length)
    return (
      `${what}: ${rep.failures.length} stored value(s) cannot be decrypted with the ` +
      `key:\n${describeFailures(rep.failures)}`
    );
  if (rep?.refused) return `${what}: refused while there are ${rep.refused}. Let them finish, then rotate.`;
  if (rep?.error) return `${what}: ${rep.error}`;
  return `${what} failed (exit ${r.exitCode})${r.output ? `:\n${r.output}` : ''}`;
}
