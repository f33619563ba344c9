import { TARGETS } from '../targets/index.js';

export function helpText(version: string): string {
  const flags = Object.values(TARGETS).flatMap((t) => [`${t.title} (harden-init ${t.id}):`, ...t.questions.map((q) => {
    const arg = q.flag === 'mqtt' ? '' : q.choices ? ` <${q.choices.map((c) => c.value).join('|')}>` : ' <value>';
    const flag = q.flag === 'mqtt' ? 'mqtt, --no-mqtt' : `${q.flag}${arg}`;
    return `  --${flag.padEnd(34)} ${q.help}`;
  })]);
  return [
    `harden-init ${version}: install or re-configure a hardened self-hosted Appwrite (Docker Compose)`,
    '',
    'Usage:',
    '  harden-init [appwrite] [options]   first install, or re-run to change settings',
    '  harden-init verify [--dir D] [--json] [--timeout S]',
    '                                     compare the running stack with the files; changes nothing',
    '  harden-init check [appwrite|langflow] [--dir D] [--json] [--fail-on critical|high|medium|low]',
    '                                     audit any install (files and running stack); changes nothing; exit 3 on findings',
    '  harden-init backup [--dir D] [--out FILE|DIR] (--recipient AGE_PUBLIC_KEY | --passphrase-env VAR | --passphrase-file F) [--keep N] [--json]',
    '                                     one age-encrypted archive: .env, compose, state, database dump, data volumes',
    '  harden-init backup --schedule daily|weekly [--dir D] (--recipient KEY | --passphrase-env VAR | --passphrase-file F) [--keep N] [--out DIR]',
    '  harden-init backup --unschedule [--dir D]',
    '                                     a systemd timer (or /etc/cron.d line) running the backup as root; --unschedule removes it',
    '  harden-init restore FILE [--dir D] (--identity KEY_FILE | --passphrase-env VAR | --passphrase-file F) [--yes] [--force] [--json]',
    '                                     verify the archive, then restore files, database and volumes; start; verify',
    '  harden-init upgrade [--dir D] [--to V] [--yes] [--dry-run] [--no-start] [--allow-insecure-release] [--resume]',
    '                                     move Appwrite to a newer release step by step (backup, dump, files, migrate, verify);',
    '                                     hand edits of docker-compose.yml carried where they apply; --resume continues a failed step',
    '  harden-init rollback [--dir D] [--backup TIMESTAMP] [--with-db] [--yes] [--no-start]',
    '                                     put back the files of a backup (newest upgrade step by default) and its dump',
    '',
    'Questions (a flag given is not asked):',
    ...flags,
    '',
    'External database password: asked with a masked prompt, or taken from the HARDEN_INIT_DB_PASSWORD',
    'environment variable (never a flag: it would show in the process list); the SMTP password likewise',
    'from HARDEN_INIT_SMTP_PASSWORD.',
    '',
    'Options:',
    `  --${'dir <path>'.padEnd(34)} install directory (default ./<target>, e.g. ./appwrite)`,
    `  --${'yes, -y'.padEnd(34)} no prompts: defaults, or the existing install's values, for what is not given`,
    `  --${'dry-run'.padEnd(34)} show the plan and the diff (secrets masked); write nothing`,
    `  --${'no-start'.padEnd(34)} write the files, do not run docker`,
    `  --${'timeout <seconds>'.padEnd(34)} how long to wait for the stack to become healthy (default 300)`,
    `  --${'replace-compose'.padEnd(34)} replace a hand-edited docker-compose.yml (the old one is backed up)`,
    `  --${'allow-db-move'.padEnd(34)} accept a new database location (its data is not copied there)`,
    `  --${'allow-db-path-nonempty'.padEnd(34)} accept a non-empty --db-path that is not a database directory`,
    `  --${'new-encryption-key'.padEnd(34)} make a NEW encryption key when .env lost it (stored secrets become unreadable)`,
    `  --${'allow-insecure-release'.padEnd(34)} install a release below its line's security minimum (known holes)`,
    `  --${'accept-upstream <name>'.padEnd(34)} accept a service or variable of upstream's file the rules do not know (repeatable)`,
    `  --${'json'.padEnd(34)} machine-readable result on stdout; implies no prompts`,
    `  --${'show-secrets'.padEnd(34)} show secret values in diffs and output`,
    `  --${'help, -h'.padEnd(34)} this text`,
    `  --${'version, -v'.padEnd(34)} the version`,
    '',
    'Exit codes: 0 done, 1 a step failed (docker, file system), 2 bad usage or input (nothing written),',
    '3 the running stack differs from the files, 130 cancelled (nothing written).',
  ].join('\n');
}
