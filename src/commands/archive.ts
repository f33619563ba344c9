// The backup archive: a tar stream (written and read here, POSIX ustar with pax headers for long names)
// encrypted with age (the age-encryption package, by age's author; any `age` tool decrypts it). It is never plaintext
// on disk.
//
// Layout of the tar, in this order:
//   .env, docker-compose.yml, [docker-compose.override.yml], [.harden-init/state.json]   files, as in the install
//   db/<engine>.sql.000000, .000001, ...     the database dump, streamed in chunks of at most CHUNK bytes
//   volumes/<volume>.tar.000000, ...          each data volume as a tar of its contents, chunked the same way
//   dirs/<service><path>.tar.000000, ...      host directories mounted at <path> (e.g. Langflow's SQLite config dir)
//   manifest.json                             last: format, release, created, and size + SHA-256 of each part
// A streamed part's size is unknown until it ends, and a tar header needs it first: so streamed parts are cut
// into entries of at most CHUNK bytes (the part is their concatenation, e.g. `cat db/postgresql.sql.* > dump.sql`).
// Memory stays bounded by CHUNK.
import { createHash } from 'node:crypto';
import { Decrypter, Encrypter, type Identity, type Stanza } from 'age-encryption';

export const FORMAT = 'harden-init-backup';
export const FORMAT_VERSION = 1;
export const MANIFEST = 'manifest.json';
export const CHUNK = 8 * 1024 * 1024;
const BLOCK = 512;
const CHUNK_SUFFIX = /^(.*)\.(\d{6})$/;

export interface ManifestPart {
  /** Name of the part: a file's path, or a streamed part's name (its entries are `<name>.NNNNNN`). */
  name: string;
  kind: 'file' | 'stream';
  size: number;
  sha256: string;
  /** Streamed parts: how many chunk entries. */
  chunks?: number;
  /** Files: the mode to restore. */
  mode?: number;
  /** Volumes: the compose volume key (e.g. appwrite-uploads). */
  volume?: string;
  /** Database dumps: the engine. */
  engine?: 'postgresql' | 'mariadb';
  /** Host directories (bind mounts): the service and the container path it is mounted at. */
  bind?: { service: string; path: string };
}

export interface Manifest {
  format: typeof FORMAT;
  version: number;
  created: string;
  tool: string;
  /** The product (target id); archives made before Langflow support have none: appwrite. */
  target?: string;
  release?: string;
  dir: string;
  /** What the dump holds (undefined: no dump, e.g. an external database). */
  database?: { engine: 'postgresql' | 'mariadb'; service: string; tool: string };
  parts: ManifestPart[];
}

/** One part to write: a small file (bytes) or a stream opened when its turn comes. */
export type PartInput =
  | { kind: 'file'; name: string; data: Uint8Array; mode: number }
  | {
      kind: 'stream';
      name: string;
      open: () => AsyncIterable<Uint8Array>;
      volume?: string;
      engine?: 'postgresql' | 'mariadb';
      bind?: { service: string; path: string };
    };

export class ArchiveError extends Error {}

// ---- tar --------------------------------------------------------------------------------------------------------

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, '0') + '\0';
}

