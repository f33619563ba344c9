// IPv4/IPv6 address checks with exactly node:net's isIPv4/isIPv6 answers (test/unit/ip.test.ts compares them),
// written out because node's isIPv6 is one very large regular expression whose first use costs ~4.5 ms of a
// ~100 ms run (measured in a CPU profile of a fresh generation).

const V4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]\d|\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]\d|\d)$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;
/** A zone after `%` (fe80::1%eth0), with the characters node accepts. */
const ZONE = /^[0-9a-zA-Z.:-]+$/;

export const isIPv4 = (s: string): boolean => V4.test(s);

export function isIPv6(s: string): boolean {
  let addr = s;
  const pct = s.indexOf('%');
  if (pct >= 0) {
    if (!ZONE.test(s.slice(pct + 1))) return false;
    addr = s.slice(0, pct);
  }
  const lastColon = addr.lastIndexOf(':');
  if (lastColon < 0) return false;
  // A dotted IPv4 tail stands for the last two groups: checked here, counted as one group plus one below.
  let groups = 8;
  const tail = addr.slice(lastColon + 1);
  if (tail.includes('.')) {
    if (!isIPv4(tail)) return false;
    addr = `${addr.slice(0, lastColon + 1)}0`;
    groups = 7;
  }
  const gap = addr.indexOf('::');
  if (gap >= 0 && addr.indexOf('::', gap + 1) >= 0) return false;
  const sides = gap >= 0 ? [addr.slice(0, gap), addr.slice(gap + 2)] : [addr];
  let count = 0;
  for (const side of sides) {
    if (side === '') continue;
    for (const g of side.split(':')) {
      if (!HEX_GROUP.test(g)) return false;
      count++;
    }
  }
  // `::` stands for at least one group.
  return gap >= 0 ? count < groups : count === groups;
}
