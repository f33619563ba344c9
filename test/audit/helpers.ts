// Installs to audit: weak ones copied from the hand-written fixtures (official-installer style), good ones written
// by the wizard itself (the built binary, no Docker, releases from test/fixtures/releases).
import { chmodSync, cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { runBin, tempDir, RELEASES_DIR } from '../helpers/run-bin.js';
import { auditInput, detectTarget, readCompose, readFiles } from '../../src/audit/read.js';
import { runAudit } from '../../src/audit/run.js';
import type { AuditFinding, AuditInput } from '../../src/audit/types.js';
import { TARGETS, recognizeImages } from '../../src/targets/index.js';

export const FIXTURES = join(import.meta.dirname, 'fixtures');
export type Weak = 'appwrite-weak' | 'langflow-weak';

/** A copy of a weak fixture in a temp dir (.env mode 0644, as a hand install often has it), with edits. */
export function weakInstall(
  name: Weak,
  edit: { env?: Record<string, string | null>; compose?: (t: string) => string } = {},
): string {
  const dir = tempDir('hi-audit-weak-');
  cpSync(join(FIXTURES, name), dir, { recursive: true });
  const envPath = join(dir, '.env');
  if (edit.env) {
    let text = readFileSync(envPath, 'utf8');
    for (const [k, v] of Object.entries(edit.env)) {
      const re = new RegExp(`^${k}=.*$\\n?`, 'm');
      if (v === null) text = text.replace(re, '');
      else if (re.test(text)) text = text.replace(new RegExp(`^${k}=.*$`, 'm'), `${k}=${v}`);
      else text += `${k}=${v}\n`;
    }
    writeFileSync(envPath, text);
  }
  if (edit.compose)
    writeFileSync(join(dir, 'docker-compose.yml'), edit.compose(readFileSync(join(dir, 'docker-compose.yml'), 'utf8')));
  chmodSync(envPath, 0o644);
  return dir;
}

export const WIZARD_ARGS = {
  'appwrite-2.7.1': ['--domain', 'aw.example.com', '--email', 'ops@example.com'],
  'appwrite-1.9.10': ['--release', '1.9.10', '--domain', 'aw.example.com', '--email', 'ops@example.com'],
  langflow: ['langflow', '--domain', 'lf.example.com', '--email', 'ops@example.com'],
} as const;
export type Good = keyof typeof WIZARD_ARGS;

/** A fresh install written by the wizard (files only). */
export async function goodInstall(kind: Good): Promise<string> {
  const dir = tempDir('hi-audit-good-');
  const args = [...WIZARD_ARGS[kind]];
  const r = await runBin([...args, '--dir', dir, '--yes', '--no-start']);
  expect(r.exitCode, r.stderr).toBe(0);
  return dir;
}

/** Audits a directory in-process, as `check` does (compose's view when Compose is installed, unless own). */
export async function auditDir(
  dir: string,
  opts: { own?: boolean; running?: AuditInput['running'] } = {},
): Promise<{ input: AuditInput; findings: AuditFinding[] }> {
  const prev = process.env.HARDEN_INIT_RELEASES_DIR;
  process.env.HARDEN_INIT_RELEASES_DIR = RELEASES_DIR;
  try {
    const raw = readFiles(dir);
    const reading = await readCompose(raw, !opts.own);
    const targetId = detectTarget(raw.state, reading.model, recognizeImages)!;
    const target = await TARGETS[targetId]!.load();
    const audit = target.audit!;
    const input = await auditInput(raw, reading, {
      dir,
      dirArg: dir,
      target: targetId,
      runEnv: process.env,
      release: audit.release(reading.model, raw.state),
      running: opts.running,
      reader: target.verify.running,
    });
    return { input, findings: runAudit(input, audit) };
  } finally {
    if (prev === undefined) delete process.env.HARDEN_INIT_RELEASES_DIR;
    else process.env.HARDEN_INIT_RELEASES_DIR = prev;
  }
}

export const ids = (f: AuditFinding[], atLeast: 'low' | 'info' = 'low') =>
  new Set(f.filter((x) => atLeast === 'info' || x.severity !== 'info').map((x) => x.id));
