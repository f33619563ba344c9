// Every HTTPS × console × DB choice through the CLI (in-process: runMain), for the default release (2.7.1, read from
// 2.3.0's files) and the 1.9 line's newest (1.9.10, 1.9.6's files), engine left at its default. Snapshots:
// the compose file as its unified diff against upstream's own render for the same database (what the
// hardening rules change, nothing else), and .env with every secret masked. Each file set must be accepted by
// `docker-compose config`, and no generated secret may reach the terminal.
import { describe, it } from 'vitest';
import { execa } from 'execa';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir, ROOT } from '../helpers/run-bin.js';
import { runMain } from '../helpers/run-main.js';
import { requireInCi } from '../helpers/tools.js';
import { templateOf } from '../helpers/fixtures.js';
import { unifiedDiff } from '../../src/engine/diff.js';
import { sensitiveNames } from '../../src/engine/template.js';
import { renderLikeInstaller } from '../../src/targets/appwrite/render/generator.js';
import { CONSOLE_MODES, DB_MODES, HTTPS_MODES } from '../../src/targets/appwrite/answers.js';
import { ROUTES_FILE } from '../../src/targets/appwrite/rules/traefik-file.js';

const haveCompose = requireInCi('docker-compose', 'it validates every generated file');

const RELEASES = [
  { release: '2.7.1', args: [] as string[], engine: 'postgresql' as const, topology: 'combined' as const },
  { release: '1.9.10', args: ['--release', '1.9.10'], engine: 'mariadb' as const, topology: undefined },
];
const CONSOLE_FLAGS: Record<string, string[]> = {
  root: [],
  open: [],
  emails: ['--console-emails', 'alice@example.com,bob@example.com'],
  ips: ['--console-ips', '203.0.113.7,2001:db8::7'],
};
const DB_FLAGS: Record<string, string[]> = {
  volume: [],
  path: ['--db-path', '/srv/appwrite/db'],
  external: ['--db-host', 'db.example.com', '--db-port', '3307', '--db-user', 'appwrite', '--db-name', 'appwrite_prod'],
};
const EXTERNAL_PASSWORD = 'ext-Secret_pw-7f3a';

const combos = RELEASES.flatMap((r) =>
  HTTPS_MODES.flatMap((https) =>
    CONSOLE_MODES.flatMap((console) => DB_MODES.map((db) => ({ ...r, https, console, db }))),
  ),
);

describe.concurrent('generated files for each release × HTTPS × console × DB choice', () => {
  it.for(combos)(
    '$release https=$https console=$console db=$db',
    async ({ release, args: releaseArgs, engine, topology, https, console, db }, { expect }) => {
      const t = templateOf(release);
      const dir = join(tempDir(), 'appwrite');
      const args = [
        '--dir',
        dir,
        ...releaseArgs,
        '--domain',
        'appwrite.example.com',
        '--https',
        https,
        '--email',
        'admin@example.com',
        '--console',
        console,
        '--db',
        db,
        ...CONSOLE_FLAGS[console]!,
        ...DB_FLAGS[db]!,
        '--yes',
        '--no-start',
      ];
      const r = await runMain(args, { HARDEN_INIT_DB_PASSWORD: db === 'external' ? EXTERNAL_PASSWORD : undefined });
      expect(r.exitCode, r.stderr).toBe(0);

      const envPath = join(dir, '.env');
      const env = readFileSync(envPath, 'utf8');
      const compose = readFileSync(join(dir, 'docker-compose.yml'), 'utf8');
      expect(statSync(envPath).mode & 0o777).toBe(0o600);

      // No generated secret (nor the external password) is ever printed.
      const secret = sensitiveNames(t);
      const values = [...env.matchAll(/^([A-Z0-9_]+)=(.+)$/gm)]
        .filter((m) => secret.has(m[1]!) && m[2]!.length >= 8)
        .map((m) => m[2]!);
      expect(values.length).toBeGreaterThanOrEqual(t.secrets.generate.length - (db === 'external' ? 1 : 0));
      for (const v of [...values, EXTERNAL_PASSWORD]) {
        expect(r.stdout, 'stdout').not.toContain(v);
        expect(r.stderr, 'stderr').not.toContain(v);
      }
      if (db === 'external') expect(env).toContain(`_APP_DB_PASS=${EXTERNAL_PASSWORD}`);

      const upstream = renderLikeInstaller(t.compose, {
        database: db === 'external' ? undefined : engine,
        topology,
      }).toString({ lineWidth: 0, flowCollectionPadding: false });
      const masked = env.replace(/^([A-Z0-9_]+)=(.+)$/gm, (line, key: string) =>
        secret.has(key) ? `${key}=<secret>` : line,
      );
      const snapshot = [
        '## .env (secrets masked)',
        masked,
        `## docker-compose.yml, as a diff against upstream's render (${release}'s file, ${db === 'external' ? 'no database' : engine}, as Appwrite's installer renders it)`,
        unifiedDiff(upstream, compose, 2).join('\n').replaceAll(ROOT, '<root>'),
        '',
        // traefik's routes: upstream's labels (as the rules changed them), which the compose file no longer carries.
        `## ${ROUTES_FILE}`,
        readFileSync(join(dir, ROUTES_FILE), 'utf8'),
      ].join('\n');
      await expect(snapshot).toMatchFileSnapshot(
        join(ROOT, 'test/cli/__snapshots__/matrix', release, `${https}-${console}-${db}.txt`),
      );

      if (haveCompose) {
        const cfg = await execa('docker-compose', ['config', '-q'], {
          cwd: dir,
          reject: false,
          env: { HARDEN_INIT_DB_PASSWORD: '' },
        });
        expect(cfg.exitCode, cfg.stderr).toBe(0);
        expect(cfg.stderr).not.toMatch(/variable is not set/);
      }
    },
  );
});
