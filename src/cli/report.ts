// What a run tells the user about its plan: the summary of answers and the masked diffs.
import { colorize, maskComposeText, maskEnvPair, unifiedDiff } from '../engine/diff.js';
import type { Plan } from '../engine/plan.js';

/** Summary rows as two aligned columns. */
export function summaryText(rows: [string, string][]): string {
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n');
}

export function fileDiffs(plan: Plan, sensitive: Set<string>, showSecrets: boolean): { path: string; text: string }[] {
  return plan.changes.map((f) => {
    let [oldText, newText] = [f.old ?? '', f.content];
    if (f.secret && !showSecrets) [oldText, newText] = maskEnvPair(oldText, newText, sensitive);
    else if (!showSecrets) [oldText, newText] = [maskComposeText(oldText, sensitive), maskComposeText(newText, sensitive)];
    const lines = unifiedDiff(oldText, newText);
    const title = f.old === undefined ? `${f.path} (new file, ${newText.split('\n').length - 1} lines)` : f.path;
    return { path: title, text: colorize(lines) };
  });
}
