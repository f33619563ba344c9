// The backup archive format (src/commands/archive.ts): tar + manifest + age, without Docker.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateIdentity, identityToRecipient } from 'age-encryption';
import {
  ArchiveError,
  CHUNK,
  decrypt,
  encrypt,
  entryHeader,
  MANIFEST,
  streamParts,
  tarArchive,
  verifyArchive,
  type Manifest,
  type PartInput,
} from '../../src/commands/archive.js';

const BASE: Omit<Manifest, 'parts'> = {
  format: 'harden-init-backup',
  version: 1,
  created: '2026-11-25T10:00:00.000Z',
  tool: 'test',
  release: '2.7.1',
  dir: '/srv/appwrite',
};
const enc = (s: string) => new Uint8Array(Buffer.from(s));
/** A ustar header block with its type flag changed and its checksum made right again. */
function withType(h: Buffer, type: string): Buffer {
  const b = Buffer.from(h);
  b.write(type, 156, 'latin1');
  b.write('        ', 148, 'latin1');
  let sum = 0;
  for (const x of b) sum += x;
  b.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return b;
}

async function collect(it: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const b of it) out.push(Buffer.from(b));
  return Buffer.concat(out);
}
async function* once(b: Uint8Array): AsyncGenerator<Uint8Array> {
  yield b;
}
/** Splits a buffer into pieces of the given sizes (cycling), as a pipe would deliver it. */
async function* pieces(b: Buffer, sizes: number[]): AsyncGenerator<Uint8Array> {
  let o = 0;
  for (let i = 0; o < b.length; i++) {
    const n = Math.max(1, sizes[i % sizes.length]!);
    yield new Uint8Array(b.subarray(o, o + n));
    o += n;
  }
}
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function sampleParts(dump: Buffer, volume: Buffer): PartInput[] {
  return [
    { kind: 'file', name: '.env', data: enc('_APP_OPENSSL_KEY_V1=secret-key-value\n'), mode: 0o600 },
    { kind: 'file', name: 'docker-compose.yml', data: enc('services: {}\n'), mode: 0o644 },
    { kind: 'file', name: '.harden-init/state.json', data: enc('{"schema":1}\n'), mode: 0o600 },
    { kind: 'stream', name: 'db/postgresql.sql', engine: 'postgresql', open: () => pieces(dump, [1000, 7, 65536]) },
    {
      kind: 'stream',
      name: 'volumes/appwrite-uploads.tar',
      volume: 'appwrite-uploads',
      open: () => pieces(volume, [4096]),
    },
  ];
}

