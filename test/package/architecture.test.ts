// docs/architecture.md draws src/ as layers that import only downward, with no module reaching itself back through
// others. This keeps the picture true: every relative import in src/ (type-only ones too) is read and checked
// against the layer table below, which is the documentation's, and the module graph is searched for circles.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/run-bin.js';
import { sourceFiles } from '../helpers/source-files.js';

/** Each top folder of src/ and its layer (higher imports lower; one layer's folders may import each other). */
const LAYER: Record<string, number> = {
  cli: 6,
  commands: 5,
  install: 4,
  ui: 4,
  targets: 3,
  audit: 2,
  verify: 2,
  apply: 2,
  engine: 1,
  docker: 1,
  core: 0,
};

/** Module → the modules it imports (relative specifiers, `.js` mapped back to the `.ts` source), paths from ROOT. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(join(ROOT, 'src'))) {
    const from = relative(ROOT, file);
    const text = readFileSync(file, 'utf8');
    const targets = [...text.matchAll(/(?:\bfrom|\bimport\s*\()\s*['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) =>
      normalize(join(dirname(from), m[1]!)).replace(/\.js$/, '.ts'),
    );
    graph.set(from, targets);
  }
  return graph;
}

const folderOf = (path: string) => path.split('/')[1]!;

/** Imports from a module to one in a higher layer (a folder missing from the table counts as the lowest). */
function upwardImports(graph: Map<string, string[]>): string[] {
  return [...graph].flatMap(([from, targets]) =>
    targets.filter((to) => (LAYER[folderOf(to)] ?? -1) > (LAYER[folderOf(from)] ?? -1)).map((to) => `${from} → ${to}`),
  );
}

/** Every circle, as the modules along it (first repeated at the end); each found once from where the search met it. */
function circles(graph: Map<string, string[]>): string[][] {
  const done = new Set<string>();
  const path: string[] = [];
  const found: string[][] = [];
  const visit = (node: string) => {
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      const at = path.indexOf(next);
      if (at >= 0) found.push([...path.slice(at), next]);
      else if (!done.has(next)) visit(next);
    }
    path.pop();
    done.add(node);
  };
  for (const node of graph.keys()) if (!done.has(node)) visit(node);
  return found;
}

/** The longest a function may be: a longer one is a command or rule that should be named steps. */
const MAX_FUNCTION_LINES = 60;
/** Parsers and format writers, kept whole: one pass over a format reads better than its pieces. */
const LONG_PARSERS = new Set([
  'src/commands/archive.ts readTar',
  'src/commands/archive.ts tarArchive',
  'src/commands/archive.ts verifyArchive',
  'src/targets/appwrite/env-read.ts answersFromEnv',
]);

/** `file name lines` of each function longer than the limit (an unnamed one named after its variable or `(anonymous)`). */
function longFunctions(): string[] {
  const found: string[] = [];
  for (const file of sourceFiles(join(ROOT, 'src'))) {
    const path = relative(ROOT, file);
    const sf = ts.createSourceFile(path, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (n: ts.Node) => {
      if (ts.isFunctionLike(n) && 'body' in n && n.body) {
        const lines =
          sf.getLineAndCharacterOfPosition(n.end).line - sf.getLineAndCharacterOfPosition(n.getStart()).line + 1;
        const named = n.name ?? (ts.isVariableDeclaration(n.parent) ? n.parent.name : undefined);
        const name = named ? named.getText(sf) : '(anonymous)';
        if (lines > MAX_FUNCTION_LINES && !LONG_PARSERS.has(`${path} ${name}`)) found.push(`${path} ${name} ${lines}`);
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  return found;
}

describe('architecture (docs/architecture.md)', () => {
  const graph = importGraph();

  it('every top folder of src/ has its layer', () => {
    const folders = readdirSync(join(ROOT, 'src'), { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
    expect(folders.filter((f) => !(f in LAYER))).toEqual([]);
  });

  it('no import leads back up a layer', () => {
    expect(upwardImports(graph)).toEqual([]);
  });

  it('every relative import names a module that exists', () => {
    const missing = [...graph].flatMap(([from, targets]) =>
      targets.filter((to) => !graph.has(to)).map((to) => `${from} → ${to}`),
    );
    expect(missing).toEqual([]);
  });

  it('no module imports itself back through others', () => {
    expect(circles(graph).map((c) => c.join(' → '))).toEqual([]);
  });

  it(`no function runs over ${MAX_FUNCTION_LINES} lines, outside the parsers named here`, () => {
    expect(longFunctions()).toEqual([]);
  });

  it('the checks see an upward import and a circle when there is one', () => {
    const planted = new Map(graph);
    planted.set('src/core/planted.ts', ['src/cli/main.ts', 'src/core/planted2.ts']);
    planted.set('src/core/planted2.ts', ['src/core/planted.ts']);
    expect(circles(planted).map((c) => c.join(' → '))).toContain(
      'src/core/planted.ts → src/core/planted2.ts → src/core/planted.ts',
    );
    expect(upwardImports(planted)).toEqual(['src/core/planted.ts → src/cli/main.ts']);
  });
});
