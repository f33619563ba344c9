// The backup's age encryption (src/commands/archive.ts's encrypt/decrypt on the age-encryption package): round trips
// across the 64 KiB chunk boundary fed in random pieces, X25519, post-quantum and scrypt keys, Debian's `age` binary
// both ways, and every refusal with its own message (test/commands/cctv-age.test.ts runs the C2SP vectors).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateHybridIdentity, generateIdentity, identityToRecipient } from 'age-encryption';
import {
  ArchiveError,
  DecryptError,
  decrypt,
  encrypt,
  recipientProblem,
  type DecryptFailure,
  type KeySpec,
} from '../../src/commands/archive.js';

const K = 64 * 1024;
const EDGE_SIZES = [0, 1, K - 1, K, K + 1, 3 * K + 5];
// Test-only: a low scrypt work factor so a property run takes seconds (the product always uses 18).
const TEST_LOG_N = 4;

async function* pieces(data: Uint8Array, cuts: number[] = []): AsyncGenerator<Uint8Array> {
  let at = 0;
  for (const c of [...cuts].sort((a, b) => a - b)) {
    const to = Math.min(data.length, c);
    if (to > at) {
      yield data.subarray(at, to);
      at = to;
    }
  }
  yield data.subarray(at);
}

async function collect(s: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const out: Uint8Array[] = [];
  for await (const b of s) out.push(b);
  return Buffer.concat(out);
}

function bytesOf(size: number, seed: number): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}

const seal = async (plain: Uint8Array, key: KeySpec, cuts: number[] = []) =>
  collect(await encrypt(pieces(plain, cuts), key));
const open = async (cipher: Uint8Array, key: KeySpec, cuts: number[] = []) =>
  collect(await decrypt(pieces(cipher, cuts), key));

/** The failure of a whole decryption (header and payload), for its kind and message. */
async function failure(cipher: Uint8Array, key: KeySpec): Promise<DecryptError> {
  const e = await open(cipher, key).then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e, 'decryption should fail').toBeInstanceOf(DecryptError);
  return e as DecryptError;
}

const sizeArb = fc.oneof(fc.constantFrom(...EDGE_SIZES), fc.integer({ min: 0, max: 4 * K + 17 }));
const cutsArb = fc.array(fc.integer({ min: 0, max: 4 * K + 17 }), { maxLength: 6 });

