// age v1 encryption (https://age-encryption.org/v1, C2SP) on node:crypto alone: X25519 recipients/identities and
// scrypt passphrases, streamed. Written for harden-init's backups instead of bundling the age-encryption package
// and its JavaScript crypto (~50 KB of the packed tarball); the same Encrypter/Decrypter shape on web streams, so
// the archive code did not change. Post-quantum recipients (age1pq1…, ML-KEM-768 + X25519) are refused: node 20
// has no ML-KEM, and bundling one would cost back what this saves.
import { randomBytes } from 'node:crypto';
import { timingSafeEqual } from 'node:crypto';
import { MAX_HEADER, headerMac, parseHeader, writeHeader, type Stanza } from './header.js';
import { DEFAULT_LOG_N, unwrapScrypt, wrapScrypt } from './scrypt.js';
import { NONCE_SIZE, openPayload, payloadKey, sealPayload } from './stream.js';
import { X25519Identity, parseRecipient, wrapX25519 } from './x25519.js';
import { fromWebStream, toWebStream } from '../../core/web-streams.js';

export { generateIdentity, identityToRecipient } from './x25519.js';

export const PQ_REFUSAL = 'post-quantum age keys (age1pq1… / AGE-SECRET-KEY-PQ-1…) are not supported: use an X25519 key pair (age-keygen, without -pq) or a passphrase';

export class AgeError extends Error {}

function input(x: ReadableStream<Uint8Array> | Uint8Array): AsyncIterable<Uint8Array> {
  return x instanceof Uint8Array ? (async function* () { yield x; })() : fromWebStream(x);
}

export class Encrypter {
  private passphrase?: string;
  private logN = DEFAULT_LOG_N;
  private recipients: Buffer[] = [];

  setPassphrase(passphrase: string): void {
    if (this.recipients.length) throw new AgeError('a passphrase cannot be combined with recipients');
    this.passphrase = passphrase;
  }

  /** log2 of scrypt's N; the product keeps age's default 18 (tests lower it to run fast). */
  setScryptWorkFactor(logN: number): void { this.logN = logN; }

  addRecipient(recipient: string): void {
    if (this.passphrase !== undefined) throw new AgeError('a passphrase cannot be combined with recipients');
    if (/^age1pq1/i.test(recipient)) throw new AgeError(PQ_REFUSAL);
    this.recipients.push(parseRecipient(recipient));
  }

  async encrypt(plain: ReadableStream<Uint8Array> | Uint8Array): Promise<ReadableStream<Uint8Array>> {
    const fileKey = randomBytes(16);
    let stanzas: Stanza[];
    if (this.passphrase !== undefined) stanzas = [await wrapScrypt(fileKey, this.passphrase, this.logN)];
    else if (this.recipients.length) stanzas = this.recipients.map((r) => wrapX25519(fileKey, r));
    else throw new AgeError('no recipient or passphrase to encrypt to');
    const header = writeHeader(stanzas, fileKey);
    const nonce = randomBytes(NONCE_SIZE);
    const body = sealPayload(payloadKey(fileKey, nonce), input(plain));
    return toWebStream((async function* () {
      yield Buffer.concat([header, nonce]);
      yield* body;
    })());
  }
}

/** Reads up to and including the MAC line; returns its text (without the newline) and the bytes read past it. */
async function readHeader(it: AsyncIterator<Uint8Array>): Promise<{ text: string; rest: Buffer }> {
  let buf = Buffer.alloc(0);
  for (;;) {
    const dashes = buf.indexOf('\n--- ');
    const end = dashes < 0 ? -1 : buf.indexOf('\n', dashes + 1);
    if (end >= 0) return { text: buf.subarray(0, end).toString('latin1'), rest: buf.subarray(end + 1) };
    if (buf.length > MAX_HEADER) throw new AgeError('malformed age header: longer than 64 KiB');
    const r = await it.next();
    if (r.done) throw new AgeError(buf.length ? 'malformed age header: truncated before the MAC line' : 'malformed age header: empty file');
    buf = Buffer.concat([buf, r.value]);
  }
}

export class Decrypter {
  private passphrases: string[] = [];
  private identities: X25519Identity[] = [];

  addPassphrase(passphrase: string): void { this.passphrases.push(passphrase); }

  addIdentity(identity: string): void {
    if (/^AGE-SECRET-KEY-PQ-/i.test(identity)) throw new AgeError(PQ_REFUSAL);
    this.identities.push(new X25519Identity(identity));
  }

  /** Checks the header (key and MAC) before returning; the payload's chunks are verified as they are read. */
  async decrypt(cipher: ReadableStream<Uint8Array> | Uint8Array): Promise<ReadableStream<Uint8Array>> {
    const it = input(cipher)[Symbol.asyncIterator]();
    let fileKey: Uint8Array | undefined;
    let rest: Buffer;
    try {
      const h = await readHeader(it);
      rest = h.rest;
      const header = parseHeader(h.text);
      fileKey = await this.unwrap(header.stanzas);
      if (!timingSafeEqual(headerMac(fileKey, header.upToDashes), header.mac)) throw new AgeError('header MAC mismatch: the header is damaged or was modified');
    } catch (e) {
      await it.return?.();
      throw e instanceof AgeError ? e : new AgeError((e as Error).message);
    }
    // The payload nonce may arrive in the next read.
    while (rest.length < NONCE_SIZE) {
      const r = await it.next();
      if (r.done) throw new AgeError('truncated age file: no payload nonce');
      rest = Buffer.concat([rest, r.value]);
    }
    const key = payloadKey(fileKey, rest.subarray(0, NONCE_SIZE));
    const remaining = { [Symbol.asyncIterator]: () => it };
    return toWebStream(openPayload(key, remaining, rest.subarray(NONCE_SIZE)));
  }

  private async unwrap(stanzas: Stanza[]): Promise<Uint8Array> {
    const scrypt = stanzas.filter((s) => s.type === 'scrypt');
    if (scrypt.length && stanzas.length > 1) throw new AgeError('malformed age header: a scrypt stanza must be the only one');
    if (scrypt.length) {
      if (!this.passphrases.length) throw new AgeError('the file is encrypted with a passphrase, and no passphrase was given');
      for (const p of this.passphrases) {
        const k = await unwrapScrypt(scrypt[0]!, p);
        if (k) return checkFileKey(k);
      }
      throw new AgeError('incorrect passphrase');
    }
    for (const s of stanzas) {
      for (const id of this.identities) {
        const k = id.unwrap(s);
        if (k) return checkFileKey(k);
      }
    }
    throw new AgeError(this.identities.length ? 'no identity matched any of the file\'s recipients' : 'the file is encrypted to recipients, and no identity was given');
  }
}

function checkFileKey(k: Uint8Array): Uint8Array {
  if (k.length !== 16) throw new AgeError('malformed age header: file key of the wrong length');
  return k;
}
