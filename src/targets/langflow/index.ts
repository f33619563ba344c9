// The Langflow target: Langflow's knowledge (the modules beside this file) behind the contract in ../types.ts.
// Langflow has no installer template of its own; harden-init renders the compose file from the answers.
import { defineTarget, type LiveCheck, type Prepared, type PrepareInput, type TargetTemplate } from '../types.js';
import { normalizeAnswers, answersError, type LangflowAnswers } from './answers.js';
import { QUESTIONS, dbPasswordError } from './questions.js';
import {
  answersFromEnv,
  managedValues,
  secretSpecs,
  ENCRYPTION_KEYS,
  CONFIG_DIR,
  SECRET_NAMES,
  SECURITY_SWITCHES,
  secretKeyProblem,
} from './env-values.js';
import { renderCompose, caddyfile, CADDYFILE, hostDirs, publishedPorts } from './compose.js';
import { PROBES, curlArgv, judgeProbe, parseCurlOutput, type ProbeRequest } from './probes.js';
import { health, running, dbLocation, warnings, summary, nextSteps, url } from './report.js';
import { NEWEST_RELEASE, openAdvisories, releaseCheck, releaseOfImage } from './releases.js';
import { usageError } from '../../core/errors.js';
import { shellQuote } from '../../core/shell-quote.js';
import { getEnv } from '../../engine/envfile.js';
import { langflowAudit } from './audit.js';
import { recognize } from './recognize.js';

/** What each live check is about, in the output (the request alone does not say langflow/langflow was tried). */
const CHECK_NAMES: Record<ProbeRequest['id'], string> = {
  health: 'health',
  version: 'release',
  'auto-login': 'auto-login',
  'default-login': 'default credentials langflow/langflow',
  'api-without-key': 'API without a key',
};

/** Every variable a Langflow install's .env can hold, over all modes (what `printenv` is compared on). */
function allManagedNames(release: string): string[] {
  const names = new Set<string>();
  for (const https of ['auto', 'proxy', 'off'] as const) {
    for (const db of ['volume', 'path', 'sqlite', 'external'] as const) {
      const a = {
        release,
        domain: 'x.example.com',
        https,
        console: 'ips',
        consoleIps: ['192.0.2.1'],
        superuser: 'admin',
        db,
        dbPath: '/x',
        dbHost: 'h',
        dbPort: 5432,
        dbUser: 'u',
        dbName: 'n',
        httpPort: 80,
        httpsPort: 443,
        email: 'a@b.c',
      } as LangflowAnswers;
      for (const k of Object.keys(managedValues(a))) names.add(k);
      for (const s of secretSpecs(a)) names.add(s.name);
    }
  }
  return [...names];
}

/**
 * The run that moves an install in `dirArg` to the newest release. Langflow runs its own database migrations when
 * the new release starts, so a re-run with --release (it keeps every secret and setting) is the whole upgrade;
 * `harden-init upgrade` moves Appwrite installs only.
 */
export function upgradeCommand(dirArg: string): string {
  return `npx harden-init langflow --dir ${shellQuote(dirArg)} --release ${NEWEST_RELEASE}`;
}

async function prepare(input: PrepareInput<LangflowAnswers>): Promise<Prepared> {
  const installed =
    input.existing.state?.release ??
    input.existing.state?.templateVersion ??
    (input.existing.compose
      ? releaseOfImage(/image:\s*["']?([^\s"']+langflow[^\s"']*)/.exec(input.existing.compose)?.[1] ?? '')
      : undefined);
  const release = input.given.release ?? installed ?? NEWEST_RELEASE;
  const check = releaseCheck(release);
  const warnings: string[] = [];
  if (check.belowMinimum) {
    const keeping = installed === release && input.given.release === undefined;
    if (keeping) {
      // A re-run never switches the release on its own; the run that does is printed whole, ready to paste.
      // The advisories themselves are in the answers' warnings (report.ts), shown after this one.
      warnings.push(
        `SECURITY: this install runs Langflow ${release}, below the security minimum ${check.minimum}. ` +
          `Upgrade now: ${upgradeCommand(input.dirArg)}`,
      );
    } else if (!input.allowInsecureRelease) {
      const open = openAdvisories(release);
      throw usageError(
        `Langflow ${release} is below the security minimum ${check.minimum}${open ? `, open to ${open}` : ''}.`,
        `Install ${NEWEST_RELEASE} (--release ${NEWEST_RELEASE}), or accept the ` +
          `known holes with --allow-insecure-release.`,
      );
    } else {
      warnings.push(
        `SECURITY: installing Langflow ${release}, below the security minimum ` +
          `${check.minimum}, as --allow-insecure-release asks.`,
      );
    }
  }
  const template: TargetTemplate = {
    target: 'langflow',
    version: release,
    // No upstream file: the base the compose is rendered from is harden-init's own renderer for this release.
    compose: `langflowai/langflow:${release}`,
    envDefaults: '',
    variables: allManagedNames(release),
    secrets: { generate: [], encryptionKeys: [...ENCRYPTION_KEYS], secretLike: [...SECRET_NAMES], dsns: [] },
    source: "harden-init's Langflow renderer",
  };
  return { release, template, warnings, notes: [], files: [] };
}

