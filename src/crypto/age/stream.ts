// The age v1 payload (spec, "Payload"): a 16-byte nonce, then the plaintext in chunks of 64 KiB, each sealed with
// ChaCha20-Poly1305 under HKDF-SHA256(ikm = file key, salt = nonce, info "payload"); the 12-byte chunk nonce is an
// 11-byte big-endian counter and a final byte 1 for the last chunk, 0 otherwise. The last chunk may be full; it
// may be empty only when the whole plaintext is.
import { hkdf, open, seal } from './primitives.js';

export const CHUNK = 64 * 1024;
const SEALED = CHUNK + 16;
export const NONCE_SIZE = 16;

export function payloadKey(fileKey: Uint8Array, nonce: Uint8Array): Buffer {
  return hkdf(fileKey, nonce, 'payload');
}

function chunkNonce(counter: number, last: boolean): Buffer {
  const n = Buffer.alloc(12);
  n.writeUIntBE(counter, 5, 6); // bytes 0..10 hold the counter; 2^48 chunks (16 EiB) is far beyond any archive
  n[11] = last ? 1 : 0;
  return n;
}

/** Concatenates and slices byte chunks. */
class Bytes {
  private parts: Buffer[] = [];
  length = 0;
  push(b: Uint8Array): void { if (b.length) { this.parts.push(Buffer.from(b.buffer, b.byteOffset, b.length)); this.length += b.length; } }
  take(n: number): Buffer {
    const all = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts);
    const out = all.subarray(0, n);
    const rest = all.subarray(n);
    this.parts = rest.length ? [rest] : [];
    this.length = rest.length;
    return out;
  }
}

export async function* sealPayload(key: Uint8Array, plain: AsyncIterable<Uint8Array>): AsyncGenerator<Buffer> {
  const buf = new Bytes();
  let counter = 0;
  for await (const piece of plain) {
    buf.push(piece);
    // A chunk is sealed as "not last" only once at least one more byte is known to follow it.
    while (buf.length > CHUNK) yield seal(key, chunkNonce(counter++, false), buf.take(CHUNK));
  }
  yield seal(key, chunkNonce(counter, true), buf.take(buf.length));
}

export class PayloadError extends Error {}

export async function* openPayload(key: Uint8Array, sealed: AsyncIterable<Uint8Array>, start: Uint8Array): AsyncGenerator<Buffer> {
  const buf = new Bytes();
  buf.push(start);
  let counter = 0;
  const chunk = (last: boolean): Buffer => {
    const c = buf.take(Math.min(SEALED, buf.length));
    const plain = open(key, chunkNonce(counter, last), c);
    if (!plain) {
      // A full chunk that fails as the last one but would open as a middle one: the file was cut after it.
      if (last && c.length === SEALED && open(key, chunkNonce(counter, false), c)) throw new PayloadError('truncated age file: the last chunk is missing');
      throw new PayloadError(`chunk ${counter}: authentication tag mismatch (damaged or modified)`);
    }
    if (last && plain.length === 0 && counter > 0) throw new PayloadError('invalid final chunk: empty');
    counter++;
    return plain;
  };
  while (buf.length > SEALED) yield chunk(false); // the header read may have brought several chunks already
  for await (const piece of sealed) {
    buf.push(piece);
    while (buf.length > SEALED) yield chunk(false);
  }
  if (buf.length === 0) throw new PayloadError(counter === 0 ? 'truncated age file: no payload' : 'truncated age file: the last chunk is missing');
  if (buf.length < 16) throw new PayloadError('truncated age file: a chunk shorter than its tag');
  yield chunk(true);
}
