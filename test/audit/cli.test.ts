// `harden-init check` through the built binary, as an operator runs it: exit codes, --fail-on, --json's schema,
// target detection, and no secret value in any output. A fresh install made by the wizard passes with exit 0.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runBin, tempDir } from '../helpers/run-bin.js';
import { isMaskedName } from '../../src/engine/diff.js';
import { KNOWN_SECRET_NAMES } from '../../src/targets/appwrite/secret-names.js';
import { parseEnv, toRecord } from '../../src/engine/envfile.js';
import { goodInstall, weakInstall, type Good } from './helpers.js';

const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'];
const dirs: Partial<Record<Good, string>> = {};

beforeAll(async () => {
  dirs['appwrite-2.7.1'] = await goodInstall('appwrite-2.7.1');
  dirs.langflow = await goodInstall('langflow');
}, 120_000);

const secretsOf = (dir: string) =>
  Object.entries(toRecord(parseEnv(readFileSync(join(dir, '.env'), 'utf8'))))
    .filter(([k, v]) => isMaskedName(k, KNOWN_SECRET_NAMES) && v.length >= 12)
    .map(([, v]) => v);

function expectSchema(out: string) {
  const j = JSON.parse(out) as Record<string, unknown>;
  expect(typeof j.target).toBe('string');
  expect(Array.isArray(j.findings)).toBe(true);
  for (const f of j.findings as Record<string, unknown>[]) {
    expect(Object.keys(f).sort()).toEqual(['fix', 'id', 'severity', 'subject', 'what', 'why']);
    for (const k of ['id', 'subject', 'what', 'why', 'fix']) expect(typeof f[k]).toBe('string');
    expect(SEVERITIES).toContain(f.severity);
  }
  const summary = j.summary as Record<string, number>;
  expect(Object.keys(summary).sort()).toEqual([...SEVERITIES].sort());
  for (const s of SEVERITIES)
    expect(summary[s]).toBe((j.findings as { severity: string }[]).filter((f) => f.severity === s).length);
  return j as {
    target: string;
    findings: { id: string; severity: string; subject: string; what: string; why: string; fix: string }[];
    summary: Record<string, number>;
    composeSource: string;
  };
}

describe('a fresh install made by the wizard passes check with exit 0', () => {
  it.each(['appwrite-2.7.1', 'langflow'] as Good[])('%s', async (g) => {
    const human = await runBin(['check', '--dir', dirs[g]!]);
    expect(human.exitCode, human.stdout + human.stderr).toBe(0);
    expect(human.stdout).toMatch(/nothing at or above high/);
    expect(human.stdout).toMatch(/read through (docker compose config|docker-compose config|own YAML parse)/);
    const json = await runBin(['check', '--dir', dirs[g]!, '--json', '--fail-on', 'low']);
    expect(json.exitCode, json.stdout).toBe(0);
    const j = expectSchema(json.stdout);
    expect(j.target).toBe(g === 'langflow' ? 'langflow' : 'appwrite');
    expect(j.findings.filter((f) => f.severity !== 'info')).toEqual([]);
  });
});

describe('weak installs', () => {
  it('Appwrite from the official installer: exit 3, grouped worst first, target detected without state', async () => {
    const dir = weakInstall('appwrite-weak');
    const r = await runBin(['check', '--dir', dir]);
    expect(r.exitCode).toBe(3);
    const at = (s: string) => r.stdout.indexOf(`${s.toUpperCase()} (`);
    expect(at('critical')).toBeGreaterThan(0);
    expect(at('critical')).toBeLessThan(at('high'));
    expect(at('high')).toBeLessThan(at('medium'));
    expect(at('medium')).toBeLessThan(at('low'));
    expect(r.stdout).toMatch(/harden-init check: Appwrite 1\.9\.6/);
    expect(r.stdout).toMatch(/CVE-2026-111497/);
    expect(r.stdout).toMatch(/Nothing was changed/);
    const j = expectSchema((await runBin(['check', 'appwrite', '--dir', dir, '--json'])).stdout);
    expect(j.target).toBe('appwrite');
    expect(j.summary.critical).toBeGreaterThan(0);
  });

  it('Langflow from the official example: exit 3, names the problems', async () => {
    const dir = weakInstall('langflow-weak');
    const r = await runBin(['check', '--dir', dir, '--json']);
    expect(r.exitCode).toBe(3);
    const j = expectSchema(r.stdout);
    expect(j.target).toBe('langflow');
    for (const id of ['auto-login', 'superuser-password', 'cors-wildcard', 'published-port', 'release'])
      expect(j.findings.map((f) => f.id)).toContain(id);
  });
});

