// `harden-init langflow` end to end: the BUILT BINARY on a real Docker engine, as an operator runs it — install,
// start, health wait through the published port, the printenv comparison and the live checks inside the langflow
// container; drift and its repair by a re-run; `--https proxy`; SQLite on a host directory.
//
// Images are local (no registry): the Langflow stand-in `langflowai/langflow:1.13.1` that answers the probes from its
// own environment, real PostgreSQL as `postgres:16` (test/e2e/standin/langflow/build.sh) and real Caddy (Debian's
// 2.6.2, tagged as the pinned CADDY_IMAGE; test/e2e/realcaddy/build.sh).
//
// HTTPS: `--https off` (plain HTTP through the real Caddy), `--https proxy` (Langflow on 127.0.0.1) and `--https auto`.
// With `auto` Caddy asks Let's Encrypt for a certificate, which cannot succeed offline; the CLI still installs and
// verifies (its health wait takes Caddy's redirect to HTTPS, the live checks run inside the langflow container), but
// Caddy would serve no certificate. So the auto install's docker-compose.override.yml (harden-init never touches it)
// starts Caddy on a copy of the product's own Caddyfile with `tls internal` added (Caddy's own CA, as
// test/e2e/standin/langflow/stack.test.ts renders it), made at each start: HTTPS is served by the real Caddy from the
// file harden-init wrote, also after a re-run changed it.
//
// With CI=true and no engine the file fails (engineAvailable throws); elsewhere it is skipped.
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
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

const hasEngine = engineAvailable();
const RELEASE = '1.13.1';
const DOMAIN = 'langflow.example.com';
/** Compose project names (the install directories' names), removed before and after the file. */
const OFF = 'hilfclioff';
const PROXY = 'hilfcliproxy';
const AUTO = 'hilfcliauto';

const run = (args: string[], env: Record<string, string | undefined> = {}) =>
  runBin([...args, '--timeout', '120'], { ...REAL_ENGINE, ...env });
const out = (r: RunResult) => r.stdout + r.stderr;
const envOf = (dir: string) => toRecord(parseEnv(readFileSync(join(dir, '.env'), 'utf8')));
const count = (text: string, needle: string) => text.split(needle).length - 1;

/** docker-compose as an operator runs it by hand in the install directory (no shell variables but the engine). */
const handCompose = (dir: string, args: string[]) =>
  execa('docker-compose', args, {
    cwd: dir,
    reject: false,
    extendEnv: false,
    env: { PATH: process.env.PATH!, DOCKER_HOST: process.env.DOCKER_HOST },
  });

/** GET through a published port with the domain as Host (what harden-init's health wait does): status and body. */
async function get(port: number, path: string): Promise<{ status: number; body: string }> {
  const r = await execa(
    'curl',
    ['-sS', '-m', '10', '-H', `Host: ${DOMAIN}`, '-w', '\n%{http_code}', `http://127.0.0.1:${port}${path}`],
    { reject: false },
  );
  const text = String(r.stdout);
  const i = text.lastIndexOf('\n');
  return { status: Number(text.slice(i + 1)) || 0, body: text.slice(0, Math.max(i, 0)) };
}

/** "service host:port->port/tcp" for every port binding of the project's containers (EXPOSEd-only ports left out). */
async function published(project: string): Promise<string[]> {
  const r = await execa('docker', [
    'ps',
    '--filter',
    `label=com.docker.compose.project=${project}`,
    '--format',
    '{{.Label "com.docker.compose.service"}}\t{{.Ports}}',
  ]);
  return String(r.stdout)
    .split('\n')
    .filter(Boolean)
    .flatMap((line) => {
      const [service, ports = ''] = line.split('\t');
      return ports
        .split(', ')
        .filter((p) => p.includes('->'))
        .map((p) => `${service} ${p}`);
    })
    .sort();
}

/** GET over HTTPS through the published port, SNI and Host the domain (Caddy's internal CA, so -k): status, headers, body. */
async function getHttps(port: number, path: string): Promise<{ status: number; headers: string; body: string }> {
  const r = await execa(
    'curl',
    [
      '-sSk',
      '-m',
      '15',
      '--resolve',
      `${DOMAIN}:${port}:127.0.0.1`,
      '-D',
      '-',
      '-w',
      '\n%{http_code}',
      `https://${DOMAIN}:${port}${path}`,
    ],
    { reject: false },
  );
  const text = String(r.stdout);
  const i = text.lastIndexOf('\n');
  const [headers = '', body = ''] = text.slice(0, Math.max(i, 0)).split(/\r?\n\r?\n/);
  return { status: Number(text.slice(i + 1)) || 0, headers: headers.toLowerCase(), body };
}

