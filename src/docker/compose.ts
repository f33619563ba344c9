// The one seam to Docker: finds Compose (v2 `docker compose` first, else v1 `docker-compose`) and runs it
// in the install directory. Variables that .env defines are removed from the child's environment, because
// compose lets the shell override .env and the stack must run with what harden-init wrote.
import { execa } from 'execa';

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

export function childEnv(dropEnv: Iterable<string> = []): Record<string, string> {
  const env = { ...process.env } as Record<string, string>;
  for (const key of dropEnv) delete env[key];
  return env;
}

export async function detectCompose(): Promise<Compose | undefined> {
  const v2 = await execa('docker', ['compose', 'version', '--short'], { reject: false, timeout: 20_000 });
  if (v2.exitCode === 0 && /^v?2\./.test(String(v2.stdout).trim())) {
    return { flavor: 'v2', version: String(v2.stdout).trim().replace(/^v/, ''), file: 'docker', baseArgs: ['compose'] };
  }
  const v1 = await execa('docker-compose', ['version', '--short'], { reject: false, timeout: 20_000 });
  if (v1.exitCode === 0) {
    return { flavor: 'v1', version: String(v1.stdout).trim(), file: 'docker-compose', baseArgs: [] };
  }
  return undefined;
}

export function composeLabel(c: Compose): string {
  return c.flavor === 'v2' ? `docker compose ${c.version}` : `docker-compose ${c.version} (Compose v1)`;
}

export function compose(c: Compose, args: string[], opts: RunOptions) {
  return execa(c.file, [...c.baseArgs, ...args], {
    cwd: opts.cwd,
    env: childEnv(opts.dropEnv),
    extendEnv: false,
    reject: false,
    all: true,
    stdin: 'ignore',
    timeout: opts.timeoutMs,
  });
}

export async function docker(args: string[], timeoutMs = 30_000) {
  return execa('docker', args, { reject: false, all: true, stdin: 'ignore', timeout: timeoutMs });
}

export function tail(text: string, lines = 20): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** Whether a Docker engine answers (a files-only run may still read from it). */
export async function dockerReachable(): Promise<boolean> {
  const r = await execa('docker', ['version', '--format', '{{.Server.Version}}'], { reject: false, stdin: 'ignore', timeout: 20_000 });
  return r.exitCode === 0 && !r.timedOut;
}
