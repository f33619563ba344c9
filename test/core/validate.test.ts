import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  canonicalIp,
  domainError,
  domainWarning,
  emailError,
  hostPathError,
  hostnameError,
  ipError,
  parseList,
  portError,
} from '../../src/core/validate.js';

const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?$/);

describe('host names (RFC 1123)', () => {
  it('accepts any dot-joined valid labels', () => {
    fc.assert(
      fc.property(fc.array(label, { minLength: 1, maxLength: 5 }), (labels) => {
        expect(hostnameError(labels.join('.'))).toBeUndefined();
      }),
    );
  });
  it('rejects anything with a character outside letters, digits, hyphen and dot', () => {
    fc.assert(
      fc.property(
        label,
        fc.constantFrom(' ', '\n', '$', '(', ')', '`', ';', '/', '_', '*', '"', "'"),
        label,
        (a, bad, b) => {
          expect(hostnameError(`${a}${bad}${b}.example.com`)).toMatch(/not a valid host name/);
        },
      ),
    );
  });
  it('rejects command substitution, newlines, empty labels and leading hyphens', () => {
    for (const bad of [
      '$(reboot).example.com',
      'a.example.com\nX=1',
      'a..example.com',
      '-a.example.com',
      'a-.example.com',
      '',
      'x'.repeat(64) + '.com',
    ]) {
      expect(hostnameError(bad), bad).toBeDefined();
    }
  });
  it('accepts IP literals and localhost as a domain, with a warning', () => {
    for (const ok of ['203.0.113.9', '2001:db8::1', 'localhost']) {
      expect(domainError(ok)).toBeUndefined();
      expect(domainWarning(ok)).toBeDefined();
    }
    expect(domainWarning('appwrite.example.com')).toBeUndefined();
  });
});

describe('e-mail addresses', () => {
  it('accepts ordinary addresses', () => {
    for (const ok of ['admin@example.com', 'first.last+tag@sub.example.co.uk', 'x_y@a-b.io'])
      expect(emailError(ok), ok).toBeUndefined();
  });
  it('rejects malformed ones, and any with a comma, space or newline (they would break the list)', () => {
    for (const bad of [
      '',
      'admin',
      'admin@',
      '@example.com',
      'a@b',
      'a b@example.com',
      'a,b@example.com',
      'a@example.com\n',
      'a..b@example.com',
      'a@-x.com',
    ]) {
      expect(emailError(bad), JSON.stringify(bad)).toBeDefined();
    }
  });
});

describe('console IP whitelist entries', () => {
  it('accepts exact IPv4 and IPv6 addresses', () => {
    // The unspecified addresses (0.0.0.0, ::) are no client's address: refused (test/safety/canonical.test.ts).
    const specified = (ip: string) => canonicalIp(ip) !== '0.0.0.0' && canonicalIp(ip) !== '::';
    fc.assert(
      fc.property(fc.ipV4().filter(specified), (ip) => {
        expect(ipError(ip)).toBeUndefined();
      }),
    );
    fc.assert(
      fc.property(fc.ipV6().filter(specified), (ip) => {
        expect(ipError(ip)).toBeUndefined();
      }),
    );
  });
  it('rejects CIDR ranges, explaining that Appwrite matches exact addresses', () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.integer({ min: 0, max: 32 }), (ip, bits) => {
        expect(ipError(`${ip}/${bits}`)).toMatch(/CIDR.*exact addresses/);
      }),
    );
  });
  it('rejects host names', () => expect(ipError('example.com')).toMatch(/not an IPv4 or IPv6/));
});

describe('lists, ports, paths', () => {
  it('splits, trims and de-duplicates a list; the first bad item is the error', () => {
    expect(parseList(' 10.0.0.1, 10.0.0.2 ,10.0.0.1', ipError)).toEqual({ items: ['10.0.0.1', '10.0.0.2'] });
    expect(parseList('10.0.0.1,10.0.0.0/8', ipError).error).toMatch(/CIDR/);
    expect(parseList(' , ', ipError).error).toMatch(/at least one/);
  });
  it('ports are integers 1-65535', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 65535 }), (n) => {
        expect(portError(String(n))).toBeUndefined();
      }),
    );
    for (const bad of ['0', '65536', '-1', '80a', '', '1.5']) expect(portError(bad), bad).toBeDefined();
  });
  it('database paths are absolute and free of compose-volume separators', () => {
    expect(hostPathError('/srv/appwrite/db')).toBeUndefined();
    for (const bad of ['relative/db', '/srv/a:b', '/srv/$HOME', '/srv/a\nb', '/'])
      expect(hostPathError(bad), bad).toBeDefined();
  });
});
