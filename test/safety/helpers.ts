// Shared by the safety tests (issue 8): an install made through the built binary, and a scan that no
// generated secret ever shows up in anything harden-init printed or wrote besides .env.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { runBin, tempDir, type RunResult } from '../helpers/run-bin.js';
import { parseEnv, toRecord } from '../../src/engine/envfile.js';
import { isMaskedName } from '../../src/engine/diff.js';

export const FIRST = ['--domain', 'appwrite.example.com', '--email', 'admin@example.com', '--yes', '--no-start'];
export const read = (dir: string, f: string) => readFileSync(join(dir, f), 'utf8');
export const envOf = (dir: string) => toRecord(parseEnv(read(dir, '.env')));
export const backups = (dir: string) =>
  existsSync(join(dir, '.harden-init/backups')) ? readdirSync(join(dir, '.harden-init/backups')).sort() : [];

export async function install(extra: string[] = [], dir = join(tempDir('hi-safety-'), 'appwrite')): Promise<string> {
  const r = await runBin(['--dir', dir, ...FIRST, ...extra]);
  expect(r.exitCode, r.stdout + r.stderr).toBe(0);
  return dir;
}

/** Every secret value in an install's .env (by name), at least 8 characters long. */
export function secretsOf(dir: string): string[] {
  return Object.entries(envOf(dir))
    .filter(([k, v]) => isMaskedName(k) && v.length >= 8)
    .map(([, v]) => v);
}

/** Fails when any secret appears in any of the texts (stdout, stderr, --json output, state.json, ...). */
export function expectNoSecrets(secrets: string[], texts: Record<string, string>): void {
  for (const [where, text] of Object.entries(texts)) {
    for (const s of secrets) expect(text.includes(s), `a secret appears in ${where}`).toBe(false);
  }
}

/** No stack trace in output unless DEBUG is set. */
export function expectNoStack(r: RunResult): void {
  expect(r.stdout + r.stderr).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/);
}