describe('age round trips through encrypt/decrypt', () => {
  it('X25519 recipient, sizes across chunk boundaries, input and ciphertext in random pieces', async () => {
    const id = await generateIdentity();
    const recipient = await identityToRecipient(id);
    await fc.assert(
      fc.asyncProperty(
        sizeArb,
        cutsArb,
        cutsArb,
        fc.integer({ min: 0, max: 255 }),
        async (size, cutsIn, cutsOut, seed) => {
          const plain = bytesOf(size, seed);
          expect(
            (await open(await seal(plain, { recipient }, cutsIn), { identities: [id] }, cutsOut)).equals(plain),
          ).toBe(true);
        },
      ),
      { numRuns: 25, examples: EDGE_SIZES.map((s): [number, number[], number[], number] => [s, [], [], 1]) },
    );
  }, 120_000);

  it('passphrase (scrypt), sizes across chunk boundaries; the passphrase is its UTF-8 bytes, unnormalized', async () => {
    await fc.assert(
      fc.asyncProperty(sizeArb, cutsArb, fc.string({ minLength: 1, maxLength: 30 }), async (size, cuts, passphrase) => {
        const plain = bytesOf(size, 7);
        expect(
          (await open(await seal(plain, { passphrase, workFactor: TEST_LOG_N }, cuts), { passphrase }, cuts)).equals(
            plain,
          ),
        ).toBe(true);
      }),
      { numRuns: 20, examples: EDGE_SIZES.map((s): [number, number[], string] => [s, [], 'pw']) },
    );
    const composed = await seal(bytesOf(10, 1), { passphrase: 'e\u0301', workFactor: TEST_LOG_N });
    expect((await failure(composed, { passphrase: '\u00e9' })).kind).toBe('no-match');
  }, 120_000);

  it('post-quantum (hybrid ML-KEM-768 + X25519, age1pq1…): round trip, and the header holds an mlkem768x25519 stanza', async () => {
    const id = await generateHybridIdentity();
    expect(id).toMatch(/^AGE-SECRET-KEY-PQ-1/);
    const recipient = await identityToRecipient(id);
    expect(recipient).toMatch(/^age1pq1/);
    expect(recipientProblem(recipient)).toBeUndefined();
    for (const size of [0, K, 3 * K + 5]) {
      const plain = bytesOf(size, 9);
      const cipher = await seal(plain, { recipient }, [K / 2]);
      expect(cipher.toString('latin1').split('\n')[1]).toMatch(/^-> mlkem768x25519 /);
      expect((await open(cipher, { identities: [id] }, [100, K])).equals(plain)).toBe(true);
      // An X25519 identity next to it does not get in the way (an identity file may hold both kinds).
      expect((await open(cipher, { identities: [await generateIdentity(), id] })).equals(plain)).toBe(true);
    }
    const other = await failure(await seal(bytesOf(5, 1), { recipient }), {
      identities: [await generateHybridIdentity()],
    });
    expect(other.kind).toBe('no-match');
    expect(other.message).toMatch(/\(mlkem768x25519\)$/);
  }, 60_000);

  it('writes scrypt work factor 18 unless told otherwise', async () => {
    const c = await seal(new Uint8Array(0), { passphrase: 'x' });
    expect(c.toString('latin1').split('\n')[1]).toMatch(/^-> scrypt [A-Za-z0-9+/]{22} 18$/);
  }, 30_000);
});

// Debian's age (apt-get install age; .ci/run installs it). CI must have it: there a missing binary fails.
const hasAge = (() => {
  try {
    execFileSync('age', ['--version']);
    return true;
  } catch {
    return false;
  }
})();
const ageTest = hasAge || process.env.CI === 'true' ? it : it.skip;

describe('interoperability with the age binary', () => {
  ageTest(
    'age -d decrypts ours with an identity file, and we decrypt age -r output',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'hi-age-'));
      const keyFile = join(dir, 'key.txt');
      execFileSync('age-keygen', ['-o', keyFile], { stdio: 'ignore' });
      const identity = readFileSync(keyFile, 'utf8')
        .split('\n')
        .find((l) => l.startsWith('AGE-SECRET-KEY-1'))!;
      const recipient = await identityToRecipient(identity);
      for (const size of EDGE_SIZES) {
        const plain = bytesOf(size, size & 0xff);
        const enc = join(dir, `ours-${size}.age`);
        writeFileSync(enc, await seal(plain, { recipient }, [K / 2]));
        expect(execFileSync('age', ['-d', '-i', keyFile, enc], { maxBuffer: 1 << 24 }).equals(plain)).toBe(true);
        const theirs = execFileSync('age', ['-r', recipient], { input: plain, maxBuffer: 1 << 24 });
        expect((await open(theirs, { identities: [identity] })).equals(plain)).toBe(true);
      }
    },
    60_000,
  );
});

