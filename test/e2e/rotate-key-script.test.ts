// templates/langflow/rotate_secret_key.py on real databases: a Debian Python with cryptography, SQLAlchemy and psycopg2
// (test/e2e/rotate-key/build-python.sh) standing in for Langflow's, a SQLite file and the REAL PostgreSQL 15
// (test/e2e/realdb). Every field the rotation knows holds a value encrypted with the old key (written by
// test/e2e/rotate-key/fixture.py, which encrypts as Langflow does without the script's code); after the rotation every
// one decrypts with the new key to the same plaintext and none with the old, plaintext values are untouched, and a
// value the old key cannot read stops the rotation with the database byte-for-byte as it was. The script runs exactly
// as harden-init runs it: the bootstrap with the config line and the script on stdin, no key on a command line.
import { execa } from 'execa';
import { randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/run-bin.js';
import { engineAvailable, lockEngine } from '../helpers/engine.js';
import { BOOTSTRAP, parseReport, scriptInput, type ScriptReport } from '../../src/commands/rotate-key-script.js';

const hasEngine = engineAvailable();
const key = () => randomBytes(32).toString('base64url');
const NET = 'hi-rotatekey-net';
const PG = 'hi-rotatekey-pg';
const PG_URL = `postgresql://langflow:pgpass-${randomBytes(6).toString('hex')}@${PG}:5432/langflow`;

let image = '';
let dataDir = '';
let unlock: (() => Promise<void>) | undefined;

interface Read {
  plain: Record<string, string>;
  failed: string[];
  raw: Record<string, string>;
}

/** A container of the Python image on the test network with the temp dir at /data. */
const py = (args: string[], input?: string, env: Record<string, string> = {}) =>
  execa(
    'docker',
    [
      'run',
      '--rm',
      '-i',
      '--network',
      NET,
      '-v',
      `${dataDir}:/data`,
      ...Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]),
      image,
      ...args,
    ],
    { input, reject: false, all: true, timeout: 120_000 },
  );

const fixture = async (mode: string, url: string, k: string, extra: Record<string, string> = {}) => {
  const r = await py(['python3', '/data/fixture.py', mode], undefined, { FIXTURE_URL: url, FIXTURE_KEY: k, ...extra });
  expect(r.exitCode, String(r.all)).toBe(0);
  return mode === 'read' ? (JSON.parse(String(r.stdout)) as Read) : undefined;
};

/** The script as harden-init runs it: bootstrap on the command line, config line + script on stdin. */
const rotate = async (mode: string, config: Record<string, string>) => {
  const r = await py(['python3', '-c', BOOTSTRAP, mode], scriptInput(config));
  return { exitCode: r.exitCode, report: parseReport(String(r.stdout)) as ScriptReport, all: String(r.all) };
};

const FIELDS = [
  'user.store_api_key',
  'variable.value',
  'folder.auth_settings.oauth_client_secret',
  'folder.auth_settings.api_key',
  'apikey.api_key',
  'deployment_provider_account.api_key',
  'connection_secret.encrypted_payload',
  'trigger.signing_secret_encrypted',
  'mcp_server.config.env',
  'mcp_server.config.headers',
  'mcp_server.config.args',
  'sso_config.client_secret_encrypted',
];

