import { randomBytes } from 'node:crypto';

// Letters, digits, '-' and '_' (base64url): readable unquoted by dotenv and compose v1/v2 alike.
export const SECRET_CHARSET = /^[A-Za-z0-9_-]+$/;

/** A crypto-random secret of `length` base64url characters (6 bits each; 48 chars = 288 bits). */
export function generateSecret(length = 48): string {
  return randomBytes(Math.ceil((length * 3) / 4))
    .toString('base64url')
    .slice(0, length);
}

/** Values shipped as examples by upstream installers; finding one is worth a loud warning, not a silent swap. */
export const KNOWN_WEAK_VALUES = new Set(['your-secret-key', 'password', 'rootsecretpassword', 'secret', 'changeme']);

/** Replaces a secret with a mask of fixed length, so output never leaks even its length. */
export function mask(value: string): string {
  return value.length === 0 ? '' : '••••••••';
}
