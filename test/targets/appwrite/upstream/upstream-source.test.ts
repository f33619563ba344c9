// The Docker-free parts of reading a release: cache entry paths, the cache round trip through a temp install dir,
// release descriptions, and the no-Docker order of obtainRelease.
import { describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir, ROOT } from '../../../helpers/run-bin.js';
import {
  CACHE_ROOT,
  cacheEntryDir,
  cacheFiles,
  cacheRecordOf,
  checkCache,
  readCache,
  recordedCache,
  shortId,
} from '../../../../src/targets/appwrite/upstream/cache.js';
import { serializeState, sha256, STATE_FILE, type UpstreamCacheRecord } from '../../../../src/engine/state.js';
import { descriptionDirs, obtainRelease, readDescription } from '../../../../src/targets/appwrite/upstream/source.js';
import { imageRef, parseExecutables } from '../../../../src/targets/appwrite/upstream/image.js';
import { parseVariablesPhp } from '../../../../src/targets/appwrite/upstream/variables-php.js';
import type { UpstreamFiles } from '../../../../src/targets/appwrite/upstream/types.js';
import { CliError } from '../../../../src/core/errors.js';

const FIX = join(ROOT, 'test/fixtures/upstream/appwrite');
const ID_A = `sha256:${'a1b2c3d4e5f6'.repeat(5)}abcd`;
const ID_B = `sha256:${'0f'.repeat(32)}`;

function fixtureFiles(version: string, imageId?: string): UpstreamFiles {
  const variablesPhp = readFileSync(join(FIX, version, 'variables.php'), 'utf8');
  return {
    version,
    imageId,
    compose: readFileSync(join(FIX, version, 'docker-compose.yml'), 'utf8'),
    variables: parseVariablesPhp(variablesPhp),
    variablesPhp,
    executables: parseExecutables(readFileSync(join(FIX, version, 'bin.txt'), 'utf8')),
    source: `image ${imageRef(version)}`,
  };
}

/** Writes what cacheFiles returns into dir, as the plan would after confirmation, with state.json's record of it. */
function writeAll(dir: string, files: { path: string; content: string; mode: number }[], record = true): void {
  for (const f of files) {
    mkdirSync(join(dir, f.path, '..'), { recursive: true });
    writeFileSync(join(dir, f.path), f.content, { mode: f.mode });
  }
  if (record) writeState(dir, cacheRecordOf(files));
}

function writeState(dir: string, upstreamCache: UpstreamCacheRecord | undefined): void {
  mkdirSync(join(dir, '.harden-init'), { recursive: true });
  writeFileSync(
    join(dir, STATE_FILE),
    serializeState({
      schema: 1,
      target: 'appwrite',
      templateVersion: '1.9.6',
      answers: {},
      ...(upstreamCache ? { upstreamCache } : {}),
    }),
    { mode: 0o600 },
  );
}

