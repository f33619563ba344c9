// `harden-init langflow` through the built binary: the same wizard, a second target.
import { describe, expect, it } from 'vitest';
import { readFileSync, statSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { runBin, tempDir, unwrapped } from '../helpers/run-bin.js';
import { runMain } from '../helpers/run-main.js';
import { parseEnv, toRecord } from '../../src/engine/envfile.js';

const BASE = ['--domain', 'langflow.example.com', '--yes', '--no-start'];
const envOf = (dir: string) => toRecord(parseEnv(readFileSync(join(dir, '.env'), 'utf8')));

describe('harden-init langflow', () => {
  it('installs 1.13.1 hardened: auto-login off, a 43-character key, Caddy the only publisher, the superuser password not printed, its place named', async () => {
    const dir = join(tempDir(), 'langflow');
    const r = await runBin(['langflow', '--dir', dir, ...BASE]);
    expect(r.exitCode, r.stderr).toBe(0);
    const env = envOf(dir);
    expect(env.LANGFLOW_AUTO_LOGIN).toBe('False');
    expect(env.LANGFLOW_ENABLE_SUPERUSER_CLI).toBe('False');
    expect(env.LANGFLOW_SECRET_KEY).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(statSync(join(dir, '.env')).mode & 0o777).toBe(0o600);
    const compose = parse(readFileSync(join(dir, 'docker-compose.yml'), 'utf8')) as {
      services: Record<string, { ports?: string[]; image?: string }>;
    };
    const publishers = Object.entries(compose.services)
      .filter(([, s]) => s.ports?.length)
      .map(([n]) => n);
    expect(publishers).toEqual(['caddy']);
    expect(compose.services.langflow!.image).toBe('langflowai/langflow:1.13.1');
    expect(existsSync(join(dir, 'Caddyfile'))).toBe(true);
    // The superuser's first password is not printed (output ends up in logs): where it is, is.
    expect(r.stdout + r.stderr).not.toContain(env.LANGFLOW_SUPERUSER_PASSWORD!);
    expect(r.stdout).toMatch(/LANGFLOW_SUPERUSER_PASSWORD: in /);
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

  it('an ACME e-mail with {, } or # is refused (Caddy reads them as a placeholder or a comment): by flag and from a hand-edited .env', async () => {
    for (const email of ['o{env.LANGFLOW_SECRET_KEY}@example.com', '#ops@example.com']) {
      const dir = join(tempDir(), 'langflow');
      const r = await runMain(['langflow', '--dir', dir, ...BASE, '--email', email]);
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toMatch(/--email: .*\{, \} or #/);
      expect(existsSync(dir)).toBe(false);
    }
    const dir = join(tempDir(), 'langflow');
    expect((await runMain(['langflow', '--dir', dir, ...BASE, '--email', 'ops@example.com'])).exitCode).toBe(0);
    const envPath = join(dir, '.env');
    writeFileSync(
      envPath,
      readFileSync(envPath, 'utf8').replace(/^ACME_EMAIL=.*$/m, 'ACME_EMAIL=o{env.LANGFLOW_SECRET_KEY}@example.com'),
    );
    const caddy = readFileSync(join(dir, 'Caddyfile'), 'utf8');
    const r = await runMain(['langflow', '--dir', dir, '--yes', '--no-start']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/ACME_EMAIL .*\{, \} or #/);
    expect(readFileSync(join(dir, 'Caddyfile'), 'utf8')).toBe(caddy);
  });

  it('a release below 1.13.1 is refused naming the advisories, unless --allow-insecure-release', async () => {
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
    const args = [
      'langflow',
      '--dir',
      ext,
      ...BASE,
      '--db',
      'external',
      '--db-host',
      'db.example.com',
      '--db-user',
      'lf',
      '--db-name',
      'lf',
    ];
    const missing = await runBin(args);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toMatch(/HARDEN_INIT_DB_PASSWORD/);
    const given = await runBin(args, { HARDEN_INIT_DB_PASSWORD: 'ext-Pass.word1' });
    expect(given.exitCode, given.stderr).toBe(0);
    expect(envOf(ext).POSTGRES_PASSWORD).toBe('ext-Pass.word1');
    expect(given.stdout + given.stderr).not.toContain('ext-Pass.word1');
  });

  // In-process (src, not dist): the release table is what these check, and it must hold before a rebuild.
  describe('the security minimum 1.13.1', () => {
    const DEC_2026 = [
      'CVE-2026-120054 (authenticated command execution)',
      'CVE-2026-120069 (AST deny-list bypass leading to code execution)',
      'CVE-2026-120071 (improper access control)',
      "CVE-2026-120073 (predictable virtual flow id: read or delete other users' data)",
      'CVE-2026-127061 (broken object-level authorization)',
      "CVE-2026-127066 (unauthenticated execution of other users' flows through the agent-to-agent discovery endpoint)",
    ];
    const stateOf = (dir: string) =>
      JSON.parse(readFileSync(join(dir, '.harden-init', 'state.json'), 'utf8')) as { release?: string };
    const imageOf = (dir: string) =>
      (parse(readFileSync(join(dir, 'docker-compose.yml'), 'utf8')) as { services: { langflow: { image: string } } })
        .services.langflow.image;

    it('a fresh install pins 1.13.1', async () => {
      const dir = join(tempDir(), 'langflow');
      const r = await runMain(['langflow', '--dir', dir, ...BASE]);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(imageOf(dir)).toBe('langflowai/langflow:1.13.1');
      expect(stateOf(dir).release).toBe('1.13.1');
      expect(r.stdout).not.toMatch(/SECURITY|CVE-/);
    });

    it('--release 1.13.0 is refused (exit 2) naming the six CVEs with what each is, nothing written', async () => {
      const dir = join(tempDir(), 'langflow');
      const r = await runMain(['langflow', '--dir', dir, ...BASE, '--release', '1.13.0']);
      expect(r.exitCode).toBe(2);
      for (const cve of DEC_2026) expect(r.stderr).toContain(cve);
      expect(r.stderr).toMatch(/below the security minimum 1\.13\.1/);
      expect(r.stderr).toMatch(/--release 1\.13\.1.*--allow-insecure-release/);
      expect(existsSync(dir)).toBe(false);
    });

    it('an install at 1.13.0: the re-run and check print the exact upgrade; that run pins 1.13.1 and check is clean', async () => {
      const dir = join(tempDir(), 'langflow');
      const made = await runMain([
        'langflow',
        '--dir',
        dir,
        ...BASE,
        '--release',
        '1.13.0',
        '--allow-insecure-release',
      ]);
      expect(made.exitCode, made.stderr).toBe(0);
      expect(unwrapped(made.stdout)).toMatch(
        /SECURITY: installing Langflow 1\.13\.0, below the security minimum 1\.13\.1, as --allow-insecure-release asks/,
      );
      expect(imageOf(dir)).toBe('langflowai/langflow:1.13.0');

      // A plain re-run keeps the release (never switched silently) and says how to move it.
      const again = await runMain(['langflow', '--dir', dir, '--yes', '--no-start']);
      expect(again.exitCode, again.stderr).toBe(0);
      expect(imageOf(dir)).toBe('langflowai/langflow:1.13.0');
      const upgrade = `npx harden-init langflow --dir ${dir} --release 1.13.1`;
      expect(unwrapped(again.stdout)).toContain(
        `SECURITY: this install runs Langflow 1.13.0, below the security minimum 1.13.1. Upgrade now: ${upgrade}`,
      );
      for (const cve of DEC_2026) expect(unwrapped(again.stdout)).toContain(cve);

      const check = await runMain(['check', '--dir', dir]);
      expect(check.exitCode).toBe(3);
      expect(check.stdout).toMatch(/CRITICAL \(1\)/);
      const finding = check.stdout.slice(check.stdout.indexOf('Langflow 1.13.0: is below 1.13.1'));
      expect(finding).toMatch(
        /^Langflow 1\.13\.0: is below 1\.13\.1: open to CVE-2026-120054, CVE-2026-120069, CVE-2026-120071, CVE-2026-120073, CVE-2026-127061, CVE-2026-127066 \[release\]/,
      );
      expect(finding).toContain(`harden-init langflow --dir ${dir} --release 1.13.1`);
      expect(finding).toContain(
        "CVE-2026-127066: unauthenticated execution of other users' flows through the agent-to-agent discovery endpoint (fixed in 1.13.1)",
      );

      // The printed command is the supported path: it keeps secrets and settings and moves the pin.
      const keyBefore = envOf(dir).LANGFLOW_SECRET_KEY;
      const moved = await runMain(upgrade.split(' ').slice(2).concat('--yes', '--no-start'));
      expect(moved.exitCode, moved.stderr).toBe(0);
      expect(imageOf(dir)).toBe('langflowai/langflow:1.13.1');
      expect(stateOf(dir).release).toBe('1.13.1');
      expect(envOf(dir).LANGFLOW_SECRET_KEY).toBe(keyBefore);
      expect(moved.stdout).not.toMatch(/SECURITY/);
      const clean = await runMain(['check', '--dir', dir]);
      expect(clean.stdout).not.toMatch(/\[release\]/);
      expect(clean.exitCode, clean.stdout).toBe(0);
    });
  });
});
