// Langflow stacks as harden-init renders them, on a real Docker engine: the Langflow stand-in (answers from its own
// environment), REAL PostgreSQL (Debian 15 as postgres:16) and REAL Caddy (Debian's 2.6.2 tagged as the pinned CADDY_IMAGE, with
// `tls internal`). Checks the hardening where it shows at run time: only the proxy publishes, the allowlist, the
// probes and the environment judged by src/targets/langflow/probes.ts, the config dir ownership, drift.
// Until the lead wires Langflow into the CLI this drives the pure modules directly (render → files → compose).
import { execa } from 'execa';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../../helpers/run-bin.js';
import { engineAvailable } from '../../../helpers/engine.js';
import { normalizeAnswers, type LangflowAnswers } from '../../../../src/targets/langflow/answers.js';
import {
  ALLOWLIST_REFUSAL,
  CADDYFILE,
  caddyfile,
  hostDirs,
  renderCompose,
} from '../../../../src/targets/langflow/compose.js';
import { managedValues, secretSpecs } from '../../../../src/targets/langflow/env-values.js';
import {
  PROBES,
  compareEnv,
  curlArgv,
  expectedEnv,
  judgeProbe,
  parseCurlOutput,
  parsePrintenv,
  type ProbeRequest,
  type ProbeResponse,
} from '../../../../src/targets/langflow/probes.js';
import { encodeValue, parseEnv, setEnv, serializeEnv, toRecord } from '../../../../src/engine/envfile.js';
import { NEWEST_RELEASE } from '../../../../src/targets/langflow/releases.js';

const hasEngine = engineAvailable();
const DOMAIN = 'langflow.test';
const compose = (dir: string, args: string[]) =>
  execa('docker-compose', args, {
    cwd: dir,
    reject: false,
    extendEnv: false,
    env: { PATH: process.env.PATH!, DOCKER_HOST: process.env.DOCKER_HOST },
  });

function install(name: string, a: LangflowAnswers): { dir: string; env: Record<string, string> } {
  const parent = mkdtempSync(join(tmpdir(), 'hi-lf-e2e-'));
  temps.push(parent);
  const dir = join(parent, name);
  mkdirSync(dir);
  const env = { ...managedValues(a) };
  for (const s of secretSpecs(a)) env[s.name] = s.generate();
  writeFileSync(
    join(dir, '.env'),
    Object.entries(env)
      .map(([k, v]) => `${k}=${encodeValue(v)}`)
      .join('\n') + '\n',
    { mode: 0o600 },
  );
  writeFileSync(join(dir, 'docker-compose.yml'), renderCompose(a, { tlsInternal: true }));
  const cf = caddyfile(a, { tlsInternal: true });
  if (cf) writeFileSync(join(dir, CADDYFILE), cf);
  for (const d of hostDirs(a)) {
    mkdirSync(d.path, { recursive: true, mode: d.mode });
    chownSync(d.path, d.uid, d.gid);
    chmodSync(d.path, d.mode);
  }
  return { dir, env };
}

async function waitHealthy(dir: string, service: string, timeoutMs = 120_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const id = String((await compose(dir, ['ps', '-q', service])).stdout).trim();
    const st = id
      ? String(
          (
            await execa('docker', ['inspect', '-f', '{{.State.Health.Status}} {{.State.Status}}', id], {
              reject: false,
            })
          ).stdout,
        )
      : '';
    if (st.startsWith('healthy')) return;
    if (Date.now() > end) {
      const logs = await compose(dir, ['logs', '--tail', '30', service]);
      throw new Error(`${service} not healthy (${st}):\n${logs.stdout}`);
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** A probe sent inside the langflow container with its curl, as verify does. */
async function probeInside(dir: string, p: ProbeRequest): Promise<ProbeResponse> {
  const r = await compose(dir, ['exec', '-T', 'langflow', ...curlArgv(p)]);
  return parseCurlOutput(String(r.stdout));
}

/** A probe from the host through the published port (Caddy: https with its internal CA, or http). */
async function probeOutside(url: string, p: ProbeRequest, resolve?: string): Promise<ProbeResponse> {
  const args = ['-sS', '-k', '-m', '10', '-w', '\n%{http_code}', '-X', p.method];
  if (resolve) args.push('--resolve', resolve);
  if (p.form) args.push('--data-raw', new URLSearchParams(p.form).toString());
  const r = await execa('curl', [...args, `${url}${p.path}`], { reject: false });
  return parseCurlOutput(String(r.stdout));
}

/** Upgrades to a WebSocket through the port and sends a line; resolves with everything received. */
function websocketEcho(port: number, host: string, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1');
    let got = '';
    let sent = false;
    const done = setTimeout(() => {
      sock.destroy();
      resolve(got);
    }, 5000);
    sock.on('error', (e) => {
      clearTimeout(done);
      reject(e);
    });
    sock.on('data', (d) => {
      got += d.toString('latin1');
      if (!sent && got.includes('\r\n\r\n')) {
        sent = true;
        sock.write(`${line}\n`);
      }
      if (got.includes(`${line}\n`)) {
        clearTimeout(done);
        sock.destroy();
        resolve(got);
      }
    });
    sock.write(
      [
        'GET /api/v1/voice/ws HTTP/1.1',
        `Host: ${host}`,
        'Connection: Upgrade',
        'Upgrade: websocket',
        'Sec-WebSocket-Version: 13',
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
        '',
        '',
      ].join('\r\n'),
    );
  });
}

