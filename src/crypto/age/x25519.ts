// X25519 recipients and identities (age v1 spec, "The X25519 recipient type"): the file key is wrapped with
// ChaCha20-Poly1305 under HKDF-SHA256(ikm = shared secret, salt = ephemeral share || recipient,
// info "age-encryption.org/v1/X25519"), zero nonce. Node takes raw X25519 keys only inside DER, hence the prefixes
// (RFC 8410 PKCS#8 / SubjectPublicKeyInfo for OID 1.3.101.110).
import { createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { bech32Decode, bech32Encode } from './bech32.js';
import { b64, hkdf, open, seal, unb64 } from './primitives.js';
import type { Stanza } from './header.js';

const PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');
const INFO = 'age-encryption.org/v1/X25519';
const ZERO_NONCE = new Uint8Array(12);

const privateKey = (raw: Uint8Array) => createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, raw]), format: 'der', type: 'pkcs8' });
const publicKey = (raw: Uint8Array) => createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
const rawPublic = (k: KeyObject) => (k.type === 'private' ? createPublicKey(k) : k).export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length);

function shared(secret: KeyObject, pub: Uint8Array): Buffer {
  let s: Buffer;
  try {
    s = diffieHellman({ privateKey: secret, publicKey: publicKey(pub) });
  } catch {
    throw new Error('invalid X25519 share (low-order point)');
  }
  // An all-zero secret means a low-order point: the spec requires refusing it.
  if (s.every((b) => b === 0)) throw new Error('invalid X25519 share (low-order point)');
  return s;
}

/** A new identity, "AGE-SECRET-KEY-1…". */
export function generateIdentity(): string {
  const der = generateKeyPairSync('x25519').privateKey.export({ format: 'der', type: 'pkcs8' });
  return bech32Encode('AGE-SECRET-KEY-', der.subarray(der.length - 32)).toUpperCase();
}

export function parseRecipient(text: string): Buffer {
  let d;
  try {
    d = bech32Decode(text);
  } catch (e) {
    throw new Error(`invalid recipient "${text.slice(0, 20)}…": ${(e as Error).message}`);
  }
  if (d.hrp !== 'age' || d.bytes.length !== 32) throw new Error(`invalid recipient "${text.slice(0, 20)}…": not an X25519 age1… public key`);
  return Buffer.from(d.bytes);
}

function parseIdentity(text: string): KeyObject {
  let d;
  try {
    d = bech32Decode(text);
  } catch (e) {
    throw new Error(`invalid identity (AGE-SECRET-KEY-1…): ${(e as Error).message}`);
  }
  if (d.hrp !== 'age-secret-key-' || d.bytes.length !== 32) throw new Error('invalid identity: not an X25519 AGE-SECRET-KEY-1… secret key');
  return privateKey(d.bytes);
}

export function identityToRecipient(identity: string): string {
  return bech32Encode('age', rawPublic(parseIdentity(identity)));
}

export function wrapX25519(fileKey: Uint8Array, recipient: Buffer): Stanza {
  const eph = privateKey(randomBytes(32));
  const share = rawPublic(eph);
  const key = hkdf(shared(eph, recipient), Buffer.concat([share, recipient]), INFO);
  return { type: 'X25519', args: [b64(share)], body: seal(key, ZERO_NONCE, fileKey) };
}

export class X25519Identity {
  private readonly secret: KeyObject;
  private readonly recipient: Buffer;
  constructor(text: string) {
    this.secret = parseIdentity(text);
    this.recipient = rawPublic(this.secret);
  }

  /** The file key, undefined when the stanza is not for this identity; throws on a malformed X25519 stanza. */
  unwrap(s: Stanza): Uint8Array | undefined {
    if (s.type !== 'X25519') return undefined;
    if (s.args.length !== 1) throw new Error('invalid X25519 stanza in the header');
    const share = unb64(s.args[0]!);
    if (share.length !== 32 || s.body.length !== 32) throw new Error('invalid X25519 stanza in the header');
    const key = hkdf(shared(this.secret, share), Buffer.concat([share, this.recipient]), INFO);
    return open(key, ZERO_NONCE, s.body);
  }
}
