// `harden-init rotate-key` as a whole, end to end: the BUILT BINARY on a real engine against a Langflow install with
// the bundled REAL PostgreSQL (Debian's, as postgres:16). The encrypted backup first, Langflow stopped, the script run
// with the install's own Langflow image in a one-off container, .env written, Langflow started with the new key and
// the stored values checked in it; and a value the old key cannot read, which must leave everything as it was.
//
// The Langflow stand-in is busybox and has no Python, so the install runs hi-rotate/langflow:<release> (the same
// stand-in on Debian's python3 with cryptography, SQLAlchemy and psycopg2; test/e2e/rotate-key/build-python.sh),
// named in a docker-compose.override.yml as an operator would name a custom image: compose, and so rotate-key's
// one-off container, runs it. The stored credentials are written by test/e2e/rotate-key/fixture.py (encrypts as
// Langflow does, independently of the rotation script) inside the langflow container with its own database URL.
//
// With CI=true and no engine the file fails (engineAvailable throws); elsewhere it is skipped.
import { execa } from 'execa';
import {
  createReadStream,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runBin, type RunResult } from '../helpers/run-bin.js';
import {
  REAL_ENGINE,
  engineAvailable,
  freePorts,
  lockEngine,
  projectContainers,
  removeProject,
} from '../helpers/engine.js';
import { parseEnv, toRecord } from '../../src/engine/envfile.js';
import { decrypt, verifyArchive } from '../../src/commands/archive.js';

const hasEngine = engineAvailable();
const RELEASE = '1.13.1';
const PROJECT = 'hilfrotatekey';
const PASS = `rotate-key-passphrase-${randomBytes(6).toString('hex')}`;
const FIXTURE = readFileSync(join(ROOT, 'test/e2e/rotate-key/fixture.py'), 'utf8');
/** Fields fixture.py encrypts (labels of its `read`): every place rotate_secret_key.py re-encrypts. */
const STORED = 12;

const run = (args: string[], env: Record<string, string | undefined> = {}, timeout = 120) =>
  runBin([...args, '--timeout', String(timeout)], { ...REAL_ENGINE, ...env });
const out = (r: RunResult) => r.stdout + r.stderr;
const envText = (dir: string) => readFileSync(join(dir, '.env'), 'utf8');
const envOf = (dir: string) => toRecord(parseEnv(envText(dir)));
const dc = (dir: string, args: string[], input?: string) =>
  execa('docker-compose', args, {
    cwd: dir,
    input,
    reject: false,
    all: true,
    extendEnv: false,
    env: { PATH: process.env.PATH!, DOCKER_HOST: process.env.DOCKER_HOST },
  });

interface Read {
  plain: Record<string, string>;
  failed: string[];
  raw: Record<string, string>;
}

/** fixture.py in the running langflow container, against the database it uses (LANGFLOW_DATABASE_URL). */
async function fixture(
  dir: string,
  mode: 'seed' | 'seed-bad' | 'read',
  key: string,
  other?: string,
): Promise<Read | undefined> {
  const env = ['-e', `FIXTURE_KEY=${key}`, ...(other ? ['-e', `FIXTURE_OTHER_KEY=${other}`] : [])];
  const r = await dc(
    dir,
    [
      'exec',
      '-T',
      ...env,
      'langflow',
      'sh',
      '-c',
      'FIXTURE_URL="$LANGFLOW_DATABASE_URL" exec python3 - "$@"',
      'sh',
      mode,
    ],
    FIXTURE,
  );
  expect(r.exitCode, String(r.all)).toBe(0);
  return mode === 'read' ? (JSON.parse(String(r.stdout)) as Read) : undefined;
}

const running = async (dir: string) => {
  const id = (await projectContainers(dir)).get('langflow');
  return id
    ? String((await execa('docker', ['inspect', '--format', '{{.State.Running}} {{.Config.Image}}', id])).stdout).trim()
    : 'absent';
};
const printenvKey = async (dir: string) =>
  String((await dc(dir, ['exec', '-T', 'langflow', 'printenv', 'LANGFLOW_SECRET_KEY'])).stdout).trim();
const archivesOf = (dir: string) => {
  const d = join(dir, '.harden-init/archives');
  try {
    return readdirSync(d)
      .filter((n) => n.endsWith('.age'))
      .sort()
      .map((n) => join(d, n));
  } catch {
    return [];
  }
};

let unlock: (() => Promise<void>) | undefined;
let parent = '';
let dir = '';
let image = '';

