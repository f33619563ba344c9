// Releases as a user meets them, through the built binary without Docker: which release is installed,
// which are refused, what a re-run keeps, and what happens with a release whose files ask for more than
// harden-init's rules know.
import { describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RELEASES_DIR, tempDir } from '../helpers/run-bin.js';
import { runMain } from '../helpers/run-main.js';
import { parseEnv, toRecord } from '../../src/engine/envfile.js';
import { sha256 } from '../../src/engine/state.js';
import { parse } from 'yaml';

const FIRST = ['--domain', 'appwrite.example.com', '--email', 'admin@example.com', '--yes', '--no-start'];
const read = (dir: string, f: string) => readFileSync(join(dir, f), 'utf8');
const envOf = (dir: string) => toRecord(parseEnv(read(dir, '.env')));
const stateOf = (dir: string) => JSON.parse(read(dir, '.harden-init/state.json'));
const servicesOf = (dir: string) => Object.keys(parse(read(dir, 'docker-compose.yml')).services).sort();
const newDir = () => join(tempDir(), 'appwrite');
const snapshot = (dir: string) =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => {
      const p = join(e.parentPath, e.name);
      return [p, readFileSync(p, 'utf8')];
    })
    .sort();

describe.concurrent('which release is installed', () => {
  it("a new install gets Appwrite 2.7.1 (PostgreSQL); state.json records the release and upstream's sha256", async ({
    expect,
  }) => {
    const dir = newDir();
    const r = await runMain(['--dir', dir, ...FIRST]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Release\s+Appwrite 2\.7\.1/);
    expect(r.stdout).toMatch(/Database\s+bundled PostgreSQL/);
    const state = stateOf(dir);
    expect(state.release).toBe('2.7.1');
    expect(state.upstreamSha256).toBe(sha256(read(RELEASES_DIR, '2.7.1/docker-compose.yml')));
    expect(state.answers).toMatchObject({ release: '2.7.1', dbEngine: 'postgresql' });
    expect(read(dir, 'docker-compose.yml')).toContain('image: appwrite/appwrite:2.7.1');
    expect(servicesOf(dir)).toContain('postgresql');
    expect(servicesOf(dir)).not.toContain('mariadb');
  });

  it('--release 1.9.10 installs the 1.9 service set with MariaDB', async ({ expect }) => {
    const dir = newDir();
    const r = await runMain(['--dir', dir, ...FIRST, '--release', '1.9.10']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Release\s+Appwrite 1\.9\.10/);
    const workers = [
      'audits',
      'builds',
      'certificates',
      'databases',
      'deletes',
      'executions',
      'functions',
      'mails',
      'messaging',
      'migrations',
      'screenshots',
      'stats-resources',
      'stats-usage',
      'webhooks',
    ].map((w) => `appwrite-worker-${w}`);
    const tasks = [
      'interval',
      'maintenance',
      'scheduler-executions',
      'scheduler-functions',
      'scheduler-messages',
      'stats-resources',
    ].map((t) => `appwrite-task-${t}`);
    expect(servicesOf(dir)).toEqual(
      [
        'appwrite',
        'appwrite-browser',
        'appwrite-console',
        'appwrite-embedding',
        'appwrite-realtime',
        ...tasks,
        ...workers,
        'mariadb',
        'openruntimes-executor',
        'redis',
        'traefik',
      ].sort(),
    );
    expect(envOf(dir)).toMatchObject({ _APP_DB_ADAPTER: 'mariadb', _APP_DB_HOST: 'mariadb' });
    expect(envOf(dir)._APP_DB_ROOT_PASS).toMatch(/^[A-Za-z0-9_-]{48}$/);
    expect(stateOf(dir)).toMatchObject({ release: '1.9.10', answers: { dbEngine: 'mariadb' } });
  });

  it.for([
    ['1.9.5', '1.9.10'],
    ['2.3.0', '2.7.1'],
  ] as const)(
    '--release %s is refused (exit 2, the CVE and the way out); nothing is written',
    async ([v, newest], { expect }) => {
      const dir = newDir();
      const r = await runMain(['--dir', dir, ...FIRST, '--release', v]);
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toContain(`Appwrite ${v} is below`);
      expect(r.stderr).toContain('CVE-2026-111497');
      expect(r.stderr).toContain(`--release ${newest}`);
      expect(r.stderr).toContain('--allow-insecure-release');
      expect(existsSync(dir)).toBe(false);
    },
  );
});

