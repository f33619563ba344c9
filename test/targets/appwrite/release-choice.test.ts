// Which release a run installs: the newest for a new install, the install's own on a re-run, never a
// known-vulnerable one without asking, never a silent switch.
import { describe, expect, it } from 'vitest';
import { chooseRelease, releaseFromCompose, type ReleaseInput } from '../../../src/targets/appwrite/release-choice.js';
import { NEWEST_RELEASE } from '../../../src/targets/appwrite/releases.js';
import { CliError, EXIT } from '../../../src/core/errors.js';

const input = (i: Partial<ReleaseInput>): ReleaseInput => ({
  existing: false,
  allowInsecure: false,
  newest: NEWEST_RELEASE,
  dirArg: './appwrite',
  ...i,
});

/** The usage error chooseRelease throws (exit 2), message and hint together. */
function refusal(i: Partial<ReleaseInput>): { message: string; hint: string } {
  try {
    chooseRelease(input(i));
  } catch (e) {
    expect(e).toBeInstanceOf(CliError);
    expect((e as CliError).exitCode).toBe(EXIT.usage);
    return { message: (e as CliError).message, hint: (e as CliError).hint ?? '' };
  }
  throw new Error(`chooseRelease(${JSON.stringify(i)}) did not refuse`);
}

describe('a new install', () => {
  it('gets the newest 2.x, 2.7.1, with nothing to warn about', () => {
    expect(chooseRelease(input({}))).toEqual({ release: '2.7.1', warnings: [], notes: [] });
  });

  it("gets the release --release names when it is at or above its line's minimum", () => {
    for (const v of ['2.6.2', '2.7.0', '2.7.1', '1.9.10']) {
      expect(chooseRelease(input({ given: v })), v).toEqual({ release: v, warnings: [], notes: [] });
    }
  });

  it.each([
    ['1.9.5', '1.9.10'],
    ['1.9.9', '1.9.10'],
    ['2.3.0', '2.7.1'],
    ['2.6.1', '2.7.1'],
  ])("--release %s is refused: the CVE, the line's newest and --allow-insecure-release", (v, newest) => {
    const { message, hint } = refusal({ given: v });
    expect(message).toContain(`Appwrite ${v} is below`);
    expect(message).toContain('CVE-2026-111497');
    expect(hint).toContain(`--release ${newest}`);
    expect(hint).toContain('--allow-insecure-release');
  });

  it('with --allow-insecure-release an old release is installed, loudly', () => {
    const c = chooseRelease(input({ given: '1.9.5', allowInsecure: true }));
    expect(c.release).toBe('1.9.5');
    expect(c.warnings).toHaveLength(1);
    expect(c.warnings[0]).toMatch(
      /^SECURITY: installing Appwrite 1\.9\.5, below the 1\.9 line's minimum 1\.9\.10.*CVE-2026-111497/,
    );
  });

  it('a release newer than the table is accepted, with a note that its files decide', () => {
    const c = chooseRelease(input({ given: '2.8.0' }));
    expect(c.release).toBe('2.8.0');
    expect(c.warnings).toEqual([]);
    expect(c.notes.join('\n')).toMatch(/Appwrite 2\.8\.0 is newer than harden-init's release table.*refused/);
  });

  it('a release of no supported line is refused', () => {
    expect(refusal({ given: '3.0.0' }).message).toMatch(
      /--release 3\.0\.0: harden-init installs Appwrite's 2\.x and 1\.9 lines/,
    );
    expect(refusal({ given: '1.8.1' }).message).toMatch(/2\.x and 1\.9 lines/);
  });
});

describe('an existing install', () => {
  it('keeps its release even when a newer one exists, without a word', () => {
    expect(chooseRelease(input({ existing: true, installed: '2.6.2' }))).toEqual({
      release: '2.6.2',
      warnings: [],
      notes: [],
    });
    expect(chooseRelease(input({ existing: true, installed: '1.9.10' }))).toEqual({
      release: '1.9.10',
      warnings: [],
      notes: [],
    });
  });

  it('below the minimum: kept (never switched silently), with a loud warning and the exact upgrade command', () => {
    const c = chooseRelease(input({ existing: true, installed: '1.9.6', dirArg: '/srv/my apps/appwrite' }));
    expect(c.release).toBe('1.9.6');
    expect(c.warnings).toHaveLength(1);
    const [w] = c.warnings;
    expect(w).toMatch(/^SECURITY: this install runs Appwrite 1\.9\.6, below the 1\.9 line's minimum 1\.9\.10\./);
    expect(w).toContain('CVE-2026-111497');
    expect(w).toContain("Upgrade now: npx harden-init --dir '/srv/my apps/appwrite' --release 1.9.10");
  });

  it('a 2.x install below the minimum is pointed at the newest 2.x', () => {
    const [w] = chooseRelease(input({ existing: true, installed: '2.3.0' })).warnings;
    expect(w).toContain('npx harden-init --dir ./appwrite --release 2.7.1');
  });

  it('an upgrade within the line is allowed, with the migration to run afterwards', () => {
    const c = chooseRelease(input({ existing: true, installed: '2.6.2', given: '2.7.1', dirArg: '/srv/aw dir' }));
    expect(c.release).toBe('2.7.1');
    expect(c.warnings).toEqual([]);
    expect(c.notes).toEqual([
      `Release 2.6.2 → 2.7.1: after the stack is up, run Appwrite's data migration: cd '/srv/aw dir' && docker compose exec appwrite migrate`,
    ]);
  });

  it("an upgrade from below the minimum to the line's newest is the way out: no warning left", () => {
    const c = chooseRelease(input({ existing: true, installed: '1.9.6', given: '1.9.10' }));
    expect(c.release).toBe('1.9.10');
    expect(c.warnings).toEqual([]);
    expect(c.notes.join()).toContain('docker compose exec appwrite migrate');
  });

  it.each([
    ['1.9.10', '2.7.1'],
    ['2.7.1', '1.9.10'],
  ])("moving between lines (%s → %s) is refused: that is the upgrade command's job", (installed, given) => {
    const { message, hint } = refusal({ existing: true, installed, given });
    expect(message).toContain(
      `--release ${given}: the install runs ${installed}; moving between the 1.9 and 2.x lines`,
    );
    expect(hint).toMatch(/harden-init upgrade/);
  });

  it('a downgrade is refused (Appwrite has no reverse migration)', () => {
    const { message, hint } = refusal({ existing: true, installed: '2.7.1', given: '2.6.2' });
    expect(message).toMatch(/--release 2\.6\.2: the install runs 2\.7\.1, and Appwrite has no reverse migration/);
    expect(hint).toMatch(/dump/);
  });

  it('with no determinable release and no --release: refused, asking for the one it runs', () => {
    const { message, hint } = refusal({ existing: true, installed: undefined, dirArg: '/srv/aw' });
    expect(message).toBe('Cannot tell which Appwrite release the install in /srv/aw runs.');
    expect(hint).toMatch(/--release/);
    // With --release the run goes ahead on that release.
    expect(chooseRelease(input({ existing: true, given: '2.7.1' })).release).toBe('2.7.1');
  });
});

describe('releaseFromCompose', () => {
  it('reads the pinned appwrite/appwrite tag', () => {
    expect(releaseFromCompose('services:\n  appwrite:\n    image: appwrite/appwrite:1.9.6\n')).toBe('1.9.6');
    expect(releaseFromCompose('services:\n  appwrite:\n    image: "docker.io/appwrite/appwrite:2.7.1"\n')).toBe(
      '2.7.1',
    );
    expect(releaseFromCompose("services:\n  appwrite:\n    image: 'appwrite/appwrite:2.3.0'\n")).toBe('2.3.0');
  });
  it('finds nothing in other images, unpinned tags, or no file', () => {
    expect(releaseFromCompose(undefined)).toBeUndefined();
    expect(releaseFromCompose('')).toBeUndefined();
    expect(releaseFromCompose('services:\n  console:\n    image: appwrite/console:7.4.7\n')).toBeUndefined();
    expect(releaseFromCompose('services:\n  appwrite:\n    image: appwrite/appwrite:latest\n')).toBeUndefined();
    expect(releaseFromCompose('services:\n  appwrite:\n    image: appwrite/appwrite:2.7.1-rc.1\n')).toBeUndefined();
    expect(releaseFromCompose('# image: appwrite/appwrite:1.9.5 was here\n')).toBeUndefined();
  });
  it('reads the release from a compose file harden-init wrote', async () => {
    const { plan } = await import('../../helpers/plan.js');
    const { BASE_19, counter, fileOf, templateOf } = await import('../../helpers/fixtures.js');
    const p = plan(BASE_19, { dir: '/x' }, templateOf('1.9.10'), { composePolicy: 'keep', random: counter() });
    expect(releaseFromCompose(fileOf(p, 'docker-compose.yml'))).toBe('1.9.10');
  });
});
