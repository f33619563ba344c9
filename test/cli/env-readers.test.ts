// The .env encoding is only right if Compose itself reads every value back unchanged: checked against
// the real docker-compose (v1, python-dotenv) on a sample of awkward values.
import { expect, it } from 'vitest';
import fc from 'fast-check';
import { execa } from 'execa';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { encodeValue } from '../../src/engine/envfile.js';
import { tempDir } from '../helpers/run-bin.js';
import { requireInCi } from '../helpers/tools.js';

const haveCompose = requireInCi('docker-compose', 'it checks that compose reads .env values as written');

it.runIf(haveCompose)('docker-compose reads every encodable value exactly as written', async () => {
  const awkward = ['p@ss w0rd!', '$HOME', '$X}', '{X}', 'a#b', 'a #b', ' lead', 'trail ', '"dq"', 'x=y', '%s', '*', '`id`', '$(id)', 'ä€', ''];
  const random = fc.sample(fc.string({ unit: 'grapheme-ascii', maxLength: 24 }).filter((s) => !/['\\\n\r]|\$\{/.test(s)), { numRuns: 60, seed: 42 });
  const values = [...awkward, ...random];
  const dir = tempDir('hi-readers-');
  writeFileSync(join(dir, '.env'), values.map((v, i) => `V${i}=${encodeValue(v)}`).join('\n') + '\n');
  writeFileSync(join(dir, 'docker-compose.yml'), `services:\n  s:\n    image: busybox:1\n    environment:\n${values.map((_, i) => `      - V${i}\n`).join('')}`);
  const r = await execa('docker-compose', ['config'], { cwd: dir, env: {}, extendEnv: false });
  const env: Record<string, string> = {};
  const listed = parse(String(r.stdout)).services.s.environment as Record<string, string> | string[];
  if (Array.isArray(listed)) for (const e of listed) env[e.slice(0, e.indexOf('='))] = e.slice(e.indexOf('=') + 1);
  else Object.assign(env, listed);
  values.forEach((v, i) => {
    // compose prints `$` doubled in its normalized output, because that output is itself compose input.
    expect(String(env[`V${i}`] ?? '').replace(/\$\$/g, '$'), JSON.stringify(v)).toBe(v);
  });
});
