import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  carryEdits,
  describeChanges,
  stepChanges,
  upgradePath,
} from '../../../../src/targets/appwrite/upgrade/path.js';
import { ROOT } from '../../../helpers/run-bin.js';
import { unfinishedStep } from '../../../../src/targets/appwrite/upgrade/route.js';
import type { HistoryEntry } from '../../../../src/engine/state.js';

const rel = (v: string, f: string) => readFileSync(join(ROOT, 'test/fixtures/releases', v, f), 'utf8');
const names = (v: string) => [...rel(v, 'variables.php').matchAll(/'name'\s*=>\s*'([^']+)'/g)].map((m) => m[1]!);
const path = (a: string, b: string) => upgradePath(a, b).map((s) => `${s.from}>${s.to}`);

describe("upgradePath: the steps Appwrite's guide requires", () => {
  it('1.9.x goes to 1.9.10 in one step', () => {
    expect(path('1.9.5', '1.9.10')).toEqual(['1.9.5>1.9.10']);
    expect(path('1.9.6', '1.9.8')).toEqual(['1.9.6>1.9.8']);
  });
  it('1.9 → 2.x: 1.9.10 first, then 2.3 (it migrates 1.9.6+), then one minor at a time', () => {
    expect(path('1.9.5', '2.3.0')).toEqual(['1.9.5>1.9.10', '1.9.10>2.3.0']);
    expect(path('1.9.10', '2.3.0')).toEqual(['1.9.10>2.3.0']);
    expect(path('1.9.5', '2.7.1')).toEqual([
      '1.9.5>1.9.10',
      '1.9.10>2.3.1',
      '2.3.1>2.4.0',
      '2.4.0>2.5.0',
      '2.5.0>2.6.2',
      '2.6.2>2.7.1',
    ]);
  });
  it('1.9 → a 2.x release before 2.3 enters at 2.0', () => {
    expect(path('1.9.10', '2.2.0')).toEqual(['1.9.10>2.0.0', '2.0.0>2.1.0', '2.1.0>2.2.0']);
  });
  it('within 2.x: patch in one step; minors one at a time, newest patch of each', () => {
    expect(path('2.3.0', '2.3.1')).toEqual(['2.3.0>2.3.1']);
    expect(path('2.3.0', '2.6.2')).toEqual(['2.3.0>2.4.0', '2.4.0>2.5.0', '2.5.0>2.6.2']);
    expect(path('2.6.2', '2.8.0')).toEqual(['2.6.2>2.7.1', '2.7.1>2.8.0']); // newer than the table: its own step
  });
  it('same release: no step; downgrades and other lines refused', () => {
    expect(upgradePath('2.7.1', '2.7.1')).toEqual([]);
    expect(() => upgradePath('2.3.0', '1.9.10')).toThrow(/no reverse migration/);
    expect(() => upgradePath('1.9.10', '1.9.6')).toThrow(/no reverse migration/);
    expect(() => upgradePath('1.8.0', '1.9.10')).toThrow(/1.9 and 2.x/);
    expect(() => upgradePath('1.9.10', '3.0.0')).toThrow(/1.9 and 2.x/);
  });
});

describe("stepChanges: computed from the two releases' own files", () => {
  const a = { version: '1.9.6', compose: rel('1.9.6', 'docker-compose.yml'), variables: names('1.9.6') };
  const b = { version: '2.3.0', compose: rel('2.3.0', 'docker-compose.yml'), variables: names('2.3.0') };
  const c = stepChanges(a, b);
  it('services added and removed', () => {
    expect(c.servicesAdded).toEqual(
      expect.arrayContaining([
        'clickhouse',
        'orchestrator',
        'appwrite-worker',
        'appwrite-task-scheduler',
        'appwrite-mqtt',
      ]),
    );
    expect(c.servicesRemoved).toEqual(
      expect.arrayContaining(['appwrite-worker-audits', 'appwrite-task-scheduler-functions']),
    );
  });
  it('variables added (new secrets among them) and dropped', () => {
    expect(c.variablesAdded).toEqual(
      expect.arrayContaining(['_APP_JOBS_SECRET', '_APP_GEO_SECRET', '_APP_USAGE_PASS', '_APP_CONSOLE_URL']),
    );
    expect(c.variablesDropped).toEqual(
      expect.arrayContaining(['_APP_LOGGING_PROVIDER', '_APP_USAGE_AGGREGATION_INTERVAL']),
    );
    expect(c.variablesDropped).not.toContain('_APP_OPENSSL_KEY_V1');
  });
  it('ports: 2.3 publishes the MQTT ports upstream', () => {
    expect(c.portsAdded.join(' ')).toMatch(/8883/);
  });
  it('the rename _APP_CONSOLE_URL_SCHEME → _APP_CONSOLE_URL at 2.3 is crossed; only listed when the old release knew it', () => {
    expect(c.renamesCrossed).toEqual([{ from: '_APP_CONSOLE_URL_SCHEME', to: '_APP_CONSOLE_URL' }]);
    expect(c.renamed).toEqual([]);
    const withOld = stepChanges({ ...a, version: '2.2.0', variables: [...a.variables, '_APP_CONSOLE_URL_SCHEME'] }, b);
    expect(withOld.renamed).toEqual([{ from: '_APP_CONSOLE_URL_SCHEME', to: '_APP_CONSOLE_URL' }]);
    expect(withOld.variablesDropped).not.toContain('_APP_CONSOLE_URL_SCHEME');
    expect(describeChanges(withOld).join('\n')).toMatch(/renamed: _APP_CONSOLE_URL_SCHEME → _APP_CONSOLE_URL/);
  });
  it('a patch step of the same files changes nothing', () => {
    expect(describeChanges(stepChanges(a, { ...a, version: '1.9.10' }))).toEqual([
      'no service, variable or port changes',
    ]);
  });
});

