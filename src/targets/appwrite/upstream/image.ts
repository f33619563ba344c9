// Reads one Appwrite release from its own image: the compose file its installer renders, its variable list and
// its executables (paths in types.ts IMAGE_PATHS). The image is pulled only when it is not present (Compose's
// default pull policy); the reads run throw-away containers on the image id (never a tag that may move between
// the inspect and the read), with no network. The wizard runs all of it while it asks its questions, and an
// AbortSignal ends it when the run is given up (Ctrl-C): the pull, and each reading container by its name.
import { exec, failure } from '../../../core/exec.js';
import { docker } from '../../../docker/compose.js';
import { CliError, EXIT, stepError, usageError } from '../../../core/errors.js';
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
  throw stepError(`Could not inspect the image ${ref}: ${failure(r)}`);
}

/** The error a read ends with when its signal was aborted. */
function stopped(what: string): CliError {
  return new CliError(`Cancelled while ${what}: stopped; nothing was written.`, EXIT.cancelled);
}

/** `docker pull <ref>`, each output line to onLine (progress). Throws naming the image and Docker's last lines. */
export async function pullImage(ref: string, onLine: OnLine = () => {}, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) throw stopped(`pulling ${ref}`);
  const p = exec('docker', ['pull', ref], { all: true, timeout: PULL_TIMEOUT_MS, cancelSignal: signal });
  // A progress line redrawn with \r gives each drawing to onLine.
  for await (const line of p.iterable({ from: 'all' })) {
    for (const l of line.split('\r')) if (l.trim()) onLine(l);
  }
  const r = await p;
  if (signal?.aborted || r.isCanceled) throw stopped(`pulling ${ref}`);
  if (r.exitCode !== 0) {
    throw stepError(
      `The image ${ref} could not be pulled: ${failure(r)}`,
      `Check that this machine reaches the registry (a proxy or firewall?), that the release ${ref.split(':').pop()} ` +
        `exists, or load the image first (docker load).`,
    );
  }
}

let runs = 0;

/**
 * Runs `<entrypoint> <args>` in a throw-away container of image <id>; stdout byte-exact. Created, then started, then
 * removed, each by a name of this process's own: `docker run --rm` given up between the engine's create and start
 * leaves a container that never ran and is never removed, and ending the client does not always end a started one.
 * The create is never cut short (it takes a moment), so the name always exists when it is removed.
 */
async function runIn(id: string, entrypoint: string, args: string[], signal?: AbortSignal) {
  const name = `harden-init-read-${process.pid}-${++runs}`;
  if (signal?.aborted) throw stopped('reading the image');
  const created = await exec(
    'docker',
    ['create', '--name', name, '--network', 'none', '--entrypoint', entrypoint, id, ...args],
    { timeout: READ_TIMEOUT_MS },
  );
  if (created.exitCode !== 0) {
    await removeContainer(name); // a create that timed out may still complete in the engine
    return created;
  }
  try {
    if (signal?.aborted) throw stopped('reading the image');
    const r = await exec('docker', ['start', '--attach', name], {
      stripFinalNewline: false,
      timeout: READ_TIMEOUT_MS,
      cancelSignal: signal,
    });
    if (signal?.aborted || r.isCanceled) throw stopped('reading the image');
    return r;
  } finally {
    await removeContainer(name);
  }
}

async function removeContainer(name: string): Promise<void> {
  await exec('docker', ['rm', '--force', name], { timeout: 20_000 });
}

async function readFile(ref: string, id: string, path: string, signal?: AbortSignal): Promise<string> {
  const r = await runIn(id, 'cat', [path], signal);
  if (r.exitCode === 0) return String(r.stdout);
  const err = String(r.stderr).trim();
  if (/no such file|can't open|not found/i.test(err)) {
    throw usageError(
      `The image ${ref} has no ${path}: it is not an Appwrite release image harden-init can read.`,
      "harden-init takes the template from the release's own installer files, " +
        'which Appwrite images carry from 1.9.5 on.',
    );
  }
  throw stepError(`Could not read ${path} from the image ${ref}: ${failure(r)}`);
}

async function listExecutables(ref: string, id: string, signal?: AbortSignal): Promise<string[]> {
  const r = await runIn(id, 'ls', ['-1', IMAGE_PATHS.bin], signal);
  if (r.exitCode !== 0) {
    throw stepError(`Could not list ${IMAGE_PATHS.bin} in the image ${ref}: ${failure(r)}`);
  }
  return parseExecutables(String(r.stdout));
}

/** `ls -1` output (or a bin.txt) → names, trimmed, without blanks, sorted (byte order). */
export function parseExecutables(text: string): string[] {
  return [
    ...new Set(
      text
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean),
    ),
  ].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
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
export async function readImageFiles(version: string, id: string, signal?: AbortSignal): Promise<UpstreamFiles> {
  const ref = imageRef(version);
  // allSettled: when one read fails or is cancelled, the others' containers are still ended before this returns.
  const settled = await Promise.allSettled([
    readFile(ref, id, IMAGE_PATHS.compose, signal),
    readFile(ref, id, IMAGE_PATHS.variables, signal),
    listExecutables(ref, id, signal),
  ]);
  const failed = settled.find((x): x is PromiseRejectedResult => x.status === 'rejected');
  if (failed) throw failed.reason;
  const [compose, variablesPhp, executables] = settled.map((x) => (x as PromiseFulfilledResult<unknown>).value) as [
    string,
    string,
    string[],
  ];
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
export async function ensureImage(version: string, onLine: OnLine = () => {}, signal?: AbortSignal): Promise<string> {
  const ref = imageRef(version);
  const have = await inspectImageId(ref);
  if (have) return have;
  await pullImage(ref, onLine, signal);
  const id = await inspectImageId(ref);
  if (!id) throw stepError(`docker pull ${ref} succeeded but the engine has no such image afterwards.`);
  return id;
}

/** Reads the release's files from appwrite/appwrite:<version> (pulled when missing). Writes nothing. */
export async function readFromImage(
  version: string,
  onLine: OnLine = () => {},
  signal?: AbortSignal,
): Promise<UpstreamFiles> {
  return readImageFiles(version, await ensureImage(version, onLine, signal), signal);
}
