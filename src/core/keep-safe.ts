// The two commands that keep an install safe after it runs, as the "Next" box of both products names them.
import { shellQuote } from './shell-quote.js';

/**
 * `check` audits the install as it stands; a scheduled backup is encrypted to an age public key (no secret stays on
 * the server) and installed as root (it writes a systemd timer or an /etc/cron.d line and backs up as root).
 */
export function keepSafeLines(dirArg: string): string[] {
  return [
    'Keep it safe:',
    `  harden-init check --dir ${shellQuote(dirArg)}`,
    `  sudo harden-init backup --dir ${shellQuote(dirArg)} --schedule daily --recipient <age public key>`,
    '  (the first audits the install; the second backs it up, encrypted, every ' +
      'day: age-keygen makes the key elsewhere)',
  ];
}
