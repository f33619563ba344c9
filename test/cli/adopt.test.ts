// Adopting an install made by Appwrite's own installer (its .env and compose file, no .harden-init/): recognised,
// every secret kept (the encryption key above all, even the installer's literal `your-secret-key`, with the
// warning and the rotation advice), answers read from .env, their compose file kept and the hardened one written
// beside it (--yes), MongoDB refused with nothing changed.
//
// Fixtures: upstream's own .env (test/fixtures/releases/<v>/env.upstream) with the literal defaults the
// non-interactive installer writes (shared/appwrite-facts.md, "The official installer": key and executor secret
// `your-secret-key`, `_APP_DB_PASS=password`, `_APP_DB_ROOT_PASS=rootsecretpassword`, `_APP_DOMAIN=localhost`,
// force-HTTPS and router protection disabled), and upstream's compose rendered as its Generator does (one
// database service kept, the assistant dropped, depends_on pointed at the kept database).
import { describe, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { RELEASES_DIR, runBin, tempDir } from '../helpers/run-bin.js';
import { parseEnv, toRecord } from '../../src/engine/envfile.js';

const DBS = ['mariadb', 'postgresql', 'mongodb'];

function officialCompose(version: string, db: string, imageTag: boolean): string {
  const doc = parse(readFileSync(join(RELEASES_DIR, version, 'docker-compose.yml'), 'utf8'));
  for (const other of DBS.filter((d) => d !== db)) delete doc.services[other];
  delete doc.services['appwrite-assistant'];
  for (const svc of Object.values(doc.services) as { depends_on?: unknown; image?: string }[]) {
    if (Array.isArray(svc.depends_on))
      svc.depends_on = svc.depends_on.filter((d: string) => !DBS.includes(d) || d === db);
    else if (svc.depends_on && typeof svc.depends_on === 'object')
      for (const d of DBS) if (d !== db) delete (svc.depends_on as Record<string, unknown>)[d];
    if (imageTag && svc.image?.startsWith('${_APP_IMAGE')) svc.image = `appwrite/appwrite:${version}`;
  }
  for (const v of Object.keys(doc.volumes ?? {}))
    if (DBS.some((d) => d !== db && v === `appwrite-${d}`)) delete doc.volumes[v];
  return stringify(doc);
}

function officialEnv(version: string, db: string, extra: Record<string, string> = {}): string {
  const set: Record<string, string> = {
    _APP_OPENSSL_KEY_V1: 'your-secret-key',
    _APP_EXECUTOR_SECRET: 'your-secret-key',
    _APP_DB_PASS: 'password',
    _APP_DB_ROOT_PASS: 'rootsecretpassword',
    _APP_DOMAIN: 'localhost',
    _APP_DOMAIN_TARGET: 'localhost',
    _APP_OPTIONS_FORCE_HTTPS: 'disabled',
    _APP_OPTIONS_ROUTER_PROTECTION: 'disabled',
    _APP_DB_ADAPTER: db,
    _APP_DB_HOST: db,
    _APP_DB_PORT: db === 'mariadb' ? '3306' : db === 'postgresql' ? '5432' : '27017',
    ...extra,
  };
  const lines = readFileSync(join(RELEASES_DIR, version, 'env.upstream'), 'utf8')
    .split('\n')
    .map((l) => {
      const k = /^([A-Z0-9_]+)=/.exec(l)?.[1];
      if (k && k in set) {
        const v = set[k]!;
        delete set[k];
        return `${k}=${v}`;
      }
      return l;
    });
  return `${lines.join('\n').replace(/\n*$/, '\n')}${Object.entries(set)
    .map(([k, v]) => `${k}=${v}\n`)
    .join('')}`;
}

function officialInstall(
  version: string,
  db: string,
  o: { imageTag?: boolean; env?: Record<string, string> } = {},
): string {
  const dir = join(tempDir('hi-adopt-'), 'appwrite');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, '.env'), officialEnv(version, db, o.env));
  writeFileSync(join(dir, 'docker-compose.yml'), officialCompose(version, db, o.imageTag ?? true));
  return dir;
}
const read = (dir: string, f: string) => readFileSync(join(dir, f), 'utf8');
const envOf = (dir: string) => toRecord(parseEnv(read(dir, '.env')));
const files = (dir: string) => readdirSync(dir, { recursive: true }).map(String).sort();
const cleanup = (dir: string) => rmSync(dirname(dir), { recursive: true, force: true });
const ANSWERS = ['--domain', 'appwrite.example.com', '--email', 'admin@example.com', '--yes', '--no-start'];

