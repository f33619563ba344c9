// `harden-init upgrade` within 2.x on a REAL PostgreSQL 15 (Debian's package, tagged appwrite/postgres:0.1.0 by
// test/e2e/realdb/build-realdb.sh), through the built binary on the real engine. An install at 2.6.2 (a synthetic
// release image carrying upstream's 2.3.0 files, like the 2.7.1 stand-in; test/e2e/standin/README.md) is upgraded
// to 2.7.1 (one minor: one step):
//  - first with the database container holding a wrong password (an override, as a broken setup would): pg_dump
//    is refused, so the upgrade stops before anything is written — exit 1, the reason named, every file of the
//    install byte-identical (no backup directory left either), the stack still on 2.6.2;
//  - then with the password right: the dump goes through the real `pg_dump` (0600, rows written before are in it),
//    the stack runs 2.7.1, the migration ran, the history says done, the rows are still there.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { appendFileSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, runBin, tempDir, type RunResult } from '../helpers/run-bin.js';
import {
  REAL_ENGINE,
  buildReleaseStandins,
  engineAvailable,
  ensureDefaultSocket,
  freePorts,
  lockEngine,
  removeStack,
  writeClickhouseOverride,
} from '../helpers/engine.js';

const hasEngine = engineAvailable(); // with CI=true and no engine this throws: the suite fails, never skips
const base = tempDir('hi-e2e-upg-pg-');
const dir = join(base, 'appwrite');
const dockerConfig = join(base, 'docker-v1'); // no CLI plugin: Compose v1
const FROM = '2.6.2';
const TO = '2.7.1';
const previousTags: [string, string][] = [];
const read = (f: string) => readFileSync(join(dir, f), 'utf8');
let HTTP = '';
let HTTPS = '';

async function run(args: string[]): Promise<RunResult> {
  return runBin(args, { ...REAL_ENGINE, DOCKER_CONFIG: dockerConfig });
}
async function dc(args: string[], input?: string) {
  return execa('docker-compose', args, {
    cwd: dir,
    input,
    reject: false,
    all: true,
    env: { DOCKER_CONFIG: dockerConfig },
  });
}
const psql = (sql: string) =>
  dc(
    ['exec', '-T', 'postgresql', 'sh', '-c', 'psql -v ON_ERROR_STOP=1 -qtA -U "$POSTGRES_USER" -d "$POSTGRES_DB"'],
    sql,
  );
/** Every file under the install, path → bytes (base64), for byte-identity checks. */
function snapshot(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) {
      const p = join(e.parentPath, e.name);
      out[p] = readFileSync(p).toString('base64');
    }
  }
  return out;
}
async function runningImage(): Promise<string> {
  return String(
    (await execa('docker', ['inspect', '--format', '{{.Config.Image}}', 'appwrite'], { reject: false })).stdout,
  ).trim();
}
async function waitPgReady(): Promise<void> {
  for (let i = 0; i < 90; i++) {
    const r = await psql('SELECT 1;');
    if (r.exitCode === 0) return;
    await new Promise((res) => setTimeout(res, 1000));
  }
  throw new Error('PostgreSQL did not answer within 90 s');
}

/**
 * docker-compose.override.yml of the test install (compose merges it; harden-init never writes it):
 * - TEST MACHINE LIMIT: clickhouse's open-files limit lowered (writeClickhouseOverride says why);
 * - with `wrongPassword`, the database container's own password is not the one its data was initialised with (a
 *   broken setup): pg_dump, which reads the container's environment, is refused.
 */
function writeOverride(wrongPassword: boolean): void {
  writeClickhouseOverride(dir);
  if (wrongPassword)
    appendFileSync(
      join(dir, 'docker-compose.override.yml'),
      '  postgresql:\n    environment:\n      - POSTGRES_PASSWORD=not-the-password-of-the-data\n',
    );
}