describe('archive: tar + manifest', () => {
  it('the manifest lists each part with size and SHA-256; files come back; streamed parts re-stream identically', async () => {
    const dump = Buffer.from('CREATE TABLE t (id int);\n'.repeat(1000));
    const volume = Buffer.alloc(CHUNK * 2 + 123, 7); // three chunks
    const tar = await collect(tarArchive(sampleParts(dump, volume), BASE));
    const v = await verifyArchive(once(tar));
    expect(v.manifest.parts.map((p) => [p.name, p.kind, p.size, p.chunks])).toEqual([
      ['.env', 'file', 37, undefined],
      ['docker-compose.yml', 'file', 13, undefined],
      ['.harden-init/state.json', 'file', 13, undefined],
      ['db/postgresql.sql', 'stream', dump.length, 1],
      ['volumes/appwrite-uploads.tar', 'stream', volume.length, 3],
    ]);
    expect(v.manifest.parts.find((p) => p.name === 'volumes/appwrite-uploads.tar')).toMatchObject({
      sha256: sha(volume),
      volume: 'appwrite-uploads',
    });
    expect(v.manifest).toMatchObject({ release: '2.7.1', created: BASE.created, format: 'harden-init-backup' });
    expect(v.files.get('.env')!.toString()).toBe('_APP_OPENSSL_KEY_V1=secret-key-value\n');
    const got: Record<string, Buffer> = {};
    for await (const { part, data } of streamParts(once(tar), v.manifest)) got[part.name] = await collect(data);
    expect(got['db/postgresql.sql']!.equals(dump)).toBe(true);
    expect(got['volumes/appwrite-uploads.tar']!.equals(volume)).toBe(true);
  });

  it('GNU tar reads the archive: the files and the chunks of each part, whose concatenation is the part', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hi-archive-'));
    const dump = Buffer.from('x'.repeat(CHUNK + 10));
    const long = 'volumes/' + 'a'.repeat(120) + '.tar';
    const parts = [
      ...sampleParts(dump, Buffer.from('vol')),
      { kind: 'stream' as const, name: long, open: () => once(enc('long')) },
    ];
    writeFileSync(join(dir, 'a.tar'), await collect(tarArchive(parts, BASE)));
    const list = await execa('tar', ['-tvf', 'a.tar'], { cwd: dir });
    expect(String(list.stdout)).toMatch(/-rw------- root\/root\s+37 .* \.env/);
    await execa('tar', ['-xf', 'a.tar'], { cwd: dir });
    const cat = await execa(
      'sh',
      ['-c', 'cat db/postgresql.sql.* | sha256sum; cat volumes/aaa*.tar.000000; cat manifest.json'],
      { cwd: dir },
    );
    expect(String(cat.stdout)).toContain(sha(dump));
    expect(String(cat.stdout)).toContain('long');
    expect(JSON.parse(String(cat.stdout).slice(String(cat.stdout).indexOf('{'))).parts).toHaveLength(6);
  });

  it('property: any parts round-trip through tar + manifest byte for byte', async () => {
    const part = fc.record({
      file: fc.boolean(),
      name: fc
        .stringMatching(/^[a-z][a-z0-9._-]{0,40}(\/[a-z][a-z0-9_-]{0,140})?$/)
        .filter((n) => !/\.\d{6}$/.test(n) && n !== MANIFEST),
      data: fc.uint8Array({ maxLength: 3000 }),
      split: fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 5 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(part, { selector: (p) => p.name, maxLength: 6 }), async (ps) => {
        const inputs: PartInput[] = ps.map((p) =>
          p.file
            ? { kind: 'file', name: p.name, data: p.data, mode: 0o640 }
            : { kind: 'stream', name: p.name, open: () => pieces(Buffer.from(p.data), p.split) },
        );
        const tar = await collect(tarArchive(inputs, BASE));
        expect(tar.length % 512).toBe(0);
        const v = await verifyArchive(pieces(tar, [333, 512, 5000]));
        expect(v.manifest.parts.map((p) => [p.name, p.size, p.sha256])).toEqual(
          ps.map((p) => [p.name, p.data.length, sha(Buffer.from(p.data))]),
        );
        for (const p of ps.filter((x) => x.file)) expect(v.files.get(p.name)!.equals(Buffer.from(p.data))).toBe(true);
        const streamed = new Map<string, Buffer>();
        for await (const { part: mp, data } of streamParts(once(tar), v.manifest))
          streamed.set(mp.name, await collect(data));
        for (const p of ps.filter((x) => !x.file)) expect(streamed.get(p.name)!.equals(Buffer.from(p.data))).toBe(true);
      }),
      { numRuns: 60 },
    );
  });
});

