// The Appwrite target: every piece of Appwrite knowledge the generic engine and CLI use, behind the contract
// in ../types.ts.
import { defineTarget } from '../types.js';
import { normalizeAnswers, type Answers } from './answers.js';
import { QUESTIONS } from './questions.js';
import { managedValues, secretsToGenerate } from './env-values.js';
import { renderCompose } from './compose.js';
import { RenderError } from './render/generator.js';
import { stepError } from '../../core/errors.js';
import { gatewayPorts } from './rules/publish.js';
import { appwriteEarly } from './early.js';
import { beforeEnv, afterEnv } from './env-steps.js';
import { appwriteSummary, appwriteWarnings, appwriteNextSteps, appwriteUrl } from './report.js';
import { appwriteServices } from './verify/services.js';
import { parseVars } from './verify/vars.js';
import type { Template } from './template.js';
import { appwriteAudit } from './audit.js';
import { ROUTES_FILE } from './rules/traefik-file.js';
import { recognize } from './recognize.js';
import { appwriteUpgrade } from './upgrade/index.js';

export const FORCE_HTTPS_KEYS = ['_APP_OPTIONS_FORCE_HTTPS', '_APP_OPTIONS_ROUTER_FORCE_HTTPS'];

export const appwrite = defineTarget<Answers>({
  id: 'appwrite',
  title: 'Appwrite',
  questions: QUESTIONS,
  recognize,
  normalize: normalizeAnswers,
  answerEnvNames: {
    domain: '_APP_DOMAIN',
    email: '_APP_EMAIL_CERTIFICATES',
    consoleEmails: '_APP_CONSOLE_WHITELIST_EMAILS',
    consoleIps: '_APP_CONSOLE_WHITELIST_IPS',
    dbHost: '_APP_DB_HOST',
    dbPort: '_APP_DB_PORT',
    dbUser: '_APP_DB_USER',
    dbName: '_APP_DB_SCHEMA',
    functionCpus: '_APP_COMPUTE_CPUS',
    functionMemory: '_APP_COMPUTE_MEMORY',
  },
  // What the wizard needs before its first question comes from early.ts, which loads no rendering or Docker code.
  answersFromEnv: appwriteEarly.answersFromEnv,
  readFromEnv: appwriteEarly.readFromEnv,
  checkExisting: appwriteEarly.checkExisting,
  prepare: appwriteEarly.prepare,
  begin: appwriteEarly.begin,
  render: {
    envHeader: (t) =>
      [
        `# Appwrite ${t.version} settings, written by harden-init.`,
        '# Holds secrets: keep it private (mode 0600) and out of version control.',
        '# _APP_OPENSSL_KEY_V1 encrypts stored data: changing it makes that data unreadable.',
        '',
      ].join('\n') + '\n',
    managedValues: (a, t) => managedValues(a, new Set(t.variables)),
    securitySwitches: ['_APP_ENV', '_APP_OPTIONS_ABUSE', '_APP_OPTIONS_ROUTER_PROTECTION', ...FORCE_HTTPS_KEYS],
    secretsToGenerate: (a, t) => secretsToGenerate(t.secrets.generate, a),
    secretInputs: [
      {
        envVar: 'HARDEN_INIT_DB_PASSWORD',
        key: '_APP_DB_PASS',
        required: true,
        prompt: 'Password of the database user (not shown; stored only in .env)',
        when: (a) => a.db === 'external',
        keepExisting: (_a, previous) => previous.db === 'external',
      },
      {
        envVar: 'HARDEN_INIT_SMTP_PASSWORD',
        key: '_APP_SMTP_PASSWORD',
        required: false,
        prompt: 'SMTP password (not shown; stored only in .env)',
        when: (a) => Boolean(a.smtpHost && a.smtpUser),
        keepExisting: () => true,
      },
    ],
    beforeEnv,
    afterEnv: (env, a, t) => afterEnv(env, a, t as Template),
    compose: (t, a, accepted) => {
      try {
        return renderCompose(t as Template, a, accepted);
      } catch (e) {
        if (e instanceof RenderError)
          throw stepError(
            `Appwrite ${a.release}'s compose file cannot be rendered: ${e.message}`,
            `It came from ${t.source}.`,
          );
        throw e;
      }
    },
    // traefik's routes file: rendered with the compose file it belongs to (the
    // accepted upstream items change no route).
    extraFiles: (a, t) => renderCompose(t as Template, a).files ?? [],
  },
  stack: {
    dbLocation: appwriteEarly.stack.dbLocation,
    // MariaDB keeps both the user's and root's; upstream's PostgreSQL has no separate root account.
    bundledDbPasswords: (a) =>
      a.db === 'volume' || a.db === 'path'
        ? ['_APP_DB_PASS', ...((a.dbEngine ?? 'mariadb') === 'mariadb' ? ['_APP_DB_ROOT_PASS'] : [])]
        : [],
    publishedPorts: gatewayPorts,
    gatewayContainer: 'appwrite-traefik',
  },
  verify: {
    health: {
      path: '/v1/health/version',
      // Appwrite is up when it answers its version, or redirects to HTTPS (force-HTTPS on plain HTTP).
      judge: (status, body, location) => {
        if (status >= 200 && status < 300 && /"version"/.test(body))
          return { ok: true, detail: `/v1/health/version answered ${body.trim().slice(0, 80)}` };
        if (status >= 300 && status < 400 && /^https:/.test(String(location)))
          return { ok: true, detail: `/v1/health/version redirects to HTTPS (${status})` };
        return { ok: false, detail: `/v1/health/version answered HTTP ${status}` };
      },
    },
    running: { services: appwriteServices, command: ['vars'], parse: parseVars, label: 'vars' },
  },
  report: { summary: appwriteSummary, warnings: appwriteWarnings, nextSteps: appwriteNextSteps, url: appwriteUrl },
  audit: appwriteAudit,
  backup: {
    // 2.x bundles PostgreSQL, 1.9.x MariaDB; an external server is the operator's to back up.
    databases: [
      { service: 'postgresql', engine: 'postgresql' },
      { service: 'mariadb', engine: 'mariadb' },
    ],
    volumes: [
      'appwrite-uploads',
      'appwrite-imports',
      'appwrite-functions',
      'appwrite-builds',
      'appwrite-sites',
      'appwrite-certificates',
      'appwrite-config',
    ],
    helperService: 'appwrite',
    files: [{ path: ROUTES_FILE, mode: 0o644 }],
    keyVariable: '_APP_OPENSSL_KEY_V1',
  },
  // Moving to a newer release, one minor at a time with Appwrite's migration between (upgrade/index.ts).
  upgrade: appwriteUpgrade,
});
