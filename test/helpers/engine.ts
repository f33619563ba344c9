// The real Docker engine for end-to-end tests. With CI=true an absent engine fails the suite: the
// tests must run there, never skip.
import { execa, execaSync } from 'execa';
import { existsSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './run-bin.js';

export function engineAvailable(): boolean {
  try {
    execaSync('docker', ['version', '--format', '{{.Server.Version}}'], { timeout: 20_000 });
    return true;
  } catch {
    if (process.env.CI === 'true') {
      throw new Error('No Docker engine answers (DOCKER_HOST / the docker socket), and CI=true: these tests must run. .ci/run starts one with .ci/lib/docker-engine.sh.');
    }
    return false;
  }
}

/**
 * The template mounts /var/run/docker.sock into traefik and the executor. When the engine listens
 * elsewhere (the CI engine does), point that path at it; otherwise Docker would create a directory there.
 */
export function ensureDefaultSocket(): void {
  const host = process.env.DOCKER_HOST ?? '';
  const m = /^unix:\/\/(.+)$/.exec(host);
  if (m && m[1] !== '/var/run/docker.sock' && !existsSync('/var/run/docker.sock')) symlinkSync(m[1]!, '/var/run/docker.sock');
}

/** Local images standing in for every image the compose file names (no registry is reachable). */
export async function buildStandins(composeFile: string): Promise<void> {
  await execa(join(ROOT, 'test/e2e/standin/build-standins.sh'), [composeFile], { stdio: 'inherit' });
}

/** Removes containers left by an earlier run: the template's container names are fixed. */
export async function removeStackContainers(): Promise<void> {
  const ps = await execa('docker', ['ps', '-aq', '--filter', 'name=^/(appwrite|exc1)'], { reject: false });
  const ids = String(ps.stdout).split('\n').filter(Boolean);
  if (ids.length) await execa('docker', ['rm', '-f', '-v', ...ids], { reject: false });
}

export async function containerId(name: string): Promise<string> {
  const r = await execa('docker', ['inspect', '--format', '{{.Id}}', name], { reject: false });
  return String(r.stdout).trim();
}

export async function runningVars(container: string): Promise<string> {
  return String((await execa('docker', ['exec', container, 'vars'])).stdout);
}
