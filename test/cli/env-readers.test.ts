// The .env encoding is only right if Compose itself reads every value back unchanged: checked against
// the real docker-compose (v1, python-dotenv) on a sample of awkward values. And what harden-init reads from a
// hand-written .env (dotenv's parse) set against what that compose reads from it.
import { expect, it } from 'vitest';
import fc from 'fast-check';
import { execa } from 'execa';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { encodeValue, parseEnv, toRecord } from '../../src/engine/envfile.js';
import { tempDir } from '../helpers/run-bin.js';
import { requireInCi } from '../helpers/tools.js';

const haveCompose = requireInCi('docker-compose', 'it checks that compose reads .env values as written');

it.runIf(haveCompose)('docker-compose reads every encodable value exactly as written', async () => {
  const awkward = [
    'p@ss w0rd!',
    '$HOME',
    '$X}',
    '{X}',
    'a#b',
    'a #b',
    ' lead',
    'trail ',
    '"dq"',
    'x=y',
    '%s',
    '*',
    '`id`',
    '$(id)',
    'ä€',
    '',
  ];
  const random = fc.sample(
    fc.string({ unit: 'grapheme-ascii', maxLength: 24 }).filter((s) => !/['\\\n\r]|\$\{/.test(s)),
    { numRuns: 60, seed: 42 },
  );
  const values = [...awkward, ...random];
  const dir = tempDir('hi-readers-');
  writeFileSync(join(dir, '.env'), values.map((v, i) => `V${i}=${encodeValue(v)}`).join('\n') + '\n');
  writeFileSync(
    join(dir, 'docker-compose.yml'),
    `services:\n  s:\n    image: busybox:1\n    environment:\n${values.map((_, i) => `      - V${i}\n`).join('')}`,
  );
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

/** What `docker-compose config` gives each of `keys` from the .env in `dir`, `$` undoubled. */
async function composeReads(dir: string, keys: string[]): Promise<Record<string, string>> {
  writeFileSync(
    join(dir, 'docker-compose.yml'),
    `services:\n  s:\n    image: busybox:1\n    environment:\n${keys.map((k) => `      - ${k}\n`).join('')}`,
  );
  const r = await execa('docker-compose', ['config'], { cwd: dir, env: {}, extendEnv: false });
  const listed = parse(String(r.stdout)).services.s.environment as Record<string, string> | string[];
  const env: Record<string, string> = {};
  if (Array.isArray(listed)) for (const e of listed) env[e.slice(0, e.indexOf('='))] = e.slice(e.indexOf('=') + 1);
  else Object.assign(env, listed);
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v).replace(/\$\$/g, '$')]));
}

it.runIf(haveCompose)(
  'a hand-written .env: docker-compose and harden-init (dotenv) read the same values but for two forms the writer never writes',
  async () => {
    const text =
      [
        '# hand-written, CRLF endings',
        'PLAIN=value # inline comment',
        'export EXPORTED=yes',
        "SQ='literal $HOME # not a comment'",
        'PEM="-----BEGIN PRIVATE KEY-----',
        'MIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEAAkEA',
        '-----END PRIVATE KEY-----"',
        'DUP=first',
        'SPACED = around ',
        'DUP=second',
        'HASHED=a#b',
        'DQ="tab\\there \\"quoted\\" line\\nbreak"',
      ].join('\r\n') + '\r\n';
    const dir = tempDir('hi-readers-hand-');
    writeFileSync(join(dir, '.env'), text);
    const ours = toRecord(parseEnv(text));
    const compose = await composeReads(dir, Object.keys(ours));
    // A duplicate key: the last assignment wins in both (and in compose v2, whose parser also assigns in order).
    expect(compose.DUP).toBe('second');
    expect(ours.DUP).toBe('second');
    for (const k of ['PLAIN', 'EXPORTED', 'SQ', 'PEM', 'SPACED']) expect(ours[k], k).toBe(compose[k]);
    // Where they part: a '#' with no blank before it starts a comment for dotenv only; compose unescapes \t, \"
    // and \\ in double quotes, dotenv only \n and \r. harden-init writes neither form (encodeValue quotes '#'
    // in single quotes and refuses backslashes).
    expect([ours.HASHED, compose.HASHED]).toEqual(['a', 'a#b']);
    expect([ours.DQ, compose.DQ]).toEqual(['tab\\there \\"quoted\\" line\nbreak', 'tab\there "quoted" line\nbreak']);
  },
);
