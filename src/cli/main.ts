// Entry point: argv → the command (setup wizard by default, verify). Exit codes per DESIGN.md.
// Only what --help/--version need is loaded eagerly; each command's code (prompts, YAML, Docker) is
// imported when that command runs.
import { EXIT, toCliError, usageError } from '../core/errors.js';

declare const __VERSION__: string | undefined;
export const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : '0.0.0-dev';

export async function main(argv: string[]): Promise<number> {
  let json = argv.includes('--json');
  let command: string | undefined;
  try {
    // The version alone needs nothing else loaded (no flag schema, no targets).
    if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) { process.stdout.write(`${VERSION}\n`); return EXIT.ok; }
    const req = (await import('./args.js')).parseRequest(argv);
    json = req.json;
    command = req.command;
    if (req.help) { process.stdout.write(`${(await import('./help.js')).helpText(VERSION)}\n`); return EXIT.ok; }
    if (req.version) { process.stdout.write(`${VERSION}\n`); return EXIT.ok; }
    if (req.command === 'verify') return await (await import('./verify-command.js')).verifyCommand(req, VERSION);
    if (req.command === 'check') return await (await import('../commands/check.js')).checkCommand(req);
    if (req.command === 'backup') return await (await import('../commands/backup.js')).backupCommand(req, VERSION);
    if (req.command === 'restore') return await (await import('../commands/restore.js')).restoreCommand(req, VERSION);
    if (req.command === 'upgrade') return await (await import('../commands/upgrade.js')).upgradeCommand(req, VERSION);
    if (req.command === 'rollback') return await (await import('../commands/rollback.js')).rollbackCommand(req, VERSION);
    if (req.command !== 'setup') throw usageError(`"harden-init ${req.command}" is not available in this version yet.`);
    return await (await import('./setup.js')).setup(req, VERSION);
  } catch (e) {
    return await reportError(e, json);
  } finally {
    // The install lock (setup) is released here; lock.ts also releases it on exit, as a backstop.
    if (command === 'setup' || command === 'upgrade' || command === 'rollback') (await import('../apply/lock.js')).releaseAllLocks();
  }
}

async function reportError(e: unknown, json: boolean): Promise<number> {
  const err = toCliError(e); // unexpected errors: one line and a hint; the stack only with DEBUG
  if (json) process.stdout.write(`${JSON.stringify({ ok: false, exitCode: err.exitCode, error: err.message, hint: err.hint })}\n`);
  const pc = (await import('picocolors')).default;
  if (err.exitCode === EXIT.cancelled) (await import('@clack/prompts')).cancel(err.message);
  else process.stderr.write(`${pc.red('✘')} ${err.message}\n${err.hint ? `${pc.dim(err.hint)}\n` : ''}`);
  return err.exitCode;
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
