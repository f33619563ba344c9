// Runs the shared rules and the target's rules over one install as read, and decides the exit code.
import { join } from 'node:path';
import { shellQuote } from '../core/shell-quote.js';
import { commonRules } from './common.js';
import {
  rank,
  SEVERITIES,
  type AuditFinding,
  type AuditHelpers,
  type AuditInput,
  type AuditRule,
  type FailOn,
  type Severity,
  type TargetAudit,
} from './types.js';

export type Summary = Record<Severity, number>;

export function allRules(audit: TargetAudit): AuditRule[] {
  return [...audit.rules, ...commonRules(audit)];
}

export function helpersFor(input: AuditInput, audit: TargetAudit): AuditHelpers {
  const appName = audit.appService(input.compose);
  const app = appName ? input.compose.services[appName] : undefined;
  return {
    app,
    value: (name) => app?.environment[name] ?? input.env[name],
    rerun: `harden-init${input.target === 'appwrite' ? '' : ` ${input.target}`} --dir ${shellQuote(input.dirArg)}`,
    cd: `cd ${shellQuote(input.dirArg)} && `,
    path: (file) => shellQuote(join(input.dirArg, file)),
  };
}

/** Every finding, worst first (rule order kept within a severity). */
export function runAudit(input: AuditInput, audit: TargetAudit): AuditFinding[] {
  const h = helpersFor(input, audit);
  const out: AuditFinding[] = [];
  for (const rule of allRules(audit)) {
    for (const hit of rule.check(input, h)) {
      out.push({
        id: rule.id,
        severity: hit.severity ?? rule.severity,
        subject: hit.subject,
        what: hit.what,
        why: hit.why,
        fix: hit.fix,
      });
    }
  }
  return out
    .map((f, i) => ({ f, i }))
    .sort((a, b) => rank(a.f.severity) - rank(b.f.severity) || a.i - b.i)
    .map((x) => x.f);
}

export function summarize(findings: AuditFinding[]): Summary {
  const s = Object.fromEntries(SEVERITIES.map((k) => [k, 0])) as Summary;
  for (const f of findings) s[f.severity]++;
  return s;
}

/** 3 when a finding is at or above --fail-on, else 0. */
export function failed(findings: AuditFinding[], failOn: FailOn): boolean {
  return findings.some((f) => rank(f.severity) <= rank(failOn));
}