describe
  .skipIf(!hasEngine)
  .sequential('harden-init upgrade within 2.x on a real PostgreSQL (real engine)', { timeout: 240_000 }, () => {
    let unlock: (() => Promise<void>) | undefined;
    beforeAll(async () => {
      unlock = await lockEngine();
      [HTTP, HTTPS] = (await freePorts(2)).map(String) as [string, string];
      ensureDefaultSocket();
      mkdirSync(dockerConfig, { recursive: true });
      await buildReleaseStandins(`${FROM}=${join(ROOT, 'test/fixtures/upstream/appwrite/2.3.0')}`, TO);
      // After the stand-ins, so the real PostgreSQL wins the tag; the previous image is put back in afterAll.
      const built = await execa(join(ROOT, 'test/e2e/realdb/build-realdb.sh'), ['postgres'], { stderr: 'inherit' });
      for (const line of String(built.stdout).split('\n').filter(Boolean)) {
        const [tag, prev] = line.split(' ');
        if (prev && prev !== '-') previousTags.push([tag!, prev]);
      }
      await removeStack();
    }, 960_000);

    afterAll(async () => {
      try {
        await removeStack(dir);
        for (const [tag, prev] of previousTags) await execa('docker', ['tag', prev, tag], { reject: false });
        // The synthetic 2.6.2 goes again: other suites expect no such image (there is no real one here).
        await execa('docker', ['rmi', `appwrite/appwrite:${FROM}`], { reject: false });
      } finally {
        await unlock?.();
      }
    }, 240_000);

    it(`an install at ${FROM} on PostgreSQL, running, with rows in its database`, async () => {
      const r = await run([
        '--dir',
        dir,
        '--release',
        FROM,
        '--db-engine',
        'postgresql',
        '--domain',
        'appwrite.example.com',
        '--email',
        'admin@example.com',
        '--http-port',
        HTTP,
        '--https-port',
        HTTPS,
        '--yes',
        '--no-start',
      ]);
      expect(r.exitCode, r.stdout + r.stderr).toBe(0);
      writeOverride(false);
      const up = await dc(['up', '-d']);
      expect(up.exitCode, String(up.all)).toBe(0);
      await waitPgReady();
      const ins = await psql(
        "CREATE TABLE upgrade_marker (v text); INSERT INTO upgrade_marker VALUES ('row-before-upgrade');",
      );
      expect(ins.exitCode, String(ins.all)).toBe(0);
    });

    it('a dump the database refuses stops the upgrade before anything is written: exit 1, the reason, files byte-identical', async () => {
      writeOverride(true);
      const re = await dc(['up', '-d', 'postgresql']); // the container now holds a password its data does not know
      expect(re.exitCode, String(re.all)).toBe(0);
      await new Promise((res) => setTimeout(res, 3000));
      const before = snapshot();
      const r = await run(['upgrade', '--dir', dir, '--to', TO, '--yes', '--timeout', '120']);
      expect(r.exitCode, r.stdout + r.stderr).toBe(1);
      expect(r.stderr).toMatch(
        /The database dump failed, so the upgrade stops before changing anything: the install is at 2\.6\.2, no file was written/,
      );
      expect(r.stderr).toMatch(/pg_dump[^]*password authentication failed/);
      expect(r.stdout).not.toMatch(/Wrote Appwrite/);
      expect(snapshot()).toEqual(before);
      expect(await runningImage()).toBe(`appwrite/appwrite:${FROM}`);
    });

    it(`with the password right: ${FROM} → ${TO} with the dump from the real pg_dump, migrated, the rows kept`, async () => {
      writeOverride(false);
      const re = await dc(['up', '-d', 'postgresql']);
      expect(re.exitCode, String(re.all)).toBe(0);
      await waitPgReady();
      const r = await run(['upgrade', '--dir', dir, '--to', TO, '--yes', '--timeout', '180']);
      expect(r.exitCode, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toMatch(/Upgrade plan: 1 step\b/);
      expect(r.stdout).toMatch(/postgresql dump through the postgresql container/);
      expect(r.stdout).toMatch(/Database dump: \.harden-init\/backups\/[^/]+\/db-postgresql\.sql \(\d/);
      expect(r.stdout).toMatch(/migrate: data migrated to 2\.7\.1 \(stand-in/);
      const state = JSON.parse(read('.harden-init/state.json'));
      expect(state.release).toBe(TO);
      expect(
        state.history.map((h: { from: string; to: string; result: string }) => `${h.from}>${h.to}:${h.result}`),
      ).toEqual([`${FROM}>${TO}:done`]);
      const dump = join(dir, state.history[0].dump as string);
      expect(statSync(dump).mode & 0o777).toBe(0o600);
      const text = readFileSync(dump, 'utf8');
      expect(text).toMatch(/^--\n-- PostgreSQL database dump\n/);
      expect(text).toMatch(/-- Dumped by pg_dump version 15\./);
      expect(text).toMatch(/CREATE TABLE public\.upgrade_marker[^]*row-before-upgrade/);
      expect(await runningImage()).toBe(`appwrite/appwrite:${TO}`);
      const rows = await psql('SELECT v FROM upgrade_marker;');
      expect(String(rows.stdout).trim()).toBe('row-before-upgrade');
    });
  });
