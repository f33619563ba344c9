// `harden-init upgrade`: its flags; the command itself is upgrade.ts.
import { defineCommand } from './define.js';
import type { UpgradeRequest } from './requests.js';
import { dirFlag, givenFrom, jsonFlag, noMore, questionFlags, timeoutFlag, timeoutOf, yesFlag } from './flags.js';

export default defineCommand({
  meta: {
    name: 'upgrade',
    usage: [
      '  harden-init upgrade [--dir D] [--to V] [--yes] [--dry-run] [--no-start] [--allow-insecure-release] [--resume]',
      '                                     move Appwrite to a newer release step by step ' +
        '(backup, dump, files, migrate, verify);',
      '                                     hand edits of docker-compose.yml carried where they ' +
        'apply; --resume continues a failed step',
    ],
  },
  args: {
    ...dirFlag,
    ...yesFlag,
    ...jsonFlag,
    ...timeoutFlag,
    to: { type: 'string' },
    resume: { type: 'boolean' },
    'dry-run': { type: 'boolean' },
    'no-start': { type: 'boolean' },
    'replace-compose': { type: 'boolean' },
    'allow-insecure-release': { type: 'boolean' },
    'accept-upstream': { type: 'string', multiple: true },
    ...questionFlags,
  },
  async run({ flags, positionals, version, io }) {
    noMore(positionals);
    const req: UpgradeRequest = {
      dir: flags.dir,
      given: givenFrom(flags),
      yes: flags.yes === true,
      dryRun: flags['dry-run'] === true,
      noStart: flags['no-start'] === true,
      json: flags.json === true,
      replaceCompose: flags['replace-compose'] === true,
      allowInsecureRelease: flags['allow-insecure-release'] === true,
      acceptUpstream: flags['accept-upstream'] ?? [],
      timeout: timeoutOf(flags),
      to: flags.to,
      resume: flags.resume === true,
    };
    return (await import('./upgrade.js')).upgradeCommand(req, version, io);
  },
});