/**
 * Test only: Caddy started on the product's Caddyfile plus `tls internal` (and no attempt to install its CA into a
 * trust store), copied to /tmp at each start so a Caddyfile a re-run rewrote is the one served.
 */
const TLS_INTERNAL_OVERRIDE = [
  'services:',
  '  caddy:',
  '    command:',
  ...[
    'sh',
    '-c',
    "sed -e 's/^\\tadmin off$$/&\\n\\tskip_install_trust/' -e 's/^\\treverse_proxy /\\ttls internal\\n&/' /etc/caddy/Caddyfile >/tmp/Caddyfile" +
      ' && exec caddy run --config /tmp/Caddyfile --adapter caddyfile',
  ].map((a) => `      - ${JSON.stringify(a)}`),
  '',
].join('\n');

const temps: string[] = [];
const installs: string[] = [];
let unlock: (() => Promise<void>) | undefined;
let offPort = 0;
let proxyPort = 0;
let autoHttp = 0;
let autoHttps = 0;

describe
  .skipIf(!hasEngine)
  .sequential('harden-init langflow on a real engine (the built binary)', { timeout: 240_000 }, () => {
    beforeAll(async () => {
      unlock = await lockEngine(); // other e2e files on this engine wait
      await execa(join(ROOT, 'test/e2e/standin/langflow/build.sh'), [RELEASE], { stdio: 'inherit' });
      await execa(join(ROOT, 'test/e2e/realcaddy/build.sh'), [], { stdio: 'inherit' });
      for (const p of [OFF, PROXY, AUTO]) await removeProject(p); // left over by an interrupted run
      [offPort, proxyPort, autoHttp, autoHttps] = await freePorts(4);
    });

    afterAll(async () => {
      for (const dir of installs) await handCompose(dir, ['down', '-v', '--remove-orphans', '--timeout', '3']);
      for (const p of [OFF, PROXY, AUTO]) await removeProject(p);
      for (const t of temps) rmSync(t, { recursive: true, force: true });
      await unlock?.();
    });

    const newDir = (name: string) => {
      const parent = mkdtempSync(join(tmpdir(), 'hi-lfcli-'));
      temps.push(parent);
      const dir = join(parent, name);
      installs.push(dir);
      return { parent, dir };
    };

    let off = '';

    it('--https off: installs, starts, waits healthy through Caddy, compares printenv, runs the live checks → exit 0; no secret printed', async () => {
      off = newDir(OFF).dir;
      const r = await run([
        'langflow',
        '--dir',
        off,
        '--domain',
        DOMAIN,
        '--https',
        'off',
        '--http-port',
        String(offPort),
        '--yes',
      ]);
      expect(r.exitCode, out(r)).toBe(0);
      expect(r.stdout).toMatch(/docker compose config: the files are valid/);
      expect(r.stdout).toMatch(/Stack healthy: \/health_check answered status ok/);
      // the environment comparison: every managed LANGFLOW_* in the container as in .env
      expect(r.stdout).toMatch(/LANGFLOW_AUTO_LOGIN\s+False\s+False\s+✔/);
      expect(r.stdout).toMatch(/LANGFLOW_ENABLE_SUPERUSER_CLI\s+False\s+False\s+✔/);
      expect(r.stdout).toMatch(
        /LANGFLOW_CORS_ORIGINS\s+http:\/\/langflow\.example\.com:\d+\s+http:\/\/langflow\.example\.com:\d+\s+✔/,
      );
      expect(r.stdout).not.toMatch(/✘/);
      expect(r.stdout).toMatch(/Verified with printenv: \d+ variables match \.env/);
      // each live check is named, with its verdict
      expect(r.stdout).toContain('health (GET /health_check): 200 status ok');
      expect(r.stdout).toContain(`release (GET /api/v1/version): ${RELEASE}`);
      expect(r.stdout).toContain('auto-login (GET /api/v1/auto_login): 403 auto_login false');
      expect(r.stdout).toContain('default credentials langflow/langflow (POST /api/v1/login): 401: not logged in');
      expect(r.stdout).toContain('API without a key (GET /api/v1/flows/): 403: refused');
      expect(r.stdout).toMatch(/Langflow 1\.13\.1 is running: http:\/\/langflow\.example\.com:\d+\//);

      // secrets: none printed (the superuser's first password is named by its .env variable, not shown)
      const env = envOf(off);
      expect(statSync(join(off, '.env')).mode & 0o777).toBe(0o600);
      expect(env.LANGFLOW_SECRET_KEY).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(count(out(r), env.LANGFLOW_SUPERUSER_PASSWORD!)).toBe(0); // not without --show-secrets
      expect(out(r)).not.toContain(env.LANGFLOW_SECRET_KEY!);
      expect(out(r)).not.toContain(env.POSTGRES_PASSWORD!);

      // from outside: only Caddy publishes (on every address, port 80 inside), and answers for the domain
      const ports = await published(OFF);
      expect(ports).toContain(`caddy 0.0.0.0:${offPort}->80/tcp`);
      expect(
        ports.filter((p) => !p.startsWith('caddy ') || !p.endsWith(`:${offPort}->80/tcp`)),
        ports.join('; '),
      ).toEqual([]); // [::] too, where the engine does IPv6
      const health = await get(offPort, '/health_check');
      expect(health.status).toBe(200);
      expect(JSON.parse(health.body)).toMatchObject({ status: 'ok' });
      expect((await get(offPort, '/api/v1/auto_login')).status).toBe(403);
    });

    it('drift: auto-login turned on in .env is reported (exit 3) before and after a hand "up"; a re-run switches it back, recreates langflow, verify exit 0', async () => {
      expect(off, 'the install above').not.toBe('');
      const env = envOf(off);
      const secrets = [env.LANGFLOW_SECRET_KEY!, env.POSTGRES_PASSWORD!, env.LANGFLOW_SUPERUSER_PASSWORD!];
      const noSecrets = (r: RunResult) => {
        for (const s of secrets) expect(out(r)).not.toContain(s);
      };
      const before = await projectContainers(off);
      writeFileSync(
        join(off, '.env'),
        readFileSync(join(off, '.env'), 'utf8').replace(/^LANGFLOW_AUTO_LOGIN=False$/m, 'LANGFLOW_AUTO_LOGIN=True'),
      );
      expect(envOf(off).LANGFLOW_AUTO_LOGIN).toBe('True');

      // .env edited, containers not recreated: the printenv comparison names it; the advice is a re-run, never "up -d"
      const stale = await run(['verify', '--dir', off]);
      expect(stale.exitCode, out(stale)).toBe(3);
      expect(stale.stdout).toMatch(/LANGFLOW_AUTO_LOGIN\s+True\s+False\s+✘ langflow/);
      expect(stale.stdout).toMatch(/Drift: LANGFLOW_AUTO_LOGIN \(langflow\)/);
      expect(stale.stdout).toMatch(/LANGFLOW_AUTO_LOGIN=True \(hardened: False\)/);
      expect(stale.stdout).toMatch(/re-run harden-init/);
      expect(stale.stdout).not.toMatch(/run "docker compose up -d"/);
      noSecrets(stale);

      // someone applies it by hand: .env and the container now agree, the live checks catch it
      const up = await handCompose(off, ['up', '-d']);
      expect(up.exitCode, String(up.stderr)).toBe(0);
      const applied = await run(['verify', '--dir', off]);
      expect(applied.exitCode, out(applied)).toBe(3);
      expect(applied.stdout).toMatch(/LANGFLOW_AUTO_LOGIN\s+True\s+True\s+✔/);
      expect(applied.stdout).toMatch(/auto-login \(GET \/api\/v1\/auto_login\): 200: AUTO-LOGIN IS ON/);
      expect(applied.stdout).toMatch(/Live checks failed: .*auto-login \(GET/);
      expect(applied.stdout).toMatch(/LANGFLOW_AUTO_LOGIN=True \(hardened: False\)/);
      noSecrets(applied);
      const handUp = await projectContainers(off);
      expect(handUp.get('langflow')).not.toBe(before.get('langflow'));

      // the re-run: switched back with a warning, langflow recreated (the database is not), verified
      const rerun = await run(['langflow', '--dir', off, '--yes']);
      expect(rerun.exitCode, out(rerun)).toBe(0);
      expect(rerun.stdout).toMatch(/LANGFLOW_AUTO_LOGIN was "True"; harden-init sets it back to "False"/);
      expect(rerun.stdout).toMatch(/Recreating \S*langflow/);
      expect(rerun.stdout).toMatch(/LANGFLOW_AUTO_LOGIN\s+False\s+False\s+✔/);
      expect(rerun.stdout).toContain('auto-login (GET /api/v1/auto_login): 403 auto_login false');
      noSecrets(rerun);
      expect(envOf(off).LANGFLOW_AUTO_LOGIN).toBe('False');
      expect(statSync(join(off, '.env')).mode & 0o777).toBe(0o600);
      const after = await projectContainers(off);
      expect(after.get('langflow')).not.toBe(handUp.get('langflow'));
      expect(after.get('postgres')).toBe(before.get('postgres'));

      const verify = await run(['verify', '--dir', off]);
      expect(verify.exitCode, out(verify)).toBe(0);
      expect(verify.stdout).toMatch(/The running stack matches the files/);
      noSecrets(verify);
    });

    // proxy and SQLite in one stack (no PostgreSQL to wait for): it keeps the file within its time budget, and the
    // bundled PostgreSQL is exercised above.
    let proxy = '';
    let configDir = '';

    it('--https proxy with SQLite on a host directory: only 127.0.0.1 publishes, no proxy, no database service; verified', async () => {
      const { parent, dir } = newDir(PROXY);
      proxy = dir;
      configDir = join(parent, 'langflow-config');
      const r = await run([
        'langflow',
        '--dir',
        proxy,
        '--domain',
        DOMAIN,
        '--https',
        'proxy',
        '--http-port',
        String(proxyPort),
        '--db',
        'sqlite',
        '--db-path',
        configDir,
        '--yes',
      ]);
      expect(r.exitCode, out(r)).toBe(0);
      expect(r.stdout).toMatch(/LANGFLOW_SAVE_DB_IN_CONFIG_DIR\s+True\s+True\s+✔/);
      expect(r.stdout).toMatch(/LANGFLOW_ACCESS_SECURE\s+True\s+True\s+✔/);
      expect(r.stdout).toMatch(/Verified with printenv/);
      expect(r.stdout).toContain('auto-login (GET /api/v1/auto_login): 403 auto_login false');
      const env = envOf(proxy);
      expect(count(out(r), env.LANGFLOW_SUPERUSER_PASSWORD!)).toBe(0); // not without --show-secrets
      expect(out(r)).not.toContain(env.LANGFLOW_SECRET_KEY!);
      expect(env.POSTGRES_PASSWORD).toBeUndefined();

      expect(await published(PROXY)).toEqual([`langflow 127.0.0.1:${proxyPort}->7860/tcp`]);
      expect([...(await projectContainers(proxy)).keys()].sort()).toEqual(['langflow']);
      const health = await get(proxyPort, '/health_check');
      expect(health.status).toBe(200);
      expect(JSON.parse(health.body)).toMatchObject({ status: 'ok' });

      const verify = await run(['verify', '--dir', proxy]);
      expect(verify.exitCode, out(verify)).toBe(0);
    });

    it('a re-run of the running proxy install changes a setting: its own langflow container holding the port does not stop it; recreated, verified', async () => {
      expect(proxy, 'the install above').not.toBe('');
      const before = await projectContainers(proxy);
      const r = await run(['langflow', '--dir', proxy, '--console', 'open', '--yes']);
      expect(r.exitCode, out(r)).toBe(0);
      expect(out(r)).not.toMatch(/is in use by|Nothing was written/);
      expect(r.stdout).toMatch(new RegExp(`Port ${proxyPort} held by this stack \\(\\S*langflow\\S*\\)`));
      expect(r.stdout).toMatch(/Recreating \S*langflow/);
      expect(r.stdout).toMatch(/LANGFLOW_ENABLE_SIGNUP\s+True\s+True\s+✔/);
      expect(r.stdout).toMatch(/Verified with printenv/);
      expect(envOf(proxy).LANGFLOW_ENABLE_SIGNUP).toBe('True');
      expect((await projectContainers(proxy)).get('langflow')).not.toBe(before.get('langflow'));
      expect(await published(PROXY)).toEqual([`langflow 127.0.0.1:${proxyPort}->7860/tcp`]);
    });

    it('SQLite: the host config directory is owned 1000:0, mode 0700, and holds secret_key (the key of .env) and langflow.db', () => {
      expect(configDir, 'the install above').not.toBe('');
      const st = statSync(configDir);
      expect([st.uid, st.gid, st.mode & 0o777]).toEqual([1000, 0, 0o700]);
      const files = readdirSync(configDir);
      expect(files).toEqual(expect.arrayContaining(['secret_key', 'langflow.db']));
      // written by the container's user, with the key harden-init generated (not one Langflow made up)
      expect(statSync(join(configDir, 'secret_key')).uid).toBe(1000);
      expect(readFileSync(join(configDir, 'secret_key'), 'utf8').trim()).toBe(envOf(proxy).LANGFLOW_SECRET_KEY);
      expect(basename(configDir)).toBe('langflow-config');
    });

    let auto = '';

    it('--https auto (real Caddy, its own CA here: see above): installs and verifies; HTTPS through the published port answers with the hardening headers', async () => {
      const { parent, dir } = newDir(AUTO);
      auto = dir;
      mkdirSync(auto, { mode: 0o700 });
      writeFileSync(join(auto, 'docker-compose.override.yml'), TLS_INTERNAL_OVERRIDE);
      const r = await run([
        'langflow',
        '--dir',
        auto,
        '--domain',
        DOMAIN,
        '--https',
        'auto',
        '--email',
        'admin@example.com',
        '--http-port',
        String(autoHttp),
        '--https-port',
        String(autoHttps),
        '--db',
        'sqlite',
        '--db-path',
        join(parent, 'langflow-config'),
        '--yes',
      ]);
      expect(r.exitCode, out(r)).toBe(0);
      expect(r.stdout).toContain(`Port ${autoHttp} free`);
      expect(r.stdout).toMatch(/LANGFLOW_ACCESS_SECURE\s+True\s+True\s+✔/);
      expect(r.stdout).toMatch(/LANGFLOW_RATE_LIMIT_TRUST_PROXY\s+True\s+True\s+✔/);
      expect(r.stdout).toMatch(/Verified with printenv/);
      expect(await published(AUTO)).toEqual(
        expect.arrayContaining([`caddy 0.0.0.0:${autoHttp}->80/tcp`, `caddy 0.0.0.0:${autoHttps}->443/tcp`]),
      );
      expect(
        (await published(AUTO)).every((p) => p.startsWith('caddy ')),
        (await published(AUTO)).join('; '),
      ).toBe(true);
      const https = await getHttps(autoHttps, '/health_check');
      expect(https.status, https.headers).toBe(200);
      expect(JSON.parse(https.body)).toMatchObject({ status: 'ok' });
      expect(https.headers).toMatch(/^strict-transport-security: max-age=31536000/m);
      expect(https.headers).toMatch(/^x-frame-options: deny/m);
      // plain HTTP only redirects, to the HTTPS port as published (not the container's 443)
      const redirect = await execa('curl', [
        '-sS',
        '-m',
        '10',
        '-o',
        '/dev/null',
        '-H',
        `Host: ${DOMAIN}`,
        '-w',
        '%{http_code} %{redirect_url}',
        `http://127.0.0.1:${autoHttp}/health_check?x=1`,
      ]);
      expect(String(redirect.stdout)).toBe(`308 https://${DOMAIN}:${autoHttps}/health_check?x=1`);
    });

    it('a re-run of the running auto install changes settings: its own caddy holding both ports does not stop it; caddy and langflow recreated, verified, HTTPS served from the new Caddyfile', async () => {
      expect(auto, 'the install above').not.toBe('');
      const before = await projectContainers(auto);
      const r = await run(['langflow', '--dir', auto, '--email', 'ops@example.com', '--console', 'open', '--yes']);
      expect(r.exitCode, out(r)).toBe(0);
      expect(out(r)).not.toMatch(/is in use by|Nothing was written/);
      expect(r.stdout).toMatch(new RegExp(`Port ${autoHttp} held by this stack \\(\\S*caddy\\S*\\)`));
      expect(r.stdout).toMatch(new RegExp(`Port ${autoHttps} held by this stack \\(\\S*caddy\\S*\\)`));
      expect(r.stdout).toMatch(/Recreating \S*caddy/);
      expect(r.stdout).toMatch(/Recreating \S*langflow/);
      expect(r.stdout).toMatch(/LANGFLOW_ENABLE_SIGNUP\s+True\s+True\s+✔/);
      expect(r.stdout).toMatch(/Verified with printenv/);
      const after = await projectContainers(auto);
      expect(after.get('caddy')).not.toBe(before.get('caddy'));
      expect(after.get('langflow')).not.toBe(before.get('langflow'));

      const caddyfile = readFileSync(join(auto, 'Caddyfile'), 'utf8');
      expect(caddyfile).toMatch(/^\temail ops@example\.com$/m);
      const label = await execa('docker', [
        'inspect',
        '--format',
        '{{index .Config.Labels "org.harden-init.caddyfile-sha256"}}',
        after.get('caddy')!,
      ]);
      expect(String(label.stdout).trim()).toBe(createHash('sha256').update(caddyfile).digest('hex'));
      const served = await execa('docker', ['exec', after.get('caddy')!, 'cat', '/tmp/Caddyfile']);
      expect(String(served.stdout)).toMatch(/^\temail ops@example\.com$/m);
      const https = await getHttps(autoHttps, '/health_check');
      expect(https.status, https.headers).toBe(200);
      expect(JSON.parse(https.body)).toMatchObject({ status: 'ok' });
    });
  });