describe
  .skipIf(!hasEngine)
  .sequential(
    'harden-init rotate-key on a real engine (the built binary, bundled PostgreSQL)',
    { timeout: 300_000 },
    () => {
      beforeAll(async () => {
        unlock = await lockEngine(); // other e2e files on this engine wait
        await execa(join(ROOT, 'test/e2e/standin/langflow/build.sh'), [RELEASE], { stdio: 'inherit' });
        const b = await execa(join(ROOT, 'test/e2e/rotate-key/build-python.sh'), ['--langflow', RELEASE], {
          reject: false,
          all: true,
        });
        expect(b.exitCode, String(b.all)).toBe(0);
        image = String(b.stdout).trim().split('\n').at(-1)!;
        expect(image).toBe(`hi-rotate/langflow:${RELEASE}`);
        await removeProject(PROJECT); // left over by an interrupted run
        parent = mkdtempSync(join(tmpdir(), 'hi-rotatekey-cli-'));
        dir = join(parent, PROJECT);
        mkdirSync(dir, { mode: 0o700 });
        // The healthcheck as harden-init writes it, plus a fault the test can switch on: with a key pinned in the config
        // volume, langflow is unhealthy under any other key (the rotation's start then fails and must be undone).
        const pinned =
          '[ ! -f /app/langflow/hi-test-pinned-key ] || [ "$$LANGFLOW_SECRET_KEY" = "$$(cat /app/langflow/hi-test-pinned-key)" ]';
        writeFileSync(
          join(dir, 'docker-compose.override.yml'),
          [
            'services:',
            '  langflow:',
            `    image: "${image}"`,
            '    healthcheck:',
            `      test: ${JSON.stringify(['CMD-SHELL', `curl -fsS -o /dev/null http://127.0.0.1:7860/health_check && { ${pinned}; }`])}`,
            '',
          ].join('\n'),
        );
      }, 900_000);

      afterAll(async () => {
        if (dir) await dc(dir, ['down', '-v', '--remove-orphans', '--timeout', '3']);
        await removeProject(PROJECT);
        if (parent) rmSync(parent, { recursive: true, force: true });
        await unlock?.();
      });

      let before: Read | undefined;
      let oldKey = '';

      it('install (--https proxy, bundled PostgreSQL) with the image that has Python; credentials stored under the key of .env', async () => {
        const [port] = await freePorts(1);
        const r = await run([
          'langflow',
          '--dir',
          dir,
          '--domain',
          'langflow.example.com',
          '--https',
          'proxy',
          '--http-port',
          String(port),
          '--yes',
        ]);
        expect(r.exitCode, out(r)).toBe(0);
        expect(r.stdout).toMatch(/Verified with printenv/);
        expect(await running(dir)).toBe(`true ${image}`);
        oldKey = envOf(dir).LANGFLOW_SECRET_KEY!;
        expect(oldKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
        await fixture(dir, 'seed', oldKey);
        before = (await fixture(dir, 'read', oldKey))!;
        expect(before.failed).toEqual([]);
        expect(Object.keys(before.plain)).toHaveLength(STORED);
      });

      it('the image is the one compose runs: an override naming a missing one is refused by name, before anything is stopped', async () => {
        const override = join(dir, 'docker-compose.override.yml');
        const text = readFileSync(override, 'utf8');
        writeFileSync(override, text.replace(`image: "${image}"`, 'image: "hi-rotate/langflow:0.0.0-missing"'));
        try {
          const r = await run(['rotate-key', '--dir', dir, '--dry-run']);
          expect(r.exitCode, out(r)).toBe(1);
          expect(r.stderr).toContain(
            "The install's Langflow image hi-rotate/langflow:0.0.0-missing is not present locally",
          );
        } finally {
          writeFileSync(override, text);
        }
        expect(await running(dir)).toBe(`true ${image}`);
      });

      it('rotate-key --yes: backup first, then .env and the running langflow have a new key, every value decrypts with it to the same plaintext, none with the old', async () => {
        expect(before, 'the install above').toBeDefined();
        const envBefore = envText(dir);
        const r = await run(['rotate-key', '--dir', dir, '--passphrase-env', 'HI_ROTATE_PASS', '--yes'], {
          HI_ROTATE_PASS: PASS,
        });
        expect(r.exitCode, out(r)).toBe(0);
        const o = r.stdout;
        // the steps in their order: the archive is written before langflow is stopped and before .env changes
        const at = (re: RegExp) => {
          const m = re.exec(o);
          expect(m, String(re)).not.toBeNull();
          return m!.index;
        };
        expect(at(/Archive written: /)).toBeLessThan(at(/2\/6 Stopping langflow/));
        expect(at(/2\/6 Stopping langflow/)).toBeLessThan(at(/3\/6 Re-encrypting/));
        expect(at(/3\/6 Re-encrypting/)).toBeLessThan(at(/4\/6 Writing \.env/));
        expect(at(/4\/6 Writing \.env/)).toBeLessThan(at(/6\/6 Checking/));
        expect(o).toMatch(/variable\.value: 1 re-encrypted/);
        expect(o).toMatch(/Every stored credential decrypts with the new key in the running langflow container/);
        expect(o).toMatch(/Secret key rotated/);

        // the archive: one, written before .env, holding the OLD .env (the key the data was under)
        const archives = archivesOf(dir);
        expect(archives).toHaveLength(1);
        expect(statSync(archives[0]!).mtimeMs).toBeLessThanOrEqual(statSync(join(dir, '.env')).mtimeMs);
        const { files } = await verifyArchive(await decrypt(createReadStream(archives[0]!), { passphrase: PASS }));
        expect(files.get('.env')?.toString('utf8')).toBe(envBefore);

        const newKey = envOf(dir).LANGFLOW_SECRET_KEY!;
        expect(newKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
        expect(newKey).not.toBe(oldKey);
        expect(statSync(join(dir, '.env')).mode & 0o777).toBe(0o600);
        expect(await running(dir)).toBe(`true ${image}`);
        expect(await printenvKey(dir)).toBe(newKey);
        for (const k of [oldKey, newKey, PASS]) expect(out(r)).not.toContain(k);

        const after = (await fixture(dir, 'read', newKey))!;
        expect(after.failed).toEqual([]);
        expect(after.plain).toEqual(before!.plain);
        const withOld = (await fixture(dir, 'read', oldKey))!;
        expect(withOld.plain).toEqual({});
        expect(withOld.failed).toHaveLength(STORED);
        // the previous .env is kept beside the archive too, and the pending key is gone
        expect(readdirSync(join(dir, '.harden-init'))).not.toContain('rotate-key.pending');
      });

      it('a value the current key cannot read: non-zero exit naming table, row and field; .env unchanged, langflow running again with the current key, data as it was', async () => {
        const key = envOf(dir).LANGFLOW_SECRET_KEY!;
        await fixture(dir, 'seed-bad', key, randomBytes(32).toString('base64url'));
        const envBefore = envText(dir);
        const raw = (await fixture(dir, 'read', key))!.raw;
        const r = await run(['rotate-key', '--dir', dir, '--passphrase-env', 'HI_ROTATE_PASS', '--yes'], {
          HI_ROTATE_PASS: PASS,
        });
        expect(r.exitCode, out(r)).not.toBe(0);
        expect(r.stderr).toMatch(/cannot be decrypted with the key/);
        expect(r.stderr).toContain('variable row 00000000-0000-0000-0000-000000000063, variable.value');
        expect(r.stderr).toMatch(/Nothing was changed/);
        expect(envText(dir)).toBe(envBefore);
        expect(await running(dir)).toBe(`true ${image}`);
        expect(await printenvKey(dir)).toBe(key);
        const now = (await fixture(dir, 'read', key))!;
        expect(now.raw).toEqual(raw);
        expect(now.failed).toEqual(['variable.00000000-0000-0000-0000-000000000063']);
        expect(readdirSync(join(dir, '.harden-init'))).not.toContain('rotate-key.pending');
        expect(archivesOf(dir)).toHaveLength(2); // its backup was still taken first
      });

      it('langflow not healthy with the new key after .env was written: undone, the data back under the old key, .env as it was, langflow running with it', async () => {
        const del = await dc(
          dir,
          ['exec', '-T', 'postgres', 'sh', '-c', 'psql -v ON_ERROR_STOP=1 -qtA -U "$POSTGRES_USER" -d "$POSTGRES_DB"'],
          "DELETE FROM variable WHERE name = 'FOREIGN';",
        );
        expect(del.exitCode, String(del.all)).toBe(0);
        const key = envOf(dir).LANGFLOW_SECRET_KEY!;
        const pin = await dc(dir, [
          'exec',
          '-T',
          'langflow',
          'sh',
          '-c',
          'printenv LANGFLOW_SECRET_KEY > /app/langflow/hi-test-pinned-key',
        ]);
        expect(pin.exitCode, String(pin.all)).toBe(0);
        const envBefore = envText(dir);
        const r = await run(
          ['rotate-key', '--dir', dir, '--passphrase-env', 'HI_ROTATE_PASS', '--yes'],
          { HI_ROTATE_PASS: PASS },
          45,
        );
        expect(r.exitCode, out(r)).toBe(1);
        expect(r.stdout).toMatch(/4\/6 Writing \.env/); // the failure came after .env had the new key
        expect(r.stderr).toMatch(/langflow did not become healthy/);
        expect(r.stderr).toMatch(
          /Undone: the credentials were re-encrypted back to the old key, \.env holds the old key again and langflow was started with it/,
        );
        expect(envText(dir)).toBe(envBefore);
        expect(await running(dir)).toBe(`true ${image}`);
        expect(await printenvKey(dir)).toBe(key);
        const now = (await fixture(dir, 'read', key))!;
        expect(now.failed).toEqual([]);
        expect(now.plain).toEqual(before!.plain);
        expect(readdirSync(join(dir, '.harden-init'))).not.toContain('rotate-key.pending');
        for (const k of [key, PASS]) expect(out(r)).not.toContain(k);
      });
    },
  );
