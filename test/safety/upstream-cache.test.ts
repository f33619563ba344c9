// The release cache (.harden-init/upstream/<release>-<image id>/) is what the written compose file is rendered from,
// so a planted entry would choose the images the install runs. Every use checks it against the sha256 state.json
// recorded when it was written. Here, without Docker: a changed file is refused (exit 2, naming it, nothing written),
// or, when a release description is at hand, the description is read instead (a warning names the file).
import { chmodSync, cpSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runMain } from '../helpers/run-main.js';
import { RELEASES_DIR, tempDir, unwrapped } from '../helpers/run-bin.js';
import { cacheFiles, cacheRecordOf } from '../../src/targets/appwrite/upstream/cache.js';
import { readReleaseDir } from '../../src/targets/appwrite/upstream/cache.js';
import { imageRef } from '../../src/targets/appwrite/upstream/image.js';
import { parseState, serializeState, STATE_FILE } from '../../src/engine/state.js';

const RELEASE = '2.7.1';
const ID = `sha256:${'5e'.repeat(32)}`;
const ENTRY = `.harden-init/upstream/${RELEASE}-${'5e'.repeat(6)}`;
/** No release description anywhere: an empty $HARDEN_INIT_RELEASES_DIR (the package ships none). */
const NONE = tempDir('hi-norel-');
const offline = { HARDEN_INIT_RELEASES_DIR: NONE };
const args = (dir: string) => ['--dir', dir, '--yes', '--no-start'];

/** Every file under dir: path → content and mode (to prove a refused run changed nothing). */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else out[relative(dir, p)] = `${(st.mode & 0o777).toString(8)} ${readFileSync(p, 'utf8')}`;
    }
  };
  walk(dir);
  return out;
}

/**
 * An install as a run with Docker leaves it: written from the release's files, with their cache entry and state.json's
 * record of it (image id, the sha256 of each cached file). Made here from the release description, as if read from
 * the image.
 */
let base = '';
beforeAll(async () => {
  base = join(tempDir('hi-cache-safety-'), 'aw');
  const r = await runMain([...args(base), '--domain', 'aw.example.com', '--email', 'ops@example.com']);
  expect(r.exitCode, r.stderr).toBe(0);
  const files = { ...readReleaseDir(join(RELEASES_DIR, RELEASE), RELEASE, `image ${imageRef(RELEASE)}`)!, imageId: ID };
  const cf = cacheFiles(files, files.variablesPhp);
  for (const f of cf) {
    mkdirSync(join(base, f.path, '..'), { recursive: true });
    writeFileSync(join(base, f.path), f.content, { mode: f.mode });
  }
  const state = parseState(readFileSync(join(base, STATE_FILE), 'utf8'))!;
  writeFileSync(join(base, STATE_FILE), serializeState({ ...state, imageId: ID, upstreamCache: cacheRecordOf(cf) }), {
    mode: 0o600,
  });
});

const copy = (): string => {
  const dir = join(tempDir('hi-cache-safety-'), 'aw');
  cpSync(base, dir, { recursive: true });
  chmodSync(dir, 0o700);
  return dir;
};

