// The one seam to Docker: finds Compose (v2 `docker compose` first, else v1 `docker-compose`) and runs it
// in the install directory. Variables that .env defines are removed from the child's environment, because
// compose lets the shell override .env and the stack must run with what harden-init wrote.
import { childEnv, exec } from '../core/exec.js';
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { homedir } from 'node:os';
import { basename, delimiter, join } from 'node:path';

export interface Compose {
  /** 'v2' (docker compose plugin) or 'v1' (docker-compose). */
  flavor: 'v2' | 'v1';
  version: string;
  file: string;
  baseArgs: string[];
}

export interface RunOptions {
  cwd: string;
  /** Keys to remove from the child's environment (those .env defines). */
  dropEnv?: Iterable<string>;
  timeoutMs?: number;
}

export { childEnv } from '../core/exec.js';

export async function detectCompose(): Promise<Compose | undefined> {
  const v2 = await exec('docker', ['compose', 'version', '--short'], { timeout: 20_000 });
  if (v2.exitCode === 0 && /^v?2\./.test(String(v2.stdout).trim())) {
    return { flavor: 'v2', version: String(v2.stdout).trim().replace(/^v/, ''), file: 'docker', baseArgs: ['compose'] };
  }
  const v1 = await exec('docker-compose', ['version', '--short'], { timeout: 20_000 });
  if (v1.exitCode === 0) {
    return { flavor: 'v1', version: String(v1.stdout).trim(), file: 'docker-compose', baseArgs: [] };
  }
  return undefined;
}

export function composeLabel(c: Compose): string {
  return c.flavor === 'v2' ? `docker compose ${c.version}` : `docker-compose ${c.version} (Compose v1)`;
}

/** Compose in the install directory; the running child, whose `iterable({ from: 'all' })` streams its lines. */
export function compose(c: Compose, args: string[], opts: RunOptions) {
  return exec(c.file, [...c.baseArgs, ...args], {
    cwd: opts.cwd,
    env: childEnv(opts.dropEnv),
    extendEnv: false,
    all: true,
    timeout: opts.timeoutMs,
  });
}

export async function docker(args: string[], timeoutMs = 30_000) {
  return exec('docker', args, { all: true, timeout: timeoutMs });
}

export { tail } from '../core/exec.js';

/**
 * Whether a Docker engine answers (a files-only run may still read from it), asked the cheap way: an HTTP
 * `GET /_ping` on the engine's unix socket (DOCKER_HOST's, else /var/run/docker.sock) instead of starting the
 * docker CLI, which cost a process start on every run. Same answer as `docker version` succeeding: the engine
 * answers and there is a docker CLI to read images with. Endpoints the socket check cannot see the way the CLI
 * does (tcp/ssh hosts, TLS, a docker context) still ask `docker version`.
 * The /_ping endpoint: Docker Engine API reference, "Ping" (GET /_ping answers 200 "OK").
 */
export async function dockerReachable(env: NodeJS.ProcessEnv): Promise<boolean> {
  const socket = engineSocket(env);
  if (socket === undefined) {
    const r = await exec('docker', ['version', '--format', '{{.Server.Version}}'], { timeout: 20_000 });
    return r.exitCode === 0 && !r.timedOut;
  }
  return onPath('docker', env) && (await pingSocket(socket, PING_TIMEOUT_MS));
}

const PING_TIMEOUT_MS = 5_000;

/** The unix socket the docker CLI would use, or undefined when only the CLI itself can tell. */
export function engineSocket(env: NodeJS.ProcessEnv): string | undefined {
  if (env.DOCKER_CONTEXT || env.DOCKER_TLS_VERIFY || env.DOCKER_CERT_PATH) return undefined;
  const host = env.DOCKER_HOST;
  if (host) return host.startsWith('unix://') ? host.slice('unix://'.length) : undefined;
  if (usesContext(env)) return undefined;
  return '/var/run/docker.sock';
}

/** A current context other than "default" in the CLI's config.json (`docker context use`). */
function usesContext(env: NodeJS.ProcessEnv): boolean {
  const dir = env.DOCKER_CONFIG || join(env.HOME || homedir(), '.docker');
  try {
    const ctx = (JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { currentContext?: unknown })
      .currentContext;
    return typeof ctx === 'string' && ctx !== '' && ctx !== 'default';
  } catch {
    return false; // no config (or an unreadable one): the CLI uses the default endpoint too
  }
}

/** An executable file named <name> in a PATH folder. */
function onPath(name: string, env: NodeJS.ProcessEnv): boolean {
  return (env.PATH ?? '').split(delimiter).some((d) => {
    if (!d) return false;
    try {
      accessSync(join(d, name), constants.X_OK);
      return statSync(join(d, name)).isFile();
    } catch {
      return false;
    }
  });
}

/** `GET /_ping` on a unix socket: true for a 200 answer within the timeout, false for anything else. */
export function pingSocket(path: string, timeoutMs: number): Promise<boolean> {
  return new Promise((done) => {
    let answer = '';
    const sock = connect(path);
    const finish = (ok: boolean) => {
      sock.destroy();
      done(ok);
    };
    sock.setTimeout(timeoutMs, () => finish(false));
    sock.on('error', () => finish(false));
    sock.on('connect', () => sock.write('GET /_ping HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n'));
    sock.on('data', (chunk) => {
      answer += chunk.toString('latin1');
      if (answer.includes('\r\n')) finish(/^HTTP\/1\.[01] 200 /.test(answer));
    });
    sock.on('end', () => finish(/^HTTP\/1\.[01] 200 /.test(answer)));
  });
}

/**
 * The Compose project names an install's containers are labelled with (com.docker.compose.project): the project is
 * COMPOSE_PROJECT_NAME from .env (harden-init's runs give .env precedence over the shell), else the shell's, else the
 * compose file's top-level `name:`, else the directory's name. Normalised as each Compose does: lower-case, only
 * [a-z0-9_-] kept; v2 also drops leading '_' and '-', v1 does not — both forms are returned (one when they agree).
 */
export function composeProjectNames(
  dir: string,
  env: Record<string, string | undefined>,
  composeText: string | undefined,
  shellEnv: NodeJS.ProcessEnv,
): string[] {
  const topName =
    composeText === undefined ? undefined : /^name:[ \t]*["']?([^"'\s#]+)["']?[ \t]*(?:#.*)?$/m.exec(composeText)?.[1];
  const raw = env.COMPOSE_PROJECT_NAME || shellEnv.COMPOSE_PROJECT_NAME || topName || basename(dir);
  const v1 = raw.toLowerCase().replace(/[^a-z0-9_-]/g, '');
  const v2 = v1.replace(/^[_-]+/, '');
  return [...new Set([v2, v1].filter(Boolean))];
}
