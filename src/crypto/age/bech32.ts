// Bech32 (BIP 173, the original checksum constant 1, not Bech32m) as age uses it for keys: recipients are
// "age1…" (HRP "age"), identities "AGE-SECRET-KEY-1…" (upper case, HRP "age-secret-key-"). age lifts BIP 173's
// 90-character limit. Source of the facts: BIP 173 and the age v1 spec (C2SP age.md, "Recipients and identities").
const CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const GEN = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];

function polymod(values: number[]): number {
  let chk = 1;
  for (const v of values) {
    const top = chk >>> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) chk ^= GEN[i]!;
  }
  return chk >>> 0;
}

function hrpExpand(hrp: string): number[] {
  const out: number[] = [];
  for (const c of hrp) out.push(c.charCodeAt(0) >> 5);
  out.push(0);
  for (const c of hrp) out.push(c.charCodeAt(0) & 31);
  return out;
}

/** Regroups bits (8 → 5 with padding, 5 → 8 refusing non-zero or excess padding). */
function convertBits(data: ArrayLike<number>, from: number, to: number, pad: boolean): number[] {
  let acc = 0;
  let bits = 0;
  const out: number[] = [];
  const max = (1 << to) - 1;
  for (let i = 0; i < data.length; i++) {
    acc = (acc << from) | data[i]!;
    bits += from;
    while (bits >= to) {
      bits -= to;
      out.push((acc >> bits) & max);
    }
    acc &= (1 << bits) - 1;
  }
  if (pad) {
    if (bits > 0) out.push((acc << (to - bits)) & max);
  } else if (bits >= from || acc !== 0) {
    throw new Error('invalid bech32 padding');
  }
  return out;
}

export function bech32Encode(hrp: string, bytes: Uint8Array): string {
  const lower = hrp.toLowerCase();
  const data = convertBits(bytes, 8, 5, true);
  const mod = polymod([...hrpExpand(lower), ...data, 0, 0, 0, 0, 0, 0]) ^ 1;
  const checksum = Array.from({ length: 6 }, (_, i) => (mod >>> (5 * (5 - i))) & 31);
  return `${lower}1${[...data, ...checksum].map((d) => CHARSET[d]).join('')}`;
}

/** { hrp (lower case), bytes }; throws on a bad checksum, mixed case or a character outside the alphabet. */
export function bech32Decode(text: string): { hrp: string; bytes: Uint8Array } {
  if (text !== text.toLowerCase() && text !== text.toUpperCase()) throw new Error('invalid bech32: mixed case');
  const s = text.toLowerCase();
  const sep = s.lastIndexOf('1');
  if (sep < 1 || sep + 7 > s.length) throw new Error('invalid bech32: no separator or too short');
  const hrp = s.slice(0, sep);
  for (const c of hrp) if (c.charCodeAt(0) < 33 || c.charCodeAt(0) > 126) throw new Error('invalid bech32: bad prefix');
  const data: number[] = [];
  for (const c of s.slice(sep + 1)) {
    const d = CHARSET.indexOf(c);
    if (d < 0) throw new Error(`invalid bech32: character "${c}"`);
    data.push(d);
  }
  if (polymod([...hrpExpand(hrp), ...data]) !== 1) throw new Error('invalid bech32 checksum');
  return { hrp, bytes: Uint8Array.from(convertBits(data.slice(0, -6), 5, 8, false)) };
}
