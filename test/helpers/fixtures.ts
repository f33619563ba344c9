import type { Answers } from '../../src/answers.js';
import { parseEnv, toRecord } from '../../src/engine/envfile.js';
import type { Existing } from '../../src/engine/existing.js';
import type { Plan } from '../../src/engine/plan.js';
import { parseState } from '../../src/engine/state.js';

export const BASE: Answers = {
  domain: 'appwrite.example.com', https: 'auto', email: 'admin@example.com', console: 'root', db: 'volume', httpPort: 80, httpsPort: 443,
};

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
export function existingAfter(plan: Plan, dir = '/x'): Existing {
  const get = (p: string) => plan.files.find((f) => f.path === p)?.content;
  const envText = get('.env');
  const stateText = get('.harden-init/state.json');
  return {
    dir, envText, env: envText === undefined ? undefined : parseEnv(envText),
    compose: get('docker-compose.yml'), proposedCompose: get('docker-compose.proposed.yml'),
    stateText, state: stateText === undefined ? undefined : parseState(stateText),
  };
}
