// The .env writer against every reader: ≥ 10,000 generated values written by the real writer (setEnv →
// serializeEnv) read back by dotenv (whose parse is also harden-init's reader, for the file and for the one
// line that holds the key), and a sample of 200 by the real docker-compose (v1, python-dotenv). With CI=true
// and no docker-compose, the compose test fails instead of skipping.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { execa } from 'execa';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as dotenvParse } from 'dotenv';
import { parse as yamlParse } from 'yaml';
import { encodeValue, getEnv, parseEnv, serializeEnv, setEnv, type EnvFile } from '../../src/engine/envfile.js';
import { generateSecret } from '../../src/engine/secrets.js';
import { tempDir } from '../helpers/run-bin.js';
import { requireInCi } from '../helpers/tools.js';

/** What the writer accepts: no single quote, backslash, "${", line break or NUL (readers disagree on those). */
const writable = (s: string) => !/['\\\n\r\u0000]|\$\{/.test(s);
const values = (unit: 'binary' | 'grapheme' | 'grapheme-ascii') => fc.string({ unit, maxLength: 48 }).filter(writable);
const anyValue = fc.oneof(
  values('binary'),
  values('grapheme'),
  values('grapheme-ascii'),
  fc.constant(generateSecret()),
);

function writeAll(vs: string[]): string {
  let f: EnvFile = parseEnv('# generated\nEXISTING=keep me\n');
  vs.forEach((v, i) => {
    f = setEnv(f, `V${i}`, v);
  });
  return serializeEnv(f);
}

describe('the .env writer round-trips generated values', () => {
  it("10,000 single values through setEnv → serializeEnv → dotenv, the whole file and the key's line", () => {
    fc.assert(
      fc.property(anyValue, (v) => {
        const text = writeAll([v]);
        expect(dotenvParse(text).V0).toBe(v);
        const read = parseEnv(text);
        expect(getEnv(read, 'V0')).toBe(v);
        expect(read.lines.filter((l) => l.key === 'V0')).toEqual([
          { raw: `V0=${encodeValue(v)}`, key: 'V0', value: v },
        ]);
        expect(dotenvParse(text).EXISTING).toBe('keep me');
      }),
      { numRuns: 10_000, seed: 8 },
    );
  });
  it('10,000 more in 100 whole files of 100 keys each', () => {
    const all = fc.sample(anyValue, { numRuns: 10_000, seed: 9 });
    for (let i = 0; i < all.length; i += 100) {
      const batch = all.slice(i, i + 100);
      const parsed = dotenvParse(writeAll(batch));
      batch.forEach((v, k) => expect(parsed[`V${k}`], JSON.stringify(v)).toBe(v));
    }
  });
  it('re-setting the value it read changes no byte', () => {
    fc.assert(
      fc.property(anyValue, (v) => {
        const text = writeAll([v]);
        expect(serializeEnv(setEnv(parseEnv(text), 'V0', v))).toBe(text);
      }),
      { numRuns: 2_000, seed: 10 },
    );
  });
});

const haveCompose = requireInCi('docker-compose', 'it checks that compose reads generated .env values as written');

it.runIf(haveCompose)(
  'docker-compose config reads a sample of 200 generated values exactly as written',
  async () => {
    const sample = [...fc.sample(anyValue, { numRuns: 196, seed: 11 }), '$HOME', 'a #b', ' lead', generateSecret()];
    const dir = tempDir('hi-prop-');
    writeFileSync(join(dir, '.env'), writeAll(sample));
    writeFileSync(
      join(dir, 'docker-compose.yml'),
      `services:\n  s:\n    image: busybox:1\n    environment:\n${sample.map((_, i) => `      - V${i}\n`).join('')}`,
    );
    const r = await execa('docker-compose', ['config'], { cwd: dir, env: {}, extendEnv: false });
    const listed = yamlParse(String(r.stdout)).services.s.environment as Record<string, string> | string[];
    const env: Record<string, string> = {};
    if (Array.isArray(listed)) for (const e of listed) env[e.slice(0, e.indexOf('='))] = e.slice(e.indexOf('=') + 1);
    else Object.assign(env, listed);
    sample.forEach((v, i) => {
      // compose doubles `$` in its normalised output (that output is compose input again).
      expect(String(env[`V${i}`] ?? '').replace(/\$\$/g, '$'), JSON.stringify(v)).toBe(v);
    });
  },
  60_000,
);
