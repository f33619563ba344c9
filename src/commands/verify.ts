// `harden-init verify`: compare the running stack with the files; changes nothing.
import { DEFAULT_TARGET } from '../targets/index.js';
import { defineCommand } from './define.js';
import { dirFlag, jsonFlag, noMore, timeoutFlag, timeoutOf } from './flags.js';

export interface VerifyRequest { target: string; dir?: string; json: boolean; timeout: number }

export default defineCommand({
  meta: {
    name: 'verify',
    usage: [
      '  harden-init verify [--dir D] [--json] [--timeout S]',
      '                                     compare the running stack with the files; changes nothing',
    ],
  },
  args: { ...dirFlag, ...jsonFlag, ...timeoutFlag },
  async run({ flags, positionals, version }) {
    noMore(positionals);
    const req: VerifyRequest = { target: DEFAULT_TARGET, dir: flags.dir, json: flags.json === true, timeout: timeoutOf(flags) };
    return (await import('../cli/verify-command.js')).verifyCommand(req, version);
  },
});
