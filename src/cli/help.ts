// --help: the usage lines of every command in the table, the targets' question flags, and the setup wizard's
// own flags (those with a description), in their declaration order.
import { TARGETS } from '../targets/index.js';
import { globalFlags, type FlagSpecs } from '../commands/define.js';
import { loadAll } from '../commands/index.js';

function options(args: FlagSpecs): string[] {
  return Object.entries({ ...args, ...globalFlags })
    .filter(([, s]) => s.description)
    .map(([name, s]) => {
      const flag = s.type === 'boolean' ? (s.valueName ?? name) : `${name} <${s.valueName ?? 'value'}>`;
      return `  --${flag.padEnd(34)} ${s.description}`;
    });
}

export async function helpText(version: string): Promise<string> {
  const all = await loadAll();
  const setup = all.find((c) => c.meta.name === 'setup')!;
  const flags = Object.values(TARGETS).flatMap((t) => [
    `${t.title} (harden-init ${t.id}):`,
    ...t.questions.map((q) => {
      const arg = q.flag === 'mqtt' ? '' : q.choices ? ` <${q.choices.map((c) => c.value).join('|')}>` : ' <value>';
      const flag = q.flag === 'mqtt' ? 'mqtt, --no-mqtt' : `${q.flag}${arg}`;
      return `  --${flag.padEnd(34)} ${q.help}`;
    }),
  ]);
  return [
    `harden-init ${version}: install or re-configure a hardened self-hosted Appwrite (Docker Compose)`,
    '',
    'Usage:',
    ...all.flatMap((c) => c.meta.usage),
    '',
    'Questions (a flag given is not asked):',
    ...flags,
    '',
    'External database password: asked with a masked prompt, or taken from the HARDEN_INIT_DB_PASSWORD',
    'environment variable (never a flag: it would show in the process list); the SMTP password likewise',
    'from HARDEN_INIT_SMTP_PASSWORD.',
    '',
    'Options:',
    ...options(setup.args),
    '',
    'Exit codes: 0 done, 1 a step failed (docker, file system), 2 bad usage or input (nothing written),',
    '3 the running stack differs from the files, 130 cancelled (nothing written).',
  ].join('\n');
}
