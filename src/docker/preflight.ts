// Checks, before anything is written, that the stack can be started: Docker client, daemon, Compose,
// free ports. Each check is one line, ✔ or ✘; the first ✘ stops the run (exit 1) with what to do.
import { createServer } from 'node:net';
import { exec, failure, notFound } from '../core/exec.js';
import { composeLabel, detectCompose, docker, type Compose } from './compose.js';

export interface Check { ok: boolean; label: string; hint?: string }

export interface PortWanted { port: number; host: string }

export interface PreflightResult { checks: Check[]; compose?: Compose }


/** Docker client, daemon and Compose (the ports are portChecks', once they are known). */
export async function preflight(report: (c: Check) => void): Promise<PreflightResult> {
  const checks: Check[] = [];
  const add = (c: Check) => { checks.push(c); report(c); return c.ok; };

  // `docker version` prints the client part even when the daemon is unreachable (it then exits 1).
  const client = await exec('docker', ['version', '--format', '{{.Client.Version}}'], { timeout: 20_000 });
  const clientVersion = String(client.stdout ?? '').trim();
  if (!clientVersion) {
    const label = notFound(client) ? 'Docker is not installed (no docker command on PATH)' : `Docker client not usable: ${failure(client, 3)}`;
    add({ ok: false, label, hint: 'Install Docker Engine: https://docs.docker.com/engine/install/ (or run harden-init with --no-start to only write the files).' });
    return { checks };
  }
  add({ ok: true, label: `Docker client ${clientVersion}` });

  const server = await docker(['version', '--format', '{{.Server.Version}}']);
  if (server.exitCode !== 0) {
    const msg = String(server.all ?? '');
    const hint = /permission denied/i.test(msg)
      ? 'Your user may not use the Docker socket: add it to the docker group (sudo usermod -aG docker $USER, then log in again) or run with sudo.'
      : 'Start the Docker daemon (e.g. sudo systemctl start docker) and check DOCKER_HOST.';
    add({ ok: false, label: `Docker daemon not reachable: ${firstLine(msg)}`, hint });
    return { checks };
  }
  add({ ok: true, label: `Docker daemon ${String(server.stdout).trim()} reachable` });

  const c = await detectCompose();
  if (!c) {
    add({ ok: false, label: 'Docker Compose not found (neither `docker compose` nor `docker-compose`)', hint: 'Install the Compose plugin (Debian/Ubuntu: apt-get install docker-compose-plugin; see https://docs.docker.com/compose/install/), or run with --no-start to only write the files.' });
    return { checks };
  }
  add({ ok: true, label: `Compose: ${composeLabel(c)}` });
  return { checks, compose: c };
}

/**
 * The ports (each check reported; the first taken one ends the list). The wizard checks Docker before its
 * questions and the ports after them, when it knows them, without asking the client, daemon and Compose again
 * (with Compose v1 those answers cost about a second). `gateway`: the container that publishes this stack's
 * ports; a port it holds belongs to this very stack.
 */
export async function portChecks(ports: PortWanted[], report: (c: Check) => void, gateway = ''): Promise<Check[]> {
  const checks: Check[] = [];
  const add = (c: Check) => { checks.push(c); report(c); return c.ok; };
  for (const want of ports) {
    const holder = await portHolder(want, gateway);
    if (holder === 'free') add({ ok: true, label: `Port ${want.port} free` });
    else if (gateway && holder === gateway) add({ ok: true, label: `Port ${want.port} held by this stack (${gateway})` });
    else if (holder === 'no-permission') add({ ok: true, label: `Port ${want.port}: not checked (binding it needs root)` });
    else {
      add({ ok: false, label: `Port ${want.port} is in use by ${holder}`, hint: `Stop what uses port ${want.port}, or choose another with --${want.port === ports[0]!.port ? 'http' : 'https'}-port.` });
      return checks;
    }
  }
  return checks;
}

async function portHolder(want: PortWanted, gateway: string): Promise<string> {
  const bound = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
    const srv = createServer();
    srv.once('error', (e) => resolve(e as NodeJS.ErrnoException));
    srv.listen({ port: want.port, host: want.host, exclusive: true }, () => srv.close(() => resolve(undefined)));
  });
  if (!bound) return 'free';
  if (bound.code === 'EACCES') return 'no-permission';
  const ps = await docker(['ps', '--filter', `publish=${want.port}`, '--format', '{{.Names}}']);
  const names = String(ps.stdout).trim().split('\n').filter(Boolean);
  // The gateway by container name, or by service name in Compose's <project>_<service>_1 / -<service>-1 form.
  if (gateway && names.some((n) => n === gateway || n.endsWith(`_${gateway}_1`) || n.endsWith(`-${gateway}-1`))) return gateway;
  return names.length ? `container ${names.join(', ')}` : 'another process';
}

function firstLine(s: string): string {
  return s.trim().split('\n').find((l) => l.trim()) ?? 'no answer';
}