describe('release cache', () => {
  it('entry path: .harden-init/upstream/<version>-<first 12 hex of the image id>', () => {
    expect(imageRef('2.7.1')).toBe('appwrite/appwrite:2.7.1');
    expect(shortId(ID_A)).toBe('a1b2c3d4e5f6');
    expect(cacheEntryDir('1.9.6', ID_A)).toBe('.harden-init/upstream/1.9.6-a1b2c3d4e5f6');
    expect(() => cacheEntryDir('../x', ID_A)).toThrow(/not a release version/);
    expect(() => shortId('latest')).toThrow(/not an image id/);
  });

  it('cacheFiles: five files, mode 0644, relative paths; nothing for files that did not come from an image', () => {
    const files = fixtureFiles('1.9.6', ID_A);
    const out = cacheFiles(files, files.variablesPhp!, { now: new Date('2026-11-25T10:00:00Z') });
    expect(out.map((f) => f.path)).toEqual([
      '.harden-init/upstream/1.9.6-a1b2c3d4e5f6/docker-compose.yml',
      '.harden-init/upstream/1.9.6-a1b2c3d4e5f6/variables.php',
      '.harden-init/upstream/1.9.6-a1b2c3d4e5f6/bin.txt',
      '.harden-init/upstream/1.9.6-a1b2c3d4e5f6/release.json',
      '.harden-init/upstream/1.9.6-a1b2c3d4e5f6/parsed.json',
    ]);
    expect(out.every((f) => f.mode === 0o644)).toBe(true);
    expect(out[0]!.content).toBe(files.compose);
    expect(out[2]!.content).toBe(readFileSync(join(FIX, '1.9.6', 'bin.txt'), 'utf8'));
    expect(JSON.parse(out[3]!.content)).toEqual({
      version: '1.9.6',
      imageId: ID_A,
      composeSha256: sha256(files.compose),
      readAt: '2026-11-25T10:00:00.000Z',
    });
    expect(cacheFiles({ ...files, imageId: undefined })).toEqual([]);
  });

  it('round trip through an install dir: byte-exact, same parse; reading writes nothing', () => {
    const dir = tempDir('hi-cache-');
    try {
      expect(readCache(dir, '1.9.6', ID_A)).toBeUndefined();
      expect(readCache(dir, '1.9.6')).toBeUndefined();
      expect(existsSync(join(dir, '.harden-init'))).toBe(false);

      const files = fixtureFiles('1.9.6', ID_A);
      writeAll(dir, cacheFiles(files));
      const back = readCache(dir, '1.9.6', ID_A)!;
      expect(back.compose).toBe(files.compose);
      expect(back.variablesPhp).toBe(files.variablesPhp);
      expect(back.variables).toEqual(files.variables);
      expect(back.variables).toHaveLength(146);
      expect(back.executables).toEqual(files.executables);
      expect(back.imageId).toBe(ID_A);
      expect(back.version).toBe('1.9.6');
      expect(back.source).toBe('cache .harden-init/upstream/1.9.6-a1b2c3d4e5f6');
      // another image of the same version is not this entry; another version neither
      expect(readCache(dir, '1.9.6', ID_B)).toBeUndefined();
      expect(readCache(dir, '1.9.60')).toBeUndefined();
      expect(readdirSync(join(dir, CACHE_ROOT))).toEqual(['1.9.6-a1b2c3d4e5f6']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('re-writing the cache of an unchanged release changes no byte (readAt kept)', () => {
    const dir = tempDir('hi-cache-');
    try {
      const files = fixtureFiles('2.3.0', ID_A);
      const first = cacheFiles(files, files.variablesPhp, { dir, now: new Date('2026-11-01T00:00:00Z') });
      writeAll(dir, first);
      const again = cacheFiles(readCache(dir, '2.3.0', ID_A)!, undefined, {
        dir,
        now: new Date('2026-12-01T00:00:00Z'),
      });
      expect(again).toEqual(first);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('without an image id: the entry state.json records; a tampered or unrecorded entry is never used', () => {
    const dir = tempDir('hi-cache-');
    try {
      const old = fixtureFiles('1.9.6', ID_A);
      const newer = { ...fixtureFiles('1.9.6', ID_B), compose: `${old.compose}# rebuilt\n` };
      writeAll(dir, cacheFiles(old, undefined, { now: new Date('2026-11-01T00:00:00Z') }), false);
      writeAll(dir, cacheFiles(newer, undefined, { now: new Date('2026-10-01T00:00:00Z') })); // recorded, though older
      expect(readCache(dir, '1.9.6')!.imageId).toBe(ID_B);
      writeFileSync(join(dir, cacheEntryDir('1.9.6', ID_B), 'docker-compose.yml'), 'services: {}\n');
      expect(readCache(dir, '1.9.6', ID_B)).toBeUndefined();
      expect(readCache(dir, '1.9.6')).toBeUndefined(); // not the unrecorded entry of A either
      expect(checkCache(dir, '1.9.6', undefined, recordedCache(dir))).toEqual({
        kind: 'bad',
        entry: cacheEntryDir('1.9.6', ID_B),
        file: 'docker-compose.yml',
        why: 'its sha256 differs from the one recorded in .harden-init/state.json (changed since harden-init wrote it)',
      });
      expect(checkCache(dir, '1.9.6', ID_A, recordedCache(dir))).toMatchObject({
        kind: 'bad',
        entry: cacheEntryDir('1.9.6', ID_A),
        why: expect.stringMatching(/not recorded/),
      });
      rmSync(join(dir, cacheEntryDir('1.9.6', ID_B)), { recursive: true });
      expect(checkCache(dir, '1.9.6', undefined, recordedCache(dir))).toMatchObject({
        kind: 'bad',
        entry: cacheEntryDir('1.9.6', ID_A),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each(['docker-compose.yml', 'variables.php', 'bin.txt', 'release.json', 'parsed.json'])(
    'a changed %s is not used; a deleted one neither',
    (name) => {
      const dir = tempDir('hi-cache-');
      try {
        const files = fixtureFiles('2.3.0', ID_A);
        writeAll(dir, cacheFiles(files));
        expect(readCache(dir, '2.3.0', ID_A)).toBeDefined();
        const file = join(dir, cacheEntryDir('2.3.0', ID_A), name);
        const text = readFileSync(file, 'utf8');
        writeFileSync(file, name === 'release.json' ? text.replace('"readAt": "', '"readAt": "1') : `${text}\n`);
        for (const id of [ID_A, undefined]) {
          expect(readCache(dir, '2.3.0', id)).toBeUndefined();
          expect(checkCache(dir, '2.3.0', id, recordedCache(dir))).toMatchObject({
            kind: 'bad',
            file: name,
            why: expect.stringMatching(/sha256 differs/),
          });
        }
        rmSync(file);
        expect(checkCache(dir, '2.3.0', ID_A, recordedCache(dir))).toMatchObject({
          kind: 'bad',
          file: name,
          why: 'missing or unreadable',
        });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it('an entry written by an earlier harden-init (state.json without the record) is not trusted', () => {
    const dir = tempDir('hi-cache-');
    try {
      const files = fixtureFiles('2.3.0', ID_A);
      writeAll(dir, cacheFiles(files), false);
      writeState(dir, undefined);
      expect(readCache(dir, '2.3.0', ID_A)).toBeUndefined();
      expect(readCache(dir, '2.3.0')).toBeUndefined();
      expect(checkCache(dir, '2.3.0', ID_A, undefined)).toMatchObject({
        kind: 'bad',
        file: 'docker-compose.yml',
        why: expect.stringMatching(/not recorded in \.harden-init\/state\.json/),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('release descriptions', () => {
  it('looks in $HARDEN_INIT_RELEASES_DIR/<v>/ first, then the package templates/appwrite/releases/<v>/', () => {
    const dirs = descriptionDirs('2.7.1', { HARDEN_INIT_RELEASES_DIR: '/srv/releases' });
    expect(dirs[0]).toBe('/srv/releases/2.7.1');
    expect(dirs[1]).toBe(join(ROOT, 'templates', 'appwrite', 'releases', '2.7.1'));
    expect(descriptionDirs('2.7.1', {})).toEqual([dirs[1]]);
  });

  it('reads the three files of a description; none → undefined; incomplete → exit 2 naming the file', () => {
    const rel = tempDir('hi-rel-');
    try {
      const env = { HARDEN_INIT_RELEASES_DIR: rel };
      expect(readDescription('2.3.0', env)).toBeUndefined();
      mkdirSync(join(rel, '2.3.0'));
      for (const f of ['docker-compose.yml', 'variables.php', 'bin.txt'])
        writeFileSync(join(rel, '2.3.0', f), readFileSync(join(FIX, '2.3.0', f)));
      const d = readDescription('2.3.0', env)!;
      expect(d.source).toBe(`description ${join(rel, '2.3.0')}`);
      expect(d.imageId).toBeUndefined();
      expect(d.compose).toBe(readFileSync(join(FIX, '2.3.0', 'docker-compose.yml'), 'utf8'));
      expect(d.executables).toEqual(parseExecutables(readFileSync(join(FIX, '2.3.0', 'bin.txt'), 'utf8')));
      expect(d.executables).toContain('worker');
      expect(d.variables.length).toBeGreaterThan(100);
      rmSync(join(rel, '2.3.0', 'bin.txt'));
      let err: unknown;
      try {
        readDescription('2.3.0', env);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(CliError);
      expect((err as CliError).exitCode).toBe(2);
      expect((err as CliError).message).toMatch(/has no bin\.txt/);
    } finally {
      rmSync(rel, { recursive: true, force: true });
    }
  });

  it('obtainRelease without Docker: cache, then description, else exit 2 saying what is needed', async () => {
    const dir = tempDir('hi-obtain-');
    const rel = tempDir('hi-rel-');
    const saved = process.env.HARDEN_INIT_RELEASES_DIR;
    try {
      process.env.HARDEN_INIT_RELEASES_DIR = rel;
      let err: unknown;
      try {
        await obtainRelease('1.9.6', { dir, dockerAvailable: false, env: process.env });
      } catch (e) {
        err = e;
      }
      expect((err as CliError).exitCode).toBe(2);
      expect((err as CliError).message).toContain(
        'Docker with appwrite/appwrite:1.9.6 reachable, or a release description in $HARDEN_INIT_RELEASES_DIR/1.9.6/ made with scripts/describe-release.sh',
      );

      mkdirSync(join(rel, '1.9.6'));
      for (const f of ['docker-compose.yml', 'variables.php', 'bin.txt'])
        writeFileSync(join(rel, '1.9.6', f), readFileSync(join(FIX, '1.9.6', f)));
      expect((await obtainRelease('1.9.6', { dir, dockerAvailable: false, env: process.env })).source).toMatch(
        /^description /,
      );

      writeAll(dir, cacheFiles(fixtureFiles('1.9.6', ID_A)));
      const fromCache = await obtainRelease('1.9.6', { dir, dockerAvailable: false, env: process.env });
      expect(fromCache.source).toMatch(/^cache /);
      expect(fromCache.imageId).toBe(ID_A);
      expect(fromCache.cacheRecord).toEqual(recordedCache(dir));

      // a planted compose file: the description stands in for the image, with a warning naming the file
      const planted = join(dir, cacheEntryDir('1.9.6', ID_A), 'docker-compose.yml');
      writeFileSync(planted, readFileSync(planted, 'utf8').replace(/appwrite\/appwrite\}/g, 'evil/appwrite}'));
      const instead = await obtainRelease('1.9.6', { dir, dockerAvailable: false, env: process.env });
      expect(instead.source).toMatch(/^description /);
      expect(instead.compose).not.toContain('evil/');
      expect(instead.warnings).toEqual([
        expect.stringMatching(
          /^\.harden-init\/upstream\/1\.9\.6-a1b2c3d4e5f6\/docker-compose\.yml: its sha256 differs .* Not used: the release description .* is read instead\.$/,
        ),
      ]);
      // and no description: refused (exit 2), naming the file and what to do
      rmSync(join(rel, '1.9.6'), { recursive: true });
      err = undefined;
      try {
        await obtainRelease('1.9.6', { dir, dockerAvailable: false, env: process.env });
      } catch (e) {
        err = e;
      }
      expect((err as CliError).exitCode).toBe(2);
      expect((err as CliError).message).toMatch(
        /^The release cache \.harden-init\/upstream\/1\.9\.6-a1b2c3d4e5f6\/docker-compose\.yml cannot be trusted: its sha256 differs/,
      );
      expect((err as CliError).hint).toMatch(
        /Run again where Docker reaches appwrite\/appwrite:1\.9\.6 .*scripts\/describe-release\.sh 1\.9\.6 <out-dir>/,
      );
    } finally {
      if (saved === undefined) delete process.env.HARDEN_INIT_RELEASES_DIR;
      else process.env.HARDEN_INIT_RELEASES_DIR = saved;
      rmSync(dir, { recursive: true, force: true });
      rmSync(rel, { recursive: true, force: true });
    }
  });
});
