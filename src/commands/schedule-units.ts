// The text `backup --schedule` writes: a systemd service + timer, or a cron.d line where systemd is not the init.
// Pure functions (no file system), so the exact text is unit-tested and checked with `systemd-analyze verify`.
import { createHash } from 'node:crypto';
import { shellQuote } from '../core/shell-quote.js';

export const FREQUENCIES = ['daily', 'weekly'] as const;
export type Frequency = (typeof FREQUENCIES)[number];
export const UNIT_PREFIX = 'harden-init-backup-';
/** First line of every file schedule writes: unschedule removes only files that carry it. */
export const MARKER = '# Written by harden-init backup --schedule';

/**
 * systemd-escape --path (systemd.unit(5), "String Escaping for Inclusion in Unit Names"): slashes trimmed and
 * collapsed, "/" becomes "-", every byte that is not an ASCII letter, digit, ":", "_" or "." becomes \xNN (so
 * does a "." that starts the string); the root directory is "-". Checked against the real tool in the tests.
 */
export function systemdEscapePath(path: string): string {
  const trimmed = path.split('/').filter(Boolean).join('/');
  if (trimmed === '') return '-';
  let out = '';
  const bytes = Buffer.from(trimmed, 'utf8');
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    const c = String.fromCharCode(b);
    if (c === '/') out += '-';
    else if (b < 0x80 && /[A-Za-z0-9:_.]/.test(c) && !(i === 0 && c === '.')) out += c;
    else out += `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return out;
}

export interface ScheduleNames {
  /** harden-init-backup-<escaped dir>.service / .timer */
  service: string;
  timer: string;
  /**
   * For cron.d and the passphrase file: cron reads only names of letters, digits, "_" and "-" (run-parts rules),
   * so the escaped dir is squashed to those, and a hash of the whole path keeps two installs apart.
   */
  plain: string;
}

export function scheduleNames(dir: string): ScheduleNames {
  let escaped = systemdEscapePath(dir);
  // Unit names are at most 255 characters: a very long path keeps its tail readable and a hash for uniqueness.
  const hash = createHash('sha256').update(dir).digest('hex').slice(0, 8);
  if (UNIT_PREFIX.length + escaped.length + '.service'.length > 255)
    escaped = `${hash}-${escaped.slice(-(255 - UNIT_PREFIX.length - 8 - 10))}`;
  const squashed = systemdEscapePath(dir)
    .replace(/\\x[0-9a-f]{2}/g, '_')
    .replace(/[^A-Za-z0-9_-]/g, '_')
    .slice(-80);
  return {
    service: `${UNIT_PREFIX}${escaped}.service`,
    timer: `${UNIT_PREFIX}${escaped}.timer`,
    plain: `${UNIT_PREFIX}${squashed}-${hash}`,
  };
}

/** A path npx runs a package from (its cache, `~/.npm/_npx/<hash>/…`): cleaned at will, so never scheduled. */
export function isNpxCachePath(path: string): boolean {
  return /[\\/]_npx[\\/]/.test(path);
}

/** The command a scheduled run executes: node, harden-init's own bin, then the backup arguments. */
export interface ScheduledCommand {
  node: string;
  bin: string;
  args: string[];
  /** Environment the run needs (DOCKER_HOST when the engine is not at the default socket). */
  env: Record<string, string>;
}

/** Refuses what cannot be written into a unit or a cron line safely (a newline would end the line). */
export function unsafeArgument(cmd: ScheduledCommand): string | undefined {
  return [cmd.node, cmd.bin, ...cmd.args, ...Object.entries(cmd.env).flat()].find((a) => /[\0-\x1f\x7f]/.test(a));
}

/**
 * One ExecStart= word (systemd.service(5), "Command lines"): "%" starts a specifier and "$" an environment
 * expansion, so both are doubled; anything but plain path characters is double-quoted with C escapes.
 */
export function systemdWord(s: string): string {
  const escaped = s.replace(/%/g, '%%').replace(/\$/g, '$$$$');
  if (/^[A-Za-z0-9_@+=:,./-]+$/.test(s)) return escaped;
  return `"${escaped.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function serviceUnit(dir: string, cmd: ScheduledCommand): string {
  const exec = [cmd.node, cmd.bin, ...cmd.args].map(systemdWord).join(' ');
  return [
    `${MARKER} for ${dir}.`,
    `# Remove with: harden-init backup --unschedule --dir ${shellQuote(dir)}`,
    '[Unit]',
    `Description=harden-init backup of ${dir.replace(/%/g, '%%')}`,
    // The backup reads the database and volumes through Docker.
    'After=docker.service network-online.target',
    'Wants=network-online.target',
    '',
    '[Service]',
    'Type=oneshot',
    'User=root',
    ...Object.entries(cmd.env).map(([k, v]) => `Environment=${systemdWord(`${k}=${v}`)}`),
    'Environment=NO_COLOR=1',
    'UMask=0077',
    'Nice=10',
    `ExecStart=${exec}`,
    '',
  ].join('\n');
}

export function timerUnit(dir: string, frequency: Frequency): string {
  return [
    `${MARKER} for ${dir}.`,
    '[Unit]',
    `Description=${frequency} harden-init backup of ${dir.replace(/%/g, '%%')}`,
    '',
    '[Timer]',
    `OnCalendar=${frequency}`,
    // A run missed while the machine was off is made up at the next boot; the delay spreads many servers' runs.
    'Persistent=true',
    'RandomizedDelaySec=1h',
    '',
    '[Install]',
    'WantedBy=timers.target',
    '',
  ].join('\n');
}

/** A fixed minute and hour (01:00–04:59) per install, so installs on one host do not all start at once. */
export function cronTime(dir: string): { minute: number; hour: number } {
  const h = createHash('sha256').update(dir).digest();
  return { minute: h[0]! % 60, hour: 1 + (h[1]! % 4) };
}

/**
 * The /etc/cron.d file: environment lines, then one six-field line (minute hour day month weekday user command,
 * crontab(5) for /etc/cron.d). cron turns an unescaped "%" into a newline, so each is escaped; the command is run
 * by /bin/sh, so every word is shell-quoted. Output goes to a log in the install's state directory.
 */
export function cronFile(dir: string, frequency: Frequency, cmd: ScheduledCommand, logFile: string): string {
  const { minute, hour } = cronTime(dir);
  const when = frequency === 'daily' ? `${minute} ${hour} * * *` : `${minute} ${hour} * * 0`;
  const command = `${[cmd.node, cmd.bin, ...cmd.args].map(shellQuote).join(' ')} >>${shellQuote(logFile)} 2>&1`.replace(
    /%/g,
    '\\%',
  );
  return [
    `${MARKER} for ${dir} (${frequency}).`,
    `# Remove with: harden-init backup --unschedule --dir ${shellQuote(dir)}`,
    'SHELL=/bin/sh',
    // cron's own PATH is /usr/bin:/bin; docker-compose is often in /usr/local/bin.
    'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    'NO_COLOR=1',
    ...Object.entries(cmd.env).map(([k, v]) => `${k}=${v}`),
    `${when} root ${command}`,
    '',
  ].join('\n');
}
