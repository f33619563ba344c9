// The variables.php reader scans with sticky regexes and reads a flat `[ 'k' => 'v', … ]` array in one step (start-up
// speed); the character-by-character reader it replaced (test/helpers/variables-php-reference.ts) is the oracle:
// same variables, or the same error message, for every release description and for generated PHP.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseVariablesPhp } from '../../../../src/targets/appwrite/upstream/variables-php.js';
import { referenceParseVariablesPhp } from '../../../helpers/variables-php-reference.js';

const RELEASES = join(import.meta.dirname, '..', '..', '..', 'fixtures', 'releases');

type Outcome = { vars: unknown } | { error: string };
function outcome(parse: (text: string) => unknown, text: string): Outcome {
  try {
    return { vars: parse(text) };
  } catch (e) {
    return { error: (e as Error).message };
  }
}
function same(text: string): void {
  expect(outcome(parseVariablesPhp, text)).toEqual(outcome(referenceParseVariablesPhp, text));
}

describe('parseVariablesPhp = the character-by-character reader', () => {
  const releases = readdirSync(RELEASES).filter((v) => existsSync(join(RELEASES, v, 'variables.php')));

  it('finds the release descriptions', () => {
    expect(releases.length).toBeGreaterThanOrEqual(3);
  });

  it.each(releases)('test/fixtures/releases/%s/variables.php: the same variables', (v) => {
    const text = readFileSync(join(RELEASES, v, 'variables.php'), 'utf8');
    const vars = parseVariablesPhp(text);
    expect(vars.length).toBeGreaterThan(100);
    expect(vars).toEqual(referenceParseVariablesPhp(text));
  });

  // Between the tokens of an entry: what the scan must skip or must not mistake for a flat array's parts.
  // Mostly whitespace, so that many entries are flat arrays; sometimes what makes one not flat.
  const gap = fc.oneof(
    { weight: 12, arbitrary: fc.constantFrom('', ' ', '\n  ', '\t', '\u00a0', '\u2028') },
    { weight: 1, arbitrary: fc.constantFrom('/* c */', '// c\n', '# c\n', '#[A]', '?>', '<?php ') },
  );
  const str = fc.oneof(
    {
      weight: 6,
      arbitrary: fc
        .string({ unit: fc.constantFrom('a', ' ', "\\'", '\\\\', '\\', '\\n', '"', ']', ',', '=>', 'é', '🙂', '\n') })
        .map((s) => `'${s.replace(/\\$/, '')}'`),
    },
    { weight: 1, arbitrary: fc.constantFrom('"dq"', '"a\\"b\\x41\\101"', '"$x"') },
  );
  const value = fc.oneof(
    { weight: 4, arbitrary: str },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        'true',
        'false',
        'TRUE',
        'False',
        'true\u00a0',
        'truex',
        'true_',
        '6',
        '-1',
        '1_024',
        '0x1F',
        '1.5e3',
        "'a' . 'b'",
        'FOO::BAR',
        '\\f(1)',
        '[]',
        "['n' => 'x']",
        "array('a' => 'b')",
        '1'.repeat(70),
      ),
    },
  );
  const key = fc.oneof(
    { weight: 5, arbitrary: fc.constantFrom("'name'", "'default'", "'filter'", "'required'", "'description'") },
    { weight: 1, arbitrary: str },
  );
  const pair = fc.tuple(key, gap, gap, value, gap).map(([k, g1, g2, v, g3]) => `${k}${g1}=>${g2}${v}${g3}`);
  const entry = fc.tuple(fc.array(fc.tuple(pair, gap), { maxLength: 6 }), fc.constantFrom('', ',', ', '), gap).map(
    ([pairs, trail, g]) =>
      `[${g}${pairs
        .map(([p, g2]) => `${p},${g2}`)
        .join('')
        .replace(/,\s*$/, trail)}]`,
  );
  const file = fc
    .tuple(
      fc.array(entry, { minLength: 1, maxLength: 5 }),
      gap,
      fc.constantFrom('return ', '', 'return array', '$x = ', `${'x'.repeat(256)}return 0; return `),
    )
    .map(
      ([entries, g, ret]) =>
        `<?php\n${ret}[${g}[ 'category' => 'X', 'variables' => [\n${entries.join(',\n')}\n] ],\n];\n`,
    );

  it('property: generated variables.php files give the same variables or the same error (1500 runs)', () => {
    fc.assert(fc.property(file, same), { numRuns: 1500 });
  });

  it('property: files broken at any point give the same error (500 runs)', () => {
    fc.assert(
      fc.property(
        file,
        fc.nat(),
        fc.constantFrom('', "'", '"', '/*', ']', ')', '(', '=>', ',', ';'),
        (text, cut, tail) => {
          same(text.slice(0, cut % (text.length + 1)) + tail);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('property: arbitrary token soup gives the same result (1500 runs)', () => {
    const piece = fc.oneof(
      gap,
      str,
      value,
      fc.constantFrom(
        '[',
        ']',
        '(',
        ')',
        'array(',
        '=>',
        ',',
        ';',
        '.',
        '-',
        'return',
        "'variables'",
        "'name'",
        '/*',
        '*/',
        "'",
        '"',
        'x'.repeat(300),
        '1'.repeat(70),
      ),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), (pieces) => same(pieces.join(' '))),
      { numRuns: 1500 },
    );
  });

  it('runs longer than one step of the scan read the same: 100 comments in a row, 100 pairs, 100 escapes', () => {
    const skip = '/* c */ # d\n  '.repeat(100);
    const pairs = Array.from({ length: 100 }, (_, i) => `'k${i}' => 'v'`).join(', ');
    const escaped = "\\'".repeat(100);
    const text = `<?php return [ [ 'variables' => [ ${skip}[ 'name' => 'A', ${pairs}, 'default' => '${escaped}' ], ["name" => "B", 'default' => "${'\\"'.repeat(100)}"] ] ] ];`;
    same(text);
    expect(parseVariablesPhp(text)).toEqual([
      { name: 'A', default: "'".repeat(100), filter: '', required: false },
      { name: 'B', default: '"'.repeat(100), filter: '', required: false },
    ]);
  });

  it('reads a flat entry with odd spacing, escapes and booleans as the old reader did', () => {
    const text =
      "<?php return [ [ 'variables' => [ [\n'name'=>'A\\'s',\t'default' =>'x\\\\y' , 'required'=> TRUE ,], ['name' => 'B', 'required' => true\u00a0], ] ] ];";
    same(text);
    expect(parseVariablesPhp(text)).toEqual([
      { name: "A's", default: 'x\\y', filter: '', required: true },
      { name: 'B', default: '', filter: '', required: false },
    ]);
  });
});
