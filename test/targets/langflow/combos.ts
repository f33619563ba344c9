// Answer combinations and install-directory fixtures shared by the Langflow unit tests.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CONSOLE_MODES,
  DB_MODES,
  HTTPS_MODES,
  answersError,
  normalizeAnswers,
  type LangflowAnswers,
} from '../../../src/targets/langflow/answers.js';
import { CADDYFILE, caddyfile, renderCompose, type RenderOptions } from '../../../src/targets/langflow/compose.js';
import { managedValues, secretSpecs } from '../../../src/targets/langflow/env-values.js';
import { NEWEST_RELEASE } from '../../../src/targets/langflow/releases.js';
import { encodeValue } from '../../../src/engine/envfile.js';

export function answers(over: Partial<LangflowAnswers> = {}): LangflowAnswers {
  const base: LangflowAnswers = {
    release: NEWEST_RELEASE,
    domain: 'langflow.example.com',
    https: 'auto',
    email: 'ops@example.com',
    console: 'root',
    superuser: 'admin',
    db: 'volume',
    httpPort: 80,
    httpsPort: 443,
  };
  const a = { ...base, ...over };
  if (a.console === 'ips' && !a.consoleIps) a.consoleIps = ['203.0.113.7', '10.0.0.0/8', '2001:db8::/32'];
  if ((a.db === 'path' || a.db === 'sqlite') && !a.dbPath)
    a.dbPath = a.db === 'path' ? '/srv/langflow/postgres' : '/srv/langflow/config';
  if (a.db === 'external')
    Object.assign(a, {
      dbHost: a.dbHost ?? 'db.internal.example.com',
      dbPort: a.dbPort ?? 5433,
      dbUser: a.dbUser ?? 'lf_user',
      dbName: a.dbName ?? 'lf_db',
    });
  if (a.https === 'proxy' && over.httpPort === undefined) a.httpPort = 7860;
  return normalizeAnswers(a);
}

/** Every HTTPS × console × DB combination that answersError accepts (ips needs the bundled proxy). */
export function allCombinations(): LangflowAnswers[] {
  const out: LangflowAnswers[] = [];
  for (const https of HTTPS_MODES)
    for (const console of CONSOLE_MODES)
      for (const db of DB_MODES) {
        const a = answers({ https, console, db });
        if (!answersError(a)) out.push(a);
      }
  return out;
}

export const comboName = (a: LangflowAnswers) => `https=${a.https} console=${a.console} db=${a.db}`;

/** The .env an install of `a` holds: managed values plus generated secrets (and the user's external DB password). */
export function dotenvFor(a: LangflowAnswers): Record<string, string> {
  const env = { ...managedValues(a) };
  for (const s of secretSpecs(a)) env[s.name] = s.generate();
  if (a.db === 'external') env.POSTGRES_PASSWORD = 'user-given_pw.1';
  return env;
}

export function envText(env: Record<string, string>): string {
  return (
    Object.entries(env)
      .map(([k, v]) => `${k}=${encodeValue(v)}`)
      .join('\n') + '\n'
  );
}

const made: string[] = [];
/** Removes the install directories writeInstall made (call from afterAll). */
export function removeInstalls(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** An install directory with docker-compose.yml, .env and (auto/off) the Caddyfile. */
export function writeInstall(
  a: LangflowAnswers,
  opts: RenderOptions = {},
  env = dotenvFor(a),
): { dir: string; env: Record<string, string>; compose: string } {
  const dir = mkdtempSync(join(tmpdir(), 'hi-langflow-'));
  made.push(dir);
  const compose = renderCompose(a, opts);
  writeFileSync(join(dir, 'docker-compose.yml'), compose);
  writeFileSync(join(dir, '.env'), envText(env), { mode: 0o600 });
  const cf = caddyfile(a, opts);
  if (cf) writeFileSync(join(dir, CADDYFILE), cf);
  return { dir, env, compose };
}
