// The part of the Appwrite target the wizard uses before its first question (reading an install, the release
// choice, the database location): none of it loads rendering, YAML or Docker code. index.ts is the whole target.
import type { TargetEarly } from '../types.js';
import type { Answers } from './answers.js';
import { answersFromEnv, BUNDLED_DB } from './env-read.js';
import { checkExisting } from './check.js';
import { beginRelease, prepareRelease } from './prepare.js';

export const appwriteEarly: TargetEarly<Answers> = {
  answersFromEnv,
  readFromEnv: [
    'domain',
    'email',
    'console',
    'consoleEmails',
    'consoleIps',
    'dbHost',
    'dbPort',
    'dbUser',
    'dbName',
    'smtpHost',
    'smtpPort',
    'smtpUser',
    'smtpSender',
    'functionCpus',
    'functionMemory',
  ],
  checkExisting,
  prepare: prepareRelease,
  begin: beginRelease,
  stack: {
    dbLocation: (a) => {
      const engine = a.dbEngine ?? 'mariadb'; // installs made before 2.x support ran MariaDB
      if (a.db === 'volume') return `the Docker volume appwrite-${engine}`;
      if (a.db === 'path') return `the host directory ${a.dbPath}`;
      if (a.db === 'external')
        return `the external server ${a.dbHost}:${a.dbPort ?? BUNDLED_DB[engine].port}/${a.dbName}`;
      return undefined;
    },
  },
};
