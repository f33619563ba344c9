import { join } from 'node:path';
import type { Answers } from '../../src/targets/appwrite/answers.js';
import { templateFromUpstream, type Template } from '../../src/targets/appwrite/template.js';
import { readReleaseDir } from '../../src/targets/appwrite/upstream/cache.js';
import { RELEASES_DIR } from './run-bin.js';
import { parseEnv, toRecord } from '../../src/engine/envfile.js';
import type { Existing } from '../../src/engine/existing.js';
import type { Plan } from '../../src/engine/plan.js';
import { parseState } from '../../src/engine/state.js';

export const BASE: Answers = {
  release: '2.7.1',
  domain: 'appwrite.example.com',
  https: 'auto',
  email: 'admin@example.com',
  console: 'root',
  db: 'volume',
  dbEngine: 'postgresql',
  httpPort: 80,
  httpsPort: 443,
  topology: 'combined',
  mqtt: false,
};
/** The same on the 1.9 line (MariaDB only, no topology or MQTT). */
export const BASE_19: Answers = {
  release: '1.9.10',
  domain: 'appwrite.example.com',
  https: 'auto',
  email: 'admin@example.com',
  console: 'root',
  db: 'volume',
  dbEngine: 'mariadb',
  httpPort: 80,
  httpsPort: 443,
};

/** A release's template from the test descriptions (upstream's files; see test/fixtures/releases/README.md). */
export function templateOf(version: string, accepted: string[] = []): Template {
  const files = readReleaseDir(join(RELEASES_DIR, version), version, `description ${version}`);
  if (!files) throw new Error(`no test description for ${version}`);
  return templateFromUpstream(files, accepted);
}

/** Deterministic "random" secrets so tests can tell which secret went where. */
export function counter(prefix = 'secret'): () => string {
  let n = 0;
  return () => `${prefix}${String(++n).padStart(40, '0')}`;
}

export function fileOf(plan: Plan, path: string): string {
  const f = plan.files.find((x) => x.path === path);
  if (!f) throw new Error(`no ${path} in plan`);
  return f.content;
}

export function envOf(plan: Plan): Record<string, string> {
  return toRecord(parseEnv(fileOf(plan, '.env')));
}

/** What readExisting would return after the plan's files were written. */
/** What the install holds after a plan was written, for plan()'s readFile (other files it writes, e.g. traefik's routes). */
export const readAfter =
  (plan: Plan) =>
  (path: string): string | undefined =>
    plan.files.find((f) => f.path === path)?.content;

export function existingAfter(plan: Plan, dir = '/x'): Existing {
  const get = (p: string) => plan.files.find((f) => f.path === p)?.content;
  const envText = get('.env');
  const stateText = get('.harden-init/state.json');
  return {
    dir,
    envText,
    env: envText === undefined ? undefined : parseEnv(envText),
    compose: get('docker-compose.yml'),
    proposedCompose: get('docker-compose.proposed.yml'),
    stateText,
    state: stateText === undefined ? undefined : parseState(stateText),
  };
}
