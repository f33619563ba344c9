import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeVariablesPhp, parseVariablesPhp } from '../../../../src/targets/appwrite/upstream/variables-php.js';
import type { UpstreamVariable } from '../../../../src/targets/appwrite/upstream/types.js';

const FIX = join(import.meta.dirname, '..', '..', '..', 'fixtures', 'upstream', 'appwrite');
const read = (p: string): string => readFileSync(join(FIX, p), 'utf8');
const lines = (p: string): string[] =>
  read(p)
    .split('\n')
    .filter((l) => l !== '');
const byName = (vars: UpstreamVariable[], name: string): UpstreamVariable | undefined =>
  vars.find((v) => v.name === name);
const filterCount = (vars: UpstreamVariable[], f: string): number => vars.filter((v) => v.filter === f).length;

describe('parseVariablesPhp on upstream files', () => {
  it('1.9.6: the 146 names of variables.txt, in file order', () => {
    const vars = parseVariablesPhp(read('1.9.6/variables.php'));
    expect(vars.map((v) => v.name)).toEqual(lines('1.9.6/variables.txt'));
    expect(vars).toHaveLength(146);
  });

  it('1.9.6: filter marks, required flags and defaults', () => {
    const vars = parseVariablesPhp(read('1.9.6/variables.php'));
    expect(filterCount(vars, 'token')).toBe(1);
    expect(filterCount(vars, 'password')).toBe(2);
    expect(filterCount(vars, 'domainTarget')).toBe(1);
    expect(
      vars
        .filter((v) => v.filter !== '')
        .map((v) => v.name)
        .sort(),
    ).toEqual(['_APP_DB_PASS', '_APP_DB_ROOT_PASS', '_APP_DOMAIN_TARGET', '_APP_OPENSSL_KEY_V1']);
    expect(byName(vars, '_APP_OPENSSL_KEY_V1')).toEqual({
      name: '_APP_OPENSSL_KEY_V1',
      default: 'your-secret-key',
      filter: 'token',
      required: true,
    });
    expect(vars.filter((v) => v.required).map((v) => v.name)).toEqual([
      '_APP_OPENSSL_KEY_V1',
      '_APP_DOMAIN',
      '_APP_DOMAIN_TARGET',
      '_APP_EMAIL_CERTIFICATES',
      '_APP_DB_ADAPTER',
    ]);
    expect(byName(vars, '_APP_DB_ROOT_PASS')?.default).toBe('rootsecretpassword');
    // Numeric literals in the file ('default' => 6) read as their digits.
    expect(byName(vars, '_APP_WORKER_PER_CORE')?.default).toBe('6');
    expect(byName(vars, '_APP_COMPRESSION_MIN_SIZE_BYTES')?.default).toBe('1024');
  });

  it("1.9.6: an escaped quote in a description (_APP_LOCALE: Appwrite\\'s) does not shift the entries", () => {
    const text = read('1.9.6/variables.php');
    expect(text).toContain("Set your Appwrite\\'s locale");
    const vars = parseVariablesPhp(text);
    const i = vars.findIndex((v) => v.name === '_APP_LOCALE');
    expect(vars[i]).toEqual({ name: '_APP_LOCALE', default: 'en', filter: '', required: false });
    expect(vars[i + 1]?.name).toBe('_APP_OPTIONS_ABUSE');
  });

  it('1.9.5 reads the same 146 names', () => {
    const vars = parseVariablesPhp(read('1.9.5/variables.php'));
    expect(vars.map((v) => v.name)).toEqual(lines('1.9.5/variables.txt'));
  });

  it('2.3.0 (generated): the list up to 2.3.0, without later variables', () => {
    const vars = parseVariablesPhp(read('2.3.0/variables.php'));
    const names = vars.map((v) => v.name);
    expect(vars).toHaveLength(214);
    expect(new Set(names).size).toBe(names.length);
    for (const n of [
      '_APP_CONSOLE_URL',
      '_APP_TRUSTED_PROXIES',
      '_APP_MQTT_PORT',
      '_APP_JOBS_SECRET',
      '_APP_GEO_SECRET',
      '_APP_USAGE_PASS',
    ]) {
      expect(names).toContain(n);
    }
    for (const n of ['_APP_MIGRATIONS_ALLOWED_HOSTS', '_APP_ALLOWED_INTERNAL_ADDRESSES', '_APP_DNS_EXTERNAL']) {
      expect(names).not.toContain(n);
    }
    expect(byName(vars, '_APP_TRUSTED_PROXIES')?.default).toBe('');
    expect(byName(vars, '_APP_DB_ADAPTER')?.default).toBe('postgresql');
    expect(byName(vars, '_APP_CONNECTIONS_DB_USAGE')?.default).toBe(
      'http://appwrite:appwrite@clickhouse:8123/appwrite',
    );
    expect(byName(vars, '_APP_OPENSSL_KEY_V1')?.filter).toBe('token');
    expect(filterCount(vars, 'password')).toBe(2);
  });
});

