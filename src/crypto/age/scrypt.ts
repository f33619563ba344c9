// The scrypt passphrase stanza (age v1 spec, "The scrypt recipient type"): wrap key = scrypt(passphrase,
// salt "age-encryption.org/v1/scrypt" || 16 random bytes, N = 2^logN, r = 8, p = 1, 32 bytes); the stanza is
// "-> scrypt <salt> <logN>" and must be the header's only stanza. age's default work factor is 18.
import { randomBytes, scrypt } from 'node:crypto';
import { b64, open, seal, unb64 } from './primitives.js';
import type { Stanza } from './header.js';

export const DEFAULT_LOG_N = 18;
/** The largest work factor a file may ask of us (age's own default limit is 22: ~4 GiB, minutes of CPU). */
export const MAX_LOG_N = 22;
const LABEL = 'age-encryption.org/v1/scrypt';
const ZERO_NONCE = new Uint8Array(12);

function deriveKey(passphrase: string, salt: Uint8Array, logN: number): Promise<Buffer> {
  const N = 2 ** logN;
  // Node refuses scrypt using more than maxmem (32 MiB by default); scrypt needs 128 * N * r bytes.
  const maxmem = 128 * N * 8 + 1024 * 1024;
  return new Promise((resolve, reject) => {
    scrypt(Buffer.from(passphrase, 'utf8'), Buffer.concat([Buffer.from(LABEL), salt]), 32, { N, r: 8, p: 1, maxmem }, (e, key) => (e ? reject(e) : resolve(key)));
  });
}

export async function wrapScrypt(fileKey: Uint8Array, passphrase: string, logN = DEFAULT_LOG_N): Promise<Stanza> {
  if (!Number.isInteger(logN) || logN < 1 || logN > MAX_LOG_N) throw new Error(`scrypt work factor must be an integer 1..${MAX_LOG_N}`);
  const salt = randomBytes(16);
  const key = await deriveKey(passphrase, salt, logN);
  return { type: 'scrypt', args: [b64(salt), String(logN)], body: seal(key, ZERO_NONCE, fileKey) };
}

/** The file key, or undefined for a wrong passphrase; throws on a malformed stanza or a too-high work factor. */
export async function unwrapScrypt(s: Stanza, passphrase: string): Promise<Uint8Array | undefined> {
  if (s.args.length !== 2 || !/^[1-9][0-9]?$/.test(s.args[1]!)) throw new Error('invalid scrypt stanza in the header');
  const salt = unb64(s.args[0]!);
  const logN = Number(s.args[1]);
  if (salt.length !== 16 || s.body.length !== 32) throw new Error('invalid scrypt stanza in the header');
  if (logN > MAX_LOG_N) throw new Error(`scrypt work factor ${logN} is above the limit ${MAX_LOG_N}`);
  return open(await deriveKey(passphrase, salt, logN), ZERO_NONCE, s.body);
}
