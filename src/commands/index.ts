// The command table: each command's module is imported only when that command runs (or --help lists them all).
// `harden-init [target]` without a command name is the setup wizard.
import type { Command } from './define.js';

type Loader = () => Promise<{ default: Command }>;

export const commands = {
  setup: () => import('./setup-command.js'),
  verify: () => import('./verify.js'),
  check: () => import('./check.js'),
  backup: () => import('./backup.js'),
  restore: () => import('./restore.js'),
  upgrade: () => import('./upgrade-command.js'),
  rollback: () => import('./rollback-command.js'),
  'rotate-key': () => import('./rotate-key.js'),
  'rotate-secret': () => import('./rotate-secret.js'),
} satisfies Record<string, Loader>;

export type CommandName = keyof typeof commands;

/** The commands one names on the command line (setup is the default, named by its target instead). */
export const NAMED = Object.keys(commands).filter((n) => n !== 'setup') as CommandName[];

export async function loadCommand(name: CommandName): Promise<Command> {
  return (await (commands[name] as Loader)()).default;
}

/** Every command, in the table's order (for --help and for naming which command takes a flag). */
export async function loadAll(): Promise<Command[]> {
  return Promise.all((Object.keys(commands) as CommandName[]).map(loadCommand));
}