describe.concurrent('re-runs keep the release', () => {
  it('a 1.9.6 install (made with --allow-insecure-release) re-run without --release stays on 1.9.6 and warns with the upgrade command', async ({
    expect,
  }) => {
    const dir = newDir();
    const first = await runMain(['--dir', dir, ...FIRST, '--release', '1.9.6', '--allow-insecure-release']);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/SECURITY: installing Appwrite 1\.9\.6/);
    const before = snapshot(dir);

    const r = await runMain(['--dir', dir, '--yes', '--no-start']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain('Appwrite 1.9.6');
    expect(r.stdout).toMatch(/SECURITY: this install runs Appwrite 1\.9\.6, below the 1\.9 line's minimum 1\.9\.10/);
    expect(r.stdout).toContain(`Upgrade now: npx harden-init --dir ${dir} --release 1.9.10`);
    expect(r.stdout).toMatch(/Nothing to change/);
    expect(snapshot(dir)).toEqual(before);
    expect(read(dir, 'docker-compose.yml')).toContain('image: appwrite/appwrite:1.9.6');
  });

  it('the printed upgrade command moves 1.9.6 to 1.9.10: secrets kept, the migration named', async ({ expect }) => {
    const dir = newDir();
    expect((await runMain(['--dir', dir, ...FIRST, '--release', '1.9.6', '--allow-insecure-release'])).exitCode).toBe(
      0,
    );
    const before = envOf(dir);
    const r = await runMain(['--dir', dir, '--release', '1.9.10', '--yes', '--no-start']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      `Release 1.9.6 → 1.9.10: after the stack is up, run Appwrite's data migration: cd ${dir} && docker compose exec appwrite migrate`,
    );
    expect(r.stdout).not.toMatch(/SECURITY/);
    expect(stateOf(dir).release).toBe('1.9.10');
    expect(read(dir, 'docker-compose.yml')).toContain('image: appwrite/appwrite:1.9.10');
    const after = envOf(dir);
    for (const k of ['_APP_OPENSSL_KEY_V1', '_APP_EXECUTOR_SECRET', '_APP_DB_PASS', '_APP_DB_ROOT_PASS'])
      expect(after[k], k).toBe(before[k]);
  });

  it.for([
    ['2.7.1', '1.9.10', /moving between the 1\.9 and 2\.x lines/],
    ['1.9.10', '2.7.1', /moving between the 1\.9 and 2\.x lines/],
  ] as const)(
    'an install on %s asked for --release %s is refused and left as it is',
    async ([from, to, message], { expect }) => {
      const dir = newDir();
      expect((await runMain(['--dir', dir, ...FIRST, '--release', from])).exitCode).toBe(0);
      const before = snapshot(dir);
      const r = await runMain(['--dir', dir, '--release', to, '--yes', '--no-start']);
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(snapshot(dir)).toEqual(before);
    },
  );

  it('an install written by an earlier harden-init (state.json with templateVersion 1.9.5 only) is recognised as 1.9.5', async ({
    expect,
  }) => {
    const dir = newDir();
    mkdirSync(join(dir, '.harden-init'), { recursive: true, mode: 0o700 });
    const key = 'k'.repeat(48);
    writeFileSync(
      join(dir, '.env'),
      [
        '_APP_ENV=production',
        '_APP_DOMAIN=old.example.com',
        '_APP_DOMAIN_TARGET_CNAME=old.example.com',
        '_APP_OPTIONS_FORCE_HTTPS=enabled',
        '_APP_OPTIONS_ROUTER_FORCE_HTTPS=enabled',
        '_APP_OPTIONS_ABUSE=enabled',
        '_APP_CONSOLE_WHITELIST_ROOT=enabled',
        '_APP_EMAIL_CERTIFICATES=ops@example.com',
        '_APP_EMAIL_SECURITY=ops@example.com',
        `_APP_OPENSSL_KEY_V1=${key}`,
        `_APP_EXECUTOR_SECRET=${'e'.repeat(48)}`,
        '_APP_DB_HOST=mariadb',
        '_APP_DB_PORT=3306',
        '_APP_DB_USER=user',
        `_APP_DB_PASS=${'p'.repeat(48)}`,
        `_APP_DB_ROOT_PASS=${'r'.repeat(48)}`,
        '',
      ].join('\n'),
      { mode: 0o600 },
    );
    writeFileSync(
      join(dir, '.harden-init', 'state.json'),
      `${JSON.stringify(
        {
          schema: 1,
          target: 'appwrite',
          templateVersion: '1.9.5',
          answers: {
            domain: 'old.example.com',
            https: 'auto',
            email: 'ops@example.com',
            console: 'root',
            db: 'volume',
            httpPort: 80,
            httpsPort: 443,
          },
        },
        null,
        2,
      )}\n`,
    );

    const r = await runMain(['--dir', dir, '--yes', '--no-start']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/harden-init .* Appwrite 1\.9\.5 \(re-run on/);
    expect(r.stdout).toMatch(/SECURITY: this install runs Appwrite 1\.9\.5/);
    expect(r.stdout).toContain('--release 1.9.10');
    expect(stateOf(dir)).toMatchObject({
      release: '1.9.5',
      answers: { release: '1.9.5', dbEngine: 'mariadb', domain: 'old.example.com' },
    });
    expect(read(dir, 'docker-compose.yml')).toContain('image: appwrite/appwrite:1.9.5');
    expect(envOf(dir)).toMatchObject({
      _APP_OPENSSL_KEY_V1: key,
      _APP_DB_PASS: 'p'.repeat(48),
      _APP_DB_ADAPTER: 'mariadb',
      _APP_DOMAIN: 'old.example.com',
    });
  });
});

/**
 * A release newer than the table (2.8.0): 2.3.0's files plus a service that publishes a port and mounts
 * the Docker socket, and a new secret-looking variable.
 */
function syntheticRelease(): string {
  const root = tempDir('hi-releases-');
  const d = join(root, '2.8.0');
  cpSync(join(RELEASES_DIR, '2.3.0'), d, { recursive: true, dereference: true });
  const compose = read(d, 'docker-compose.yml');
  const service = [
    '  appwrite-newthing:',
    '    image: appwrite/newthing:0.1.0',
    '    restart: unless-stopped',
    '    ports:',
    '      - "9443:9443"',
    '    volumes:',
    '      - /var/run/docker.sock:/var/run/docker.sock',
    '    networks:',
    '      - appwrite',
    '    environment:',
    '      - _APP_NEWTHING_SECRET',
    '',
  ].join('\n');
  expect(compose).toContain('\n  appwrite-geo:\n');
  writeFileSync(join(d, 'docker-compose.yml'), compose.replace('\n  appwrite-geo:\n', `\n${service}  appwrite-geo:\n`));
  const php = read(d, 'variables.php');
  const anchor = "                'name' => '_APP_USAGE_PASS',";
  expect(php).toContain(anchor);
  const block = [
    "                'name' => '_APP_NEWTHING_SECRET',",
    "                'description' => 'Secret of the new thing.',",
    "                'introduction' => '2.8.0',",
    "                'default' => 'change-me',",
    "                'required' => false,",
    "                'question' => '',",
    "                'filter' => ''",
    '            ],',
    '            [',
    '',
  ].join('\n');
  writeFileSync(join(d, 'variables.php'), php.replace(anchor, `${block}${anchor}`));
  return root;
}

describe.concurrent('a later release whose files ask for more than the rules know', () => {
  it('is refused with exit 2 naming the service and the variable, and nothing is written', async ({ expect }) => {
    const releases = syntheticRelease();
    const dir = newDir();
    const r = await runMain(['--dir', dir, ...FIRST, '--release', '2.8.0'], { HARDEN_INIT_RELEASES_DIR: releases });
    expect(r.exitCode, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toMatch(/service appwrite-newthing publishes .*9443/);
    expect(r.stderr).toMatch(/service appwrite-newthing mounts the Docker socket/);
    expect(r.stderr).toMatch(/variable _APP_NEWTHING_SECRET looks like a secret/);
    expect(r.stderr).toContain('--accept-upstream appwrite-newthing');
    expect(r.stderr).toContain('--accept-upstream _APP_NEWTHING_SECRET');
    expect(existsSync(dir)).toBe(false);
  });

  it('with --accept-upstream for each, it is written: the summary says what was accepted, the secret is generated', async ({
    expect,
  }) => {
    const releases = syntheticRelease();
    const dir = newDir();
    const accept = ['--accept-upstream', 'appwrite-newthing', '--accept-upstream', '_APP_NEWTHING_SECRET'];
    const r = await runMain(['--dir', dir, ...FIRST, '--release', '2.8.0', ...accept], {
      HARDEN_INIT_RELEASES_DIR: releases,
    });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Appwrite 2\.8\.0 is newer than harden-init's release table/);
    expect(r.stdout).toMatch(
      /Accepted as upstream wrote it \(--accept-upstream appwrite-newthing\): appwrite-newthing is written as upstream wrote it \(publishes .*9443/,
    );
    expect(r.stdout).toMatch(
      /Accepted as upstream wrote it \(--accept-upstream _APP_NEWTHING_SECRET\): _APP_NEWTHING_SECRET gets a crypto-random value/,
    );
    expect(r.stdout).toMatch(/New secrets[^\n]*_APP_NEWTHING_SECRET/);
    const secret = envOf(dir)._APP_NEWTHING_SECRET!;
    expect(secret).toMatch(/^[A-Za-z0-9_-]{48}$/);
    expect(r.stdout).not.toContain(secret);
    const svc = parse(read(dir, 'docker-compose.yml')).services['appwrite-newthing'];
    expect(svc.volumes).toContain('/var/run/docker.sock:/var/run/docker.sock');
    expect(stateOf(dir).release).toBe('2.8.0');
    // The headless command repeats the acceptance; the same check runs on every re-run.
    expect(r.stdout).toContain('--accept-upstream appwrite-newthing --accept-upstream _APP_NEWTHING_SECRET');
    const again = await runMain(['--dir', dir, '--yes', '--no-start', ...accept], {
      HARDEN_INIT_RELEASES_DIR: releases,
    });
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/Nothing to change/);
    expect(envOf(dir)._APP_NEWTHING_SECRET).toBe(secret);
    const before = snapshot(dir);
    const refused = await runMain(['--dir', dir, '--yes', '--no-start'], { HARDEN_INIT_RELEASES_DIR: releases });
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(/appwrite-newthing/);
    expect(snapshot(dir)).toEqual(before);
  });
});

it('without Docker and without a release description: exit 2 saying what is needed', async () => {
  const dir = newDir();
  const r = await runMain(['--dir', dir, ...FIRST], { HARDEN_INIT_RELEASES_DIR: tempDir('hi-empty-releases-') });
  expect(r.exitCode).toBe(2);
  expect(r.stderr).toMatch(
    /Cannot read Appwrite 2\.7\.1's files: no Docker engine answers and no release description exists/,
  );
  expect(r.stderr).toContain('appwrite/appwrite:2.7.1');
  expect(r.stderr).toContain('scripts/describe-release.sh');
  expect(r.stderr).toContain('HARDEN_INIT_RELEASES_DIR');
  expect(existsSync(dir)).toBe(false);
});
