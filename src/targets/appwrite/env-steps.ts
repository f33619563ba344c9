// Appwrite's own .env steps around the generic ones: the bundled database's credentials kept aside while an
// external server is used, and the ClickHouse DSNs that embed the generated usage password.
import type { Answers } from './answers.js';
import type { Template } from './template.js';
import { deleteEnv, getEnv, setEnv, type EnvFile } from '../../engine/envfile.js';
import { usageDsn } from './secret-names.js';

/** Where the bundled DB's credentials wait while an external DB is in use, so a switch back finds them. */
export const BUNDLED_DB_STASH: Record<string, string> = {
  _APP_DB_USER: '_HARDEN_INIT_BUNDLED_DB_USER',
  _APP_DB_SCHEMA: '_HARDEN_INIT_BUNDLED_DB_SCHEMA',
  _APP_DB_PASS: '_HARDEN_INIT_BUNDLED_DB_PASS',
};

export function beforeEnv(envIn: EnvFile, a: Answers, previous: Partial<Answers>, warnings: string[]): EnvFile {
  let env = envIn;
  if (previous.db !== undefined && previous.db !== 'external' && a.db === 'external') {
    for (const [key, stash] of Object.entries(BUNDLED_DB_STASH)) {
      const v = getEnv(env, key);
      if (v) env = setEnv(env, stash, v);
    }
  } else if (previous.db === 'external' && a.db !== 'external') {
    const stashed = Object.values(BUNDLED_DB_STASH).some((k) => getEnv(env, k) !== undefined);
    for (const [key, stash] of Object.entries(BUNDLED_DB_STASH)) {
      const v = getEnv(env, stash);
      if (v !== undefined) env = deleteEnv(setEnv(env, key, v), stash);
    }
    if (!stashed)
      warnings.push(
        'The bundled database will be created with the user and password that were used for the ' +
          'external server (_APP_DB_USER, _APP_DB_PASS).',
      );
  }
  return env;
}

/** 2.x: the ClickHouse DSNs embed _APP_USAGE_PASS; rebuilt while they point at the bundled ClickHouse. */
export function afterEnv(envIn: EnvFile, _a: Answers, t: Template): EnvFile {
  let env = envIn;
  const usagePass = getEnv(env, '_APP_USAGE_PASS');
  for (const key of t.secrets.dsns) {
    const current = getEnv(env, key) || t.upstream.variables.find((v) => v.name === key)?.default || '';
    if (usagePass && /@clickhouse[:/]/.test(current)) {
      const next = usageDsn(current, usagePass);
      if (next !== getEnv(env, key)) env = setEnv(env, key, next);
    }
  }
  return env;
}
