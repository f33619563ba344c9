// The age v1 header (spec, "Header"): the version line, one or more stanzas ("-> type args…" then the body in
// base64 lines of 64 columns, the last one shorter, possibly empty), then "--- " and the MAC: HMAC-SHA256 under
// HKDF-SHA256(ikm = file key, salt empty, info "header") over the header up to and including "---".
import { b64, hkdf, hmac, unb64 } from './primitives.js';

export const INTRO = 'age-encryption.org/v1';
/** A header larger than this is refused (ours are a few hundred bytes): no unbounded buffering. */
export const MAX_HEADER = 64 * 1024;

export interface Stanza { type: string; args: string[]; body: Uint8Array }

const ARG = /^[\x21-\x7e]+$/;

function stanzaText(s: Stanza): string {
  const body = b64(s.body);
  const lines: string[] = [];
  for (let i = 0; i < body.length; i += 64) lines.push(body.slice(i, i + 64));
  if (body.length % 64 === 0) lines.push(''); // the last line is always shorter than 64 columns
  return `-> ${[s.type, ...s.args].join(' ')}\n${lines.join('\n')}\n`;
}

export function headerMac(fileKey: Uint8Array, upToDashes: string): Buffer {
  return hmac(hkdf(fileKey, new Uint8Array(0), 'header'), Buffer.from(upToDashes, 'latin1'));
}

/** The header bytes, ending with "--- <mac>\n". */
export function writeHeader(stanzas: Stanza[], fileKey: Uint8Array): Buffer {
  const upTo = `${INTRO}\n${stanzas.map(stanzaText).join('')}---`;
  return Buffer.from(`${upTo} ${b64(headerMac(fileKey, upTo))}\n`, 'latin1');
}

export interface ParsedHeader { stanzas: Stanza[]; mac: Buffer; upToDashes: string }

/** Parses the header text (without its final newline); throws naming what is malformed. */
export function parseHeader(text: string): ParsedHeader {
  const bad = (why: string) => new Error(`malformed age header: ${why}`);
  const lines = text.split('\n');
  if (lines[0] !== INTRO) throw bad(`unknown version line (expected "${INTRO}")`);
  const stanzas: Stanza[] = [];
  let i = 1;
  for (;;) {
    const line = lines[i];
    if (line === undefined) throw bad('no MAC line');
    if (line.startsWith('--- ')) {
      if (i !== lines.length - 1) throw bad('data after the MAC line');
      break;
    }
    if (!line.startsWith('-> ')) throw bad(`unexpected line ${i + 1}`);
    const [type, ...args] = line.slice(3).split(' ');
    if (!type || ![type, ...args].every((a) => ARG.test(a))) throw bad(`invalid stanza line ${i + 1}`);
    i++;
    let body = '';
    for (;;) {
      const l = lines[i];
      if (l === undefined) throw bad('stanza body not terminated');
      if (l.length > 64) throw bad(`stanza body line ${i + 1} longer than 64 columns`);
      body += l;
      i++;
      if (l.length < 64) break;
    }
    stanzas.push({ type, args, body: unb64(body) });
  }
  if (!stanzas.length) throw bad('no recipient stanza');
  const macLine = lines[i]!;
  const mac = unb64(macLine.slice(4));
  if (mac.length !== 32) throw bad('MAC of the wrong length');
  const upToDashes = `${lines.slice(0, i).join('\n')}\n---`;
  return { stanzas, mac, upToDashes };
}