describe('parseVariablesPhp on PHP constructs', () => {
  const wrap = (entries: string): string =>
    `<?php\nreturn [\n  [ 'category' => 'X', 'variables' => [\n${entries}\n  ] ],\n];\n`;

  it('non-literal defaults read as empty; numbers, negatives and concatenated literals as text', () => {
    const vars = parseVariablesPhp(
      wrap(`
      [ 'name' => 'A', 'default' => TrustedProxies::DEFAULT, 'required' => false, 'filter' => '' ],
      [ 'name' => 'B', 'default' => \\implode(', ', \\array_keys(Config::getParam('runtimes'))), 'filter' => 'token' ],
      [ 'name' => 'C', 'default' => 42, 'required' => TRUE ],
      [ 'name' => 'D', 'default' => -1 ],
      [ 'name' => 'E', 'default' => 'a' . 'b' . 3 ],
      [ 'name' => 'F', 'default' => 'x' . PHP_EOL ],
      [ 'name' => 'G', 'default' => true ],
      array('name' => 'H', 'default' => array('nested' => [1, 2]), 'filter' => 'password'),
    `),
    );
    expect(vars).toEqual([
      { name: 'A', default: '', filter: '', required: false },
      { name: 'B', default: '', filter: 'token', required: false },
      { name: 'C', default: '42', filter: '', required: true },
      { name: 'D', default: '-1', filter: '', required: false },
      { name: 'E', default: 'ab3', filter: '', required: false },
      { name: 'F', default: '', filter: '', required: false },
      { name: 'G', default: '', filter: '', required: false },
      { name: 'H', default: '', filter: 'password', required: false },
    ]);
  });

  it('double-quoted strings, escapes and comments', () => {
    const vars = parseVariablesPhp(
      wrap(String.raw`
      // [ 'name' => 'COMMENTED', 'default' => 'x' ],
      # [ 'name' => 'HASHED' ],
      /* [ 'name' => 'BLOCK' ], */
      [ 'name' => "DQ", 'description' => "say \"hi\"\n 'name' => 'FAKE' ]", 'default' => "a\\b\tc\$d\x41\101 $e \'" ],
      [ 'name' => 'SQ', 'description' => 'it\'s ]], \'name\' => \'FAKE2\'', 'default' => 'back\\slash \n raw' ],
    `),
    );
    expect(vars).toEqual([
      { name: 'DQ', default: "a\\b\tc$dAA $e \\'", filter: '', required: false },
      { name: 'SQ', default: 'back\\slash \\n raw', filter: '', required: false },
    ]);
  });

  it('throws a clear error when there is no variable', () => {
    expect(() => parseVariablesPhp('<?php\nreturn [];\n')).toThrow(/no variable found/);
    expect(() => parseVariablesPhp('')).toThrow(/variables\.php/);
    expect(() => parseVariablesPhp('<html>not php</html>')).toThrow(/variables\.php/);
    expect(() => parseVariablesPhp("<?php return [ [ 'variables' => [ [ 'name' => 'A' ")).toThrow(/variables\.php/);
    expect(() => parseVariablesPhp("<?php return [ [ 'variables' => [ [ 'name' => 'A, ] ] ];")).toThrow(
      /unterminated string/,
    );
  });

  it("refuses an entry whose 'name' is not a literal rather than dropping it", () => {
    expect(() => parseVariablesPhp(wrap(`[ 'name' => SOME_CONST, 'default' => '' ],`))).toThrow(/not a string literal/);
  });
});

describe('encodeVariablesPhp', () => {
  it('re-encoding the 1.9.6 list gives the same variables back', () => {
    const vars = parseVariablesPhp(read('1.9.6/variables.php'));
    expect(parseVariablesPhp(encodeVariablesPhp(vars))).toEqual(vars);
  });

  it('uses the 1.9.6 entry shape', () => {
    const php = encodeVariablesPhp([{ name: 'N', default: "it's", filter: 'token', required: true }], () => 'General');
    expect(php).toContain(
      [
        `            [`,
        `                'name' => 'N',`,
        `                'description' => '',`,
        `                'introduction' => '',`,
        `                'default' => 'it\\'s',`,
        `                'required' => true,`,
        `                'question' => '',`,
        `                'filter' => 'token'`,
        `            ]`,
      ].join('\n'),
    );
    expect(php).toMatch(/^<\?php\n\nuse Utopia\\Config\\Config;\n\nreturn \[\n {4}\[\n {8}'category' => 'General',/);
  });

  it('property: encode → parse round-trips names, defaults, filters and flags (2000 runs)', () => {
    const tricky = fc.string({
      unit: fc.constantFrom(
        "'",
        '"',
        '\\',
        '=>',
        '[',
        ']',
        ',',
        '\n',
        '\r',
        '$',
        '(',
        ')',
        ';',
        '/*',
        '*/',
        '//',
        '#',
        '?>',
        'a',
        ' ',
        'é',
        '🙂',
      ),
    });
    const text = fc.oneof(fc.string({ unit: 'grapheme' }), tricky);
    const variable = fc.record({ name: text, default: text, filter: text, required: fc.boolean() });
    fc.assert(
      fc.property(
        fc.array(variable, { minLength: 1, maxLength: 6 }),
        fc.array(text, { minLength: 1, maxLength: 3 }),
        (vars, cats) => {
          const php = encodeVariablesPhp(vars, (v) => cats[v.name.length % cats.length]!);
          expect(parseVariablesPhp(php)).toEqual(vars);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