describe
  .skipIf(!hasEngine)
  .sequential('rotate_secret_key.py on SQLite and the real PostgreSQL', { timeout: 600_000 }, () => {
    beforeAll(async () => {
      unlock = await lockEngine();
      const b = await execa(join(ROOT, 'test/e2e/rotate-key/build-python.sh'), [], { reject: false, all: true });
      expect(b.exitCode, String(b.all)).toBe(0);
      image = String(b.stdout).trim().split('\n').at(-1)!;
      const pgImage = await execa(join(ROOT, 'test/e2e/realdb/build-realdb.sh'), ['--no-tag', 'postgres'], {
        reject: false,
        all: true,
      });
      expect(pgImage.exitCode, String(pgImage.all)).toBe(0);
      const pgRef = /built\s+(harden-init-realdb-postgres:[0-9a-f]+)/.exec(String(pgImage.all))![1]!;
      dataDir = mkdtempSync(join(tmpdir(), 'hi-rotatekey-'));
      chmodSync(dataDir, 0o777);
      for (const f of ['test/e2e/rotate-key/fixture.py', 'templates/langflow/rotate_secret_key.py'])
        copyFileSync(join(ROOT, f), join(dataDir, f.split('/').at(-1)!));
      await execa('docker', ['rm', '-f', PG], { reject: false });
      await execa('docker', ['network', 'rm', NET], { reject: false });
      await execa('docker', ['network', 'create', NET]);
      const pass = /:([^:@]+)@/.exec(PG_URL)![1]!;
      await execa('docker', [
        'run',
        '-d',
        '--name',
        PG,
        '--network',
        NET,
        '-e',
        'POSTGRES_USER=langflow',
        '-e',
        `POSTGRES_PASSWORD=${pass}`,
        '-e',
        'POSTGRES_DB=langflow',
        pgRef,
      ]);
      for (let i = 0; i < 60; i++) {
        const r = await execa(
          'docker',
          ['exec', PG, 'pg_isready', '-q', '-h', '127.0.0.1', '-U', 'langflow', '-d', 'langflow'],
          { reject: false },
        );
        if (r.exitCode === 0) break;
        await new Promise((res) => setTimeout(res, 1000));
      }
    });

    afterAll(async () => {
      await execa('docker', ['rm', '-f', PG], { reject: false });
      await execa('docker', ['network', 'rm', NET], { reject: false });
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
      await unlock?.();
    });

    for (const [name, url] of [
      ['SQLite', 'sqlite:////data/langflow.db'],
      ['PostgreSQL 15', PG_URL],
    ] as const) {
      it(`${name}: dry run counts, rotation re-encrypts every field, the new key reads the same plaintext, the old none`, async () => {
        const oldKey = key();
        const newKey = key();
        await fixture('seed', url, oldKey);
        const before = (await fixture('read', url, oldKey))!;
        expect(before.failed).toEqual([]);
        expect(Object.keys(before.plain)).toHaveLength(12);

        const dry = await rotate('dry-run', { old_key: oldKey, new_key: newKey, database_url: url });
        expect(dry.exitCode, dry.all).toBe(0);
        expect(Object.keys(dry.report.fields!).sort()).toEqual([...FIELDS].sort());
        for (const f of FIELDS) expect(dry.report.fields![f]!.encrypted, f).toBe(1);
        expect(dry.report.fields!['mcp_server.config.env']!.plaintext).toBe(1);
        expect((await fixture('read', url, oldKey))!.raw).toEqual(before.raw); // the dry run wrote nothing

        const r = await rotate('rotate', { old_key: oldKey, new_key: newKey, database_url: url });
        expect(r.exitCode, r.all).toBe(0);
        expect(r.report.updated_rows).toBe(9);
        expect(r.all).not.toContain(oldKey);
        expect(r.all).not.toContain(newKey);

        const after = (await fixture('read', url, newKey))!;
        expect(after.failed).toEqual([]);
        expect(after.plain).toEqual(before.plain);
        const withOld = (await fixture('read', url, oldKey))!;
        expect(Object.keys(withOld.plain)).toEqual([]);
        expect(withOld.failed).toHaveLength(12);
        // plaintext and non-secret values exactly as they were
        for (const k of Object.keys(before.raw).filter(
          (k) => /\.(plain|argsrest|oauth_host)$|^variable\./.test(k) && !(k in before.plain),
        )) {
          expect(after.raw[k], k).toEqual(before.raw[k]);
        }

        const v = await rotate('verify', { key: newKey, database_url: url });
        expect(v.exitCode, v.all).toBe(0);
        const vOld = await rotate('verify', { key: oldKey, database_url: url });
        expect(vOld.exitCode).toBe(3);
        expect(vOld.report.failures).toHaveLength(12);
      });

      it(`${name}: a value the old key cannot decrypt stops the rotation, naming table, row and field; nothing changed`, async () => {
        // a fresh database with one value written under another key
        const fresh = url.startsWith('sqlite') ? 'sqlite:////data/bad.db' : url;
        const oldKey = key();
        if (!url.startsWith('sqlite')) {
          await execa('docker', [
            'exec',
            PG,
            'psql',
            '-q',
            '-U',
            'langflow',
            '-d',
            'langflow',
            '-c',
            'DROP SCHEMA public CASCADE; CREATE SCHEMA public;',
          ]);
        }
        await fixture('seed', fresh, oldKey);
        await fixture('seed-bad', fresh, oldKey, { FIXTURE_OTHER_KEY: key() });
        const before = (await fixture('read', fresh, oldKey))!;
        const r = await rotate('rotate', { old_key: oldKey, new_key: key(), database_url: fresh });
        expect(r.exitCode, r.all).toBe(3);
        expect(r.report.ok).toBe(false);
        const id = url.startsWith('sqlite')
          ? '00000000000000000000000000000063'
          : '00000000-0000-0000-0000-000000000063';
        expect(r.report.failures).toEqual([{ table: 'variable', id, field: 'variable.value' }]);
        const after = (await fixture('read', fresh, oldKey))!;
        expect(after.raw).toEqual(before.raw);
        expect(after.plain).toEqual(before.plain);
      });
    }
  });
