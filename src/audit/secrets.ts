// How weak a secret is, judged without printing it: empty, a published example value, short, or low in entropy.
// harden-init's own secrets are 48 characters of [A-Za-z0-9_-] (288 bits); a judge flags anything far below.

/** Values published in installers, examples and tutorials (lower-cased). */
export const KNOWN_DEFAULTS = new Set([
  'your-secret-key',
  'password',
  'rootsecretpassword',
  'secret',
  'changeme',
  'change-me',
  'changeit',
  'admin',
  'root',
  'appwrite',
  'langflow',
  'postgres',
  'example',
  'default',
  'test',
  '123456',
  'password123',
  'secretkey',
  'supersecret',
]);

/** Shannon entropy of the string in bits (per character × length). */
export function entropyBits(s: string): number {
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let perChar = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    perChar -= p * Math.log2(p);
  }
  return perChar * s.length;
}

/** undefined when the value looks like a strong random secret; otherwise why not (never the value). */
export function secretWeakness(value: string | undefined, minLength = 16): string | undefined {
  if (value === undefined || value === '') return 'empty';
  if (KNOWN_DEFAULTS.has(value.toLowerCase())) return 'a published example value';
  if (value.length < minLength) return `short (${value.length} characters)`;
  if (entropyBits(value) < 56 || new Set(value).size < 8) return 'low in entropy (repeated or few distinct characters)';
  return undefined;
}