describe('--fail-on', () => {
  it('decides the exit code by the worst finding', async () => {
    const dir = weakInstall('langflow-weak', {
      env: {
        LANGFLOW_AUTO_LOGIN: 'False',
        LANGFLOW_SUPERUSER_PASSWORD: 'Zq8-rT3vLm9-Xw2pK7nB',
        LANGFLOW_NEW_USER_IS_ACTIVE: 'False',
        LANGFLOW_CORS_ALLOW_CREDENTIALS: 'False',
        LANGFLOW_ENABLE_SUPERUSER_CLI: null,
      },
      compose: (t) => t.replace('- "5432:5432"', '- "127.0.0.1:5432:5432"'),
    });
    // Left: high (secret key, config dir, release, 7860 published, .env mode), medium (superuser CLI, latest), low (restart).
    expect((await runBin(['check', '--dir', dir])).exitCode).toBe(3);
    expect((await runBin(['check', '--dir', dir, '--fail-on', 'critical'])).exitCode).toBe(0);
    expect((await runBin(['check', '--dir', dir, '--fail-on', 'low'])).exitCode).toBe(3);
  });

  it('a good install with one medium finding: 0 by default, 3 with --fail-on medium', async () => {
    const dir = await goodInstall('langflow');
    const envPath = join(dir, '.env');
    writeFileSync(
      envPath,
      readFileSync(envPath, 'utf8').replace(
        /^LANGFLOW_ENABLE_SUPERUSER_CLI=.*$/m,
        'LANGFLOW_ENABLE_SUPERUSER_CLI=True',
      ),
    );
    expect((await runBin(['check', '--dir', dir])).exitCode).toBe(0);
    const r = await runBin(['check', '--dir', dir, '--fail-on', 'medium', '--json']);
    expect(r.exitCode).toBe(3);
    expect(expectSchema(r.stdout).findings.map((f) => f.id)).toEqual(['superuser-cli']);
  });
});

describe('usage and unreadable installs', () => {
  it('bad --fail-on is exit 2', async () => {
    const r = await runBin(['check', '--dir', dirs.langflow!, '--fail-on', 'severe']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/--fail-on: one of critical, high, medium, low/);
  });

  it('the wrong product named is exit 2', async () => {
    const r = await runBin(['check', 'langflow', '--dir', dirs['appwrite-2.7.1']!]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/is Appwrite, not Langflow/);
  });

  it('no install is exit 1 (also in --json)', async () => {
    const empty = tempDir('hi-audit-empty-');
    const r = await runBin(['check', '--dir', empty]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/No install in/);
    const j = await runBin(['check', '--dir', empty, '--json']);
    expect(j.exitCode).toBe(1);
    expect(JSON.parse(j.stdout)).toMatchObject({ ok: false, exitCode: 1 });
    expect((await runBin(['check', '--dir', join(empty, 'missing')])).exitCode).toBe(1);
  });

  it('a product the files do not name is exit 1 unless named', async () => {
    const dir = tempDir('hi-audit-other-');
    writeFileSync(join(dir, 'docker-compose.yml'), 'services:\n  web:\n    image: nginx:1.27\n');
    expect((await runBin(['check', '--dir', dir])).exitCode).toBe(1);
  });

  it('changes nothing', async () => {
    const dir = weakInstall('appwrite-weak');
    const before = ['.env', 'docker-compose.yml'].map((f) => readFileSync(join(dir, f), 'utf8'));
    await runBin(['check', '--dir', dir]);
    expect(['.env', 'docker-compose.yml'].map((f) => readFileSync(join(dir, f), 'utf8'))).toEqual(before);
  });
});

describe('no secret value in any output', () => {
  it.each(['appwrite-weak', 'langflow-weak', 'appwrite-2.7.1', 'langflow'] as const)(
    '%s: human and --json',
    async (k) => {
      const dir = k.endsWith('-weak') ? weakInstall(k as 'appwrite-weak' | 'langflow-weak') : dirs[k as Good]!;
      const secrets = secretsOf(dir);
      expect(secrets.length).toBeGreaterThan(0);
      for (const args of [[], ['--json'], ['--fail-on', 'low']]) {
        const r = await runBin(['check', '--dir', dir, ...args]);
        for (const s of secrets) {
          expect(r.stdout).not.toContain(s);
          expect(r.stderr).not.toContain(s);
        }
      }
    },
  );
});
