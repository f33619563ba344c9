import { describe, expect, it } from 'vitest';
import {
  ADVISORIES, MINIMUM_RELEASE, NEWEST_RELEASE, advisoriesFor, compareReleases, insecureReason, langflowImage,
  releaseCheck, releaseError, releaseOfImage,
} from '../../../src/targets/langflow/releases.js';

describe('Langflow releases', () => {
  it('pins 1.13.0 and never latest; the minimum is 1.12.0', () => {
    expect(NEWEST_RELEASE).toBe('1.13.0');
    expect(MINIMUM_RELEASE).toBe('1.12.0');
    expect(langflowImage(NEWEST_RELEASE)).toBe('langflowai/langflow:1.13.0');
    expect(() => langflowImage('latest')).toThrow(/not a Langflow release/);
  });

  it('accepts plain x.y.z of the 1.x line only', () => {
    expect(releaseError('1.13.0')).toBeUndefined();
    expect(releaseError('1.14.2')).toBeUndefined();
    for (const bad of ['latest', 'v1.13.0', '1.13', '1.13.0rc1', '1.13.0-rc.1', '']) expect(releaseError(bad)).toMatch(/release number/);
    expect(releaseError('2.0.0')).toMatch(/Langflow 1\.x/);
  });

  it('orders releases numerically', () => {
    expect(compareReleases('1.9.2', '1.12.0')).toBeLessThan(0);
    expect(compareReleases('1.13.0', '1.13.0')).toBe(0);
    expect(() => compareReleases('1.9', '1.9.0')).toThrow();
  });

  it('lists every advisory a release is open to, by the release that fixed it', () => {
    expect(advisoriesFor('1.2.0').map((a) => a.fixedIn)).toEqual(ADVISORIES.map((a) => a.fixedIn));
    expect(advisoriesFor('1.9.0').flatMap((a) => a.ids)).toEqual(['CVE-2026-55450', 'CVE-2026-48519', 'CVE-2026-55447', '1.12 security batch']);
    expect(advisoriesFor('1.12.0')).toEqual([]);
    expect(advisoriesFor(NEWEST_RELEASE)).toEqual([]);
    // the 1.12 batch was backported to 1.11.5
    expect(advisoriesFor('1.11.5')).toEqual([]);
    expect(advisoriesFor('1.11.4').map((a) => a.fixedIn)).toEqual(['1.12.0']);
  });

  it('flags everything below 1.12.0, naming the advisories (critical RCEs called out)', () => {
    expect(releaseCheck('1.12.0').belowMinimum).toBe(false);
    expect(releaseCheck('1.11.5').belowMinimum).toBe(true);
    expect(insecureReason('1.12.0')).toBeUndefined();
    expect(insecureReason('1.2.0')).toMatch(/CVE-2025-3248.*CVE-2026-33017.*unauthenticated remote code execution.*--release 1\.13\.0/);
    expect(insecureReason('1.11.5')).toMatch(/backport/);
    expect(releaseCheck('1.14.0').newerThanKnown).toBe(true);
  });

  it('reads the release back from an image reference', () => {
    expect(releaseOfImage('langflowai/langflow:1.13.0')).toBe('1.13.0');
    expect(releaseOfImage('docker.io/langflowai/langflow:base-1.12.1')).toBe('1.12.1');
    expect(releaseOfImage('langflowai/langflow:latest')).toBeUndefined();
    expect(releaseOfImage('evil/langflowai/langflow:1.13.0')).toBeUndefined();
  });
});
