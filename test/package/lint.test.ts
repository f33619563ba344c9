// The tree is kept in one format and without unused code: Biome (biome.json: formatter, and the linter's rules for
// unused imports, variables and parameters plus the recommended rules the code keeps) checks every file it covers,
// through the project's own binary, and a failure names each file and what is off. Lines in src/ stay within 120
// characters, the formatter's width: what it cannot break (a long string or comment) must be broken by hand.
import { execa } from 'execa';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/run-bin.js';
import { sourceFiles } from '../helpers/source-files.js';

const BIOME = join(ROOT, 'node_modules', '@biomejs', 'biome', 'bin', 'biome');
const MAX_LINE = 120;

/** One finding per line of Biome's GitHub reporter: `::error title=<rule>,file=<path>,line=<n>,…::<message>`. */
function findings(output: string): string[] {
  return output
    .split('\n')
    .map((line) => /^::(?:error|warning|notice) title=([^,]+),file=([^,]+),line=(\d+)[^:]*::(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map(([, rule, file, line, message]) => `${relative(ROOT, file!)}:${line} ${rule}: ${message}`);
}

describe('code style', () => {
  it('Biome finds nothing to format and nothing to lint', async () => {
    const r = await execa(
      process.execPath,
      [BIOME, 'ci', '--colors=off', '--reporter=github', '--max-diagnostics=none', '--error-on-warnings', '.'],
      { cwd: ROOT, reject: false, all: true },
    );
    const found = findings(r.stdout);
    // `npm run format` fixes every "format" line; the lint lines name the rule to look up.
    expect(found, found.join('\n')).toEqual([]);
    expect(r.exitCode, r.all).toBe(0);
  });

  it(`no line in src/ is longer than ${MAX_LINE} characters`, () => {
    const long: string[] = [];
    for (const file of sourceFiles(join(ROOT, 'src'), /\.(ts|mts|js|mjs)$/)) {
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (line.length > MAX_LINE) long.push(`${relative(ROOT, file)}:${i + 1} (${line.length} characters)`);
        });
    }
    expect(long, long.join('\n')).toEqual([]);
  });
});
