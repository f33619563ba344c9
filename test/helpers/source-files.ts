// The tree's own source files, for tests that read the code itself (style, architecture, printed commands).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Every file under `dir` whose name matches `name` (default: TypeScript sources), as full paths. */
export function sourceFiles(dir: string, name: RegExp = /\.ts$/): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name), name) : name.test(e.name) ? [join(dir, e.name)] : [],
  );
}
