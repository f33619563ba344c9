// src/core/ip.ts must answer exactly as node:net does, on generated addresses and on random near-misses.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as net from 'node:net';
import { isIPv4, isIPv6 } from '../../src/core/ip.js';

const same = (s: string) => {
  expect(isIPv4(s), `isIPv4(${JSON.stringify(s)})`).toBe(net.isIPv4(s));
  expect(isIPv6(s), `isIPv6(${JSON.stringify(s)})`).toBe(net.isIPv6(s));
};

describe('IP address checks (node:net semantics)', () => {
  it('hand-picked cases, valid and not', () => {
    for (const s of ['1.2.3.4', '255.255.255.255', '256.1.1.1', '01.2.3.4', '1.2.3', '::', '::1', '1::', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7::',
      '::2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8::', '1::2::3', ':1:2:3:4:5:6:7', '::ffff:1.2.3.4', '1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:7:1.2.3.4',
      '::1.2.3.4', '::ffff:1.2.3', 'fe80::1%eth0', 'fe80::1%', 'fe80::1%a%b', 'fe80::1%en-0.1:2', '2001:db8::7', '2001:DB8::7', '12345::1',
      'g::1', '', ':', ':::', '1.2.3.4::', '::1.2.3.4:1', ' ::1', '::1 ']) same(s);
  });

  it('property: generated addresses (full, compressed, with IPv4 tails and zones) agree', () => {
    const group = fc.integer({ min: 0, max: 0xffff }).map((n) => n.toString(16));
    const v4 = fc.tuple(fc.nat(300), fc.nat(300), fc.nat(300), fc.nat(300)).map((p) => p.join('.'));
    const addr = fc.tuple(fc.array(group, { maxLength: 9 }), fc.nat(9), fc.boolean(), fc.option(v4), fc.option(fc.stringMatching(/^[a-z0-9.%:-]{0,4}$/)))
      .map(([gs, at, compress, tail, zone]) => {
        const parts = gs.map(String);
        if (compress) parts.splice(Math.min(at, parts.length), 0, '');
        let s = parts.join(':');
        if (compress && s.startsWith(':')) s = `:${s}`;
        if (compress && s.endsWith(':')) s = `${s}:`;
        if (tail !== null) s = `${s}:${tail}`;
        return zone !== null ? `${s}%${zone}` : s;
      });
    fc.assert(fc.property(addr, (s) => { same(s); }), { numRuns: 5000 });
  });

  it('property: random strings over the address alphabet agree', () => {
    fc.assert(fc.property(fc.stringMatching(/^[0-9a-fA-G:.%x -]{0,24}$/), (s) => { same(s); }), { numRuns: 5000 });
  });
});
