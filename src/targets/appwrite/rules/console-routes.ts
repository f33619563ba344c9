import { addLabel, labelsOf, service } from '../render/doc.js';
import type { Rule } from './types.js';

export const CONSOLE = 'appwrite-console';
const REDIRECT = 'harden-init-https-redirect';
const HEADERS = 'harden-init-console-headers';

/** The console's routers by entrypoint, read from its own labels (names differ between releases). */
export function consoleRouters(labels: string[]): { web: string[]; websecure: string[] } {
  const out = { web: [] as string[], websecure: [] as string[] };
  for (const l of labels) {
    const m = /^traefik\.http\.routers\.([^.]+)\.entrypoints=(appwrite_web|appwrite_websecure)$/.exec(l);
    if (m) (m[2] === 'appwrite_web' ? out.web : out.websecure).push(m[1]!);
  }
  return out;
}

export const consoleHttps: Rule = {
  id: 'console-https',
  what:
    "auto mode: the console's plain-HTTP router redirects to HTTPS; security headers (frame deny, nosniff, " +
    'referrer policy, HSTS) on the console routers only',
  why:
    "Appwrite's force-HTTPS covers API routes only, so upstream serves the console " +
    '(and its login form) over plain HTTP too',
  keeps: 'API, health probes and ACME HTTP challenges on port 80 untouched (no entrypoint-wide redirect)',
  apply({ doc, answers }) {
    const svc = service(doc, CONSOLE);
    if (!svc) return;
    const routers = consoleRouters(labelsOf(svc));
    const mw = `traefik.http.middlewares.${HEADERS}.headers`;
    addLabel(doc, svc, `${mw}.frameDeny`, 'true');
    addLabel(doc, svc, `${mw}.contentTypeNosniff`, 'true');
    addLabel(doc, svc, `${mw}.referrerPolicy`, 'strict-origin-when-cross-origin');
    if (answers.https !== 'off') addLabel(doc, svc, `${mw}.stsSeconds`, '31536000');
    if (answers.https === 'auto') {
      addLabel(doc, svc, `traefik.http.middlewares.${REDIRECT}.redirectscheme.scheme`, 'https');
      addLabel(doc, svc, `traefik.http.middlewares.${REDIRECT}.redirectscheme.permanent`, 'true');
      if (answers.httpsPort !== 443)
        addLabel(doc, svc, `traefik.http.middlewares.${REDIRECT}.redirectscheme.port`, String(answers.httpsPort));
      for (const r of routers.web) addLabel(doc, svc, `traefik.http.routers.${r}.middlewares`, REDIRECT);
      for (const r of routers.websecure) addLabel(doc, svc, `traefik.http.routers.${r}.middlewares`, HEADERS);
    } else {
      for (const r of routers.web) addLabel(doc, svc, `traefik.http.routers.${r}.middlewares`, HEADERS);
    }
  },
};
