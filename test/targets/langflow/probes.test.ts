import { describe, expect, it } from 'vitest';
import { ALLOWLIST_REFUSAL } from '../../../src/targets/langflow/compose.js';
import { managedValues } from '../../../src/targets/langflow/env-values.js';
import {
  PROBES,
  compareEnv,
  curlArgv,
  expectedEnv,
  extraLangflowVars,
  formBody,
  judgeProbe,
  parseCurlOutput,
  parsePrintenv,
} from '../../../src/targets/langflow/probes.js';
import { answers, dotenvFor } from './combos.js';

const res = (status: number, body: unknown) => ({
  status,
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

describe('probes', () => {
  it('are the five checks of the facts page', () => {
    expect(PROBES.map((p) => `${p.method} ${p.path}`)).toEqual([
      'GET /health_check',
      'GET /api/v1/version',
      'GET /api/v1/auto_login',
      'POST /api/v1/login',
      'GET /api/v1/flows/',
    ]);
    expect(formBody(PROBES.find((p) => p.id === 'default-login')!)).toBe('username=langflow&password=langflow');
  });

  it('health: ok only with status ok', () => {
    expect(judgeProbe('health', res(200, { status: 'ok', chat: 'ok', db: 'ok' })).ok).toBe(true);
    expect(judgeProbe('health', res(500, { status: 'nok', chat: 'ok', db: 'error connecting' }))).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/database/),
    });
    expect(judgeProbe('health', res(0, '')).detail).toMatch(/no answer/);
  });

  it('auto-login: judged by the body, 403 or 400 (before 1.10)', () => {
    const off = { detail: { message: 'Auto login is disabled. Please enable it in the settings', auto_login: false } };
    expect(judgeProbe('auto-login', res(403, off)).ok).toBe(true);
    expect(judgeProbe('auto-login', res(400, off)).ok).toBe(true);
    expect(judgeProbe('auto-login', res(403, { detail: 'Forbidden' })).ok).toBe(false);
    expect(judgeProbe('auto-login', res(200, { access_token: 'x', token_type: 'bearer' }))).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/AUTO-LOGIN IS ON/),
    });
  });

  it('default login: 401, 400 and 429 are "not logged in"; 200 is the alarm', () => {
    for (const s of [400, 401, 429]) expect(judgeProbe('default-login', res(s, { detail: 'x' })).ok).toBe(true);
    expect(judgeProbe('default-login', res(200, { access_token: 'x' }))).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/DEFAULT/),
    });
    expect(judgeProbe('default-login', res(500, 'boom')).ok).toBe(false);
  });

  it('API without a key: 401 or 403', () => {
    expect(judgeProbe('api-without-key', res(403, { detail: 'An API key must be passed as query or header' })).ok).toBe(
      true,
    );
    expect(judgeProbe('api-without-key', res(401, { detail: 'Not authenticated' })).ok).toBe(true);
    expect(judgeProbe('api-without-key', res(200, [])).detail).toMatch(/WITHOUT A KEY/);
  });

  it('version: the running release must be the pinned one', () => {
    expect(judgeProbe('version', res(200, { version: '1.13.0', package: 'Langflow' }), '1.13.0').ok).toBe(true);
    expect(judgeProbe('version', res(200, { version: '1.12.2' }), '1.13.0').detail).toMatch(
      /running 1\.12\.2.*pins 1\.13\.0/,
    );
  });

  it('a client outside the allowlist counts as "not reachable", except for health', () => {
    const blocked = res(403, ALLOWLIST_REFUSAL);
    expect(judgeProbe('auto-login', blocked).ok).toBe(true);
    expect(judgeProbe('default-login', blocked).ok).toBe(true);
    expect(judgeProbe('health', blocked).ok).toBe(false);
  });

  it('runs inside the container with curl and reads the status from the last line', () => {
    const login = PROBES.find((p) => p.id === 'default-login')!;
    expect(curlArgv(login)).toEqual([
      'curl',
      '-sS',
      '-m',
      '10',
      '-w',
      '\\n%{http_code}',
      '-X',
      'POST',
      '-H',
      'Content-Type: application/x-www-form-urlencoded',
      '--data-raw',
      'username=langflow&password=langflow',
      'http://127.0.0.1:7860/api/v1/login',
    ]);
    expect(parseCurlOutput('{"detail":"x"}\n401')).toEqual({ status: 401, body: '{"detail":"x"}' });
    expect(parseCurlOutput('a\nb\n200')).toEqual({ status: 200, body: 'a\nb' });
    expect(parseCurlOutput('000')).toEqual({ status: 0, body: '' });
  });
});

describe('environment expectations', () => {
  it('expects every LANGFLOW_* of managedValues, DO_NOT_TRACK, the two secrets and the assembled database URL', () => {
    const a = answers();
    const env = dotenvFor(a);
    const exp = expectedEnv(a, env);
    for (const [k, v] of Object.entries(managedValues(a))) if (k.startsWith('LANGFLOW_')) expect(exp[k]).toBe(v);
    expect(exp.LANGFLOW_SECRET_KEY).toBe(env.LANGFLOW_SECRET_KEY);
    expect(exp.LANGFLOW_SUPERUSER_PASSWORD).toBe(env.LANGFLOW_SUPERUSER_PASSWORD);
    expect(exp.LANGFLOW_DATABASE_URL).toBe(`postgresql://langflow:${env.POSTGRES_PASSWORD}@postgres:5432/langflow`);
    expect(Object.keys(exp).filter((k) => !k.startsWith('LANGFLOW_'))).toEqual(['DO_NOT_TRACK']);
    expect(exp.DO_NOT_TRACK).toBe('true');
    expect(
      expectedEnv(answers({ db: 'sqlite' }), dotenvFor(answers({ db: 'sqlite' }))).LANGFLOW_DATABASE_URL,
    ).toBeUndefined();
  });

  it('compares with printenv, masks secrets by name, and names overrides nobody asked for', () => {
    const a = answers();
    const env = dotenvFor(a);
    const exp = expectedEnv(a, env);
    const running = { ...exp, LANGFLOW_AUTO_LOGIN: 'True', LANGFLOW_ALLOW_CUSTOM_COMPONENTS: 'True', HOME: '/app' };
    delete (running as Record<string, string>).LANGFLOW_ACCESS_SECURE;
    const text = Object.entries(running)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n');
    const rows = compareEnv(exp, parsePrintenv(text));
    expect(rows.filter((r) => !r.ok).map((r) => [r.name, r.running])).toEqual([
      ['LANGFLOW_AUTO_LOGIN', 'True'],
      ['LANGFLOW_ACCESS_SECURE', undefined],
    ]);
    expect(
      rows
        .filter((r) => r.secret)
        .map((r) => r.name)
        .sort(),
    ).toEqual(['LANGFLOW_DATABASE_URL', 'LANGFLOW_SECRET_KEY', 'LANGFLOW_SUPERUSER_PASSWORD']);
    expect(extraLangflowVars(exp, parsePrintenv(text))).toEqual(['LANGFLOW_ALLOW_CUSTOM_COMPONENTS']);
  });
});
