// The path npx users take: the packed tarball installed into an empty directory, run from there. The
// package must carry every library itself (no runtime dependency) and stay small.
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, RELEASES_DIR, NO_DOCKER, tempDir } from '../helpers/run-bin.js';

// The bound: 300 KB (300 * 1000 bytes). The package carries the Appwrite and Langflow targets, check,
// backup/restore, upgrade and key rotation, with the libraries it is built on (yaml, age-encryption, execa,
// dotenv, the prompt library) bundled and minified, while the reference pages live in docs/ (not packed). An
// accidental dependency, an unminified build or a README that swallows docs/ again fails here.
const MAX_TARBALL_BYTES = 300 * 1000;

describe('the packed package', () => {
  it('has no runtime dependency, stays within 300 KB, installs alone and renders an install', async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
    };
    expect(Object.keys(pkg.dependencies ?? {}), 'runtime dependencies (libraries must be bundled into dist/)').toEqual(
      [],
    );

    const out = tempDir('hi-pack-');
    const packed = await execa('npm', ['pack', '--ignore-scripts', '--pack-destination', out, '--json'], { cwd: ROOT });
    const [info] = JSON.parse(String(packed.stdout)) as { filename: string; files: { path: string }[] }[];
    const tarball = join(out, info!.filename);
    expect(statSync(tarball).size).toBeLessThanOrEqual(MAX_TARBALL_BYTES);
    expect(info!.files.map((f) => f.path).filter((p) => /^(src|test|bench|\.ci)\//.test(p))).toEqual([]);

    const app = join(out, 'app');
    await execa('mkdir', ['-p', app]);
    await execa('npm', ['install', '--no-audit', '--no-fund', '--offline', tarball], { cwd: app });
    const bin = join(app, 'node_modules', '.bin', 'harden-init');
    const installed = await execa('sh', ['-c', `ls ${join(app, 'node_modules')}`]);
    expect(
      String(installed.stdout)
        .split('\n')
        .filter((n) => n && !n.startsWith('.')),
    ).toEqual(['harden-init']);

    const version = await execa(bin, ['--version'], { cwd: app });
    expect(String(version.stdout).trim()).toMatch(/^\d+\.\d+\.\d+/);
    // --help through npm's bin link: the fast path's CommonJS bin must work from an installed package too.
    const help = await execa(bin, ['--help'], { cwd: app });
    expect(String(help.stdout)).toMatch(/^harden-init \d+\.\d+\.\d+: install or re-configure/);

    const dir = join(app, 'appwrite');
    const render = await execa(
      bin,
      ['--dir', dir, '--domain', 'appwrite.example.com', '--email', 'admin@example.com', '--yes', '--no-start'],
      {
        cwd: app,
        reject: false,
        env: { ...process.env, DOCKER_HOST: NO_DOCKER, HARDEN_INIT_RELEASES_DIR: RELEASES_DIR, NO_COLOR: '1' },
      },
    );
    expect(render.exitCode, String(render.stderr)).toBe(0);
    expect(statSync(join(dir, '.env')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, 'docker-compose.yml'), 'utf8')).toContain('image: appwrite/appwrite:2.7.1');
  }, 120_000);
});
