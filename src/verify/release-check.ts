// Which release the running Appwrite says it is (`GET /v1/health/version`), against the release the files pin. The
// health wait only asks that the endpoint answers: an image tag that points at another build, a container left from
// before an upgrade or a stack that never recreated would pass it while running another release than the files say.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface ReleaseProbe {
  /** The published HTTP port, and the HTTPS one when HTTP redirects there (forced HTTPS). */
  port: number;
  httpsPort?: number;
  /** The install's domain, sent as Host (and as the TLS server name). */
  host: string;
  path?: string;
  timeoutMs?: number;
}

interface Answer {
  status: number;
  body: string;
  location?: string;
}

function get(tls: boolean, port: number, host: string, path: string, timeoutMs: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    // Over HTTPS the certificate is not judged: only the version is read, and the port is this host's own.
    const opts = {
      host: '127.0.0.1',
      port,
      path,
      headers: { Host: host },
      timeout: timeoutMs,
      ...(tls ? { servername: /^[\d.]+$|:/.test(host) ? undefined : host, rejectUnauthorized: false } : {}),
    };
    const req = (tls ? httpsRequest : httpRequest)(opts, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => {
        if (body.length < 65536) body += d;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, location: res.headers.location }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

/** The `version` Appwrite reports, or why it could not be read. */
export async function runningRelease(p: ReleaseProbe): Promise<{ version?: string; detail: string }> {
  const path = p.path ?? '/v1/health/version';
  const timeoutMs = p.timeoutMs ?? 10_000;
  try {
    let a = await get(false, p.port, p.host, path, timeoutMs);
    if (a.status >= 300 && a.status < 400 && /^https:/.test(a.location ?? '') && p.httpsPort)
      a = await get(true, p.httpsPort, p.host, path, timeoutMs);
    if (a.status < 200 || a.status >= 300) return { detail: `${path} answered HTTP ${a.status}` };
    let version: unknown;
    try {
      version = (JSON.parse(a.body) as { version?: unknown }).version;
    } catch {
      /* not JSON */
    }
    if (typeof version !== 'string' || !version)
      return { detail: `${path} answered without a version: ${a.body.trim().slice(0, 80)}` };
    return { version, detail: `${path} reports ${version}` };
  } catch (e) {
    return { detail: `${path}: ${(e as Error).message}` };
  }
}

/** undefined when the running release is the pinned one; else the sentence naming both. */
export function releaseMismatch(pinned: string, running: { version?: string; detail: string }): string | undefined {
  if (running.version === pinned) return undefined;
  return running.version
    ? `The running Appwrite reports release ${running.version} ` +
        `(${running.detail.split(' reports')[0]}), but the files pin ${pinned}.`
    : `The running Appwrite's release could not be read (${running.detail}); the files pin ${pinned}.`;
}
