// What a run tells the user about its plan: the summary of answers and the masked diffs.
import type { Answers } from '../answers.js';
import { colorize, maskComposeText, maskEnvPair, unifiedDiff } from '../engine/diff.js';
import type { Plan } from '../engine/plan.js';

export function summary(a: Answers, dir: string): string {
  const engine = a.dbEngine === 'postgresql' ? 'PostgreSQL' : 'MariaDB';
  const rows: [string, string][] = [
    ['Release', `Appwrite ${a.release}${a.topology ? ` (${a.topology} workers)` : ''}`],
    ['Directory', dir],
    ['Domain', a.domain],
    ['HTTPS', a.https === 'auto' ? `Appwrite certificates; ports ${a.httpPort}, ${a.httpsPort}`
      : a.https === 'proxy' ? `your reverse proxy; HTTP on 127.0.0.1:${a.httpPort}` : `off (plain HTTP on port ${a.httpPort})`],
    ['Security e-mail', a.email],
    ['Console sign-up', a.console === 'root' ? 'first user only, others by invitation'
      : a.console === 'emails' ? `listed e-mails: ${a.consoleEmails!.join(', ')}`
      : a.console === 'ips' ? `listed IPs: ${a.consoleIps!.join(', ')}` : 'open to anyone'],
    ['Database', a.db === 'volume' ? `bundled ${engine}, Docker volume appwrite-${a.dbEngine}`
      : a.db === 'path' ? `bundled ${engine}, data in ${a.dbPath}` : `external ${engine} ${a.dbUser}@${a.dbHost}:${a.dbPort}/${a.dbName}`],
    ['Mail', a.smtpHost ? `${a.smtpHost}:${a.smtpPort} (${a.smtpSecure}) as ${a.smtpSender}` : 'not set up: no invitations or recovery e-mails'],
  ];
  if (a.mqtt !== undefined) rows.push(['MQTT', a.mqtt ? 'published on 8883 (TLS) and 8084 (WebSocket)' : 'not published']);
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n');
}

export function fileDiffs(plan: Plan, sensitive: Set<string>, showSecrets: boolean): { path: string; text: string }[] {
  return plan.changes.map((f) => {
    let [oldText, newText] = [f.old ?? '', f.content];
    if (f.secret && !showSecrets) [oldText, newText] = maskEnvPair(oldText, newText, sensitive);
    else if (!showSecrets) [oldText, newText] = [maskComposeText(oldText, sensitive), maskComposeText(newText, sensitive)];
    const lines = unifiedDiff(oldText, newText);
    const title = f.old === undefined ? `${f.path} (new file, ${newText.split('\n').length - 1} lines)` : f.path;
    return { path: title, text: colorize(lines) };
  });
}
