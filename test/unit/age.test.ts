// src/crypto/age against two independent age implementations: the age-encryption package (a devDependency kept
// only for this) and Debian's `age` binary. Sizes around the 64 KiB chunk boundary, fed in random pieces.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as pkg from 'age-encryption';
import { Decrypter, Encrypter, generateIdentity, identityToRecipient } from '../../src/crypto/age/index.js';

const K = 64 * 1024;
const EDGE_SIZES = [0, 1, K - 1, K, K + 1, 3 * K + 5];
// Test-only: a low scrypt work factor so a property run takes seconds (the product always uses 18).
const TEST_LOG_N = 4;

function stream(data: Uint8Array, cuts: number[]): ReadableStream<Uint8Array> {
  const pieces: Uint8Array[] = [];
  let at = 0;
  for (const c of [...cuts].sort((a, b) => a - b)) {
    const to = Math.min(data.length, c);
    if (to > at) { pieces.push(data.subarray(at, to)); at = to; }
  }
  pieces.push(data.subarray(at));
  return new ReadableStream({ pull(ctl) { const p = pieces.shift(); if (p) ctl.enqueue(p); else ctl.close(); } });
}

async function collect(s: ReadableStream<Uint8Array>): Promise<Buffer> {
  const out: Uint8Array[] = [];
  const r = s.getReader();
  for (;;) { const x = await r.read(); if (x.done) break; out.push(x.value); }
  return Buffer.concat(out);
}

function bytesOf(size: number, seed: number): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}

const sizeArb = fc.oneof(fc.constantFrom(...EDGE_SIZES), fc.integer({ min: 0, max: 4 * K + 17 }));
const cutsArb = fc.array(fc.integer({ min: 0, max: 4 * K + 17 }), { maxLength: 6 });

async function ours(plain: Buffer, cuts: number[], key: { recipient: string } | { passphrase: string }): Promise<Buffer> {
  const e = new Encrypter();
  if ('recipient' in key) e.addRecipient(key.recipient);
  else { e.setPassphrase(key.passphrase); e.setScryptWorkFactor(TEST_LOG_N); }
  return collect(await e.encrypt(stream(plain, cuts)));
}

async function oursDecrypt(cipher: Uint8Array, key: { identity: string } | { passphrase: string }, cuts: number[] = []): Promise<Buffer> {
  const d = new Decrypter();
  if ('identity' in key) d.addIdentity(key.identity);
  else d.addPassphrase(key.passphrase);
  return collect(await d.decrypt(stream(cipher, cuts)));
}

describe('age v1 on node:crypto, against the age-encryption package', () => {
  it('derives the same recipient from an identity', async () => {
    for (let i = 0; i < 5; i++) {
      const id = await pkg.generateIdentity();
      expect(identityToRecipient(id)).toBe(await pkg.identityToRecipient(id));
      const mine = generateIdentity();
      expect(await pkg.identityToRecipient(mine)).toBe(identityToRecipient(mine));
    }
  });

  it('ours → theirs and theirs → ours with X25519 recipients, sizes across chunk boundaries', async () => {
    const id = await pkg.generateIdentity();
    const recipient = await pkg.identityToRecipient(id);
    await fc.assert(fc.asyncProperty(sizeArb, cutsArb, fc.integer({ min: 0, max: 255 }), async (size, cuts, seed) => {
      const plain = bytesOf(size, seed);
      const d = new pkg.Decrypter();
      d.addIdentity(id);
      expect(Buffer.from(await d.decrypt(await ours(plain, cuts, { recipient }))).equals(plain)).toBe(true);
      const e = new pkg.Encrypter();
      e.addRecipient(recipient);
      expect((await oursDecrypt(await e.encrypt(plain), { identity: id }, cuts)).equals(plain)).toBe(true);
    }), { numRuns: 25, examples: EDGE_SIZES.map((s): [number, number[], number] => [s, [], 1]) });
  }, 120_000);

  it('ours → theirs and theirs → ours with a passphrase (scrypt), sizes across chunk boundaries', async () => {
    await fc.assert(fc.asyncProperty(sizeArb, cutsArb, fc.string({ minLength: 1, maxLength: 30 }), async (size, cuts, passphrase) => {
      const plain = bytesOf(size, 7);
      const d = new pkg.Decrypter();
      d.addPassphrase(passphrase);
      expect(Buffer.from(await d.decrypt(await ours(plain, cuts, { passphrase }))).equals(plain)).toBe(true);
      const e = new pkg.Encrypter();
      e.setPassphrase(passphrase);
      e.setScryptWorkFactor(TEST_LOG_N);
      expect((await oursDecrypt(await e.encrypt(plain), { passphrase }, cuts)).equals(plain)).toBe(true);
    }), { numRuns: 20, examples: EDGE_SIZES.map((s): [number, number[], string] => [s, [], 'pw']) });
  }, 120_000);

  it('takes the passphrase as its UTF-8 bytes, unnormalized, as the package does', async () => {
    for (const passphrase of ['e\u0301t\u00e9 \u{1F511}', '\u00e9t\u00e9 \u{1F511}']) {
      const plain = bytesOf(100, 1);
      const d = new pkg.Decrypter();
      d.addPassphrase(passphrase);
      expect(Buffer.from(await d.decrypt(await ours(plain, [], { passphrase }))).equals(plain)).toBe(true);
    }
    const other = await ours(bytesOf(10, 1), [], { passphrase: 'e\u0301' });
    await expect(oursDecrypt(other, { passphrase: '\u00e9' })).rejects.toThrow(/incorrect passphrase/);
  });

  it('uses scrypt work factor 18 unless told otherwise', async () => {
    const e = new Encrypter();
    e.setPassphrase('x');
    const header = (await collect(await e.encrypt(new Uint8Array(0)))).toString('latin1').split('\n')[1]!;
    expect(header).toMatch(/^-> scrypt [A-Za-z0-9+/]{22} 18$/);
  }, 30_000);
});