describe.concurrent("adopting an install made by Appwrite's own installer", () => {
  it('1.9.6 with MariaDB: release from the image tag, every secret and unknown key kept, their compose kept, the proposal beside it', async ({
    expect,
  }) => {
    const dir = officialInstall('1.9.6', 'mariadb', { env: { MY_OWN_KEY: 'mine' } });
    const before = envOf(dir);
    const compose = read(dir, 'docker-compose.yml');
    const r = await runBin(['--dir', dir, ...ANSWERS]);
    expect(r.exitCode, r.stderr).toBe(0);
    const out = r.stdout + r.stderr;
    const env = envOf(dir);
    for (const k of [
      '_APP_OPENSSL_KEY_V1',
      '_APP_EXECUTOR_SECRET',
      '_APP_DB_PASS',
      '_APP_DB_ROOT_PASS',
      'MY_OWN_KEY',
      '_APP_DB_ADAPTER_VECTORSDB',
    ]) {
      expect(env[k], k).toBe(before[k]);
    }
    expect(env._APP_OPENSSL_KEY_V1).toBe('your-secret-key');
    expect(out).toMatch(/_APP_OPENSSL_KEY_V1 holds a well-known example value[^\n]*keeps it[^\n]*rotate/);
    expect(out).toMatch(/SECURITY: this install runs Appwrite 1\.9\.6/);
    // Security switches the installer left off are switched on, with a warning.
    expect(env._APP_OPTIONS_ROUTER_PROTECTION).toBe('enabled');
    expect(out).toMatch(/_APP_OPTIONS_ROUTER_PROTECTION was "disabled"/);
    expect(read(dir, 'docker-compose.yml')).toBe(compose);
    expect(existsSync(join(dir, 'docker-compose.proposed.yml'))).toBe(true);
    expect(out).toMatch(/written by another tool/);
    const state = JSON.parse(read(dir, '.harden-init/state.json'));
    expect(state.release).toBe('1.9.6');
    expect(state.answers).toMatchObject({ dbEngine: 'mariadb', db: 'volume', domain: 'appwrite.example.com' });
    cleanup(dir);
  });

  it('--dry-run shows what would change and writes nothing', async ({ expect }) => {
    const dir = officialInstall('1.9.6', 'mariadb');
    const before = files(dir);
    const env = read(dir, '.env');
    const r = await runBin(['--dir', dir, ...ANSWERS, '--dry-run']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/docker-compose\.proposed\.yml/);
    expect(r.stdout).toMatch(/_APP_OPTIONS_ROUTER_PROTECTION/);
    expect(r.stdout).not.toContain('rootsecretpassword'); // secrets masked in the diff
    expect(files(dir)).toEqual(before);
    expect(read(dir, '.env')).toBe(env);
    cleanup(dir);
  });

  it('2.3.0 with PostgreSQL: release from _APP_VERSION in .env (the compose image is interpolated); the key kept', async ({
    expect,
  }) => {
    const dir = officialInstall('2.3.0', 'postgresql', { imageTag: false, env: { _APP_VERSION: '2.3.0' } });
    const before = envOf(dir);
    const r = await runBin(['--dir', dir, ...ANSWERS]);
    expect(r.exitCode, r.stderr).toBe(0);
    const env = envOf(dir);
    expect(env._APP_OPENSSL_KEY_V1).toBe('your-secret-key');
    expect(env._APP_DB_PASS).toBe(before._APP_DB_PASS);
    expect(JSON.parse(read(dir, '.harden-init/state.json')).release).toBe('2.3.0');
    expect(JSON.parse(read(dir, '.harden-init/state.json')).answers.dbEngine).toBe('postgresql');
    cleanup(dir);
  });

  it("MongoDB (the installer's default) is refused clearly and nothing changes", async ({ expect }) => {
    const dir = officialInstall('1.9.6', 'mongodb');
    const before = files(dir);
    const env = read(dir, '.env');
    const r = await runBin(['--dir', dir, ...ANSWERS]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/MongoDB[^\n]*nothing was changed/);
    expect(files(dir)).toEqual(before);
    expect(read(dir, '.env')).toBe(env);
    cleanup(dir);
  });
});
