// The report of `harden-init check`: grouped by severity with colour for people, one JSON object for machines.
// Findings carry no secret values (the rules never put one in), so both print them as they are.
import { createColors } from 'picocolors';
import { SEVERITIES, type AuditFinding, type AuditInput, type Severity } from './types.js';
import type { Summary } from './run.js';

type Colors = ReturnType<typeof createColors>;

const colourOf = (pc: Colors): Record<Severity, (s: string) => string> => ({
  critical: (s) => pc.bold(pc.red(s)),
  high: pc.red,
  medium: pc.yellow,
  low: pc.cyan,
  info: pc.dim,
});
const MARK: Record<Severity, string> = { critical: '✘', high: '✘', medium: '!', low: '·', info: 'i' };

export interface ReportContext {
  input: AuditInput;
  findings: AuditFinding[];
  summary: Summary;
  title: string;
  failOn: string;
  exitCode: number;
}

/** Where the compose file and the running values were read from, in words. */
export function sources(input: AuditInput): string[] {
  const lines = [
    `compose file: ${input.composeFile}, read through ` +
      `${input.composeSource}${input.composeNote ? ` (${input.composeNote})` : ''}`,
  ];
  lines.push(
    input.running
      ? `running stack: read ${[...input.running.keys()].join(', ')} for drift`
      : `running stack: ${input.runningNote ?? 'not read'}`,
  );
  return lines;
}

/** The report for people; colours only when the run's output takes them (colorsWanted). */
export function humanReport(c: ReportContext, colors: boolean): string {
  const pc = createColors(colors);
  const COLOUR = colourOf(pc);
  const { input } = c;
  const out: string[] = [];
  out.push(pc.bold(`harden-init check: ${c.title}${input.release ? ` ${input.release}` : ''} in ${input.dir}`));
  for (const l of sources(input)) out.push(pc.dim(`  ${l}`));
  out.push('');
  for (const sev of SEVERITIES) {
    const group = c.findings.filter((f) => f.severity === sev);
    if (!group.length) continue;
    out.push(COLOUR[sev](pc.bold(`${sev.toUpperCase()} (${group.length})`)));
    for (const f of group) {
      out.push(`${COLOUR[sev](MARK[sev])} ${pc.bold(f.subject)}: ${f.what} ${pc.dim(`[${f.id}]`)}`);
      out.push(`    ${pc.dim('why:')} ${f.why}`);
      out.push(`    ${pc.dim('fix:')} ${f.fix}`);
    }
    out.push('');
  }
  const counts = SEVERITIES.map((s) => `${c.summary[s]} ${s}`).join(', ');
  if (c.findings.length === 0) out.push(pc.green('✔ No findings.'));
  out.push(
    `${c.exitCode === 0 ? pc.green('✔') : pc.red('✘')} ${counts}; ${
      c.exitCode === 0 ? `nothing at or above ${c.failOn}` : `findings at or above ${c.failOn}: exit ${c.exitCode}`
    }. Nothing was changed.`,
  );
  return out.join('\n');
}

export function jsonReport(c: ReportContext): string {
  const { input } = c;
  return JSON.stringify(
    {
      target: input.target,
      dir: input.dir,
      release: input.release ?? null,
      composeSource: input.composeSource,
      running: input.running !== undefined,
      failOn: c.failOn,
      exitCode: c.exitCode,
      findings: c.findings.map((f) => ({
        id: f.id,
        severity: f.severity,
        subject: f.subject,
        what: f.what,
        why: f.why,
        fix: f.fix,
      })),
      summary: c.summary,
    },
    null,
    2,
  );
}
