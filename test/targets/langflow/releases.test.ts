import { describe, expect, it } from 'vitest';
import {
  ADVISORIES,
  MINIMUM_RELEASE,
  NEWEST_RELEASE,
  advisoriesFor,
  compareReleases,
  insecureReason,
  langflowImage,
  openAdvisories,
  releaseCheck,
  releaseError,
  releaseOfImage,
} from '../../../src/targets/langflow/releases.js';

/** The six CVEs published 2026-12-03 for 1.0.0 through 1.13.0, fixed in 1.13.1. */
const DEC_2026 = [
  'CVE-2026-120054',
  'CVE-2026-120069',
  'CVE-2026-120071',
  'CVE-2026-120073',
  'CVE-2026-127061',
  'CVE-2026-127066',
];

describe('Langflow releases', () => {
  it('pins 1.13.1 and never latest; the minimum is 1.13.1', () => {
    expect(NEWEST_RELEASE).toBe('1.13.1');
    expect(MINIMUM_RELEASE).toBe('1.13.1');
    expect(langflowImage(NEWEST_RELEASE)).toBe('langflowai/langflow:1.13.1');
    expect(() => langflowImage('latest')).toThrow(/not a Langflow release/);
  });

  it('accepts plain x.y.z of the 1.x line only', () => {
    expect(releaseError('1.13.0')).toBeUndefined();
    expect(releaseError('1.14.2')).toBeUndefined();
    for (const bad of ['latest', 'v1.13.0', '1.13', '1.13.0rc1', '1.13.0-rc.1', ''])
      expect(releaseError(bad)).toMatch(/release number/);
    expect(releaseError('2.0.0')).toMatch(/Langflow 1\.x/);
  });

  it('orders releases numerically', () => {
    expect(compareReleases('1.9.2', '1.12.0')).toBeLessThan(0);
    expect(compareReleases('1.13.0', '1.13.0')).toBe(0);
    expect(() => compareReleases('1.9', '1.9.0')).toThrow();
  });

  it('lists every advisory a release is open to, by the release that fixed it', () => {
    expect(advisoriesFor('1.2.0').map((a) => a.fixedIn)).toEqual(ADVISORIES.map((a) => a.fixedIn));
    expect(advisoriesFor('1.9.0').flatMap((a) => a.ids)).toEqual([
      'CVE-2026-55450',
      'CVE-2026-48519',
      'CVE-2026-55447',
      '1.12 security batch',
      ...DEC_2026,
    ]);
    expect(advisoriesFor('1.12.0').flatMap((a) => a.ids)).toEqual(DEC_2026);
    expect(advisoriesFor('1.13.0').flatMap((a) => a.ids)).toEqual(DEC_2026);
    expect(advisoriesFor(NEWEST_RELEASE)).toEqual([]);
    // the 1.12 batch was backported to 1.11.5
    expect(advisoriesFor('1.11.5').flatMap((a) => a.ids)).toEqual(DEC_2026);
    expect(advisoriesFor('1.11.4').map((a) => a.fixedIn)).toEqual(['1.12.0', ...DEC_2026.map(() => '1.13.1')]);
    // the unauthenticated one makes a release below 1.13.1 critical
    expect(ADVISORIES.find((a) => a.ids.includes('CVE-2026-127066'))?.critical).toBe(true);
  });

  it('flags everything below 1.13.1, naming each advisory with what it is', () => {
    expect(releaseCheck('1.13.1').belowMinimum).toBe(false);
    expect(releaseCheck('1.13.0').belowMinimum).toBe(true);
    expect(releaseCheck('1.11.5').belowMinimum).toBe(true);
    expect(insecureReason('1.13.1')).toBeUndefined();
    expect(insecureReason('1.2.0')).toMatch(
      /CVE-2025-3248.*unauthenticated remote code execution.*CVE-2026-33017.*CVE-2026-127066.*--release 1\.13\.1/,
    );
    const r = insecureReason('1.13.0')!;
    expect(r).toContain('CVE-2026-120054 (authenticated command execution)');
    expect(r).toContain('CVE-2026-120069 (AST deny-list bypass leading to code execution)');
    expect(r).toContain('CVE-2026-120071 (improper access control)');
    expect(r).toContain("CVE-2026-120073 (predictable virtual flow id: read or delete other users' data)");
    expect(r).toContain('CVE-2026-127061 (broken object-level authorization)');
    expect(r).toContain(
      "CVE-2026-127066 (unauthenticated execution of other users' flows through the agent-to-agent discovery endpoint)",
    );
    expect(r).not.toMatch(/CVE-2025|CVE-2026-3|CVE-2026-5|CVE-2026-4/);
    expect(openAdvisories('1.13.0').split('; ')).toHaveLength(6);
    expect(releaseCheck('1.14.0').newerThanKnown).toBe(true);
  });

  it('reads the release back from an image reference', () => {
    expect(releaseOfImage('langflowai/langflow:1.13.0')).toBe('1.13.0');
    expect(releaseOfImage('docker.io/langflowai/langflow:base-1.12.1')).toBe('1.12.1');
    expect(releaseOfImage('langflowai/langflow:latest')).toBeUndefined();
    expect(releaseOfImage('evil/langflowai/langflow:1.13.0')).toBeUndefined();
  });
});