describe('the release cache is checked against state.json before it is used', () => {
  it('an intact entry is used without Docker or a description, and stays recorded', async () => {
    const dir = copy();
    const record = parseState(readFileSync(join(dir, STATE_FILE), 'utf8'))!.upstreamCache;
    const entryBefore = Object.entries(snapshot(dir)).filter(([p]) => p.startsWith(ENTRY));
    const r = await runMain(args(dir), offline);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(unwrapped(r.stdout)).toContain(`upstream's files from cache ${ENTRY}`);
    expect(r.stdout + r.stderr).not.toMatch(/cannot be trusted|differs/);
    expect(parseState(readFileSync(join(dir, STATE_FILE), 'utf8'))!.upstreamCache).toEqual(record);
    expect(Object.entries(snapshot(dir)).filter(([p]) => p.startsWith(ENTRY))).toEqual(entryBefore);
    // the next run the same: nothing to change
    const again = await runMain(args(dir), offline);
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toMatch(/Nothing to change/);
  });

  const tampered: [string, (t: string) => string][] = [
    // the attack: the compose file harden-init renders from runs another image
    ['docker-compose.yml', (t) => t.replace(/appwrite\/appwrite/g, 'attacker/appwrite')],
    ['variables.php', (t) => t.replace("'_APP_ENV'", "'_APP_ENV_X'")],
    ['parsed.json', (t) => t.replace(/appwrite\/appwrite/g, 'attacker/appwrite')],
    ['bin.txt', (t) => `${t}evil\n`],
    ['release.json', (t) => t.replace(/"readAt": "/, '"readAt": "1')],
  ];

  it.each(tampered)(
    'a changed %s without Docker and without a description: exit 2 naming it, nothing written',
    async (name, edit) => {
      const dir = copy();
      const file = join(dir, ENTRY, name);
      const text = readFileSync(file, 'utf8');
      expect(edit(text)).not.toBe(text);
      writeFileSync(file, edit(text));
      const before = snapshot(dir);
      const r = await runMain(args(dir), offline);
      expect(r.exitCode, r.stdout).toBe(2);
      const said = unwrapped(r.stderr + r.stdout);
      expect(said).toContain(
        `The release cache ${ENTRY}/${name} cannot be trusted: its sha256 differs from the one recorded in .harden-init/state.json`,
      );
      expect(said).toMatch(/nothing was written/);
      expect(said).toMatch(/scripts\/describe-release\.sh 2\.7\.1/);
      expect(snapshot(dir)).toEqual(before);
    },
  );

  it("a changed compose file with a release description at hand: the description is read instead, with a warning; the install is not the attacker's", async () => {
    const dir = copy();
    const file = join(dir, ENTRY, 'docker-compose.yml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/appwrite\/appwrite/g, 'attacker/appwrite'));
    const r = await runMain([...args(dir), '--console', 'open'], { HARDEN_INIT_RELEASES_DIR: RELEASES_DIR });
    expect(r.exitCode, r.stderr).toBe(0);
    const said = unwrapped(r.stdout + r.stderr);
    expect(said).toContain(
      `${ENTRY}/docker-compose.yml: its sha256 differs from the one recorded in .harden-init/state.json`,
    );
    expect(said).toMatch(/Not used: the release description \S+ is read instead/);
    expect(readFileSync(join(dir, 'docker-compose.yml'), 'utf8')).not.toContain('attacker/');
    expect(readFileSync(join(dir, '.env'), 'utf8')).toMatch(/^_APP_CONSOLE_WHITELIST_ROOT=disabled$/m);
    // the entry that did not check out is no longer recorded: the next run cannot use it either
    expect(parseState(readFileSync(join(dir, STATE_FILE), 'utf8'))!.upstreamCache).toBeUndefined();
    const again = await runMain(args(dir), offline);
    expect(again.exitCode).toBe(2);
  });

  it('an install from before the record (state.json without it): refused offline without a description, read from the description with one', async () => {
    const dir = copy();
    const state = parseState(readFileSync(join(dir, STATE_FILE), 'utf8'))!;
    delete state.upstreamCache;
    writeFileSync(join(dir, STATE_FILE), serializeState(state), { mode: 0o600 });
    const before = snapshot(dir);
    const r = await runMain(args(dir), offline);
    expect(r.exitCode).toBe(2);
    expect(unwrapped(r.stderr + r.stdout)).toContain(
      `The release cache ${ENTRY}/docker-compose.yml cannot be trusted: the entry is not recorded in .harden-init/state.json`,
    );
    expect(snapshot(dir)).toEqual(before);
    const withDescription = await runMain(args(dir), { HARDEN_INIT_RELEASES_DIR: RELEASES_DIR });
    expect(withDescription.exitCode, withDescription.stderr).toBe(0);
  });
});