describe('carryEdits: renamed carried, dropped removed, unknown and kept keys stay', () => {
  const c = stepChanges(
    {
      version: '2.2.0',
      compose: 'services: {}\n',
      variables: ['_APP_CONSOLE_URL_SCHEME', '_APP_LOGGING_PROVIDER', '_APP_DOMAIN', '_APP_KEEP'],
    },
    { version: '2.3.0', compose: 'services: {}\n', variables: ['_APP_CONSOLE_URL', '_APP_DOMAIN'] },
  );
  it('carries the scheme into the full URL and removes dropped variables', () => {
    const env = {
      _APP_CONSOLE_URL_SCHEME: 'https',
      _APP_DOMAIN: 'aw.example.com',
      _APP_LOGGING_PROVIDER: 'x',
      _APP_KEEP: '1',
      MINE: 'y',
    };
    const e = carryEdits(env, c, new Set(['_APP_KEEP']));
    expect(e.set).toEqual({ _APP_CONSOLE_URL: 'https://aw.example.com' });
    expect(e.remove.sort()).toEqual(['_APP_CONSOLE_URL_SCHEME', '_APP_LOGGING_PROVIDER']);
    expect(e.dropped).toEqual(['_APP_LOGGING_PROVIDER']);
    expect(e.remove).not.toContain('MINE');
  });
  it('a dropped secret-looking variable is kept, never removed', () => {
    const d = stepChanges(
      {
        version: '2.2.0',
        compose: 'services: {}\n',
        variables: ['_APP_OLD_SECRET', '_APP_OPENSSL_KEY_V1', '_APP_LOGGING_PROVIDER'],
      },
      { version: '2.3.0', compose: 'services: {}\n', variables: ['_APP_LOGGING_PROVIDER'] },
    );
    const e = carryEdits({ _APP_OLD_SECRET: 's', _APP_OPENSSL_KEY_V1: 'k', _APP_LOGGING_PROVIDER: 'x' }, d);
    expect(e.remove).toEqual([]);
    expect(e.dropped).toEqual([]);
  });
  it('an already set new name wins', () => {
    const e = carryEdits(
      { _APP_CONSOLE_URL_SCHEME: 'http', _APP_CONSOLE_URL: 'https://c.example.com', _APP_DOMAIN: 'x' },
      c,
    );
    expect(e.set).toEqual({});
    expect(e.remove).toContain('_APP_CONSOLE_URL_SCHEME');
  });
});

describe('unfinishedStep: the step a failed run left, which --resume finishes', () => {
  const entry = (result: HistoryEntry['result'], to = '2.3.0'): HistoryEntry => ({
    from: '1.9.10',
    to,
    when: '2026-11-25T20:00:00.000Z',
    backup: '.harden-init/backups/x',
    result,
  });
  const state = (...history: HistoryEntry[]) => ({
    schema: 1 as const,
    target: 'appwrite',
    templateVersion: '2.3.0',
    release: '2.3.0',
    answers: {},
    history,
  });
  it('a start, migration or verification that failed, at the release the install is at', () => {
    for (const r of ['start-failed', 'migrate-failed', 'verify-failed'] as const)
      expect(unfinishedStep(state(entry(r)), '2.3.0')?.result).toBe(r);
  });
  it('none after a step that ended done or only wrote its files (--no-start), or when the install is elsewhere (rolled back)', () => {
    expect(unfinishedStep(state(entry('done')), '2.3.0')).toBeUndefined();
    expect(unfinishedStep(state(entry('files-written')), '2.3.0')).toBeUndefined();
    expect(unfinishedStep(state(entry('migrate-failed')), '1.9.10')).toBeUndefined();
    expect(unfinishedStep(state(entry('migrate-failed'), entry('done', '2.4.0')), '2.4.0')).toBeUndefined();
    expect(unfinishedStep(state(), '2.3.0')).toBeUndefined();
    expect(unfinishedStep(undefined, '2.3.0')).toBeUndefined();
  });
});
