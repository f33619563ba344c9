// Reads one Appwrite release from its own image: the compose file its installer renders, its variable list and
// its executables (paths in types.ts IMAGE_PATHS). The image is pulled only when it is not present (Compose's
// default pull policy); the reads run throw-away containers on the image id (never a tag that may move between
// the inspect and the read), with no network.
import { run } from '../../../core/run.js';
import { docker, tail } from '../../../docker/compose.js';
import { stepError, usageError } from '../../../core/errors.js';
import { parseVariablesPhp } from './variables-php.js';
import { APPWRITE_IMAGE, IMAGE_PATHS, type UpstreamFiles } from './types.js';

export type OnLine = (line: string) => void;

const READ_TIMEOUT_MS = 120_000;
const PULL_TIMEOUT_MS = 60 * 60_000;

export function imageRef(version: string): string {
  return `${APPWRITE_IMAGE}:${version}`;
}

/** The image's content id ("sha256:…"), or undefined when the engine has no such image. Other failures throw. */
export async function inspectImageId(ref: string): Promise<string | undefined> {
  const r = await docker(['image', 'inspect', '--format', '{{.Id}}', ref]);
  if (r.exitCode === 0) return String(r.stdout).trim() || undefined;
  const out = String(r.all ?? '');
  if (/no such (image|object)/i.test(out)) return undefined;
  throw stepError(`Could not inspect the image ${ref}: ${r.timedOut ? 'docker did not answer in time' : tail(out, 5) || `docker exited ${r.exitCode}`}`);
}

/** `docker pull <ref>`, each output line to onLine (progress). Throws naming the image and Docker's last lines. */
export async function pullImage(ref: string, onLine: OnLine = () => {}): Promise<void> {
  const p = run('docker', ['pull', ref], { all: true, stdin: 'ignore', timeout: PULL_TIMEOUT_MS });
  let rest = '';
  p.all?.on('data', (chunk: Buffer | string) => {
    rest += chunk.toString();
    const lines = rest.split(/\r?\n|\r/);
    rest = lines.pop() ?? '';
    for (const l of lines) if (l.trim()) onLine(l);
  });
  const r = await p;
  if (rest.trim()) onLine(rest);
  if (r.exitCode !== 0) {
    const why = r.timedOut ? `no result after ${PULL_TIMEOUT_MS / 60_000} minutes` : tail(String(r.all ?? ''), 5) || `docker pull exited ${r.exitCode}`;
    throw stepError(
      `The image ${ref} could not be pulled: ${why}`,
      `Check that this machine reaches the registry (a proxy or firewall?), that the release ${ref.split(':').pop()} exists, or load the image first (docker load).`,
    );
  }
}

/** Runs `<entrypoint> <args>` in a throw-away container of image <id>; stdout byte-exact. */
async function runIn(id: string, entrypoint: string, args: string[]) {
  return run('docker', ['run', '--rm', '--network', 'none', '--entrypoint', entrypoint, id, ...args], {
    stdin: 'ignore',
    stripFinalNewline: false,
    timeout: READ_TIMEOUT_MS,
  });
}

async function readFile(ref: string, id: string, path: string): Promise<string> {
  const r = await runIn(id, 'cat', [path]);
  if (r.exitCode === 0) return String(r.stdout);
  const err = String(r.stderr).trim();
  if (/no such file|can't open|not found/i.test(err)) {
    throw usageError(
      `The image ${ref} has no ${path}: it is not an Appwrite release image harden-init can read.`,
      "harden-init takes the template from the release's own installer files, which Appwrite images carry from 1.9.5 on.",
    );
  }
  throw stepError(`Could not read ${path} from the image ${ref}: ${r.timedOut ? 'no answer in time' : tail(err, 5) || `exit ${r.exitCode}`}`);
}

async function listExecutables(ref: string, id: string): Promise<string[]> {
  const r = await runIn(id, 'ls', ['-1', IMAGE_PATHS.bin]);
  if (r.exitCode !== 0) {
    const err = String(r.stderr).trim();
    throw stepError(`Could not list ${IMAGE_PATHS.bin} in the image ${ref}: ${r.timedOut ? 'no answer in time' : tail(err, 5) || `exit ${r.exitCode}`}`);
  }
  return parseExecutables(String(r.stdout));
}

/** `ls -1` output (or a bin.txt) → names, trimmed, without blanks, sorted (byte order). */
export function parseExecutables(text: string): string[] {
  return [...new Set(text.split('\n').map((l) => l.trim()).filter(Boolean))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Parses variables.php, naming where it came from when it cannot be read. */
export function parseVariablesFrom(text: string, where: string) {
  try {
    return parseVariablesPhp(text);
  } catch (e) {
    throw stepError(`${where}: ${(e as Error).message}`);
  }
}

/** The three reads from an image already present, by its id. */
export async function readImageFiles(version: string, id: string): Promise<UpstreamFiles> {
  const ref = imageRef(version);
  const [compose, variablesPhp, executables] = await Promise.all([
    readFile(ref, id, IMAGE_PATHS.compose),
    readFile(ref, id, IMAGE_PATHS.variables),
    listExecutables(ref, id),
  ]);
  return {
    version,
    imageId: id,
    compose,
    variables: parseVariablesFrom(variablesPhp, `${ref} ${IMAGE_PATHS.variables}`),
    variablesPhp,
    executables,
    source: `image ${ref}`,
  };
}

/** The image's id, pulling the image first when it is not present. */
export async function ensureImage(version: string, onLine: OnLine = () => {}): Promise<string> {
  const ref = imageRef(version);
  const have = await inspectImageId(ref);
  if (have) return have;
  await pullImage(ref, onLine);
  const id = await inspectImageId(ref);
  if (!id) throw stepError(`docker pull ${ref} succeeded but the engine has no such image afterwards.`);
  return id;
}

/** Reads the release's files from appwrite/appwrite:<version> (pulled when missing). Writes nothing. */
export async function readFromImage(version: string, onLine: OnLine = () => {}): Promise<UpstreamFiles> {
  return readImageFiles(version, await ensureImage(version, onLine));
}
