import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  INSECURE_REASON,
  NEWEST_RELEASE,
  RELEASE_LINES,
  compareReleases,
  consoleAtRoot,
  dbEnginesFor,
  defaultDbEngine,
  defaultTopology,
  hasAllowedInternalAddresses,
  hasMigrationsAllowedHosts,
  hasMqtt,
  hasTrustedProxies,
  lineOf,
  parseRelease,
  releaseCheck,
} from '../../../src/targets/appwrite/releases.js';

describe('release table', () => {
  it('two lines with their newest and minimum', () => {
    expect(RELEASE_LINES.map((l) => [l.line, l.newest, l.minimum])).toEqual([
      ['2.x', '2.7.1', '2.6.2'],
      ['1.9', '1.9.10', '1.9.10'],
    ]);
    expect(NEWEST_RELEASE).toBe('2.7.1');
  });

  it('known lists are sorted, belong to their line, and end with the newest', () => {
    for (const l of RELEASE_LINES) {
      expect([...l.known].sort(compareReleases)).toEqual(l.known);
      expect(l.known.every((v) => lineOf(v) === l.line)).toBe(true);
      expect(l.known.at(-1)).toBe(l.newest);
      expect(l.known).toContain(l.minimum);
    }
    expect(RELEASE_LINES[0]!.known).toHaveLength(12);
    expect(RELEASE_LINES[1]!.known).toEqual(['1.9.5', '1.9.6', '1.9.7', '1.9.8', '1.9.9', '1.9.10']);
  });

  it('INSECURE_REASON names the CVE, the advisory and the other fixes', () => {
    for (const s of [
      'CVE-2026-111497',
      'GHSA-9v8h-qqgm-4m35',
      'critical',
      'Brotli',
      'HTTP client',
      'JWT',
      'API-key',
      'SSRF',
    ]) {
      expect(INSECURE_REASON).toContain(s);
    }
  });
});

describe('parseRelease / compareReleases / lineOf', () => {
  it('accepts plain x.y.z only', () => {
    expect(parseRelease('2.7.1')).toEqual({ major: 2, minor: 7, patch: 1 });
    expect(parseRelease('1.9.10')).toEqual({ major: 1, minor: 9, patch: 10 });
    for (const bad of [
      'latest',
      '2.7.1-rc.1',
      '1.9.5-rc.2',
      'v2.7.1',
      '2.7',
      '2.7.1.0',
      ' 2.7.1',
      '2.07.1',
      '',
      '2.x',
    ]) {
      expect(parseRelease(bad), bad).toBeUndefined();
    }
  });

  it('compares numerically, not as text', () => {
    expect(compareReleases('1.9.10', '1.9.9')).toBeGreaterThan(0);
    expect(compareReleases('1.9.6', '2.0.0')).toBeLessThan(0);
    expect(compareReleases('2.6.2', '2.6.2')).toBe(0);
    expect(compareReleases('2.10.0', '2.7.1')).toBeGreaterThan(0);
    expect(() => compareReleases('latest', '2.7.1')).toThrow(/not a release number/);
  });

  it('property: compareReleases is a total order consistent with the numbers', () => {
    const rel = fc.tuple(fc.nat(30), fc.nat(30), fc.nat(30));
    fc.assert(
      fc.property(rel, rel, ([a, b, c], [x, y, z]) => {
        const r = compareReleases(`${a}.${b}.${c}`, `${x}.${y}.${z}`);
        const expected = a - x || b - y || c - z;
        expect(Math.sign(r)).toBe(Math.sign(expected));
        expect(Math.sign(compareReleases(`${x}.${y}.${z}`, `${a}.${b}.${c}`))).toBe(-Math.sign(expected));
      }),
      { numRuns: 500 },
    );
  });

  it('lineOf: any 2.y.z and any 1.9.z, including releases later than the table', () => {
    expect(lineOf('2.0.0')).toBe('2.x');
    expect(lineOf('2.9.4')).toBe('2.x');
    expect(lineOf('1.9.5')).toBe('1.9');
    expect(lineOf('1.9.11')).toBe('1.9');
    for (const v of ['1.8.1', '1.9.5-rc.1', '3.0.0', '0.9.0', 'latest', '1.10.0']) expect(lineOf(v), v).toBeUndefined();
  });
});

describe('releaseCheck', () => {
  it('flags releases below the minimum of their line', () => {
    expect(releaseCheck('2.6.1')).toEqual({
      line: '2.x',
      known: true,
      belowMinimum: true,
      minimum: '2.6.2',
      newestOfLine: '2.7.1',
    });
    expect(releaseCheck('2.6.2')).toMatchObject({ known: true, belowMinimum: false });
    expect(releaseCheck('1.9.6')).toEqual({
      line: '1.9',
      known: true,
      belowMinimum: true,
      minimum: '1.9.10',
      newestOfLine: '1.9.10',
    });
    expect(releaseCheck('1.9.10')).toMatchObject({ belowMinimum: false, known: true });
  });

  it('later releases are allowed but unknown; other lines are not checked', () => {
    expect(releaseCheck('2.8.0')).toEqual({
      line: '2.x',
      known: false,
      belowMinimum: false,
      minimum: '2.6.2',
      newestOfLine: '2.7.1',
    });
    expect(releaseCheck('1.9.11')).toMatchObject({ line: '1.9', known: false, belowMinimum: false });
    expect(releaseCheck('2.4.1')).toMatchObject({ known: false, belowMinimum: true });
    expect(releaseCheck('1.8.1')).toBeUndefined();
    expect(releaseCheck('3.0.0')).toBeUndefined();
    expect(releaseCheck('latest')).toBeUndefined();
  });
});

describe('per-release features', () => {
  it('topology, database engines, console path', () => {
    expect(defaultTopology('2.7.1')).toBe('combined');
    expect(defaultTopology('1.9.10')).toBeUndefined();
    expect(defaultDbEngine('2.0.0')).toBe('postgresql');
    expect(defaultDbEngine('1.9.10')).toBe('mariadb');
    expect(defaultDbEngine('1.8.0')).toBeUndefined();
    expect(dbEnginesFor('2.7.1')).toEqual(['postgresql', 'mariadb']);
    expect(dbEnginesFor('1.9.6')).toEqual(['mariadb']);
    expect(dbEnginesFor('3.0.0')).toEqual([]);
    expect(consoleAtRoot('2.0.0')).toBe(true);
    expect(consoleAtRoot('1.9.10')).toBe(false);
  });

  it.each([
    // version, mqtt, trustedProxies, migrationsAllowedHosts, allowedInternalAddresses
    ['1.9.5', false, false, false, false],
    ['1.9.6', false, false, false, false],
    ['1.9.7', false, false, true, false],
    ['1.9.9', false, false, true, false],
    ['1.9.10', false, false, true, true],
    ['2.0.0', false, false, false, false],
    ['2.2.0', false, false, false, false],
    ['2.3.0', true, true, false, false],
    ['2.3.1', true, true, true, true],
    ['2.7.1', true, true, true, true],
    ['2.12.0', true, true, true, true],
    ['3.0.0', false, false, false, false],
  ] as const)('%s', (v, mqtt, proxies, migHosts, internal) => {
    expect(hasMqtt(v)).toBe(mqtt);
    expect(hasTrustedProxies(v)).toBe(proxies);
    expect(hasMigrationsAllowedHosts(v)).toBe(migHosts);
    expect(hasAllowedInternalAddresses(v)).toBe(internal);
  });
});
