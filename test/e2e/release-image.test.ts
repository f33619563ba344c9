// Reading a release from its image, on a real Docker engine, against stand-in images that carry upstream's files
// at the real paths and exactly the release's executables (test/e2e/standin/build-standins.sh --release).
// No registry is reachable here: a missing image must fail with the pull error, never hang.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, tempDir } from '../helpers/run-bin.js';
import { engineAvailable } from '../helpers/engine.js';
import {
  imageRef,
  inspectImageId,
  parseExecutables,
  readFromImage,
  readImageFiles,
} from '../../src/targets/appwrite/upstream/image.js';
import { cacheFiles, cacheRecordOf } from '../../src/targets/appwrite/upstream/cache.js';
import { dockerReachable, obtainRelease } from '../../src/targets/appwrite/upstream/source.js';
import { parseVariablesPhp } from '../../src/targets/appwrite/upstream/variables-php.js';

const hasEngine = engineAvailable();
const FIX = join(ROOT, 'test/fixtures/upstream/appwrite');
const fixture = (v: string, f: string) => readFileSync(join(FIX, v, f), 'utf8');
const base = tempDir('hi-release-');

/** Containers created from image <id> between two instants (`docker events`; `--rm` containers leave no `ps -a`). */
async function containersCreated(id: string, since: number, until: number): Promise<number> {
  const r = await execa('docker', [
    'events',
    '--since',
    since.toFixed(3),
    '--until',
    until.toFixed(3),
    '--filter',
    'type=container',
    '--filter',
    'event=create',
    '--filter',
    `image=${id}`,
    '--format',
    '{{.Actor.ID}}',
  ]);
  return String(r.stdout).split('\n').filter(Boolean).length;
}
const now = () => Date.now() / 1000;