// Each cause of a failed decryption has its own message (restore prints it, then "Nothing was changed."): a damaged
// file is never reported as a wrong key, nor a wrong key as damage.
describe('refusals: one message per cause', () => {
  const plain = bytesOf(3 * K + 5, 3);
  const setup = (async () => {
    const identity = await generateIdentity();
    const recipient = await identityToRecipient(identity);
    return { identity, recipient, cipher: await seal(plain, { recipient }) };
  })();
  const headerEnd = (c: Buffer) => c.indexOf('\n', c.indexOf('\n--- ') + 1) + 1;
  const expectKind = async (c: Uint8Array, key: KeySpec, kind: DecryptFailure, message: RegExp) => {
    const e = await failure(c, key);
    expect(e.kind, e.message).toBe(kind);
    expect(e.message).toMatch(message);
  };

  it('wrong passphrase; wrong identity; a passphrase for a recipient file and an identity for a passphrase file', async () => {
    const { identity, cipher } = await setup;
    const byPass = await seal(plain, { passphrase: 'right one', workFactor: TEST_LOG_N });
    await expectKind(byPass, { passphrase: 'wrong one' }, 'no-match', /^cannot decrypt: wrong passphrase \(/);
    await expectKind(
      cipher,
      { identities: [await generateIdentity()] },
      'no-match',
      /^cannot decrypt: wrong identity: no key in the identity file matches the archive's recipient \(X25519\)$/,
    );
    await expectKind(
      cipher,
      { passphrase: 'x' },
      'no-match',
      /encrypted to an age key \(recipient\), not with a passphrase: give the identity/,
    );
    await expectKind(
      byPass,
      { identities: [identity] },
      'no-match',
      /encrypted with a passphrase, not to an age key: give the passphrase/,
    );
  });

  it('the header is checked before decrypt() returns: a wrong key throws there, before any plaintext', async () => {
    const { cipher } = await setup;
    await expect(decrypt(pieces(cipher), { identities: [await generateIdentity()] })).rejects.toThrow(DecryptError);
  });

  it('a scrypt work factor above 2^20 is refused as such, naming the factor', async () => {
    const salt = Buffer.alloc(16, 1).toString('base64').replace(/=+$/, '');
    const body = Buffer.alloc(32, 2).toString('base64').replace(/=+$/, '');
    const mac = Buffer.alloc(32, 3).toString('base64').replace(/=+$/, '');
    const file = Buffer.concat([
      Buffer.from(`age-encryption.org/v1\n-> scrypt ${salt} 21\n${body}\n--- ${mac}\n`),
      Buffer.alloc(16 + 32),
    ]);
    await expectKind(
      file,
      { passphrase: 'x' },
      'work-factor',
      /^cannot decrypt: the archive's passphrase encryption asks for scrypt work factor 2\^21, above the 2\^20 that is accepted/,
    );
  });

  it('a scrypt stanza beside another stanza is refused, whatever key is given (an X25519 key would open it)', async () => {
    const { identity, cipher } = await setup;
    const at = cipher.indexOf('\n') + 1;
    const salt = Buffer.alloc(16, 1).toString('base64').replace(/=+$/, '');
    const mixed = Buffer.concat([
      cipher.subarray(0, at),
      Buffer.from(`-> scrypt ${salt} 10\n${Buffer.alloc(32).toString('base64').replace(/=+$/, '')}\n`),
      cipher.subarray(at),
    ]);
    for (const key of [{ identities: [identity] }, { passphrase: 'x' }]) {
      await expectKind(
        mixed,
        key,
        'scrypt-mixed',
        /^cannot decrypt: the archive's header puts a passphrase \(scrypt\) stanza beside other stanzas, which age forbids/,
      );
    }
  });

  it('a damaged header: its MAC changed, or a stanza added (the key still opens it), fails the MAC check', async () => {
    const { identity, cipher } = await setup;
    const macAt = cipher.indexOf('\n--- ') + 5;
    const badMac = Buffer.from(cipher);
    badMac[macAt] = badMac[macAt] === 0x41 ? 0x42 : 0x41;
    await expectKind(
      badMac,
      { identities: [identity] },
      'mac',
      /^cannot decrypt: the archive's header is damaged or was modified \(its MAC does not match/,
    );
    const at = cipher.indexOf('\n') + 1;
    const added = Buffer.concat([cipher.subarray(0, at), Buffer.from('-> extra stanza\n\n'), cipher.subarray(at)]);
    await expectKind(added, { identities: [identity] }, 'mac', /MAC does not match/);
  });

  it('not an age file, an empty one, a garbled header: refused as a damaged header, with the detail', async () => {
    const { identity, cipher } = await setup;
    await expectKind(
      Buffer.from('hello\n'),
      { identities: [identity] },
      'header',
      /^cannot decrypt: not an age file, or its header is damaged \(invalid version hello\)$/,
    );
    await expectKind(
      Buffer.alloc(0),
      { identities: [identity] },
      'header',
      /not an age file, or its header is damaged/,
    );
    await expectKind(
      cipher.subarray(0, 40),
      { identities: [identity] },
      'header',
      /not an age file, or its header is damaged/,
    );
    const share = cipher.indexOf('-> X25519 ') + 10;
    const garbled = Buffer.from(cipher);
    garbled[share] = '*'.charCodeAt(0);
    await expectKind(garbled, { identities: [identity] }, 'header', /not an age file, or its header is damaged/);
  });

  it('a damaged or truncated payload: refused while streaming (after the header was accepted), never as a wrong key', async () => {
    const { identity, cipher } = await setup;
    const flipped = Buffer.from(cipher);
    flipped[flipped.length - 10]! ^= 0x80; // inside the last chunk (5 bytes + tag)
    const out = await decrypt(pieces(flipped), { identities: [identity] }); // the header is fine: no throw yet
    const e = await collect(out).then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(DecryptError);
    expect((e as DecryptError).kind).toBe('payload');
    expect((e as Error).message).toMatch(
      /^decryption failed: the archive is damaged or was modified, or it is truncated/,
    );
    const end = headerEnd(cipher) + 16;
    await expectKind(
      cipher.subarray(0, end + 2 * (K + 16)),
      { identities: [identity] },
      'payload',
      /damaged or was modified, or it is truncated/,
    );
    await expectKind(
      cipher.subarray(0, cipher.length - 3),
      { identities: [identity] },
      'payload',
      /damaged or was modified, or it is truncated/,
    );
    await expectKind(
      cipher.subarray(0, end),
      { identities: [identity] },
      'payload',
      /damaged or was modified, or it is truncated/,
    );
    await expectKind(
      cipher.subarray(0, headerEnd(cipher) + 5),
      { identities: [identity] },
      'payload',
      /it ends right after its header/,
    );
    await expectKind(
      Buffer.concat([cipher, Buffer.from('trailing')]),
      { identities: [identity] },
      'payload',
      /damaged or was modified, or it is truncated/,
    );
  });

  it('an error reading the file passes through as it is (not reported as damage)', async () => {
    const { identity, cipher } = await setup;
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield cipher.subarray(0, headerEnd(cipher) + 16 + K);
      throw Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' });
    }
    // Web streams drop queued chunks when the source fails, so this may surface from decrypt() or while reading.
    const e = await (async () => collect(await decrypt(failing(), { identities: [identity] })))().then(
      () => undefined,
      (x: unknown) => x,
    );
    expect((e as NodeJS.ErrnoException).code).toBe('EIO');
    expect(e).not.toBeInstanceOf(DecryptError);
  });

  it('a malformed secret key or recipient is refused naming the problem', async () => {
    const { recipient } = await setup;
    await expect(decrypt(pieces(Buffer.alloc(0)), { identities: ['AGE-SECRET-KEY-1QQQQ'] })).rejects.toThrow(
      /^the identity file holds a malformed age secret key/,
    );
    await expect(decrypt(pieces(Buffer.alloc(0)), { identities: ['AGE-SECRET-KEY-1QQQQ'] })).rejects.toBeInstanceOf(
      ArchiveError,
    );
    const broken = recipient.slice(0, -1) + (recipient.endsWith('q') ? 'p' : 'q');
    expect(recipientProblem(broken)).toMatch(/checksum/i);
    await expect(encrypt(pieces(Buffer.alloc(0)), { recipient: broken })).rejects.toThrow(
      /^not a valid age recipient: .*checksum/i,
    );
  });
});
