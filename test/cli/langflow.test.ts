// `harden-init langflow` through the built binary: the same wizard, a second target.
import { describe, expect, it } from 'vitest';
import { readFileSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { runBin, tempDir } from '../helpers/run-bin.js';
import { parseEnv, toRecord } from '../../src/engine/envfile.js';

const BASE = ['--domain', 'langflow.example.com', '--yes', '--no-start'];
const envOf = (dir: string) => toRecord(parseEnv(readFileSync(join(dir, '.env'), 'utf8')));

describe('harden-init langflow', () => {
  it('installs 1.13.0 hardened: auto-login off, a 43-character key, Caddy the only publisher, the superuser password shown once', async () => {
    const dir = join(tempDir(), 'langflow');
    const r = await runBin(['langflow', '--dir', dir, ...BASE]);
    expect(r.exitCode, r.stderr).toBe(0);
    const env = envOf(dir);
    expect(env.LANGFLOW_AUTO_LOGIN).toBe('False');
    expect(env.LANGFLOW_ENABLE_SUPERUSER_CLI).toBe('False');
    expect(env.LANGFLOW_SECRET_KEY).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(statSync(join(dir, '.env')).mode & 0o777).toBe(0o600);
    const compose = parse(readFileSync(join(dir, 'docker-compose.yml'), 'utf8')) as { services: Record<string, { ports?: string[]; image?: string }> };
    const publishers = Object.entries(compose.services).filter(([, s]) => s.ports?.length).map(([n]) => n);
    expect(publishers).toEqual(['caddy']);
    expect(compose.services.langflow!.image).toBe('langflowai/langflow:1.13.0');
    expect(existsSync(join(dir, 'Caddyfile'))).toBe(true);
    // The superuser's first password is printed by the run that made it; the key never is.
    expect(r.stdout).toContain(`LANGFLOW_SUPERUSER_PASSWORD=${env.LANGFLOW_SUPERUSER_PASSWORD}`);
    expect(r.stdout + r.stderr).not.toContain(env.LANGFLOW_SECRET_KEY!);
    expect(r.stdout + r.stderr).not.toContain(env.POSTGRES_PASSWORD!);

    const again = await runBin(['langflow', '--dir', dir, '--yes', '--no-start']);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/Nothing to change/);
    expect(again.stdout).not.toContain(env.LANGFLOW_SUPERUSER_PASSWORD!);
    expect(envOf(dir).LANGFLOW_SECRET_KEY).toBe(env.LANGFLOW_SECRET_KEY);
  });

  it('--console emails has no Langflow equivalent: exit 2 saying so, nothing written', async () => {
    const dir = join(tempDir(), 'langflow');
    const r = await runBin(['langflow', '--dir', dir, ...BASE, '--console', 'emails']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/--console: .*no e-mail allowlist/);
    expect(existsSync(dir)).toBe(false);
  });

  it('a release below 1.12.0 is refused naming the advisories, unless --allow-insecure-release', async () => {
    const dir = join(tempDir(), 'langflow');
    const r = await runBin(['langflow', '--dir', dir, ...BASE, '--release', '1.9.1']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/CVE-2026-48519/);
    expect(existsSync(dir)).toBe(false);
    const ok = await runBin(['langflow', '--dir', dir, ...BASE, '--release', '1.9.1', '--allow-insecure-release']);
    expect(ok.exitCode, ok.stderr).toBe(0);
  });

  it('an Appwrite-only flag is refused for Langflow', async () => {
    const r = await runBin(['langflow', '--dir', join(tempDir(), 'x'), ...BASE, '--db-engine', 'mariadb']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/--db-engine is not a setting of Langflow/);
  });

  it('sqlite keeps the database in the config directory on the host; external takes the password only from the environment', async () => {
    const base = tempDir();
    const dir = join(base, 'langflow');
    const r = await runBin(['langflow', '--dir', dir, ...BASE, '--db', 'sqlite', '--db-path', join(base, 'lfdata')]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(envOf(dir).LANGFLOW_SAVE_DB_IN_CONFIG_DIR).toBe('True');
    expect(statSync(join(base, 'lfdata')).mode & 0o777).toBe(0o700);

    const ext = join(base, 'ext');
    const args = ['langflow', '--dir', ext, ...BASE, '--db', 'external', '--db-host', 'db.example.com', '--db-user', 'lf', '--db-name', 'lf'];
    const missing = await runBin(args);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toMatch(/HARDEN_INIT_DB_PASSWORD/);
    const given = await runBin(args, { HARDEN_INIT_DB_PASSWORD: 'ext-Pass.word1' });
    expect(given.exitCode, given.stderr).toBe(0);
    expect(envOf(ext).POSTGRES_PASSWORD).toBe('ext-Pass.word1');
    expect(given.stdout + given.stderr).not.toContain('ext-Pass.word1');
  });
});
