/** Quotes a word for a POSIX shell, so every printed command can be pasted as it is. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:@,+=-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
