import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parse as dotenvParse } from 'dotenv';
import { deleteEnv, encodeValue, getEnv, parseEnv, serializeEnv, setEnv, toRecord } from '../../src/engine/envfile.js';

// Values the encoder must accept: anything without a single quote or a line break.
const encodable = fc.string({ unit: 'binary', maxLength: 40 }).filter((s) => !/['\\\n\r\u0000]|\$\{/.test(s));
const key = fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,15}$/);

describe('.env value encoding', () => {
  it('round-trips every encodable value through our parser, for the file and for its line', () => {
    fc.assert(
      fc.property(key, encodable, (k, v) => {
        const f = parseEnv(`${k}=${encodeValue(v)}\n`);
        expect(getEnv(f, k)).toBe(v);
        expect(f.lines[0]).toEqual({ raw: `${k}=${encodeValue(v)}`, key: k, value: v });
      }),
    );
  });
  it('is read back identically by the dotenv package', () => {
    fc.assert(
      fc.property(key, encodable, (k, v) => {
        // dotenv trims unquoted values; our encoder only leaves values of safe characters unquoted.
        expect(dotenvParse(`${k}=${encodeValue(v)}\n`)[k]).toBe(v);
      }),
    );
  });
  it('leaves generated secrets and plain settings unquoted, quotes the rest', () => {
    expect(encodeValue('aZ0_-x')).toBe('aZ0_-x');
    expect(encodeValue('a@example.com,b@example.com')).toBe('a@example.com,b@example.com');
    expect(encodeValue('p@ss w0rd!')).toBe("'p@ss w0rd!'");
    expect(encodeValue('$HOME')).toBe("'$HOME'");
    expect(encodeValue('')).toBe('');
  });
  it('refuses values no .env reader agrees on', () => {
    expect(() => encodeValue("it's")).toThrow(/single quote/);
    expect(() => encodeValue('a\nb')).toThrow(/line break/);
    expect(() => encodeValue('ab\\cd')).toThrow(/backslash/); // compose v1 unescapes it, the others do not
    expect(() => encodeValue('a${X}b')).toThrow(/"\$\{"/); // compose v1 expands it even in single quotes
  });
});

describe('.env files', () => {
  it('serialize(parse(text)) gives back the text byte for byte', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.tuple(key, encodable).map(([k, v]) => `${k}=${encodeValue(v)}`),
            fc
              .string({ maxLength: 30 })
              .filter((s) => !s.includes('\n'))
              .map((s) => `# ${s}`),
            fc.constant(''),
            fc.constant('export FOO="bar baz"'),
          ),
          { maxLength: 20 },
        ),
        fc.boolean(),
        (lines, nl) => {
          const text = lines.join('\n') + (nl && lines.length ? '\n' : '');
          expect(serializeEnv(parseEnv(text))).toBe(text);
        },
      ),
    );
  });
  it('setEnv changes only the line of its key and keeps every other line as it was', () => {
    const text = '# mine\nA=1\nCUSTOM="keep  me"  # note\nB=2\n';
    const out = serializeEnv(setEnv(parseEnv(text), 'A', 'x y'));
    expect(out).toBe('# mine\nA=\'x y\'\nCUSTOM="keep  me"  # note\nB=2\n');
  });
  it('setEnv with the current value leaves the file identical; a new key is appended', () => {
    const f = parseEnv('A=1\n');
    expect(setEnv(f, 'A', '1')).toBe(f);
    expect(serializeEnv(setEnv(f, 'Z', '9'))).toBe('A=1\nZ=9\n');
  });
});

describe('multi-line values (a PEM key as dotenv and compose v2 read it)', () => {
  const text = 'A=1\nKEY="-----BEGIN-----\nline2\n-----END-----"\nB=2\nC=\'x\ny\'\n';
  it('are one entry, read whole, and written back byte for byte', () => {
    const f = parseEnv(text);
    expect(f.lines.map((l) => l.key)).toEqual(['A', 'KEY', 'B', 'C']);
    expect(getEnv(f, 'KEY')).toBe('-----BEGIN-----\nline2\n-----END-----');
    expect(getEnv(f, 'C')).toBe('x\ny');
    expect(serializeEnv(f)).toBe(text);
  });
  it('an unclosed quote reads its line alone, unquoted, as dotenv does; the lines after it keep their keys', () => {
    const f = parseEnv('A="open\nB=2');
    expect(f.lines.map((l) => l.key)).toEqual(['A', 'B']);
    expect(toRecord(f)).toEqual({ A: '"open', B: '2' });
  });
  it('a value is quoted only up to a quote with nothing but a comment after it, as dotenv reads it', () => {
    // An unescaped quote followed by more text ends dotenv's quoted reading: the line is read unquoted.
    expect(toRecord(parseEnv('A="x" y\nB=1\n'))).toEqual({ A: '"x" y', B: '1' });
    // A quote after a backslash may be inside the value: it spans lines to the closing one.
    const text = 'A="a\\" b\nc" # note\nB=1\n';
    const f = parseEnv(text);
    expect(f.lines.map((l) => l.key)).toEqual(['A', 'B']);
    expect(toRecord(f)).toEqual({ ...dotenvParse(text) });
    expect(getEnv(f, 'A')).toBe('a\\" b\nc');
  });
});