async function judgeAll(get: (p: ProbeRequest) => Promise<ProbeResponse>) {
  const out: Record<string, { ok: boolean; detail: string }> = {};
  for (const p of PROBES) out[p.id] = judgeProbe(p.id, await get(p), NEWEST_RELEASE);
  return out;
}

async function envRows(dir: string, a: LangflowAnswers) {
  const dotenv = toRecord(parseEnv(readFileSync(join(dir, '.env'), 'utf8')));
  const printenv = await compose(dir, ['exec', '-T', 'langflow', 'printenv']);
  return compareEnv(expectedEnv(a, dotenv), parsePrintenv(String(printenv.stdout)));
}

async function published(dir: string): Promise<string[]> {
  const r = await execa('docker', [
    'ps',
    '--filter',
    `label=com.docker.compose.project=${dir.split('/').pop()}`,
    '--format',
    '{{.Label "com.docker.compose.service"}} {{.Ports}}',
  ]);
  return String(r.stdout)
    .split('\n')
    .filter((l) => /->/.test(l))
    .sort();
}

const dirs: string[] = [];
const temps: string[] = [];
afterAll(async () => {
  for (const d of dirs) await compose(d, ['down', '-v', '--remove-orphans', '--timeout', '3']);
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});

describe
  .skipIf(!hasEngine)
  .sequential(
    'Langflow stacks on a real engine (stand-in Langflow, real PostgreSQL and Caddy)',
    { timeout: 600_000 },
    () => {
      beforeAll(async () => {
        await execa(join(ROOT, 'test/e2e/standin/langflow/build.sh'), [NEWEST_RELEASE], { stdio: 'inherit' });
        await execa(join(ROOT, 'test/e2e/realcaddy/build.sh'), [], { stdio: 'inherit' });
      });

      it('auto (tls internal) + bundled PostgreSQL + ips: only Caddy publishes, the allowlist holds, probes and env pass', async () => {
        const a = normalizeAnswers({
          release: NEWEST_RELEASE,
          domain: DOMAIN,
          https: 'auto',
          email: 'ops@example.com',
          console: 'ips',
          consoleIps: ['203.0.113.7'],
          superuser: 'admin',
          db: 'volume',
          httpPort: 18580,
          httpsPort: 18543,
        });
        const { dir } = install('hilfauto', a);
        dirs.push(dir);
        const up = await compose(dir, ['up', '-d']);
        expect(up.exitCode, up.stderr).toBe(0);
        await waitHealthy(dir, 'postgres');
        await waitHealthy(dir, 'langflow');
        expect((await published(dir)).map((l) => l.split(' ')[0])).toEqual(['caddy']);

        // inside: every probe passes, the environment is exactly the expected one
        const inside = await judgeAll((p) => probeInside(dir, p));
        for (const [id, v] of Object.entries(inside)) expect(v.ok, `${id}: ${v.detail}`).toBe(true);
        const rows = await envRows(dir, a);
        expect(rows.filter((r) => !r.ok).map((r) => r.name)).toEqual([]);

        // outside, real HTTPS through Caddy: this host is not on the allowlist, health stays open
        const https = `https://${DOMAIN}:${a.httpsPort}`;
        const resolve = `${DOMAIN}:${a.httpsPort}:127.0.0.1`;
        let health: ProbeResponse = { status: 0, body: '' };
        for (let i = 0; i < 30 && health.status !== 200; i++) {
          // Caddy issues its internal certificate on start
          health = await probeOutside(https, PROBES[0]!, resolve);
          if (health.status !== 200) await new Promise((r) => setTimeout(r, 1000));
        }
        expect(judgeProbe('health', health).ok).toBe(true);
        const blocked = await probeOutside(https, PROBES.find((p) => p.id === 'auto-login')!, resolve);
        expect(blocked.status).toBe(403);
        expect(blocked.body).toContain(ALLOWLIST_REFUSAL);

        // a new allowlist (Docker's private ranges: this host's requests come from the bridge gateway) recreates caddy
        const b = { ...a, consoleIps: ['203.0.113.7', '172.16.0.0/12', '10.0.0.0/8', '192.168.0.0/16'] };
        writeFileSync(join(dir, 'docker-compose.yml'), renderCompose(b, { tlsInternal: true }));
        writeFileSync(join(dir, CADDYFILE), caddyfile(b, { tlsInternal: true })!);
        writeFileSync(
          join(dir, '.env'),
          serializeEnv(
            setEnv(parseEnv(readFileSync(join(dir, '.env'), 'utf8')), 'CONSOLE_IPS', b.consoleIps.join(',')),
          ),
        );
        const up2 = await compose(dir, ['up', '-d']);
        expect(up2.exitCode, up2.stderr).toBe(0);
        expect(up2.stderr).toMatch(/Recreating .*caddy/);
        let through: ProbeResponse = { status: 0, body: '' };
        for (let i = 0; i < 30 && !judgeProbe('auto-login', through).ok; i++) {
          through = await probeOutside(https, PROBES.find((p) => p.id === 'auto-login')!, resolve);
          if (!judgeProbe('auto-login', through).ok) await new Promise((r) => setTimeout(r, 1000));
        }
        expect(through.body).toMatch(/"auto_login":false/); // Langflow's own answer, not the allowlist's
        const outside = await judgeAll((p) => probeOutside(https, p, resolve));
        for (const [id, v] of Object.entries(outside)) expect(v.ok, `${id}: ${v.detail}`).toBe(true);
        // Caddy replaces a client's X-Forwarded-For (why LANGFLOW_RATE_LIMIT_TRUST_PROXY is on behind it)
        const xff = await execa(
          'curl',
          ['-sS', '-k', '--resolve', resolve, '-H', 'X-Forwarded-For: 6.6.6.6', `${https}/__standin/forwarded-for`],
          { reject: false },
        );
        expect(String(xff.stdout)).toMatch(/"x_forwarded_for":"\d+\.\d+\.\d+\.\d+"/);
        expect(String(xff.stdout)).not.toContain('6.6.6.6');
        // HTTP redirects to HTTPS
        const http = await execa(
          'curl',
          [
            '-sS',
            '-o',
            '/dev/null',
            '-w',
            '%{http_code} %{redirect_url}',
            '-H',
            `Host: ${DOMAIN}`,
            `http://127.0.0.1:${a.httpPort}/`,
          ],
          { reject: false },
        );
        expect(String(http.stdout)).toMatch(/^30[18] https:\/\/langflow\.test/);
      });

      it('off + SQLite on a host dir (1000:0, 0700) + open: the config dir holds the key and the database; WebSockets pass Caddy', async () => {
        const base = mkdtempSync(join(tmpdir(), 'hi-lf-sqlite-'));
        temps.push(base);
        const a = normalizeAnswers({
          release: NEWEST_RELEASE,
          domain: DOMAIN,
          https: 'off',
          console: 'open',
          superuser: 'owner',
          db: 'sqlite',
          dbPath: join(base, 'config'),
          httpPort: 18581,
          httpsPort: 443,
        });
        const { dir, env } = install('hilfsqlite', a);
        dirs.push(dir);
        const up = await compose(dir, ['up', '-d']);
        expect(up.exitCode, up.stderr).toBe(0);
        await waitHealthy(dir, 'langflow');
        expect((await published(dir)).map((l) => l.split(' ')[0])).toEqual(['caddy']);
        const outside = await judgeAll((p) => probeOutside(`http://127.0.0.1:${a.httpPort}`, p));
        for (const [id, v] of Object.entries(outside)) expect(v.ok, `${id}: ${v.detail}`).toBe(true);
        // the superuser logs in with the generated password; the key is the one in .env
        const login = await probeOutside(`http://127.0.0.1:${a.httpPort}`, {
          id: 'default-login',
          method: 'POST',
          path: '/api/v1/login',
          form: { username: 'owner', password: env.LANGFLOW_SUPERUSER_PASSWORD! },
          expect: '',
        });
        expect(login.status).toBe(200);
        expect(readFileSync(join(a.dbPath!, 'secret_key'), 'utf8')).toBe(env.LANGFLOW_SECRET_KEY);
        // Caddy passes WebSocket upgrades through as they are: the upgraded stream reaches Langflow and comes back
        const ws = await websocketEcho(a.httpPort, DOMAIN, 'hello-through-caddy');
        expect(ws).toMatch(/^HTTP\/1\.1 101 Switching Protocols/);
        expect(ws).toMatch(/Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=/i);
        expect(ws).toContain('hello-through-caddy\n');
        expect((await envRows(dir, a)).filter((r) => !r.ok).map((r) => r.name)).toEqual([]);
      });

      it('a root-owned config dir fails as upstream does (PermissionError): why hostDirs prepares 1000:0', async () => {
        const base = mkdtempSync(join(tmpdir(), 'hi-lf-rootowned-'));
        temps.push(base);
        const a = normalizeAnswers({
          release: NEWEST_RELEASE,
          domain: DOMAIN,
          https: 'proxy',
          console: 'root',
          superuser: 'admin',
          db: 'sqlite',
          dbPath: join(base, 'config'),
          httpPort: 18582,
          httpsPort: 443,
        });
        const { dir } = install('hilfrootowned', a);
        dirs.push(dir);
        chownSync(a.dbPath!, 0, 0);
        await compose(dir, ['up', '-d']);
        await new Promise((r) => setTimeout(r, 3000));
        const logs = await compose(dir, ['logs', 'langflow']);
        expect(String(logs.stdout)).toMatch(/PermissionError: .*secret_key/);
      });

      it('proxy + PostgreSQL on a host dir: 127.0.0.1 only; drift in .env shows in probes and env', async () => {
        const base = mkdtempSync(join(tmpdir(), 'hi-lf-path-'));
        temps.push(base);
        const a = normalizeAnswers({
          release: NEWEST_RELEASE,
          domain: DOMAIN,
          https: 'proxy',
          console: 'root',
          superuser: 'admin',
          db: 'path',
          dbPath: join(base, 'pg'),
          httpPort: 18583,
          httpsPort: 443,
        });
        const { dir } = install('hilfproxy', a);
        dirs.push(dir);
        const up = await compose(dir, ['up', '-d']);
        expect(up.exitCode, up.stderr).toBe(0);
        await waitHealthy(dir, 'postgres');
        await waitHealthy(dir, 'langflow');
        expect(await published(dir)).toEqual([expect.stringMatching(/^langflow 127\.0\.0\.1:18583->7860\/tcp$/)]);
        const outside = await judgeAll((p) => probeOutside(`http://127.0.0.1:${a.httpPort}`, p));
        for (const [id, v] of Object.entries(outside)) expect(v.ok, `${id}: ${v.detail}`).toBe(true);
        expect(readFileSync(join(a.dbPath!, 'PG_VERSION'), 'utf8').trim()).toBe('15');

        // someone turns auto-login on by hand: the probes and the env table both say so
        writeFileSync(
          join(dir, '.env'),
          serializeEnv(setEnv(parseEnv(readFileSync(join(dir, '.env'), 'utf8')), 'LANGFLOW_AUTO_LOGIN', 'True')),
        );
        expect((await compose(dir, ['up', '-d'])).exitCode).toBe(0);
        await waitHealthy(dir, 'langflow');
        const drift = await judgeAll((p) => probeInside(dir, p));
        expect(drift['auto-login']).toMatchObject({ ok: false, detail: expect.stringMatching(/AUTO-LOGIN IS ON/) });
        const rows = await envRows(dir, a);
        expect(rows.filter((r) => !r.ok).map((r) => r.name)).toEqual([]); // .env and container agree ...
        const want = managedValues(a);
        expect(rows.find((r) => r.name === 'LANGFLOW_AUTO_LOGIN')!.running).not.toBe(want.LANGFLOW_AUTO_LOGIN); // ... but not with the answers
      });
    },
  );
