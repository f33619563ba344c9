// `harden-init rollback`: its flags; the command itself is rollback.ts.
import { defineCommand } from './define.js';
import type { RollbackRequest } from './requests.js';
import { dirFlag, jsonFlag, noMore, timeoutFlag, timeoutOf, yesFlag } from './flags.js';

export default defineCommand({
  meta: {
    name: 'rollback',
    usage: [
      '  harden-init rollback [--dir D] [--backup TIMESTAMP] [--with-db] [--yes] [--no-start]',
      '                                     put back the files of a backup ' +
        '(newest upgrade step by default) and its dump',
    ],
  },
  args: {
    ...dirFlag,
    ...yesFlag,
    ...jsonFlag,
    ...timeoutFlag,
    backup: { type: 'string' },
    'with-db': { type: 'boolean' },
    'no-start': { type: 'boolean' },
  },
  async run({ flags, positionals, version, io }) {
    noMore(positionals);
    const req: RollbackRequest = {
      dir: flags.dir,
      backup: flags.backup,
      withDb: flags['with-db'] === true,
      yes: flags.yes === true,
      noStart: flags['no-start'] === true,
      json: flags.json === true,
      timeout: timeoutOf(flags),
    };
    return (await import('./rollback.js')).rollbackCommand(req, version, io);
  },
});
