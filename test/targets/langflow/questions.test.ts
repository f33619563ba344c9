import { describe, expect, it } from 'vitest';
import { DB_MODES, HTTPS_MODES, answersError } from '../../../src/targets/langflow/answers.js';
import {
  EMAILS_REFUSED,
  LANGFLOW_QUESTIONS,
  QUESTIONS,
  canonicalIpOrRange,
  dbPasswordError,
  ipOrRangeError,
  questionFor,
  superuserError,
} from '../../../src/targets/langflow/questions.js';
import { answers } from './combos.js';

const parse = (id: Parameters<typeof questionFor>[0], raw: string) => questionFor(id).parse(raw);

describe('Langflow questions', () => {
  it('has one question per answer, unique flags, in the shape of src/questions.ts', () => {
    const ids = LANGFLOW_QUESTIONS.map((q) => q.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(LANGFLOW_QUESTIONS.map((q) => q.flag)).size).toBe(ids.length);
    expect(ids.sort()).toEqual(
      [
        'console',
        'consoleIps',
        'db',
        'dbHost',
        'dbName',
        'dbPath',
        'dbPort',
        'dbUser',
        'domain',
        'email',
        'https',
        'httpPort',
        'httpsPort',
        'release',
        'superuser',
      ].sort(),
    );
    expect(QUESTIONS).toBe(LANGFLOW_QUESTIONS);
    for (const q of LANGFLOW_QUESTIONS) {
      expect(q.help.length, q.flag).toBeGreaterThan(10);
      if (q.kind === 'select')
        for (const c of q.choices!) expect(q.parse(c.value), `${q.flag} ${c.value}`).toEqual({ value: c.value });
    }
  });

  it('refuses --console emails with a reason', () => {
    expect(parse('console', 'emails')).toEqual({ error: EMAILS_REFUSED });
    expect(EMAILS_REFUSED).toBe('Langflow has no e-mail allowlist; use root, ips or open');
    expect(parse('console', 'ips')).toEqual({ value: 'ips' });
    expect(parse('console', 'everyone').error).toMatch(/one of root, ips, open/);
  });

  it('offers the ips mode only with the bundled proxy', () => {
    const q = questionFor('console');
    expect(q.choicesFor!({ https: 'proxy' }).map((c) => c.value)).toEqual(['root', 'open']);
    expect(q.choicesFor!({ https: 'auto' }).map((c) => c.value)).toEqual(['root', 'ips', 'open']);
    expect(answersError(answers({ https: 'proxy', console: 'ips', consoleIps: ['203.0.113.7'] }))).toMatch(
      /bundled proxy/,
    );
    expect(answersError(answers({ https: 'off', console: 'ips' }))).toBeUndefined();
  });

  it('takes addresses and CIDR ranges for the allowlist, canonical and deduplicated', () => {
    expect(parse('consoleIps', '203.0.113.7, 10.0.0.0/8,2001:DB8:0::/32,2001:db8::/32')).toEqual({
      value: ['203.0.113.7', '10.0.0.0/8', '2001:db8::/32'],
    });
    expect(canonicalIpOrRange('2001:0DB8::0001')).toBe('2001:db8::1');
    expect(canonicalIpOrRange('10.0.0.0/08')).toBe('10.0.0.0/8');
    expect(ipOrRangeError('10.0.0.0/33')).toMatch(/0-32/);
    expect(ipOrRangeError('0.0.0.0/0')).toMatch(/--console open/);
    expect(ipOrRangeError('::/0')).toMatch(/--console open/);
    expect(ipOrRangeError('0.0.0.0')).toMatch(/unspecified/);
    expect(ipOrRangeError('fe80::1%eth0')).toMatch(/zone id/);
    expect(ipOrRangeError('example.com')).toMatch(/not an IPv4/);
    expect(ipOrRangeError('2001:db8::/129')).toMatch(/0-128/);
    expect(parse('consoleIps', ' , ').error).toMatch(/at least one/);
  });

  it('asks the e-mail only with https auto, and it may be empty', () => {
    const q = questionFor('email');
    expect(q.when({ https: 'auto' })).toBe(true);
    expect(q.when({ https: 'proxy' })).toBe(false);
    expect(q.parse('')).toEqual({ value: '' });
    expect(q.parse('Ops@Example.com')).toEqual({ value: 'ops@example.com' });
    expect(q.parse('nope').error).toBeTruthy();
    expect(q.warn!('')).toMatch(/renewed/);
  });

  it('defaults: release 1.13.1, superuser admin, db volume, port 7860 in proxy mode', () => {
    expect(questionFor('release').fallback).toBe('1.13.1');
    expect(questionFor('superuser').fallback).toBe('admin');
    expect(questionFor('db').fallback).toBe('volume');
    expect(questionFor('httpPort').fallbackFor!({ https: 'proxy' })).toBe(7860);
    expect(questionFor('httpPort').fallbackFor!({ https: 'auto' })).toBe(80);
    expect(questionFor('dbPort').fallback).toBe(5432);
    expect(parse('release', 'latest').error).toMatch(/x\.y\.z/);
  });

  it('asks the host directory for path and sqlite, the server for external', () => {
    expect(questionFor('dbPath').when({ db: 'sqlite' })).toBe(true);
    expect(questionFor('dbPath').when({ db: 'path' })).toBe(true);
    expect(questionFor('dbPath').when({ db: 'volume' })).toBe(false);
    for (const id of ['dbHost', 'dbPort', 'dbUser', 'dbName'] as const) {
      expect(questionFor(id).when({ db: 'external' })).toBe(true);
      expect(questionFor(id).when({ db: 'sqlite' })).toBe(false);
    }
    expect(parse('dbPath', '/srv/langflow//data/')).toEqual({ value: '/srv/langflow/data' });
    expect(parse('dbPath', 'relative').error).toMatch(/absolute/);
    expect(parse('dbPath', '/etc').error).toBeTruthy();
  });

  it('validates the superuser name and refuses the well-known default', () => {
    expect(superuserError('admin')).toBeUndefined();
    expect(superuserError('ops.team@corp')).toBeUndefined();
    expect(superuserError('langflow')).toMatch(/well-known/);
    expect(superuserError('with space')).toBeTruthy();
    expect(superuserError("qu'ote")).toBeTruthy();
  });

  it('accepts only external DB passwords that need no URL encoding', () => {
    expect(dbPasswordError('s3cret_PW-1.x~')).toBeUndefined();
    for (const bad of ['a@b', 'a:b', 'a/b', 'a%b', 'a#b', 'a b', "a'b", 'a$b', ''])
      expect(dbPasswordError(bad), bad).toBeTruthy();
  });

  it('knows every HTTPS and DB mode as a choice', () => {
    expect(questionFor('https').choices!.map((c) => c.value)).toEqual([...HTTPS_MODES]);
    expect(questionFor('db').choices!.map((c) => c.value)).toEqual([...DB_MODES]);
  });
});