function header(name: string, size: number, mode: number, type: '0' | 'x', mtime: number): Buffer {
  const h = Buffer.alloc(BLOCK);
  h.write(name, 0, 100, 'utf8');
  h.write(octal(mode & 0o7777, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii');
  h.write(octal(0, 8), 116, 'ascii');
  h.write(octal(size, 12), 124, 'ascii');
  h.write(octal(mtime, 12), 136, 'ascii');
  h.write('        ', 148, 'ascii');
  h.write(type, 156, 'ascii');
  h.write('ustar\0' + '00', 257, 'ascii');
  h.write('root', 265, 'ascii');
  h.write('root', 297, 'ascii');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(octal(sum, 7) + ' ', 148, 'ascii');
  return h;
}

function pad(size: number): Buffer {
  const r = size % BLOCK;
  return Buffer.alloc(r === 0 ? 0 : BLOCK - r);
}

/** The header block(s) of one entry: a pax extended header first when the name does not fit ustar's 100 bytes. */
export function entryHeader(name: string, size: number, mode: number, mtime: number): Buffer {
  if (Buffer.byteLength(name) < 100 && size < 0o77777777777) return header(name, size, mode, '0', mtime);
  const record = (k: string, v: string) => {
    const body = ` ${k}=${v}\n`;
    let len = Buffer.byteLength(body) + 1;
    while (String(len).length + Buffer.byteLength(body) !== len) len = String(len).length + Buffer.byteLength(body);
    return `${len}${body}`;
  };
  const pax = Buffer.from(record('path', name) + record('size', String(size)));
  const short = Buffer.from(name)
    .subarray(0, 99)
    .toString('utf8')
    .replace(/\uFFFD+$/, '');
  return Buffer.concat([
    header(`PaxHeaders/${short}`.slice(0, 99), pax.length, 0o644, 'x', mtime),
    pax,
    pad(pax.length),
    header(short, Math.min(size, 0o77777777777), mode, '0', mtime),
  ]);
}

const sha = () => createHash('sha256');

/** Progress of a streamed part: called with the bytes so far (and at the end with done=true). */
export type Progress = (part: string, bytes: number, done: boolean) => void;

/**
 * The archive's tar bytes for the given parts, then the manifest (filled in as the parts stream). `base` is the
 * manifest without parts. A stream that throws aborts the archive (the caller removes the unfinished file).
 */
export async function* tarArchive(
  parts: Iterable<PartInput> | AsyncIterable<PartInput>,
  base: Omit<Manifest, 'parts'>,
  progress?: Progress,
  onManifest?: (m: Manifest) => void,
): AsyncGenerator<Uint8Array> {
  const mtime = Math.floor(Date.parse(base.created) / 1000) || 0;
  const manifest: Manifest = { ...base, parts: [] };
  const names = new Set<string>();
  for await (const part of parts) {
    if (names.has(part.name) || part.name === MANIFEST || CHUNK_SUFFIX.test(part.name))
      throw new ArchiveError(`bad or duplicate part name: ${part.name}`);
    names.add(part.name);
    if (part.kind === 'file') {
      yield entryHeader(part.name, part.data.length, part.mode, mtime);
      yield part.data;
      yield pad(part.data.length);
      manifest.parts.push({
        name: part.name,
        kind: 'file',
        size: part.data.length,
        sha256: sha().update(part.data).digest('hex'),
        mode: part.mode,
      });
      continue;
    }
    const hash = sha();
    let size = 0;
    let chunks = 0;
    let buf: Buffer[] = [];
    let buffered = 0;
    let lastReport = 0;
    const flush = function* (): Generator<Uint8Array> {
      const data = Buffer.concat(buf, buffered);
      yield entryHeader(`${part.name}.${String(chunks).padStart(6, '0')}`, data.length, 0o600, mtime);
      yield data;
      yield pad(data.length);
      chunks++;
      buf = [];
      buffered = 0;
    };
    for await (const piece of part.open()) {
      let b = Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
      hash.update(b);
      size += b.length;
      while (b.length > 0) {
        const take = Math.min(b.length, CHUNK - buffered);
        buf.push(Buffer.from(b.subarray(0, take))); // copied: the producer may reuse its buffer
        buffered += take;
        b = b.subarray(take);
        if (buffered === CHUNK) yield* flush();
      }
      if (progress && size - lastReport >= 64 * 1024 * 1024) {
        lastReport = size;
        progress(part.name, size, false);
      }
    }
    if (buffered > 0 || chunks === 0) yield* flush();
    progress?.(part.name, size, true);
    manifest.parts.push({
      name: part.name,
      kind: 'stream',
      size,
      sha256: hash.digest('hex'),
      chunks,
      ...(part.volume ? { volume: part.volume } : {}),
      ...(part.engine ? { engine: part.engine } : {}),
      ...(part.bind ? { bind: part.bind } : {}),
    });
  }
  onManifest?.(manifest);
  const m = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
  yield entryHeader(MANIFEST, m.length, 0o600, mtime);
  yield m;
  yield pad(m.length);
  yield Buffer.alloc(BLOCK * 2);
}

/**
 * A numeric header field: octal digits, padded with leading spaces or zeros and ended by NUL or space (empty: 0).
 * Anything else is a damaged header, named here: parseInt would read a prefix, or give NaN, which then reaches
 * Buffer.alloc as a size. Base-256 fields (GNU, for sizes of 8 GiB and more) are refused: we never write them.
 */
function octalField(h: Buffer, offset: number, length: number, what: string): number {
  const raw = h.subarray(offset, offset + length);
  if (raw[0]! & 0x80)
    throw new ArchiveError(`a tar header is damaged (${what} is in binary form, which harden-init never writes)`);
  const text = raw
    .toString('latin1')
    .replace(/[\0 ]+$/, '')
    .replace(/^ +/, '');
  if (!/^[0-7]*$/.test(text))
    throw new ArchiveError(
      `a tar header is damaged (${what} ${JSON.stringify(text.slice(0, 12))} is not an octal number)`,
    );
  return text === '' ? 0 : parseInt(text, 8); // at most 12 octal digits: below 2^36, exact
}

/** One tar entry: its name, size, and its body in pieces (must be consumed before the next entry). */
export interface Entry {
  name: string;
  size: number;
  mode: number;
  body: AsyncIterable<Buffer>;
}

/** Reads a tar stream (ustar, pax `path`/`size` records). Anything else (links, devices) is refused. */
export async function* readTar(input: AsyncIterable<Uint8Array>): AsyncGenerator<Entry> {
  const it = input[Symbol.asyncIterator]();
  let pending: Buffer = Buffer.alloc(0);
  let ended = false;
  async function need(n: number): Promise<boolean> {
    while (pending.length < n && !ended) {
      const r = await it.next();
      if (r.done) ended = true;
      else pending = pending.length ? Buffer.concat([pending, Buffer.from(r.value)]) : Buffer.from(r.value);
    }
    return pending.length >= n;
  }
  function take(n: number): Buffer {
    const out = pending.subarray(0, n);
    pending = pending.subarray(n);
    return out;
  }
  async function readAll(n: number): Promise<Buffer> {
    if (!(await need(n))) throw new ArchiveError('the archive ends in the middle of an entry (truncated)');
    return Buffer.from(take(n));
  }
  let paxPath: string | undefined;
  let paxSize: number | undefined;
  let sawEnd = false;
  for (;;) {
    if (!(await need(BLOCK))) {
      if (pending.length === 0 && sawEnd) return;
      throw new ArchiveError('the archive is truncated (no end-of-archive marker)');
    }
    const h = take(BLOCK);
    if (h.every((b) => b === 0)) {
      sawEnd = true;
      continue;
    }
    if (sawEnd) throw new ArchiveError('data after the end-of-archive marker');
    const stored = octalField(h, 148, 8, 'checksum');
    const check = Buffer.from(h);
    check.write('        ', 148, 'ascii');
    let sum = 0;
    for (const b of check) sum += b;
    if (stored !== sum) throw new ArchiveError('a tar header is damaged (checksum)');
    const field = (o: number, l: number) =>
      h
        .subarray(o, o + l)
        .toString('utf8')
        .replace(/\0.*$/s, '');
    const type = field(156, 1) || '0';
    let size = octalField(h, 124, 12, 'size');
    const mode = octalField(h, 100, 8, 'mode');
    if (mode > 0o7777) throw new ArchiveError(`a tar header is damaged (mode ${mode.toString(8)} is out of range)`);
    octalField(h, 136, 12, 'mtime');
    const prefix = field(345, 155);
    let name = prefix ? `${prefix}/${field(0, 100)}` : field(0, 100);
    if (type === 'x') {
      if (size > 1024 * 1024) throw new ArchiveError(`a tar extended header is damaged (it claims ${size} bytes)`);
      const pax = (await readAll(size)).toString('utf8');
      await readAll(pad(size).length);
      for (const line of pax.split('\n').filter(Boolean)) {
        const m = /^\d+ ([^=]+)=(.*)$/s.exec(line);
        if (m?.[1] === 'path') paxPath = m[2];
        if (m?.[1] === 'size') {
          if (!/^\d{1,15}$/.test(m[2]!))
            throw new ArchiveError(
              `a tar extended header is damaged (size ${JSON.stringify(m[2]!.slice(0, 20))} is not a number of bytes)`,
            );
          paxSize = Number(m[2]);
        }
      }
      continue;
    }
    if (type !== '0') throw new ArchiveError(`unexpected tar entry type "${type}" (${name})`);
    if (paxPath !== undefined) name = paxPath;
    if (paxSize !== undefined) size = paxSize;
    paxPath = undefined;
    paxSize = undefined;
    let left = size;
    let consumed = false;
    const body = (async function* () {
      while (left > 0) {
        if (!(await need(1))) throw new ArchiveError('the archive ends in the middle of an entry (truncated)');
        const n = Math.min(left, pending.length);
        left -= n;
        yield Buffer.from(take(n));
      }
      consumed = true;
    })();
    yield { name, size, mode, body };
    if (!consumed)
      for await (const _ of body) {
        /* skip */
      }
    await readAll(pad(size).length);
  }
}

// ---- verification -----------------------------------------------------------------------------------------------

export interface Verified {
  manifest: Manifest;
  files: Map<string, Buffer>;
}

/** A part an entry belongs to, or undefined for a file entry. */
function chunkOf(name: string): { part: string; index: number } | undefined {
  const m = CHUNK_SUFFIX.exec(name);
  return m ? { part: m[1]!, index: Number(m[2]) } : undefined;
}

function safeName(name: string): boolean {
  return (
    name.length > 0 &&
    !name.startsWith('/') &&
    !name.split('/').some((s) => s === '..' || s === '' || s === '.') &&
    !name.includes('\0')
  );
}

export function parseManifest(text: string): Manifest {
  let m: Manifest;
  try {
    m = JSON.parse(text) as Manifest;
  } catch {
    throw new ArchiveError('manifest.json is not JSON');
  }
  if (m?.format !== FORMAT) throw new ArchiveError('not a harden-init backup (manifest format)');
  if (m.version !== FORMAT_VERSION)
    throw new ArchiveError(
      `backup format version ${m.version} is not supported by this harden-init (it reads version ${FORMAT_VERSION})`,
    );
  if (
    !Array.isArray(m.parts) ||
    !m.parts.every(
      (p) =>
        p &&
        typeof p.name === 'string' &&
        safeName(p.name) &&
        (p.kind === 'file' || p.kind === 'stream') &&
        Number.isSafeInteger(p.size) &&
        /^[0-9a-f]{64}$/.test(p.sha256),
    )
  ) {
    throw new ArchiveError('manifest.json lists a malformed part');
  }
  return m;
}

/**
 * Reads a whole (decrypted) archive and checks it against its manifest: every part present once, in chunks
 * numbered from 0, with the manifest's size and SHA-256, nothing more; the manifest last. Small files are kept
 * (up to maxFile bytes each) for the caller; streamed parts are only hashed.
 */
export async function verifyArchive(
  input: AsyncIterable<Uint8Array>,
  o: { maxFile?: number; progress?: Progress } = {},
): Promise<Verified> {
  const maxFile = o.maxFile ?? 16 * 1024 * 1024;
  const seen = new Map<
    string,
    { kind: 'file' | 'stream'; size: number; hash: ReturnType<typeof sha>; chunks: number }
  >();
  const files = new Map<string, Buffer>();
  let manifestText: string | undefined;
  let current: string | undefined;
  for await (const e of readTar(input)) {
    if (manifestText !== undefined) throw new ArchiveError(`an entry after the manifest: ${e.name}`);
    if (!safeName(e.name)) throw new ArchiveError(`unsafe entry name: ${JSON.stringify(e.name)}`);
    if (e.name === MANIFEST) {
      if (e.size > maxFile) throw new ArchiveError('manifest.json is too large');
      const parts: Buffer[] = [];
      for await (const b of e.body) parts.push(b);
      manifestText = Buffer.concat(parts).toString('utf8');
      continue;
    }
    const c = chunkOf(e.name);
    const key = c ? c.part : e.name;
    let s = seen.get(key);
    if (c) {
      if (!s) {
        if (c.index !== 0) throw new ArchiveError(`${key}: its first chunk is missing`);
        s = { kind: 'stream', size: 0, hash: sha(), chunks: 0 };
        seen.set(key, s);
      } else if (s.kind !== 'stream' || current !== key || c.index !== s.chunks) {
        throw new ArchiveError(`${key}: chunks out of order or duplicated (${e.name})`);
      }
    } else {
      if (s) throw new ArchiveError(`${key} appears twice`);
      s = { kind: 'file', size: 0, hash: sha(), chunks: 0 };
      seen.set(key, s);
    }
    current = key;
    const keep: Buffer[] = [];
    for await (const b of e.body) {
      s.hash.update(b);
      s.size += b.length;
      if (s.kind === 'file') {
        if (s.size > maxFile) throw new ArchiveError(`${key} is larger than a configuration file can be`);
        keep.push(b);
      }
    }
    if (s.kind === 'stream') {
      s.chunks++;
      o.progress?.(key, s.size, false);
    } else files.set(key, Buffer.concat(keep));
  }
  if (manifestText === undefined)
    throw new ArchiveError('the archive has no manifest (truncated, or not a harden-init backup)');
  const manifest = parseManifest(manifestText);
  const listed = new Set<string>();
  for (const p of manifest.parts) {
    if (listed.has(p.name)) throw new ArchiveError(`manifest lists ${p.name} twice`);
    listed.add(p.name);
    const s = seen.get(p.name);
    if (!s) throw new ArchiveError(`${p.name} is listed in the manifest but missing from the archive`);
    if (s.kind !== p.kind) throw new ArchiveError(`${p.name}: stored as a ${s.kind}, listed as a ${p.kind}`);
    if (p.kind === 'stream' && p.chunks !== s.chunks)
      throw new ArchiveError(`${p.name}: ${s.chunks} chunks, the manifest says ${p.chunks}`);
    const digest = s.hash.digest('hex');
    if (s.size !== p.size || digest !== p.sha256) {
      throw new ArchiveError(
        `${p.name} does not match the manifest (${s.size} bytes, sha256 ${digest.slice(0, 12)}…; expected ` +
          `${p.size} bytes, ${p.sha256.slice(0, 12)}…)`,
      );
    }
  }
  for (const name of seen.keys())
    if (!listed.has(name)) throw new ArchiveError(`${name} is in the archive but not in its manifest`);
  return { manifest, files };
}

/**
 * Streams the parts of a verified archive again, in order: each streamed part as one async iterable of its
 * bytes (its chunks concatenated), re-hashed as it goes (a mismatch throws at the part's end). Files are
 * skipped (the caller has them from verifyArchive).
 */
export async function* streamParts(
  input: AsyncIterable<Uint8Array>,
  manifest: Manifest,
): AsyncGenerator<{ part: ManifestPart; data: AsyncIterable<Buffer> }> {
  const byName = new Map(manifest.parts.map((p) => [p.name, p]));
  const tar = readTar(input)[Symbol.asyncIterator]();
  let lookahead: Entry | undefined;
  const next = async (): Promise<Entry | undefined> => {
    if (lookahead) {
      const e = lookahead;
      lookahead = undefined;
      return e;
    }
    const r = await tar.next();
    return r.done ? undefined : r.value;
  };
  for (;;) {
    const e = await next();
    if (!e) return;
    const c = chunkOf(e.name);
    if (!c) {
      for await (const _ of e.body) {
        /* file or manifest: skip */
      }
      continue;
    }
    const part = byName.get(c.part);
    if (!part || part.kind !== 'stream') throw new ArchiveError(`${e.name} is not in the manifest`);
    let consumed = false;
    const data = (async function* () {
      const hash = sha();
      let size = 0;
      let entry: Entry | undefined = e;
      for (let i = 0; i < (part.chunks ?? 1); i++) {
        if (i > 0) entry = await next();
        if (!entry || entry.name !== `${part.name}.${String(i).padStart(6, '0')}`)
          throw new ArchiveError(`${part.name}: the archive changed since it was verified`);
        for await (const b of entry.body) {
          hash.update(b);
          size += b.length;
          yield b;
        }
      }
      if (size !== part.size || hash.digest('hex') !== part.sha256)
        throw new ArchiveError(`${part.name}: the archive changed since it was verified`);
      consumed = true;
    })();
    yield { part, data };
    if (!consumed) throw new ArchiveError(`${part.name} was not consumed`);
  }
}

// ---- encryption -------------------------------------------------------------------------------------------------

export type KeySpec = { passphrase: string; workFactor?: number } | { recipient: string } | { identities: string[] };

/** The AGE-SECRET-KEY-… lines of an identity file (comments and blank lines ignored). */
export function parseIdentityFile(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => /^AGE-SECRET-KEY-/.test(l));
}

/** What is wrong with an age recipient (bad checksum, wrong length, unknown kind), or undefined when it is usable. */
export function recipientProblem(recipient: string): string | undefined {
  try {
    new Encrypter().addRecipient(recipient);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/** The plaintext, encrypted with age to the recipient (X25519 or post-quantum) or with the passphrase (scrypt). */
export async function encrypt(plain: AsyncIterable<Uint8Array>, key: KeySpec): Promise<AsyncIterable<Uint8Array>> {
  const e = new Encrypter();
  if ('passphrase' in key) {
    e.setPassphrase(key.passphrase);
    if (key.workFactor) e.setScryptWorkFactor(key.workFactor);
  } else if ('recipient' in key) {
    try {
      e.addRecipient(key.recipient);
    } catch (err) {
      throw new ArchiveError(`not a valid age recipient: ${(err as Error).message}`);
    }
  } else {
    throw new ArchiveError('an identity decrypts; encrypting needs a recipient or a passphrase');
  }
  return e.encrypt(ReadableStream.from(plain));
}

/** The most scrypt work (log2 N) age-encryption accepts when decrypting; harden-init writes 18. */
export const MAX_SCRYPT_LOG_N = 20;

export type DecryptFailure = 'work-factor' | 'scrypt-mixed' | 'no-match' | 'header' | 'mac' | 'payload';

/** Why an archive does not decrypt, with a message that says which of the causes it is. */
export class DecryptError extends ArchiveError {
  constructor(
    readonly kind: DecryptFailure,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Tried before the real keys (age-encryption asks its identities in order): it remembers the header's stanzas, for
 * the messages, and refuses a scrypt stanza beside others whatever the key. age forbids that mix; age-encryption
 * checks it only when a passphrase is tried, and an X25519 key would otherwise open such a file.
 */
class HeaderCheck implements Identity {
  stanzas: Stanza[] = [];
  unwrapFileKey(stanzas: Stanza[]): null {
    this.stanzas = stanzas;
    if (stanzas.length > 1 && stanzas.some((s) => s.args[0] === 'scrypt'))
      throw new DecryptError('scrypt-mixed', SCRYPT_MIXED);
    return null;
  }
}

const SCRYPT_MIXED =
  "cannot decrypt: the archive's header puts a passphrase (scrypt) stanza beside other stanzas, which age forbids (a " +
  'passphrase-encrypted file has exactly one): it was not written by harden-init, or its header was modified';

/**
 * The one place where age-encryption's errors become ours. `phase` is where it was thrown: while the header was read
 * (before any plaintext) or while the payload streamed. System errors (reading the file) pass through as they are.
 */
function decryptError(phase: 'header' | 'payload', e: unknown, key: KeySpec, stanzas: Stanza[]): Error {
  if (e instanceof DecryptError) return e;
  if (typeof (e as NodeJS.ErrnoException)?.code === 'string' && !(e instanceof DOMException)) return e as Error;
  const m = String((e as Error)?.message ?? e);
  if (phase === 'payload' || /^stream ended before reading 16 bytes/.test(m)) {
    const detail = /^stream ended/.test(m) ? 'it ends right after its header' : m;
    return new DecryptError(
      'payload',
      `decryption failed: the archive is damaged or was modified, or it is truncated; its encrypted ` +
        `contents do not authenticate (${detail})`,
    );
  }
  if (/scrypt work factor is too high/.test(m)) {
    const logN = stanzas.find((s) => s.args[0] === 'scrypt')?.args[2];
    return new DecryptError(
      'work-factor',
      `cannot decrypt: the archive's passphrase encryption asks for scrypt work factor ` +
        `${logN ? `2^${logN}` : 'beyond the limit'}, above the 2^${MAX_SCRYPT_LOG_N} that is accepted ` +
        `(harden-init writes 2^18; more would take minutes to hours of CPU): it was not written by ` +
        `harden-init, or its header was modified`,
    );
  }
  if (/scrypt recipient is not the only one/.test(m)) return new DecryptError('scrypt-mixed', SCRYPT_MIXED);
  if (/no identity matched/.test(m)) return new DecryptError('no-match', noMatch(key, stanzas));
  if (/invalid header HMAC/.test(m))
    return new DecryptError(
      'mac',
      "cannot decrypt: the archive's header is damaged or was modified (its MAC " +
        'does not match, though the key opened it)',
    );
  const detail = e instanceof DOMException ? `a recipient stanza holds an invalid key share (${e.name})` : m;
  return new DecryptError('header', `cannot decrypt: not an age file, or its header is damaged (${detail})`);
}

function noMatch(key: KeySpec, stanzas: Stanza[]): string {
  const scrypt = stanzas.some((s) => s.args[0] === 'scrypt');
  if ('passphrase' in key) {
    return scrypt
      ? 'cannot decrypt: wrong passphrase (the archive is encrypted with a passphrase, and this one does not open it)'
      : 'cannot decrypt: the archive is encrypted to an age key (recipient), not with a passphrase: give the ' +
          'identity (the secret key file) instead';
  }
  if (scrypt)
    return (
      'cannot decrypt: the archive is encrypted with a passphrase, not to an age key: ' +
      'give the passphrase instead of an identity'
    );
  const kinds = [...new Set(stanzas.map((s) => s.args[0]))].join(', ');
  return (
    `cannot decrypt: wrong identity: no key in the identity file matches the archive's ` +
    `${stanzas.length === 1 ? 'recipient' : `${stanzas.length} recipients`} (${kinds})`
  );
}

/**
 * The plaintext of an age file. The header is read and checked (key, MAC) before this returns, so a wrong key or a
 * damaged header throws here; the payload is authenticated chunk by chunk as it is read, and a damaged or truncated
 * one throws while iterating. Every failure is a DecryptError saying which it is.
 */
export async function decrypt(cipher: AsyncIterable<Uint8Array>, key: KeySpec): Promise<AsyncIterable<Uint8Array>> {
  const d = new Decrypter();
  const header = new HeaderCheck();
  d.addIdentity(header);
  if ('passphrase' in key) d.addPassphrase(key.passphrase);
  else if ('identities' in key) {
    for (const i of key.identities) {
      try {
        d.addIdentity(i);
      } catch (err) {
        throw new ArchiveError(`the identity file holds a malformed age secret key (${(err as Error).message})`);
      }
    }
  } else throw new ArchiveError('decrypting needs the identity (secret key) of the recipient, not the recipient');
  let out: ReadableStream<Uint8Array>;
  try {
    out = await d.decrypt(ReadableStream.from(cipher));
  } catch (e) {
    throw decryptError('header', e, key, header.stanzas);
  }
  return (async function* () {
    try {
      yield* out;
    } catch (e) {
      throw decryptError('payload', e, key, header.stanzas);
    }
  })();
}