// A .env written by hand, with what people write: every value must be what dotenv.parse reads. Compose reads
// two of these differently (test/cli/env-readers.test.ts); the writer never writes either form.
const HAND =
  [
    '# hand-written, CRLF endings',
    'PLAIN=value # inline comment',
    'HASHED=a#b', // dotenv: "a"; compose v1 and v2: "a#b"
    'export EXPORTED=yes',
    'DQ="tab\\there \\"quoted\\" line\\nbreak"', // dotenv expands only \n and \r; compose unescapes all
    "SQ='literal $HOME \\n # not a comment'",
    'PEM="-----BEGIN PRIVATE KEY-----',
    'MIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEAAkEA',
    '-----END PRIVATE KEY-----"',
    'DUP=first',
    'SPACED = around ',
    'DUP=second',
  ].join('\r\n') + '\r\n';

describe('a hand-written .env reads as dotenv.parse reads it', () => {
  const f = parseEnv(HAND);
  it('every value, the whole file at once', () => {
    expect(toRecord(f)).toEqual({ ...dotenvParse(HAND) });
    expect(toRecord(f)).toEqual({
      PLAIN: 'value',
      HASHED: 'a',
      EXPORTED: 'yes',
      DQ: 'tab\\there \\"quoted\\" line\nbreak',
      SQ: 'literal $HOME \\n # not a comment',
      PEM: '-----BEGIN PRIVATE KEY-----\nMIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEAAkEA\n-----END PRIVATE KEY-----',
      DUP: 'second',
      SPACED: 'around',
    });
  });
  it('a duplicate key: the last assignment wins, in dotenv as in compose v1 and v2', () => {
    expect(getEnv(f, 'DUP')).toBe('second');
    expect(f.lines.filter((l) => l.key === 'DUP').map((l) => l.value)).toEqual(['first', 'second']);
  });
  it('the PEM value is one entry of three lines; the file is written back byte for byte', () => {
    expect(f.lines.map((l) => l.key)).toEqual([
      undefined,
      'PLAIN',
      'HASHED',
      'EXPORTED',
      'DQ',
      'SQ',
      'PEM',
      'DUP',
      'SPACED',
      'DUP',
    ]);
    expect(f.lines.find((l) => l.key === 'PEM')!.raw.split('\n')).toHaveLength(3);
    expect(serializeEnv(f)).toBe(HAND);
  });
  it('setEnv rewrites the effective (last) assignment only; deleteEnv takes every line of the key', () => {
    const set = serializeEnv(setEnv(f, 'DUP', 'third'));
    expect(set).toBe(HAND.replace('DUP=second\r\n', 'DUP=third\n'));
    expect(dotenvParse(set).DUP).toBe('third');
    expect(setEnv(f, 'DUP', 'second')).toBe(f);
    const deleted = deleteEnv(deleteEnv(f, 'PEM'), 'DUP');
    expect(serializeEnv(deleted)).toBe(HAND.replace(/PEM="[^"]*"\r\n/, '').replace(/DUP=\w+\r\n/g, ''));
    expect(toRecord(deleted)).toEqual({ ...dotenvParse(serializeEnv(deleted)) });
  });
});

/** Lines people write, including the forms the readers disagree on and values that span lines. */
const handLine = fc.oneof(
  fc.constantFrom(
    '',
    '# comment',
    '  # indented comment',
    'garbage without equals',
    'A-B=dash',
    '1A=digit',
    'K: yaml style',
  ),
  fc
    .tuple(
      fc.constantFrom('A', 'B', 'C', 'export A', 'B ', ' C'),
      fc.constantFrom('=', ' = ', '= '),
      fc.oneof(
        fc.stringMatching(/^[a-z #"'`\\=$]{0,8}$/),
        fc
          .tuple(
            fc.constantFrom('"', "'", '`'),
            fc.stringMatching(/^[a-z #"'`\\\n]{0,12}$/),
            fc.constantFrom('"', "'", '`', ''),
            fc.constantFrom('', ' # c', ' x'),
          )
          .map(([open, body, close, after]) => `${open}${body}${close}${after}`),
      ),
    )
    .map(([k, eq, v]) => `${k}${eq}${v}`),
);

describe('generated hand-written files', () => {
  it('each line holds the key dotenv reads there, with its value; the file reads as dotenv.parse reads it', () => {
    fc.assert(
      fc.property(fc.array(handLine, { maxLength: 12 }), fc.constantFrom('\n', '\r\n'), (lines, eol) => {
        const text = lines.join(eol) + eol;
        const f = parseEnv(text);
        const whole = dotenvParse(text);
        expect(toRecord(f)).toEqual({ ...whole });
        expect(serializeEnv(f)).toBe(text);
        // The last line of each key holds the value the whole file reads, so setEnv rewrites the right line.
        const lastOf = new Map(f.lines.filter((l) => l.key !== undefined).map((l) => [l.key!, l.value]));
        expect(Object.fromEntries(lastOf)).toEqual({ ...whole });
      }),
      { numRuns: 5_000, seed: 21 },
    );
  });
});
