// What a run tells the user about its plan: the summary of answers, one line per new file, and the masked diffs.
import { colorize, isMaskedName, maskComposeText, maskEnvPair, unifiedDiff } from '../engine/diff.js';
import { parseEnv } from '../engine/envfile.js';
import { STATE_DIR } from '../engine/state.js';
import { COMPOSE_FILE, ENV_FILE, PROPOSED_COMPOSE_FILE, type Plan, type PlannedFile } from '../engine/plan.js';

/** Summary rows as two aligned columns. */
export function summaryText(rows: [string, string][]): string {
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n');
}

/** harden-init's own files (state, the compose copy, the release cache): what the operator never edits. */
export const isOwnFile = (path: string): boolean => path.startsWith(`${STATE_DIR}/`);

export function fileDiffs(
  plan: Pick<Plan, 'changes'>,
  sensitive: Set<string>,
  showSecrets: boolean,
): { path: string; text: string }[] {
  return plan.changes.map((f) => {
    const lines = unifiedDiff(...maskedPair(f, sensitive, showSecrets));
    const title = f.old === undefined ? `${f.path} (new file, ${lineCount(f.content)} lines)` : f.path;
    return { path: title, text: colorize(lines) };
  });
}

function maskedPair(f: PlannedFile, sensitive: Set<string>, showSecrets: boolean): [string, string] {
  const [oldText, newText] = [f.old ?? '', f.content];
  if (showSecrets) return [oldText, newText];
  if (f.secret) return maskEnvPair(oldText, newText, sensitive);
  return [maskComposeText(oldText, sensitive), maskComposeText(newText, sensitive)];
}

const lineCount = (text: string) => (text === '' ? 0 : text.split('\n').length - (text.endsWith('\n') ? 1 : 0));

/** 512 B, 6.1 kB, 34 kB: enough to tell a file's size at a glance. */
export function sizeText(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const kb = bytes / 1000;
  return kb < 10 ? `${kb.toFixed(1)} kB` : kb < 1000 ? `${Math.round(kb)} kB` : `${(kb / 1000).toFixed(1)} MB`;
}

/** How many values of a .env are secret (non-empty, masked by name): counted in the plan, never shown. */
export function secretCount(envText: string, sensitive: Set<string>): number {
  return parseEnv(envText).lines.filter((l) => l.key && l.value && isMaskedName(l.key, sensitive)).length;
}

/** The services of a compose file written by harden-init (two-space keys under the top-level `services:`). */
function serviceCount(composeText: string): number {
  let inServices = false;
  let n = 0;
  for (const line of composeText.split('\n')) {
    if (/^\S/.test(line)) inServices = /^services:\s*$/.test(line);
    else if (inServices && /^ {2}[^\s#][^:]*:\s*$/.test(line)) n++;
  }
  return n;
}

/** What a new file is, in the words of someone who did not write harden-init. */
export function describeFile(f: Pick<PlannedFile, 'path' | 'content' | 'mode'>, sensitive: Set<string>): string {
  if (f.path === ENV_FILE) {
    const secrets = secretCount(f.content, sensitive);
    return `settings and ${secrets} secret${secrets === 1 ? '' : 's'} (not shown)`;
  }
  if (f.path === COMPOSE_FILE) return `the Compose stack: ${serviceCount(f.content)} services`;
  if (f.path === PROPOSED_COMPOSE_FILE) return 'the Compose file harden-init would write, beside yours';
  if (f.path === 'Caddyfile') return "the Caddy proxy's configuration";
  return `${lineCount(f.content)} lines`;
}

/** "4 of harden-init's own files" (their names are harden-init's business, their number is shown). */
export const ownFilesText = (n: number): string => `${n} of harden-init's own files`;

export interface PlanReport {
  /** Title of the overview note, e.g. "Plan: 2 new files, 1 changed, and 4 of harden-init's own". */
  title: string;
  /** The overview: one line per new file (path, what it is, size), the changed files named. */
  overview: string;
  /** Notes to show after the overview: the diff of each changed file (and of each new one with --diff). */
  notes: { title: string; text: string }[];
}

/**
 * The plan as shown before writing: an overview that fits a screen, the diff of every changed file the operator
 * knows, and harden-init's own files (state, the compose copy, the release cache) only as a count. `full` (--diff)
 * shows every new file in full too, secrets still masked unless `showSecrets`.
 */
export function planReport(
  plan: Pick<Plan, 'changes'>,
  sensitive: Set<string>,
  o: { showSecrets: boolean; full: boolean },
): PlanReport | undefined {
  if (plan.changes.length === 0) return undefined;
  const mine = plan.changes.filter((f) => !isOwnFile(f.path));
  const own = plan.changes.length - mine.length;
  const added = mine.filter((f) => f.old === undefined);
  const changed = mine.filter((f) => f.old !== undefined);
  const parts = [
    ...(added.length ? [`${added.length} new file${added.length === 1 ? '' : 's'}`] : []),
    ...(changed.length ? [`${changed.length} changed`] : []),
  ];
  const title = `Plan: ${parts.length ? parts.join(', ') : 'no file of yours changes'}${
    own ? `${parts.length ? ', and' : ';'} ${ownFilesText(own)}` : ''
  }`;
  const width = Math.max(0, ...mine.map((f) => f.path.length));
  const sizes = added.map((f) => sizeText(Buffer.byteLength(f.content)));
  const sizeWidth = Math.max(0, ...sizes.map((x) => x.length));
  const lines = [
    ...added.map(
      (f, k) => `new      ${f.path.padEnd(width)}  ${sizes[k]!.padStart(sizeWidth)}  ${describeFile(f, sensitive)}`,
    ),
    ...changed.map((f) => `changed  ${f.path.padEnd(width)}  ${diffStat(f, sensitive, o.showSecrets)}`),
  ];
  if (own) lines.push(`and ${ownFilesText(own)} in ${STATE_DIR}/ (not shown)`);
  if (added.length && !o.full) lines.push('--diff shows the new files in full (secrets masked).');
  const notes = mine
    .filter((f) => f.old !== undefined || o.full)
    .map((f) => {
      const text = colorize(unifiedDiff(...maskedPair(f, sensitive, o.showSecrets)));
      return {
        title: f.old === undefined ? `${f.path} (new file, ${lineCount(f.content)} lines)` : `${f.path} (changed)`,
        text: text || '(empty)',
      };
    });
  return { title, overview: lines.join('\n'), notes };
}

/**
 * "+2 -1 lines" of a changed file, counted on the masked texts (a secret that changes counts, its value never shows).
 */
function diffStat(f: PlannedFile, sensitive: Set<string>, showSecrets: boolean): string {
  const lines = unifiedDiff(...maskedPair(f, sensitive, showSecrets), 0);
  const plus = lines.filter((l) => l.startsWith('+')).length;
  const minus = lines.filter((l) => l.startsWith('-')).length;
  return `+${plus} -${minus} lines, below`;
}

/**
 * The write confirmation: the files a user knows by name, the rest counted ("Write .env and docker-compose.yml,
 * and 4 of harden-init's own files?").
 */
export function writeQuestion(changes: Pick<PlannedFile, 'path'>[]): string {
  const mine = changes.filter((f) => !isOwnFile(f.path)).map((f) => f.path);
  const own = changes.length - mine.length;
  const named = mine.length <= 1 ? mine.join('') : `${mine.slice(0, -1).join(', ')} and ${mine.at(-1)}`;
  if (!mine.length) return `Write ${ownFilesText(own)}?`;
  return `Write ${named}${own ? `, and ${ownFilesText(own)}` : ''}?`;
}
