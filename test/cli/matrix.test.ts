// Every HTTPS × console × DB choice through the built binary: the generated files are snapshot-tested
// (secrets replaced by placeholders; the compose file as its diff against the template) and must be
// accepted by `docker-compose config`.
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runBin, tempDir, ROOT } from '../helpers/run-bin.js';
import { requireInCi } from '../helpers/tools.js';
import { unifiedDiff } from '../../src/engine/diff.js';
import { loadTemplate } from '../../src/engine/template.js';
import { CONSOLE_MODES, DB_MODES, HTTPS_MODES } from '../../src/answers.js';

const t = loadTemplate();
const haveCompose = requireInCi('docker-compose', 'it validates every generated file');

const CONSOLE_FLAGS: Record<string, string[]> = {
  root: [], open: [],
  emails: ['--console-emails', 'alice@example.com,bob@example.com'],
  ips: ['--console-ips', '203.0.113.7,2001:db8::7'],
};
const DB_FLAGS: Record<string, string[]> = {
  volume: [],
  path: ['--db-path', '/srv/appwrite/mariadb'],
  external: ['--db-host', 'db.example.com', '--db-port', '3307', '--db-user', 'appwrite', '--db-name', 'appwrite_prod'],
};
const combos = HTTPS_MODES.flatMap((https) => CONSOLE_MODES.flatMap((console) => DB_MODES.map((db) => ({ https, console, db }))));

function maskSecrets(env: string): string {
  return env.replace(/^([A-Z0-9_]+)=(.*)$/gm, (line, key: string) =>
    (t.secrets.generate.includes(key) || key === '_APP_DB_PASS') && !line.endsWith('=') ? `${key}=<secret>` : line);
}

describe.concurrent('generated files for each HTTPS × console × DB choice', () => {
  it.for(combos)('https=$https console=$console db=$db', async ({ https, console, db }, { expect }) => {
    const dir = join(tempDir(), 'appwrite');
    const args = ['--dir', dir, '--domain', 'appwrite.example.com', '--https', https, '--console', console, '--db', db,
      ...(https === 'auto' ? ['--email', 'admin@example.com'] : []), ...CONSOLE_FLAGS[console]!, ...DB_FLAGS[db]!, '--yes', '--no-start'];
    const r = await runBin(args, { HARDEN_INIT_DB_PASSWORD: db === 'external' ? 'ext-Secret_pw' : undefined });
    expect(r.exitCode, r.stderr).toBe(0);

    const env = readFileSync(join(dir, '.env'), 'utf8');
    const compose = readFileSync(join(dir, 'docker-compose.yml'), 'utf8');
    const state = readFileSync(join(dir, '.harden-init/state.json'), 'utf8');
    expect(statSync(join(dir, '.env')).mode & 0o777).toBe(0o600);
    for (const m of env.matchAll(/^(_APP_[A-Z0-9_]+)=(.+)$/gm)) {
      if (t.secrets.generate.includes(m[1]!)) expect(r.stdout + r.stderr).not.toContain(m[2]);
    }
    const snapshot = [
      '## .env (secrets masked)', maskSecrets(env),
      `## docker-compose.yml, as a diff against templates/appwrite/${t.version}/docker-compose.yml`,
      unifiedDiff(t.compose, compose, 2).join('\n') || '(identical to the template)', '',
      '## .harden-init/state.json', state.replace(/"composeSha256": "[0-9a-f]+"/, '"composeSha256": "<sha256>"'),
    ].join('\n');
    await expect(snapshot).toMatchFileSnapshot(join(ROOT, 'test/cli/__snapshots__/matrix', `${https}-${console}-${db}.txt`));

    if (haveCompose) {
      const cfg = await execa('docker-compose', ['config', '-q'], { cwd: dir, reject: false, env: { HARDEN_INIT_DB_PASSWORD: '' } });
      expect(cfg.exitCode, cfg.stderr).toBe(0);
      expect(cfg.stderr).not.toMatch(/variable is not set/);
    }
  });
});

it('the default choice writes the template unchanged (full snapshot of the compose file lives in templates/)', async () => {
  const dir = join(tempDir(), 'appwrite');
  const r = await runBin(['--dir', dir, '--domain', 'appwrite.example.com', '--email', 'admin@example.com', '--yes', '--no-start']);
  expect(r.exitCode, r.stderr).toBe(0);
  expect(readFileSync(join(dir, 'docker-compose.yml'), 'utf8')).toBe(t.compose);
});