// Debian's age (apt-get install age; .ci/run installs it). CI must have it: there a missing binary fails.
const hasAge = (() => { try { execFileSync('age', ['--version']); return true; } catch { return false; } })();
const ageTest = hasAge || process.env.CI === 'true' ? it : it.skip;

describe('age v1 on node:crypto, against the age binary', () => {
  ageTest('age -d decrypts ours with an identity file, and we decrypt age -r output', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hi-age-'));
    const keyFile = join(dir, 'key.txt');
    execFileSync('age-keygen', ['-o', keyFile], { stdio: 'ignore' });
    const identity = readFileSync(keyFile, 'utf8').split('\n').find((l) => l.startsWith('AGE-SECRET-KEY-1'))!;
    const recipient = identityToRecipient(identity);
    for (const size of EDGE_SIZES) {
      const plain = bytesOf(size, size & 0xff);
      const enc = join(dir, `ours-${size}.age`);
      writeFileSync(enc, await ours(plain, [K / 2], { recipient }));
      expect(execFileSync('age', ['-d', '-i', keyFile, enc], { maxBuffer: 1 << 24 }).equals(plain)).toBe(true);
      const theirs = execFileSync('age', ['-r', recipient], { input: plain, maxBuffer: 1 << 24 });
      expect((await oursDecrypt(theirs, { identity })).equals(plain)).toBe(true);
    }
  }, 60_000);
});

describe('refusals', () => {
  const identity = generateIdentity();
  const recipient = identityToRecipient(identity);
  const plain = bytesOf(3 * K + 5, 3);

  it('a tampered header (a stanza added; the file key still unwraps) fails the MAC', async () => {
    const c = await ours(plain, [], { recipient });
    const at = c.indexOf('\n') + 1;
    const tampered = Buffer.concat([c.subarray(0, at), Buffer.from('-> extra stanza\n\n'), c.subarray(at)]);
    await expect(oursDecrypt(tampered, { identity })).rejects.toThrow(/^header MAC mismatch/);
    // Changed in place: the recipient stanza's share no longer matches this identity.
    const share = c.indexOf('-> X25519 ') + 12;
    c[share] = c[share] === 0x41 ? 0x42 : 0x41;
    await expect(oursDecrypt(c, { identity })).rejects.toThrow(/no identity matched|MAC/);
  });

  it('a header whose MAC is changed is refused as damaged', async () => {
    const c = await ours(plain, [], { recipient });
    const text = c.toString('latin1');
    const at = text.indexOf('\n--- ') + 5;
    c[at] = c[at] === 0x41 ? 0x42 : 0x41;
    await expect(oursDecrypt(c, { identity })).rejects.toThrow(/header MAC mismatch/);
  });

  it('a tampered chunk is refused while streaming', async () => {
    const c = await ours(plain, [], { recipient });
    c[c.length - 10] ^= 0x80; // inside the last chunk (5 bytes + tag)
    await expect(oursDecrypt(c, { identity })).rejects.toThrow(/chunk 3: authentication tag mismatch/);
  });

  it('a file truncated at a chunk boundary or inside a chunk is refused', async () => {
    const c = await ours(plain, [], { recipient });
    const headerEnd = c.indexOf('\n', c.indexOf('\n--- ') + 1) + 1 + 16;
    await expect(oursDecrypt(c.subarray(0, headerEnd + 2 * (K + 16)), { identity })).rejects.toThrow(/truncated/);
    await expect(oursDecrypt(c.subarray(0, c.length - 3), { identity })).rejects.toThrow(/tag mismatch/);
    await expect(oursDecrypt(c.subarray(0, headerEnd), { identity })).rejects.toThrow(/truncated/);
    await expect(oursDecrypt(c.subarray(0, 40), { identity })).rejects.toThrow(/header/);
  });

  it('a wrong passphrase and a wrong identity are refused before any plaintext', async () => {
    const e = new Encrypter();
    e.setPassphrase('right one');
    e.setScryptWorkFactor(TEST_LOG_N);
    const c = await collect(await e.encrypt(plain));
    await expect(oursDecrypt(c, { passphrase: 'wrong one' })).rejects.toThrow(/incorrect passphrase/);
    await expect(oursDecrypt(await ours(plain, [], { recipient }), { identity: generateIdentity() })).rejects.toThrow(/no identity matched/);
  });

  it('refuses post-quantum keys naming what is supported, and a recipient with a bad checksum', () => {
    expect(() => new Encrypter().addRecipient('age1pq1qqqqqqqqqqqqqqqq')).toThrow(/post-quantum .* not supported: use an X25519 key pair/);
    expect(() => new Decrypter().addIdentity('AGE-SECRET-KEY-PQ-1QQQQ')).toThrow(/post-quantum/);
    const broken = recipient.slice(0, -1) + (recipient.endsWith('q') ? 'p' : 'q');
    expect(() => new Encrypter().addRecipient(broken)).toThrow(/checksum/);
  });
});