describe
  .skipIf(!hasEngine)
  .sequential('reading an Appwrite release from its image (real engine)', { timeout: 120_000 }, () => {
    beforeAll(async () => {
      await execa(join(ROOT, 'test/e2e/standin/build-standins.sh'), ['--release', '1.9.6', '--release', '2.3.0'], {
        stdio: 'inherit',
      });
    });
    afterAll(() => rmSync(base, { recursive: true, force: true }));

    it('dockerReachable: the engine answers', async () => {
      expect(await dockerReachable(process.env)).toBe(true);
    });

    for (const v of ['1.9.6', '2.3.0']) {
      it(`${v}: the compose byte-exact, variables.php parsed, exactly bin.txt's executables`, async () => {
        const lines: string[] = [];
        const f = await readFromImage(v, (l) => lines.push(l));
        expect(lines).toEqual([]); // present: nothing pulled
        expect(f.version).toBe(v);
        expect(f.source).toBe(`image appwrite/appwrite:${v}`);
        expect(f.imageId).toBe(await inspectImageId(imageRef(v)));
        expect(f.imageId).toMatch(/^sha256:[0-9a-f]{64}$/);
        expect(f.compose).toBe(fixture(v, 'docker-compose.yml'));
        expect(f.variablesPhp).toBe(fixture(v, 'variables.php'));
        expect(f.variables).toEqual(parseVariablesPhp(fixture(v, 'variables.php')));
        expect(f.executables).toEqual(parseExecutables(fixture(v, 'bin.txt')));
        expect(f.executables).toEqual(fixture(v, 'bin.txt').split('\n').filter(Boolean));
        if (v === '1.9.6') {
          expect(f.variables).toHaveLength(146);
          expect(f.executables).not.toContain('worker-notifications');
        } else {
          expect(f.executables).toEqual(expect.arrayContaining(['worker', 'schedule', 'mqtt', 'worker-notifications']));
        }
      });
    }

    it('a second obtainRelease with the cache in the install dir starts no container', async () => {
      const dir = join(base, 'install');
      mkdirSync(dir, { recursive: true });
      const id = (await inspectImageId(imageRef('1.9.6')))!;

      let t0 = now();
      const first = await obtainRelease('1.9.6', { dir, dockerAvailable: true, env: process.env });
      let t1 = now() + 0.5;
      expect(first.source).toBe('image appwrite/appwrite:1.9.6');
      expect(await containersCreated(id, t0 - 0.5, t1)).toBe(3); // the control: three reads
      const written = cacheFiles(first, first.variablesPhp, { dir });
      for (const c of written) {
        mkdirSync(join(dir, c.path, '..'), { recursive: true });
        writeFileSync(join(dir, c.path), c.content, { mode: c.mode });
      }

      t0 = now();
      // As a run does: state.json's record of the entry it wrote is what makes the cache trusted.
      const second = await obtainRelease('1.9.6', {
        dir,
        dockerAvailable: true,
        cacheRecord: cacheRecordOf(written),
        env: process.env,
      });
      t1 = now() + 0.5;
      expect(second.source).toMatch(/^cache \.harden-init\/upstream\/1\.9\.6-[0-9a-f]{12}$/);
      expect(second.imageId).toBe(id);
      expect(second.compose).toBe(first.compose);
      expect(second.variables).toEqual(first.variables);
      expect(second.executables).toEqual(first.executables);
      expect(await containersCreated(id, t0 - 0.5, t1)).toBe(0);
      // an unchanged release re-caches byte-identically (nothing to change on a re-run)
      expect(cacheFiles(second, undefined, { dir })).toEqual(cacheFiles(first, first.variablesPhp, { dir }));
    });

    it('a read given up at any moment leaves no container behind (not even one created but never started)', async () => {
      const id = (await inspectImageId(imageRef('2.3.0')))!;
      const left = async () =>
        String(
          (
            await execa('docker', [
              'ps',
              '-a',
              '--filter',
              `ancestor=${id}`,
              '--filter',
              'name=harden-init-read-',
              '-q',
            ])
          ).stdout,
        )
          .split('\n')
          .filter(Boolean);
      expect(await left()).toEqual([]);
      for (const ms of [0, 5, 15, 30, 60, 100, 150, 250, 400]) {
        const stop = new AbortController();
        const read = readImageFiles('2.3.0', id, stop.signal);
        setTimeout(() => stop.abort(), ms);
        const end = await read.then(
          () => 'read',
          (e: { exitCode?: number }) => e.exitCode,
        );
        // aborted after the reads ended: a whole read; otherwise the run's cancellation (exit 130)
        expect(['read', 130], `aborted after ${ms} ms`).toContain(end);
        expect(await left(), `aborted after ${ms} ms`).toEqual([]);
      }
    });

    it("a missing image and no registry: a clear pull error, with Docker's reason", async () => {
      const lines: string[] = [];
      const err = await readFromImage('0.0.0-harden-init-missing', (l) => lines.push(l)).catch((e: Error) => e);
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).message).toMatch(
        /^The image appwrite\/appwrite:0\.0\.0-harden-init-missing could not be pulled: /,
      );
      expect((err as Error).message).toMatch(/registry|no such host|dial|lookup|not found|denied|timeout/i);
      expect((err as { exitCode?: number }).exitCode).toBe(1);
    });

    it('the stand-in behaves like the release image: vars lists every variable, a missing entrypoint cannot start', async () => {
      const vars = await execa('docker', [
        'run',
        '--rm',
        '--network',
        'none',
        '-e',
        '_APP_ENV=production',
        imageRef('1.9.6'),
        'vars',
      ]);
      const out = String(vars.stdout).split('\n');
      expect(out).toHaveLength(146);
      expect(out[0]).toBe('- _APP_ENV=production');
      expect(out[1]).toBe('- _APP_LOCALE=');
      const missing = await execa(
        'docker',
        ['run', '--rm', '--network', 'none', '--entrypoint', 'worker-notifications', imageRef('1.9.6')],
        { reject: false },
      );
      expect(missing.exitCode).not.toBe(0);
      expect(String(missing.stderr)).toMatch(/executable file not found/);
    });
  });
