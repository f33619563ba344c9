// `harden-init check` on a running stack (the built binary, a real engine): a fresh Langflow install passes with
// exit 0 and reads the running container; a .env edited after the start is seen twice — as a file finding and as
// drift against what the container still holds (printenv), the security switch rated high — and `check` itself
// changes nothing. Images are the local stand-ins of test/e2e/langflow-cli.test.ts (no registry).
// With CI=true and no engine the file fails (engineAvailable throws); elsewhere it is skipped.
import { execa } from 'execa';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runBin } from '../helpers/run-bin.js';
import { REAL_ENGINE, engineAvailable, freePorts, lockEngine } from '../helpers/engine.js';

const hasEngine = engineAvailable();
const PROJECT = 'hicheckdrift';
let parent = '';
let dir = '';
let unlock: (() => Promise<void>) | undefined;

const handCompose = (args: string[]) =>
  execa('docker-compose', args, {
    cwd: dir,
    reject: false,
    extendEnv: false,
    env: { PATH: process.env.PATH!, DOCKER_HOST: process.env.DOCKER_HOST },
  });

describe.skipIf(!hasEngine).sequential('check on a running Langflow stack', { timeout: 300_000 }, () => {
  beforeAll(async () => {
    unlock = await lockEngine();
    await execa(join(ROOT, 'test/e2e/standin/langflow/build.sh'), ['1.13.1'], { stdio: 'inherit' });
    await execa(join(ROOT, 'test/e2e/realcaddy/build.sh'), [], { stdio: 'inherit' });
    parent = mkdtempSync(join(tmpdir(), 'hi-check-'));
    dir = join(parent, PROJECT);
    const [port] = await freePorts(1);
    const r = await runBin(
      [
        'langflow',
        '--dir',
        dir,
        '--domain',
        'langflow.example.com',
        '--https',
        'off',
        '--http-port',
        String(port),
        '--yes',
        '--timeout',
        '120',
      ],
      REAL_ENGINE,
    );
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
  }, 600_000);

  afterAll(async () => {
    if (dir) await handCompose(['down', '-v', '--remove-orphans', '--timeout', '3']);
    if (parent) rmSync(parent, { recursive: true, force: true });
    await unlock?.();
  });

  it('a fresh running install: exit 0, the running container read', async () => {
    const r = await runBin(['check', '--dir', dir, '--json'], REAL_ENGINE);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.running).toBe(true);
    expect(j.findings.filter((f: { severity: string }) => f.severity !== 'info')).toEqual([]);
  });

  it('.env edited after the start: the file finding and the drift, high; nothing changed', async () => {
    const envPath = join(dir, '.env');
    const text = readFileSync(envPath, 'utf8');
    writeFileSync(
      envPath,
      text
        .replace(/^LANGFLOW_ENABLE_SUPERUSER_CLI=.*$/m, 'LANGFLOW_ENABLE_SUPERUSER_CLI=True')
        .replace(/^LANGFLOW_SUPERUSER=.*$/m, 'LANGFLOW_SUPERUSER=operator2'),
    );
    const edited = readFileSync(envPath, 'utf8');
    const r = await runBin(['check', '--dir', dir, '--json'], REAL_ENGINE);
    expect(r.exitCode, r.stdout).toBe(3);
    const j = JSON.parse(r.stdout) as { findings: { id: string; severity: string; subject: string; what: string }[] };
    const drift = j.findings.filter((f) => f.id === 'drift');
    expect(drift.map((f) => f.subject).sort()).toEqual(['LANGFLOW_ENABLE_SUPERUSER_CLI', 'LANGFLOW_SUPERUSER']);
    expect(drift.find((f) => f.subject === 'LANGFLOW_ENABLE_SUPERUSER_CLI')).toMatchObject({
      severity: 'high',
      what: 'langflow runs another value than .env (.env: True, running: False)',
    });
    expect(drift.find((f) => f.subject === 'LANGFLOW_SUPERUSER')!.severity).toBe('medium');
    expect(j.findings.map((f) => f.id)).toContain('superuser-cli');
    const human = await runBin(['check', '--dir', dir], REAL_ENGINE);
    expect(human.stdout).toMatch(/running stack: read langflow for drift/);
    const env = Object.fromEntries(
      edited
        .split('\n')
        .filter((l) => l.includes('='))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    for (const k of ['LANGFLOW_SECRET_KEY', 'LANGFLOW_SUPERUSER_PASSWORD', 'POSTGRES_PASSWORD']) {
      expect(human.stdout + r.stdout).not.toContain(env[k]);
    }
    expect(readFileSync(envPath, 'utf8')).toBe(edited);
  });
});
