// Checks, before anything is written, that the stack can be started: Docker client, daemon, Compose,
// free ports. Each check is one line, ✔ or ✘; the first ✘ stops the run (exit 1) with what to do.
import { createServer } from 'node:net';
import { exec, failure, notFound } from '../core/exec.js';
import { composeLabel, detectCompose, docker, type Compose } from './compose.js';

export interface Check {
  ok: boolean;
  label: string;
  hint?: string;
}

export interface PortWanted {
  port: number;
  host: string;
}

export interface PreflightResult {
  checks: Check[];
  compose?: Compose;
}

/** Docker client, daemon and Compose (the ports are portChecks', once they are known). */
export async function preflight(report: (c: Check) => void): Promise<PreflightResult> {
  const checks: Check[] = [];
  const add = (c: Check) => {
    checks.push(c);
    report(c);
    return c.ok;
  };

  // `docker version` prints the client part even when the daemon is unreachable (it then exits 1).
  const client = await exec('docker', ['version', '--format', '{{.Client.Version}}'], { timeout: 20_000 });
  const clientVersion = String(client.stdout ?? '').trim();
  if (!clientVersion) {
    const label = notFound(client)
      ? 'Docker is not installed (no docker command on PATH)'
      : `Docker client not usable: ${failure(client, 3)}`;
    add({
      ok: false,
      label,
      hint:
        'Install Docker Engine: https://docs.docker.com/engine/install/ (or run harden-init ' +
        'with --no-start to only write the files).',
    });
    return { checks };
  }
  add({ ok: true, label: `Docker client ${clientVersion}` });

  const server = await docker(['version', '--format', '{{.Server.Version}}']);
  if (server.exitCode !== 0) {
    const msg = String(server.all ?? '');
    const hint = /permission denied/i.test(msg)
      ? 'Your user may not use the Docker socket: add it to the docker group (sudo usermod -aG docker ' +
        '$USER, then log in again) or run with sudo.'
      : 'Start the Docker daemon (e.g. sudo systemctl start docker) and check DOCKER_HOST.';
    add({ ok: false, label: `Docker daemon not reachable: ${firstLine(msg)}`, hint });
    return { checks };
  }
  add({ ok: true, label: `Docker daemon ${String(server.stdout).trim()} reachable` });

  const c = await detectCompose();
  if (!c) {
    add({
      ok: false,
      label: 'Docker Compose not found (neither `docker compose` nor `docker-compose`)',
      hint:
        'Install the Compose plugin (Debian/Ubuntu: apt-get install docker-compose-plugin; see ' +
        'https://docs.docker.com/compose/install/), or run with --no-start to only write the files.',
    });
    return { checks };
  }
  add({ ok: true, label: `Compose: ${composeLabel(c)}` });
  return { checks, compose: c };
}

/** What a port may be held by without stopping the run: this install's own stack. */
export interface OwnStack {
  /** The container that publishes the stack's ports (by container or service name). */
  gateway?: string;
  /** The install's Compose project names (see composeProjectNames): any container labelled with one is its own. */
  projects?: readonly string[];
}

/**
 * The ports (each check reported; the first taken one ends the list). The wizard checks Docker before its
 * questions and the ports after them, when it knows them, without asking the client, daemon and Compose again
 * (with Compose v1 those answers cost about a second). A port held by the install's own containers (its gateway, or
 * any container of its Compose project) is fine: a re-run of a running install recreates them itself.
 */
export async function portChecks(
  ports: PortWanted[],
  report: (c: Check) => void,
  own: OwnStack = {},
): Promise<Check[]> {
  const checks: Check[] = [];
  const add = (c: Check) => {
    checks.push(c);
    report(c);
    return c.ok;
  };
  for (const want of ports) {
    const holder = await portHolder(want, own);
    if (holder.kind === 'free') add({ ok: true, label: `Port ${want.port} free` });
    else if (holder.kind === 'own') add({ ok: true, label: `Port ${want.port} held by this stack (${holder.names})` });
    else if (holder.kind === 'no-permission')
      add({ ok: true, label: `Port ${want.port}: not checked (binding it needs root)` });
    else {
      add({
        ok: false,
        label: `Port ${want.port} is in use by ${holder.names}`,
        hint:
          `Stop what uses port ${want.port}, or choose another with ` +
          `--${want.port === ports[0]!.port ? 'http' : 'https'}-port.`,
      });
      return checks;
    }
  }
  return checks;
}

type Holder =
  | { kind: 'free' }
  | { kind: 'no-permission' }
  | { kind: 'own'; names: string }
  | { kind: 'other'; names: string };

async function portHolder(want: PortWanted, own: OwnStack): Promise<Holder> {
  const bound = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
    const srv = createServer();
    srv.once('error', (e) => resolve(e as NodeJS.ErrnoException));
    srv.listen({ port: want.port, host: want.host, exclusive: true }, () => srv.close(() => resolve(undefined)));
  });
  if (!bound) return { kind: 'free' };
  if (bound.code === 'EACCES') return { kind: 'no-permission' };
  const ps = await docker([
    'ps',
    '--filter',
    `publish=${want.port}`,
    '--format',
    `{{.Names}}\t{{.Label "${PROJECT_LABEL}"}}`,
  ]);
  return classifyHolders(String(ps.stdout), own);
}

export const PROJECT_LABEL = 'com.docker.compose.project';

/**
 * Pure: who holds a port, from `docker ps --format '{{.Names}}\t{{.Label "com.docker.compose.project"}}'` lines.
 * Own when every container listed is this install's — labelled with its Compose project, or its gateway by container
 * name or by service name in Compose's <project>_<service>_1 / <project>-<service>-1 form. No container listed: another
 * process (not Docker's) holds it.
 */
export function classifyHolders(
  psOutput: string,
  own: OwnStack,
): { kind: 'own'; names: string } | { kind: 'other'; names: string } {
  const rows = psOutput
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const [name = '', project = ''] = l.split('\t');
      return { name, project };
    });
  if (rows.length === 0) return { kind: 'other', names: 'another process' };
  const { gateway, projects = [] } = own;
  const isOwn = (r: { name: string; project: string }) =>
    (r.project !== '' && projects.includes(r.project)) ||
    (gateway !== undefined &&
      gateway !== '' &&
      (r.name === gateway || r.name.endsWith(`_${gateway}_1`) || r.name.endsWith(`-${gateway}-1`)));
  const names = rows.map((r) => r.name).join(', ');
  return rows.every(isOwn) ? { kind: 'own', names } : { kind: 'other', names: `container ${names}` };
}

function firstLine(s: string): string {
  return (
    s
      .trim()
      .split('\n')
      .find((l) => l.trim()) ?? 'no answer'
  );
}
