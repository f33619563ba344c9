// `harden-init upgrade` over two steps in ONE run (1.9.5 → 1.9.10 → 2.3.0) on the real engine, with hand edits of
// docker-compose.yml that the steps cannot all carry: one the first step refuses (it publishes Redis on the host),
// one the first step carries and the second cannot (its service is gone in 2.3). The first step's refused edit is in
// no file the second step reads, so the run hands it on: the final docker-compose.proposed.yml is 2.3.0's file with
// it written in, both edits are listed on top with their steps, the run's closing list names both, and neither is in
// docker-compose.yml nor in the running stack. (Release stand-ins and real MariaDB/Redis: test/e2e/standin/README.md.)
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runBin, tempDir, type RunResult } from '../helpers/run-bin.js';
import { REAL_ENGINE, engineAvailable, stackSuite, writeClickhouseOverride } from '../helpers/engine.js';

const hasEngine = engineAvailable(); // with CI=true and no engine this throws: the suite fails, never skips
const base = tempDir('hi-e2e-upg-prop-');
const dir = join(base, 'appwrite');
const dockerConfig = join(base, 'docker-v1'); // no CLI plugin: Compose v1
const read = (f: string) => readFileSync(join(dir, f), 'utf8');

async function run(args: string[]): Promise<RunResult> {
  return runBin(args, { ...REAL_ENGINE, DOCKER_CONFIG: dockerConfig });
}

describe
  .skipIf(!hasEngine)
  .sequential(
    "harden-init upgrade: every step's not-carried hand edit reaches the final proposal (real engine)",
    { timeout: 240_000 },
    () => {
      const ports = stackSuite({ dir, dockerConfig, releases: ['1.9.5', '1.9.10', '2.3.0'] });

      it('an install at 1.9.5 with three hand edits', async () => {
        const r = await run([
          '--dir',
          dir,
          '--release',
          '1.9.5',
          '--allow-insecure-release',
          '--domain',
          'appwrite.example.com',
          '--email',
          'admin@example.com',
          '--http-port',
          ports.http,
          '--https-port',
          ports.https,
          '--yes',
          '--timeout',
          '180',
        ]);
        expect(r.exitCode, r.stdout + r.stderr).toBe(0);
        // TEST MACHINE LIMIT (writeClickhouseOverride); clickhouse's image named too, as 1.9 has no such service.
        writeClickhouseOverride(dir, ['    image: clickhouse/clickhouse-server:26.4.3-alpine']);
        let c = read('docker-compose.yml');
        c = c.replace('      - _APP_ENV\n', '      - _APP_ENV\n      - MY_HAND_FLAG=on\n'); // carried at both steps
        c = c.replace(/\n {2}redis:\n/, '\n  redis:\n    ports:\n      - "6379:6379"\n'); // refused at step 1
        const audits = c.indexOf('  appwrite-worker-audits:\n');
        const at = c.indexOf('    restart: unless-stopped\n', audits);
        expect(at).toBeGreaterThan(audits);
        c = `${c.slice(0, at)}    restart: always\n${c.slice(at + '    restart: unless-stopped\n'.length)}`; // carried at step 1; gone at step 2
        writeFileSync(join(dir, 'docker-compose.yml'), c);
      });

      it('upgrade --to 2.3.0 in one run: the step-1 refusal is in the final proposal and the closing list, never in the file or the stack', async () => {
        const r = await run([
          'upgrade',
          '--dir',
          dir,
          '--to',
          '2.3.0',
          '--allow-insecure-release',
          '--yes',
          '--timeout',
          '180',
        ]);
        expect(r.exitCode, r.stdout + r.stderr).toBe(0);
        expect(r.stdout).toMatch(
          /Step 1\/2[^]*NOT carried: added services\.redis\.ports = \["6379:6379"\] — harden-init refuses it[^]*Step 2\/2/,
        );
        expect(r.stdout).toMatch(
          /Step 2\/2[^]*still NOT carried \(since step 1\.9\.5 → 1\.9\.10\): added services\.redis\.ports/,
        );
        const summary = r.stdout.slice(
          r.stdout.indexOf('Hand edits NOT carried into docker-compose.yml over the whole upgrade (2)'),
        );
        expect(summary).toMatch(
          /- step 1\.9\.5 → 1\.9\.10: added services\.redis\.ports = \["6379:6379"\] — harden-init refuses it \(service redis publishes 6379:6379\); proposed in docker-compose\.proposed\.yml/,
        );
        expect(summary).toMatch(
          /- step 1\.9\.10 → 2\.3\.0: changed services\.appwrite-worker-audits\.restart = "always" — services\.appwrite-worker-audits is not in the new release's file; listed in docker-compose\.proposed\.yml, not written there either/,
        );
        expect(summary).toMatch(/Appwrite 2\.3\.0 is running and verified/);

        const written = read('docker-compose.yml');
        expect(written).toContain('image: appwrite/appwrite:2.3.0');
        expect(written).toContain('      - MY_HAND_FLAG=on\n');
        expect(written).not.toContain('6379:6379');
        const proposal = read('docker-compose.proposed.yml');
        expect(proposal).toMatch(/^# PROPOSAL, not in use/);
        expect(proposal).toContain(
          '#   added services.redis.ports = ["6379:6379"] — not applied: harden-init refuses it (service redis publishes 6379:6379) [step 1.9.5 → 1.9.10]\n',
        );
        expect(proposal).toContain(
          '#   changed services.appwrite-worker-audits.restart = "always" — not applied: services.appwrite-worker-audits is not in the new release\'s file (not written below either: its place is gone) [step 1.9.10 → 2.3.0]\n',
        );
        expect(proposal).toContain('image: appwrite/appwrite:2.3.0'); // the final release's file, not the intermediate one's
        expect(proposal).toMatch(/\n {2}redis:\n(?: {4}.*\n| {6}.*\n)*? {4}ports:\n {6}- 6379:6379\n/);
        expect(proposal).toContain('      - MY_HAND_FLAG=on\n');

        // The running Redis publishes nothing on the host.
        const id = String(
          (
            await execa('docker-compose', ['ps', '-q', 'redis'], {
              cwd: dir,
              reject: false,
              env: { DOCKER_CONFIG: dockerConfig },
            })
          ).stdout,
        ).trim();
        expect(id).not.toBe('');
        const ports = await execa('docker', ['inspect', '--format', '{{json .HostConfig.PortBindings}}', id], {
          reject: false,
        });
        expect(ports.exitCode, String(ports.stderr)).toBe(0);
        expect(String(ports.stdout)).not.toContain('6379');
      });
    },
  );
