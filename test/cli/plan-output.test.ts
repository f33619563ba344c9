// What `--dry-run` prints, through the built binary (run `npm run build` first; `npm test` does): a first install's
// plan fits one screen (new files one line each, harden-init's own files only counted), a re-run that changes one
// setting shows that change's diff and little else, and --diff shows the new files in full with secrets masked.
// Snapshots in __snapshots__/plan/, temp paths, sizes and the version normalised.
import { describe, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, runBin, tempDir, RELEASES_DIR } from '../helpers/run-bin.js';
import { envOf } from '../safety/helpers.js';

const FIRST = ['--domain', 'appwrite.example.com', '--email', 'admin@example.com', '--yes'];
/** A screen of 120×40 holds at most 60 lines of output with the intro and the outro scrolled by once. */
const SCREEN = 60;

function normalised(out: string, dir: string): string {
  return (
    out
      .split(dir)
      .join('<dir>')
      .split(RELEASES_DIR)
      .join('<releases>')
      .replace(/harden-init \d+\.\d+\.\d+(-[\w.]+)?/g, 'harden-init <version>')
      .replace(/ +\d+(\.\d)? (kB|MB|B)\b/g, ' <size>')
      // A box is as wide as its longest line (the directory's, on a machine with a long TMPDIR): its padding is not content.
      .replace(/ +│$/gm, ' │')
      .replace(/─{2,}/g, '──')
  );
}

const snapshot = (name: string) => join(ROOT, 'test/cli/__snapshots__/plan', `${name}.txt`);

describe.concurrent('the plan a dry run prints', () => {
  it('first install: a summary and one line per new file; no file content, no secret, nothing of .harden-init/ but a count', async ({
    expect,
  }) => {
    const dir = join(tempDir('hi-plan-'), 'appwrite');
    const r = await runBin(['--dir', dir, ...FIRST, '--dry-run']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(existsSync(dir)).toBe(false);
    const out = r.stdout;
    expect(out.split('\n').length, out).toBeLessThanOrEqual(SCREEN);
    expect(out).toMatch(/Plan: 3 new files, and 2 of harden-init's own files/);
    expect(out).toMatch(/new +\.env +\d[\d.]* k?B +settings and \d+ secrets \(not shown\)/);
    expect(out).toMatch(/new +docker-compose\.yml +\d[\d.]* k?B +the Compose stack: \d+ services/);
    expect(out).not.toMatch(/\.harden-init\/(state\.json|compose-written\.yml|upstream)/);
    expect(out).not.toMatch(/_APP_[A-Z_]+=/); // no line of .env
    expect(out).not.toMatch(/^\s*\+?\s*image: /m); // no line of the compose file
    expect(out).toContain('--diff shows the new files in full');
    await expect(normalised(out, dir)).toMatchFileSnapshot(snapshot('appwrite-first-install'));
  });

  it('re-run changing one setting: that change as a diff, the state file only counted', async ({ expect }) => {
    const dir = join(tempDir('hi-plan-'), 'appwrite');
    expect((await runBin(['--dir', dir, ...FIRST, '--no-start'])).exitCode).toBe(0);
    const r = await runBin(['--dir', dir, '--console', 'open', '--dry-run']);
    expect(r.exitCode, r.stderr).toBe(0);
    const out = r.stdout;
    expect(out).toMatch(/Plan: 1 changed, and 1 of harden-init's own files/);
    expect(out).toMatch(/changed +\.env +\+1 -1 lines, below/);
    expect(out).toMatch(/-_APP_CONSOLE_WHITELIST_ROOT=enabled\s*│?\n[│\s]*\+_APP_CONSOLE_WHITELIST_ROOT=disabled/);
    expect(out).not.toMatch(/state\.json|"console"/);
    // The diff is the change and its three lines of context either side, nothing more of .env.
    expect(out.match(/^│\s+[ +-]_APP_/gm)?.length).toBe(8);
    for (const v of Object.values(envOf(dir))) if (v.length >= 24) expect(out).not.toContain(v);
    await expect(normalised(out, dir)).toMatchFileSnapshot(snapshot('appwrite-rerun-one-setting'));
  });

  it("--diff: every new file in full, secrets masked; harden-init's own files still only counted", async ({
    expect,
  }) => {
    const dir = join(tempDir('hi-plan-'), 'appwrite');
    const r = await runBin(['--dir', dir, ...FIRST, '--dry-run', '--diff']);
    expect(r.exitCode, r.stderr).toBe(0);
    const out = r.stdout;
    expect(out).toMatch(/\.env \(new file, \d+ lines\)/);
    expect(out).toMatch(/docker-compose\.yml \(new file, \d+ lines\)/);
    expect(out).toMatch(/\+_APP_OPENSSL_KEY_V1=\*{8}/);
    expect(out).toMatch(/\+_APP_DOMAIN=appwrite\.example\.com/);
    expect(out).not.toMatch(/\.harden-init\/(state\.json|compose-written\.yml)/);
    expect(out).not.toContain('--diff shows');
  });

  it('Langflow first install: the Caddyfile named with the rest, on one screen', async ({ expect }) => {
    const dir = join(tempDir('hi-plan-'), 'langflow');
    const r = await runBin(['langflow', '--dir', dir, '--domain', 'langflow.example.com', '--yes', '--dry-run']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout.split('\n').length).toBeLessThanOrEqual(SCREEN);
    expect(r.stdout).toMatch(/new +Caddyfile +\d[\d.]* k?B +the Caddy proxy's configuration/);
    await expect(normalised(r.stdout, dir)).toMatchFileSnapshot(snapshot('langflow-first-install'));
  });
});
