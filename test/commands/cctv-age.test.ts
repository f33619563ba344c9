// The C2SP "CCTV" age test vectors (test/fixtures/cctv-age/, provenance in its README.md) through the function
// restore decrypts with (archive.ts's decrypt): every vector the spec expects to fail is refused, with a message of
// the matching kind, and every one it expects to succeed decrypts to exactly the payload whose SHA-256 it gives.
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { generateIdentity } from 'age-encryption';
import { DecryptError, decrypt, type DecryptFailure, type KeySpec } from '../../src/commands/archive.js';

const DIR = join(import.meta.dirname, '..', 'fixtures', 'cctv-age');

interface Vector {
  name: string;
  expect: string;
  payload?: string;
  identities: string[];
  passphrases: string[];
  file: Buffer;
}

function load(name: string): Vector {
  const raw = readFileSync(join(DIR, name));
  const split = raw.indexOf('\n\n');
  const fields = raw
    .subarray(0, split)
    .toString('utf8')
    .split('\n')
    .map((l) => [l.slice(0, l.indexOf(': ')), l.slice(l.indexOf(': ') + 2)] as const);
  const all = (k: string) => fields.filter(([key]) => key === k).map(([, v]) => v);
  const unknown = fields.filter(
    ([k]) =>
      !['expect', 'payload', 'identity', 'passphrase', 'compressed', 'file key', 'comment', 'armored'].includes(k),
  );
  expect(unknown, `${name}: unknown header keys`).toEqual([]);
  expect(all('armored'), `${name}: armored vectors are not copied`).toEqual([]);
  let file = raw.subarray(split + 2);
  if (all('compressed')[0] === 'zlib') file = inflateSync(file);
  return {
    name,
    expect: all('expect')[0]!,
    payload: all('payload')[0],
    identities: all('identity'),
    passphrases: all('passphrase'),
    file,
  };
}

const vectors = readdirSync(DIR)
  .filter((n) => n !== 'README.md')
  .sort()
  .map(load);

/** How we may report each of the spec's failures. The spec allows aliasing kinds an API cannot tell apart. */
const ALLOWED: Record<string, DecryptFailure[]> = {
  'no match': ['no-match'],
  'HMAC failure': ['mac'],
  'payload failure': ['payload'],
  // A header that does not parse. age-encryption reads a malformed MAC line (missing, short, garbage) as a MAC that
  // does not match; a file that ends inside its payload nonce is truncated; a scrypt stanza beside another one and
  // a work factor above 2^20 have their own messages.
  'header failure': ['header', 'mac', 'payload', 'scrypt-mixed', 'work-factor'],
};

// age-encryption holds back the last 64 KiB chunk it has authenticated until it knows whether the stream goes on,
// so where the reference implementation releases one more chunk before the failure, it releases one fewer. Less
// plaintext before an error is safe (restore uses nothing before the whole archive verified).
const HOLDS_BACK_A_CHUNK = new Set([
  'stream_no_final_full',
  'stream_no_final_two_chunks_full',
  'stream_trailing_garbage_long',
  'stream_trailing_garbage_short',
  'stream_two_final_chunks',
  'stream_two_final_chunks_full',
  'stream_two_final_chunks_second',
]);

/** The keys restore would be given: --identity takes all the file's keys; a passphrase is one at a time. */
async function keysOf(v: Vector): Promise<KeySpec[]> {
  const keys: KeySpec[] = v.passphrases.map((passphrase) => ({ passphrase }));
  if (v.identities.length) keys.push({ identities: v.identities });
  if (!keys.length) keys.push({ identities: [await generateIdentity()] });
  return keys;
}

/** Decrypts all the way; returns what was released and the failure, if any. */
async function run(v: Vector, key: KeySpec): Promise<{ released: Buffer; error?: unknown }> {
  const out: Uint8Array[] = [];
  try {
    // Fed in 4 KiB pieces, as a file is read: chunk and header boundaries fall anywhere.
    async function* source(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < v.file.length; i += 4096) yield v.file.subarray(i, i + 4096);
    }
    for await (const b of await decrypt(source(), key)) out.push(b);
    return { released: Buffer.concat(out) };
  } catch (error) {
    return { released: Buffer.concat(out), error };
  }
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe("C2SP CCTV age vectors through restore's decryption", () => {
  it('the fixtures are all there: 110 binary vectors, 19 of them successes', () => {
    expect(vectors.length).toBe(110);
    expect(vectors.filter((v) => v.expect === 'success').length).toBe(19);
    expect(new Set(vectors.map((v) => v.expect))).toEqual(
      new Set(['success', 'no match', 'HMAC failure', 'header failure', 'payload failure']),
    );
  });

  for (const v of vectors) {
    it(`${v.name}: ${v.expect}`, async () => {
      const keys = await keysOf(v);
      if (v.expect === 'success') {
        expect(keys.length, 'one key to try').toBe(1);
        const r = await run(v, keys[0]!);
        expect(r.error).toBeUndefined();
        expect(sha256(r.released)).toBe(v.payload);
        return;
      }
      for (const key of keys) {
        const r = await run(v, key);
        expect(r.error, `${v.name} with ${Object.keys(key)[0]} must be refused`).toBeInstanceOf(DecryptError);
        expect(ALLOWED[v.expect], (r.error as Error).message).toContain((r.error as DecryptError).kind);
        if (v.expect !== 'payload failure')
          expect(r.released.length, 'nothing released before the header is accepted').toBe(0);
        else if (HOLDS_BACK_A_CHUNK.has(v.name)) {
          expect(sha256(r.released)).not.toBe(v.payload);
          expect(r.released.length % (64 * 1024)).toBe(0);
        } else expect(sha256(r.released)).toBe(v.payload);
      }
    });
  }
});
