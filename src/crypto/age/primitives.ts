// The primitives the age v1 format is built from, all from node:crypto: HKDF-SHA256, HMAC-SHA256,
// ChaCha20-Poly1305 (12-byte nonce, 16-byte tag), X25519 and strict unpadded base64.
import { createCipheriv, createDecipheriv, createHmac, hkdfSync } from 'node:crypto';

export function hkdf(ikm: Uint8Array, salt: Uint8Array, info: string, length = 32): Buffer {
  return Buffer.from(hkdfSync('sha256', ikm, salt, info, length));
}

export function hmac(key: Uint8Array, data: Uint8Array): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

export function seal(key: Uint8Array, nonce: Uint8Array, plain: Uint8Array): Buffer {
  const c = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
  return Buffer.concat([c.update(plain), c.final(), c.getAuthTag()]);
}

/** The plaintext, or undefined when the tag does not verify. */
export function open(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array): Buffer | undefined {
  if (sealed.length < 16) return undefined;
  const d = createDecipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
  d.setAuthTag(sealed.subarray(sealed.length - 16));
  const out = d.update(sealed.subarray(0, sealed.length - 16));
  try {
    return Buffer.concat([out, d.final()]);
  } catch {
    return undefined;
  }
}

/** age's base64: standard alphabet, no padding (RFC 4648 §3.2). */
export function b64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64').replace(/=+$/, '');
}

/** Strict decoding: only canonical unpadded base64 is accepted (Buffer's decoder alone is lenient). */
export function unb64(text: string): Buffer {
  if (!/^[A-Za-z0-9+/]*$/.test(text)) throw new Error('invalid base64 in the header');
  const bytes = Buffer.from(text, 'base64');
  if (b64(bytes) !== text) throw new Error('non-canonical base64 in the header');
  return bytes;
}
