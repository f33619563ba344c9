// Row 12/13 of issue 8: one spelling per IP address and e-mail, zone ids and unspecified addresses refused,
// database paths normalised before they are checked.
import { describe, expect, it } from 'vitest';
import { canonicalEmail, canonicalIp, hostPathError, ipError, parseList } from '../../src/core/validate.js';
import { normalizeDbPath } from '../../src/core/db-path.js';

describe('IP addresses', () => {
  it('IPv6 is lower case and compressed (RFC 5952)', () => {
    expect(canonicalIp('2001:DB8::1')).toBe('2001:db8::1');
    expect(canonicalIp('2001:0db8:0000:0000:0000:ff00:0042:8329')).toBe('2001:db8::ff00:42:8329');
    expect(canonicalIp('1:0:0:2:0:0:0:3')).toBe('1:0:0:2::3');
    expect(canonicalIp('0:0:0:0:0:0:0:1')).toBe('::1');
    expect(canonicalIp('1:0:1:1:1:1:1:1')).toBe('1:0:1:1:1:1:1:1'); // a single zero group is not compressed
    expect(canonicalIp('::FFFF:0102:0304')).toBe('::ffff:1.2.3.4');
    expect(canonicalIp('203.0.113.7')).toBe('203.0.113.7');
  });
  it('agrees with the WHATWG URL parser on 20,000 random addresses', () => {
    for (let k = 0; k < 20_000; k++) {
      const g = Array.from({ length: 8 }, () => (Math.random() < 0.5 ? 0 : Math.floor(Math.random() * 65536)));
      const s = g.map((x) => x.toString(16).toUpperCase()).join(':');
      const url = new URL(`http://[${s}]`).hostname.slice(1, -1);
      if (url.startsWith('::ffff:')) continue;
      expect(canonicalIp(s), s).toBe(url);
    }
  });
  it('refuses zone ids, unspecified addresses and CIDR ranges, naming what is allowed', () => {
    expect(ipError('fe80::1%eth0')).toMatch(/zone id/);
    expect(ipError('0.0.0.0')).toMatch(/unspecified/);
    expect(ipError('::')).toMatch(/unspecified/);
    expect(ipError('0:0::0')).toMatch(/unspecified/);
    expect(ipError('10.0.0.0/8')).toMatch(/CIDR/);
    expect(ipError('2001:db8::1')).toBeUndefined();
  });
  it('lists are canonical and without duplicates', () => {
    expect(parseList('2001:DB8::1, 2001:db8:0::1,203.0.113.7', ipError, canonicalIp).items).toEqual([
      '2001:db8::1',
      '203.0.113.7',
    ]);
    expect(parseList('Ops@Example.com,ops@example.COM', () => undefined, canonicalEmail).items).toEqual([
      'ops@example.com',
    ]);
  });
});

describe('database paths', () => {
  it('are normalised before they are checked', () => {
    expect(normalizeDbPath('//')).toBe('/');
    expect(normalizeDbPath('/srv//db/./x/../')).toBe('/srv/db');
    expect(hostPathError('//')).toMatch(/cannot be \//);
    expect(hostPathError('/srv/x/../../etc')).toMatch(/system directory/);
    expect(hostPathError('/etc/')).toMatch(/system directory/);
  });
  it('refuses system and shared directories, allows a directory of its own', () => {
    for (const p of [
      '/',
      '/etc',
      '/etc/mysql',
      '/root',
      '/usr/local/db',
      '/bin',
      '/sbin',
      '/lib',
      '/lib64',
      '/boot',
      '/dev',
      '/proc/1',
      '/sys',
      '/run',
      '/var/lib/docker',
      '/var/lib/docker/volumes/x',
      '/var/run',
      '/home',
      '/home/alice',
      '/tmp',
    ]) {
      expect(hostPathError(p), p).toMatch(/Allowed|allowed/);
    }
    for (const p of ['/srv/appwrite/mariadb', '/home/alice/appwrite-db', '/tmp/db', '/var/lib/appwrite-db', '/data']) {
      expect(hostPathError(p), p).toBeUndefined();
    }
  });
});