describe('archive: tampering and truncation are detected before anything is used', () => {
  const dump = Buffer.from('INSERT INTO t VALUES (1);\n'.repeat(200));
  const build = async () => collect(tarArchive(sampleParts(dump, Buffer.from('volume-bytes')), BASE));

  it('a changed byte in a part: refused, naming the part', async () => {
    const tar = await build();
    const at = tar.indexOf('INSERT INTO t VALUES (1)');
    tar[at] = 'X'.charCodeAt(0);
    await expect(verifyArchive(once(tar))).rejects.toThrow(/db\/postgresql\.sql does not match the manifest/);
  });

  it('a changed manifest hash: refused', async () => {
    const tar = await build();
    const text = tar.toString('latin1');
    const m = /"sha256": "([0-9a-f]{64})"/.exec(text)!;
    const bad = Buffer.from(text.replace(m[1]!, '0'.repeat(64)), 'latin1');
    await expect(verifyArchive(once(bad))).rejects.toThrow(ArchiveError);
  });

  it('truncated: refused', async () => {
    const tar = await build();
    await expect(verifyArchive(once(tar.subarray(0, tar.length - 2048)))).rejects.toThrow(/truncated|no manifest/);
    await expect(verifyArchive(once(tar.subarray(0, 700)))).rejects.toThrow(/truncated/);
  });

  it('an entry the manifest does not list, or a part it lists that is missing: refused', async () => {
    const parts = sampleParts(dump, Buffer.from('v'));
    const fullTar = await collect(tarArchive(parts, BASE));
    const head = fullTar.subarray(0, fullTar.indexOf(Buffer.from('manifest.json')));
    // every part, then a manifest listing none
    await expect(verifyArchive(once(Buffer.concat([head, await collect(tarArchive([], BASE))])))).rejects.toThrow(
      /in the archive but not in its manifest/,
    );
    // no part, then the full manifest
    const manifestOnly = fullTar.subarray(fullTar.indexOf(Buffer.from('manifest.json')));
    await expect(verifyArchive(once(manifestOnly))).rejects.toThrow(
      /listed in the manifest but missing from the archive/,
    );
  });

  it('a malformed numeric header field (not octal, binary, out of range) is an ArchiveError naming the field', async () => {
    const tar = await collect(tarArchive([{ kind: 'file', name: 'ok', data: enc('x'), mode: 0o600 }], BASE));
    /** The tar with one header field of the first entry replaced, its checksum made right again (unless it is the field). */
    const withField = (offset: number, length: number, value: string | Buffer) => {
      const b = Buffer.from(tar);
      const v = typeof value === 'string' ? Buffer.from(value, 'latin1') : value;
      b.fill(0, offset, offset + length);
      v.copy(b, offset);
      if (offset !== 148) {
        b.write('        ', 148, 'latin1');
        let sum = 0;
        for (const x of b.subarray(0, 512)) sum += x;
        b.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
      }
      return b;
    };
    const cases: [number, number, string | Buffer, RegExp][] = [
      [124, 12, '0000000001x', /size "0000000001x" is not an octal number/],
      [124, 12, '-0000000001', /size "-0000000001" is not an octal number/],
      [124, 12, '00000000009', /size "00000000009" is not an octal number/],
      [124, 12, Buffer.from([0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]), /size is in binary form/],
      [100, 8, '0000z44', /mode "0000z44" is not an octal number/],
      [100, 8, '0177777', /mode 177777 is out of range/],
      [136, 12, 'yesterday', /mtime "yesterday" is not an octal number/],
      [148, 8, '12a456\0 ', /checksum "12a456" is not an octal number/],
      [148, 8, '0123456x', /checksum "0123456x" is not an octal number/],
    ];
    for (const [offset, length, value, message] of cases) {
      const err = await verifyArchive(once(withField(offset, length, value))).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err, String(value)).toBeInstanceOf(ArchiveError);
      expect((err as Error).message).toMatch(/^a tar header is damaged \(/);
      expect((err as Error).message).toMatch(message);
    }
    // A pax size that is not a plain count of bytes (NaN, negative, an exponent, beyond 2^53) is refused the same way.
    for (const bad of ['abc', '-1', '1e3', '99999999999999999']) {
      const body = ` size=${bad}\n`;
      const record = Buffer.from(`${body.length + 3}${body}`); // lengths of 10..99: two digits
      const paxHeader = withType(entryHeader('PaxHeaders/f', record.length, 0o644, 0), 'x');
      const file = entryHeader('f', 1, 0o600, 0);
      const bytes = Buffer.concat([
        paxHeader,
        record,
        Buffer.alloc(512 - record.length),
        file,
        Buffer.from('x'),
        Buffer.alloc(511),
        Buffer.alloc(1024),
      ]);
      const err = await verifyArchive(once(bytes)).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err, bad).toBeInstanceOf(ArchiveError);
      expect((err as Error).message, bad).toBe(
        `a tar extended header is damaged (size "${bad}" is not a number of bytes)`,
      );
    }
  });

  it('an unsafe entry name (absolute or ..) is refused', async () => {
    const tar = await collect(tarArchive([{ kind: 'file', name: 'ok', data: enc('x'), mode: 0o600 }], BASE));
    const bad = Buffer.from(tar);
    bad.write('../x', 0, 'utf8'); // damages the checksum too; either way refused
    await expect(verifyArchive(once(bad))).rejects.toThrow(ArchiveError);
  });
});