export const langflow = defineTarget<LangflowAnswers>({
  id: 'langflow',
  title: 'Langflow',
  questions: QUESTIONS,
  recognize,
  normalize: normalizeAnswers,
  answersFromEnv,
  answerEnvNames: {
    domain: 'DOMAIN',
    email: 'ACME_EMAIL',
    consoleIps: 'CONSOLE_IPS',
    superuser: 'LANGFLOW_SUPERUSER',
    dbHost: 'POSTGRES_HOST',
    dbPort: 'POSTGRES_PORT',
    dbUser: 'POSTGRES_USER',
    dbName: 'POSTGRES_DB',
  },
  readFromEnv: ['domain', 'email', 'consoleIps', 'superuser', 'dbHost', 'dbPort', 'dbUser', 'dbName'],
  check(a) {
    const err = answersError(a);
    if (err) throw usageError(err);
  },
  prepare,
  render: {
    envHeader: (t) =>
      [
        `# Langflow ${t.version} settings, written by harden-init.`,
        '# Holds secrets: keep it private (mode 0600) and out of version control.',
        '# LANGFLOW_SECRET_KEY encrypts stored credentials: changing it makes them unreadable.',
        '',
      ].join('\n') + '\n',
    managedValues: (a) => managedValues(a),
    securitySwitches: [...SECURITY_SWITCHES],
    secretsToGenerate: (a) => secretSpecs(a).map((s) => s.name),
    generateSecret: (name) => {
      const spec = secretSpecs({ db: 'volume' }).find((s) => s.name === name);
      if (!spec) throw new Error(`no generator for ${name}`);
      return spec.generate();
    },
    showOnce: secretSpecs({ db: 'volume' })
      .filter((s) => s.showOnce)
      .map((s) => s.name),
    secretInputs: [
      {
        envVar: 'HARDEN_INIT_DB_PASSWORD',
        key: 'POSTGRES_PASSWORD',
        required: true,
        prompt: 'Password of the PostgreSQL user (not shown; stored only in .env)',
        when: (a) => a.db === 'external',
        keepExisting: (_a, previous) => previous.db === 'external',
        validate: dbPasswordError,
      },
    ],
    afterEnv: (env) => {
      // An existing key is never replaced, even one Langflow cannot use; it is reported instead.
      const key = getEnv(env, 'LANGFLOW_SECRET_KEY');
      if (key) {
        const problem = secretKeyProblem(key);
        if (problem)
          process.emitWarning(
            `LANGFLOW_SECRET_KEY: ${problem}; harden-init keeps it (a new key loses stored credentials).`,
          );
      }
      return env;
    },
    compose: (_t, a) => ({ text: renderCompose(a), findings: [], accepted: [] }),
    extraFiles: (a) => {
      const text = caddyfile(a);
      return text === undefined ? [] : [{ path: CADDYFILE, content: text, mode: 0o644 }];
    },
    hostDirs: (a) => hostDirs(a).map((d) => ({ path: d.path, mode: d.mode, uid: d.uid, gid: d.gid })),
  },
  stack: {
    dbLocation,
    bundledDbPasswords: (a) => (a.db === 'volume' || a.db === 'path' ? ['POSTGRES_PASSWORD'] : []),
    publishedPorts,
    gatewayContainer: 'caddy',
  },
  verify: {
    health,
    running,
    async liveChecks(exec, a): Promise<LiveCheck[]> {
      const out: LiveCheck[] = [];
      for (const p of PROBES) {
        const r = await exec('langflow', curlArgv(p));
        const verdict = judgeProbe(p.id, parseCurlOutput(r.stdout), a.release);
        out.push({ name: `${CHECK_NAMES[p.id]} (${p.method} ${p.path})`, ok: verdict.ok, detail: verdict.detail });
      }
      return out;
    },
  },
  report: { summary, warnings, nextSteps, url },
  audit: langflowAudit,
  backup: {
    // The bundled PostgreSQL (--db volume or path) is dumped with pg_dump; an
    // external one is the operator's to back up.
    databases: [{ service: 'postgres', engine: 'postgresql' }],
    // Langflow's config dir (uploads, stored files) and Caddy's certificates and ACME account.
    volumes: ['langflow-config', 'caddy-data'],
    helperService: 'langflow',
    files: [{ path: CADDYFILE, mode: 0o644 }],
    keyVariable: 'LANGFLOW_SECRET_KEY',
    // --db sqlite: the config dir (langflow.db, secret_key, uploads) is a host directory.
    hostDirs: [{ service: 'langflow', path: CONFIG_DIR }],
  },
});
