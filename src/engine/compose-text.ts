/** Every `${NAME}` / `$NAME` compose interpolates anywhere in a compose file (not the escaped `$$`). */
export function interpolatedNames(text: string): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(/(?<!\$)\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)) out.add(m[1]!);
  return [...out];
}
