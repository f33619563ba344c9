// What `verify` checks on a running Langflow, as data plus pure judges: HTTP probes (sent inside the langflow
// container with its curl, or through the published port) and the environment the container must hold.
// Langflow has no command printing its effective settings, so its environment (`printenv`) is what is compared.
import type { LangflowAnswers } from './answers.js';
import { ALLOWLIST_REFUSAL } from './compose.js';
import { databaseUrlTemplate, isSecretName, langflowEnvironment } from './env-values.js';

export interface ProbeRequest {
  id: 'health' | 'version' | 'auto-login' | 'default-login' | 'api-without-key';
  method: 'GET' | 'POST';
  path: string;
  /** application/x-www-form-urlencoded body (POST only). */
  form?: Record<string, string>;
  /** What a pass means, for the table. */
  expect: string;
}

export interface ProbeResponse {
  status: number;
  body: string;
}

export interface ProbeVerdict {
  id: ProbeRequest['id'];
  ok: boolean;
  /** One line: what was seen and what it means. */
  detail: string;
}

export const PROBES: readonly ProbeRequest[] = [
  { id: 'health', method: 'GET', path: '/health_check', expect: '200, status ok (the database answers)' },
  { id: 'version', method: 'GET', path: '/api/v1/version', expect: 'the pinned release' },
  {
    id: 'auto-login',
    method: 'GET',
    path: '/api/v1/auto_login',
    expect: 'refused, auto_login false (403; 400 before 1.10)',
  },
  {
    id: 'default-login',
    method: 'POST',
    path: '/api/v1/login',
    form: { username: 'langflow', password: 'langflow' },
    expect: 'langflow/langflow not logged in (401; 400 inactive, 429 rate limit)',
  },
  {
    id: 'api-without-key',
    method: 'GET',
    path: '/api/v1/flows/',
    expect: 'refused without a key or session (401/403)',
  },
];

/** The body as JSON, or undefined. */
function json(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

const short = (body: string) => (body.length > 120 ? `${body.slice(0, 117)}...` : body).replace(/\s+/g, ' ');

/** Whether the bundled proxy's allowlist answered (console=ips, client not listed): Langflow was not reached. */
export const blockedByAllowlist = (r: ProbeResponse): boolean => r.status === 403 && r.body.includes(ALLOWLIST_REFUSAL);

/** Judges one response. `release`: the pinned release, for the version probe. */
export function judgeProbe(id: ProbeRequest['id'], r: ProbeResponse, release?: string): ProbeVerdict {
  const v = (ok: boolean, detail: string): ProbeVerdict => ({ id, ok, detail });
  if (r.status === 0) return v(false, 'no answer (connection failed)');
  if (blockedByAllowlist(r) && id !== 'health')
    return v(true, `${r.status} from the proxy's allowlist: Langflow not reachable from this client`);
  const body = json(r.body) as Record<string, unknown> | undefined;
  switch (id) {
    case 'health': {
      if (r.status === 200 && body?.status === 'ok') return v(true, '200 status ok');
      return v(false, `${r.status} ${short(r.body)}: Langflow is not ready or cannot reach its database`);
    }
    case 'version': {
      const running = typeof body?.version === 'string' ? body.version : undefined;
      if (r.status !== 200 || !running) return v(false, `${r.status} ${short(r.body)}: no version`);
      if (release && running !== release) return v(false, `running ${running}, the compose file pins ${release}`);
      return v(true, running);
    }
    case 'auto-login': {
      const detail = body?.detail as Record<string, unknown> | undefined;
      const off =
        (detail && typeof detail === 'object' && detail.auto_login === false) ||
        /"auto_login"\s*:\s*false/.test(r.body);
      if ((r.status === 400 || r.status === 403) && off) return v(true, `${r.status} auto_login false`);
      if (r.status === 200 || (body && 'access_token' in body))
        return v(false, `${r.status}: AUTO-LOGIN IS ON — every visitor is signed in as superuser`);
      return v(false, `${r.status} ${short(r.body)}: the answer does not say auto_login false`);
    }
    case 'default-login': {
      if ([400, 401, 429].includes(r.status)) return v(true, `${r.status}: not logged in`);
      if (r.status === 200) return v(false, '200: THE DEFAULT langflow/langflow CREDENTIALS LOG IN');
      return v(false, `${r.status} ${short(r.body)}: unexpected answer`);
    }
    case 'api-without-key': {
      if (r.status === 401 || r.status === 403) return v(true, `${r.status}: refused`);
      return v(false, `${r.status}: the API ${r.status < 300 ? 'ANSWERS WITHOUT A KEY' : 'answered unexpectedly'}`);
    }
  }
}

/** The form body of a probe, URL-encoded. */
export function formBody(p: ProbeRequest): string | undefined {
  return p.form ? new URLSearchParams(p.form).toString() : undefined;
}

/**
 * A curl command line (argv) for a probe run inside the langflow container, printing the body then a last line with
 * the status: `docker compose exec -T langflow <argv>`; parse with parseCurlOutput.
 */
export function curlArgv(p: ProbeRequest, base = 'http://127.0.0.1:7860'): string[] {
  const argv = ['curl', '-sS', '-m', '10', '-w', '\\n%{http_code}', '-X', p.method];
  const form = formBody(p);
  if (form) argv.push('-H', 'Content-Type: application/x-www-form-urlencoded', '--data-raw', form);
  argv.push(`${base}${p.path}`);
  return argv;
}

export function parseCurlOutput(stdout: string): ProbeResponse {
  const i = stdout.lastIndexOf('\n');
  const status = Number(i === -1 ? stdout.trim() : stdout.slice(i + 1).trim());
  return { status: Number.isFinite(status) ? status : 0, body: i === -1 ? '' : stdout.slice(0, i) };
}

/**
 * What the langflow container's environment must hold, by name: the .env values the compose file references,
 * resolved from `dotenv` (the install's .env), LANGFLOW_DATABASE_URL assembled as compose assembles it. Secrets are
 * included (the caller masks them with isSecretName); a value .env lacks is expected empty (and flagged by compare).
 */
export function expectedEnv(a: LangflowAnswers, dotenv: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(langflowEnvironment(a, (n) => n))) out[name] = dotenv[name] ?? '';
  if ('LANGFLOW_DATABASE_URL' in out) out.LANGFLOW_DATABASE_URL = databaseUrlTemplate((n) => dotenv[n] ?? '');
  return out;
}

/** `printenv` output as a record (one NAME=value a line; a value cannot span lines here). */
export function parsePrintenv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0 && /^[A-Za-z_][A-Za-z0-9_]*$/.test(line.slice(0, i)))
      out[line.slice(0, i)] = line.slice(i + 1).replace(/\r$/, '');
  }
  return out;
}

export interface EnvRow {
  name: string;
  expected: string;
  /** undefined: not set in the container. */
  running: string | undefined;
  ok: boolean;
  secret: boolean;
}

/** One row per expected variable (in expected's order); ok when the container holds exactly that value. */
export function compareEnv(expected: Record<string, string>, running: Record<string, string>): EnvRow[] {
  return Object.entries(expected).map(([name, value]) => ({
    name,
    expected: value,
    running: running[name],
    ok: running[name] === value,
    secret: isSecretName(name),
  }));
}

/** Unexpected LANGFLOW_* variables in the container that override a hardened default (set by hand or by the shell). */
export function extraLangflowVars(expected: Record<string, string>, running: Record<string, string>): string[] {
  return Object.keys(running)
    .filter((k) => k.startsWith('LANGFLOW_') && !(k in expected))
    .sort();
}