describe('archive: age encryption', () => {
  const plain = Buffer.from('_APP_OPENSSL_KEY_V1=the-key-in-clear\n'.repeat(100));

  it('passphrase: round trip; the ciphertext does not contain the plaintext; a wrong passphrase is refused', async () => {
    const cipher = await collect(await encrypt(once(plain), { passphrase: 'correct horse battery', workFactor: 10 }));
    expect(cipher.subarray(0, 21).toString()).toBe('age-encryption.org/v1');
    expect(cipher.includes(Buffer.from('the-key-in-clear'))).toBe(false);
    expect((await collect(await decrypt(once(cipher), { passphrase: 'correct horse battery' }))).equals(plain)).toBe(
      true,
    );
    await expect(decrypt(once(cipher), { passphrase: 'wrong' })).rejects.toThrow(
      /^cannot decrypt: wrong passphrase \(/,
    );
  });

  it('recipient / identity: round trip; another identity is refused; a flipped ciphertext byte is refused', async () => {
    const id = await generateIdentity();
    const cipher = await collect(await encrypt(once(plain), { recipient: await identityToRecipient(id) }));
    expect((await collect(await decrypt(once(cipher), { identities: [id] }))).equals(plain)).toBe(true);
    await expect(decrypt(once(cipher), { identities: [await generateIdentity()] })).rejects.toThrow(
      /^cannot decrypt: wrong identity: no key in the identity file matches the archive's recipient \(X25519\)$/,
    );
    const flipped = Buffer.from(cipher);
    flipped[flipped.length - 20]! ^= 1;
    await expect(collect(await decrypt(once(flipped), { identities: [id] }))).rejects.toThrow(ArchiveError);
  });

  it('the age CLI (Debian) decrypts what we write, when it is installed', async () => {
    const age = await execa('age', ['--version'], { reject: false });
    if (age.exitCode !== 0) return; // proven in the e2e suite, which installs it
    const dir = mkdtempSync(join(tmpdir(), 'hi-age-'));
    const id = await generateIdentity();
    writeFileSync(join(dir, 'key.txt'), `${id}\n`, { mode: 0o600 });
    writeFileSync(
      join(dir, 'a.age'),
      await collect(await encrypt(once(plain), { recipient: await identityToRecipient(id) })),
    );
    const r = await execa('age', ['-d', '-i', join(dir, 'key.txt'), join(dir, 'a.age')], {
      encoding: 'buffer',
      stripFinalNewline: false,
    });
    expect(Buffer.from(r.stdout as Uint8Array).equals(plain)).toBe(true);
  });
});

describe('backup: archive names and --keep', () => {
  it("names sort by time (milliseconds); --keep N deletes all but the N newest of harden-init's own names", async () => {
    const { archiveFileName, toPrune } = await import('../../src/commands/backup.js');
    const a = archiveFileName('2.7.1', new Date('2026-11-25T10:00:00.100Z'));
    const b = archiveFileName('2.7.1', new Date('2026-11-25T10:00:00.900Z'));
    const c = archiveFileName(undefined, new Date('2026-11-26T09:00:00.000Z'));
    expect(a).toBe('harden-init-backup-20261125T100000.100Z-appwrite-2.7.1.age');
    expect(toPrune([c, 'notes.txt', b, a, 'other.age'], 2)).toEqual([a]);
    expect(toPrune([a, b], 5)).toEqual([]);
  });
});
