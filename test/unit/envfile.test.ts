import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parse as dotenvParse } from 'dotenv';
import { decodeValue, encodeValue, getEnv, parseEnv, serializeEnv, setEnv } from '../../src/engine/envfile.js';

// Values the encoder must accept: anything without a single quote or a line break.
const encodable = fc.string({ unit: 'binary', maxLength: 40 }).filter((s) => !/['\\\n\r\u0000]|\$\{/.test(s));
const key = fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,15}$/);

describe('.env value encoding', () => {
  it('round-trips every encodable value through our parser', () => {
    fc.assert(fc.property(key, encodable, (k, v) => {
      expect(getEnv(parseEnv(`${k}=${encodeValue(v)}\n`), k)).toBe(v);
    }));
  });
  it('is read back identically by the dotenv package', () => {
    fc.assert(fc.property(key, encodable, (k, v) => {
      // dotenv trims unquoted values; our encoder only leaves values of safe characters unquoted.
      expect(dotenvParse(`${k}=${encodeValue(v)}\n`)[k]).toBe(v);
    }));
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
  it('decodes the usual forms', () => {
    expect(decodeValue('plain # comment')).toBe('plain');
    expect(decodeValue("'lit $x # y'")).toBe('lit $x # y');
    expect(decodeValue('"a\\"b\\nc"')).toBe('a"b\nc');
  });
});

describe('.env files', () => {
  it('serialize(parse(text)) gives back the text byte for byte', () => {
    fc.assert(fc.property(fc.array(fc.oneof(
      fc.tuple(key, encodable).map(([k, v]) => `${k}=${encodeValue(v)}`),
      fc.string({ maxLength: 30 }).filter((s) => !s.includes('\n')).map((s) => `# ${s}`),
      fc.constant(''),
      fc.constant('export FOO="bar baz"'),
    ), { maxLength: 20 }), fc.boolean(), (lines, nl) => {
      const text = lines.join('\n') + (nl && lines.length ? '\n' : '');
      expect(serializeEnv(parseEnv(text))).toBe(text);
    }));
  });
  it('setEnv changes only the line of its key and keeps every other line as it was', () => {
    const text = '# mine\nA=1\nCUSTOM="keep  me"  # note\nB=2\n';
    const out = serializeEnv(setEnv(parseEnv(text), 'A', 'x y'));
    expect(out).toBe("# mine\nA='x y'\nCUSTOM=\"keep  me\"  # note\nB=2\n");
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
  it('an unclosed quote at the end of the file does not swallow an error', () => {
    expect(getEnv(parseEnv('A="open\nB=2'), 'A')).toBe('open\nB=2');
  });
});
