import { describe, expect, it } from 'vitest';
import { renderCompose } from '../../../src/targets/langflow/compose.js';
import {
  dbLocation,
  health,
  nextSteps,
  running,
  summary,
  url,
  warnings,
} from '../../../src/targets/langflow/report.js';
import { answers, dotenvFor } from './combos.js';

describe('Langflow report parts', () => {
  it('judges /health_check through the proxy', () => {
    expect(health.path).toBe('/health_check');
    expect(health.judge(200, '{"status":"ok","chat":"ok","db":"ok"}', undefined).ok).toBe(true);
    expect(health.judge(308, '', 'https://langflow.example.com/health_check').ok).toBe(true);
    expect(health.judge(502, '', undefined)).toMatchObject({ ok: false, detail: expect.stringMatching(/not up yet/) });
    expect(health.judge(500, '{"status":"nok","db":"error"}', undefined).detail).toMatch(/database/);
    expect(health.judge(200, '{"status":"nok"}', undefined).ok).toBe(false);
  });

  it('reads the one-to-one .env names of the langflow service and parses printenv', () => {
    for (const a of [answers(), answers({ db: 'sqlite' })]) {
      const names = running.services(renderCompose(a)).get('langflow')!;
      expect(names).toContain('LANGFLOW_AUTO_LOGIN');
      expect(names).toContain('LANGFLOW_SECRET_KEY');
      expect(names).not.toContain('LANGFLOW_DATABASE_URL'); // assembled by compose: see probes.expectedEnv
      expect(names.filter((n) => !n.startsWith('LANGFLOW_'))).toEqual(['DO_NOT_TRACK']); // telemetry off
      expect(Object.keys(dotenvFor(a))).toEqual(expect.arrayContaining(names));
    }
    expect(running.command).toEqual(['printenv']);
    expect(running.parse('A=1\nLANGFLOW_X=a=b\n').get('LANGFLOW_X')).toBe('a=b');
  });

  it('says where the database lives, for the move check', () => {
    expect(dbLocation(answers())).toMatch(/volume langflow-postgres/);
    expect(dbLocation(answers({ db: 'path', dbPath: '/srv/pg' }))).toMatch(/\/srv\/pg/);
    expect(dbLocation(answers({ db: 'sqlite', dbPath: '/srv/lf' }))).toMatch(/SQLite .*\/srv\/lf/);
    expect(dbLocation(answers({ db: 'external' }))).toBe('external PostgreSQL db.internal.example.com:5433/lf_db');
    expect(dbLocation(answers({ db: 'sqlite', dbPath: '/a' }))).not.toBe(
      dbLocation(answers({ db: 'sqlite', dbPath: '/b' })),
    );
  });

  it('warns about what weakens the install, and never prints a secret', () => {
    expect(warnings(answers())).toEqual([]);
    expect(warnings(answers({ release: '1.8.0' })).join(' ')).toMatch(/CVE-2026-33017/);
    expect(warnings(answers({ https: 'off', console: 'open' })).join(' ')).toMatch(/clear text.*Sign-up is open/s);
    expect(warnings(answers({ https: 'proxy' })).join(' ')).toMatch(/127\.0\.0\.1:7860/);
    const a = answers();
    const env = dotenvFor(a);
    const text = JSON.stringify([summary(a, '/srv/lf'), nextSteps(a, './langflow'), url(a)]);
    for (const n of ['LANGFLOW_SECRET_KEY', 'LANGFLOW_SUPERUSER_PASSWORD', 'POSTGRES_PASSWORD'])
      expect(text).not.toContain(env[n]!);
    expect(url(a)).toBe('https://langflow.example.com/');
  });
});
