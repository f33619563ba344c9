// Parses the output of Appwrite's `vars` task: one `- NAME=value` line per variable of its list, in the
// list's order, empty when the container lacks it (src/Appwrite/Platform/Tasks/Vars.php, 1.9).
export function parseVars(output: string): Map<string, string> {
  const vars = new Map<string, string>();
  for (const raw of output.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const m = /^- ([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (m) vars.set(m[1]!, m[2]!);
  }
  return vars;
}

/** The inverse, for tests and stand-ins: what Appwrite prints for these values. */
export function formatVars(names: string[], env: Record<string, string>): string {
  return names.map((n) => `- ${n}=${env[n] ?? ''}`).join('\n') + '\n';
}
