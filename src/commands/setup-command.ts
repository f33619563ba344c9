// `harden-init [target] [options]`: the setup wizard (first install, or a re-run that changes settings).
import { DEFAULT_TARGET } from '../targets/index.js';
import { defineCommand } from './define.js';
import type { SetupRequest } from './requests.js';
import { dirFlag, givenFrom, jsonFlag, noMore, questionFlags, timeoutFlag, timeoutOf, yesFlag } from './flags.js';

export default defineCommand({
  meta: {
    name: 'setup',
    usage: ['  harden-init [appwrite] [options]   first install, or re-run to change settings'],
  },
  // In the order --help lists them.
  args: {
    ...dirFlag,
    ...yesFlag,
    'dry-run': {
      type: 'boolean',
      description: 'show the plan (new files one line each, changed files as a diff; secrets masked); write nothing',
    },
    diff: { type: 'boolean', description: 'in the plan, show every new file in full too (secrets masked)' },
    'no-start': { type: 'boolean', description: 'write the files, do not run docker' },
    ...timeoutFlag,
    'replace-compose': {
      type: 'boolean',
      description: 'replace a hand-edited docker-compose.yml (the old one is backed up)',
    },
    'allow-db-move': { type: 'boolean', description: 'accept a new database location (its data is not copied there)' },
    'allow-db-path-nonempty': {
      type: 'boolean',
      description: 'accept a non-empty --db-path that is not a database directory',
    },
    'new-encryption-key': {
      type: 'boolean',
      description: 'make a NEW encryption key when .env lost it (stored secrets become unreadable)',
    },
    'allow-insecure-release': {
      type: 'boolean',
      description: "install a release below its line's security minimum (known holes)",
    },
    'accept-upstream': {
      type: 'string',
      multiple: true,
      valueName: 'name',
      description: "accept a service or variable of upstream's file the rules do not know (repeatable)",
    },
    ...jsonFlag,
    'show-secrets': { type: 'boolean', description: 'show secret values in diffs and output' },
    ...questionFlags,
  },
  async run({ flags, positionals, version, io }) {
    // main has checked that a first positional names a target.
    const [first, ...rest] = positionals;
    noMore(rest);
    const req: SetupRequest = {
      target: first ?? DEFAULT_TARGET,
      dir: flags.dir,
      given: givenFrom(flags),
      yes: flags.yes === true,
      dryRun: flags['dry-run'] === true,
      diff: flags.diff === true,
      noStart: flags['no-start'] === true,
      json: flags.json === true,
      showSecrets: flags['show-secrets'] === true,
      replaceCompose: flags['replace-compose'] === true,
      allowDbMove: flags['allow-db-move'] === true,
      newEncryptionKey: flags['new-encryption-key'] === true,
      allowDbPathNonEmpty: flags['allow-db-path-nonempty'] === true,
      allowInsecureRelease: flags['allow-insecure-release'] === true,
      acceptUpstream: flags['accept-upstream'] ?? [],
      timeout: timeoutOf(flags),
    };
    return (await import('./setup/index.js')).setup(req, version, io);
  },
});
