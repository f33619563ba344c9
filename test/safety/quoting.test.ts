// Row 11 of issue 8, for the hints only reached with a running stack: every path interpolated into a printed
// command (`cd <dir> && ...`, `--dir <dir>`, `cp <a> <b>`) goes through shellQuote.
import { expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/run-bin.js';
import { sourceFiles } from '../helpers/source-files.js';

it('no printed command interpolates a path without shellQuote', () => {
  const bad: string[] = [];
  for (const f of sourceFiles(join(ROOT, 'src'))) {
    readFileSync(f, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (/(\bcd |--dir |\bcp )\$\{(?!shellQuote\()/.test(line))
          bad.push(`${f.slice(ROOT.length + 1)}:${i + 1}: ${line.trim()}`);
      });
  }
  expect(bad).toEqual([]);
});
