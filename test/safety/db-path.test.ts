// Row 3 (and 13) of issue 8: --db-path never points MariaDB's chown at a system directory, the install
// directory or a parent of it, or a file; a non-empty directory that is not a database's needs a yes.
import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkDbPath, type PathProbe } from '../../src/core/db-path.js';
import { runBin, tempDir } from '../helpers/run-bin.js';
import { FIRST, expectNoStack } from './helpers.js';

/** A fake file system: path → 'file' | list of entries (a directory). */
function probe(tree: Record<string, 'file' | string[]>, links: Record<string, string> = {}): PathProbe {
  return {
    kind: (p) => (tree[p] === undefined ? 'missing' : tree[p] === 'file' ? 'file' : 'dir'),
    list: (p) => (Array.isArray(tree[p]) ? (tree[p] as string[]) : []),
    realpath: (p) => links[p] ?? p,
  };
}

describe('checkDbPath (pure, injected file system)', () => {
  const install = '/srv/appwrite';
  it('refuses system directories, also through a link and after normalisation', () => {
    for (const p of [
      '/',
      '//',
      '/etc',
      '/etc/',
      '/root',
      '/usr/lib/x',
      '/var/lib/docker',
      '/proc',
      '/home',
      '/tmp',
      '/srv/../etc',
    ]) {
      const r = checkDbPath(p, install, probe({}));
      expect(r.ok, p).toBe(false);
      if (!r.ok) expect(r.error).toMatch(/Allowed: /);
    }
    expect(checkDbPath('/data/db', install, probe({}, { '/data/db': '/etc/mysql' })).ok).toBe(false);
  });
  it("refuses the install directory, its parents and harden-init's own directory; allows a subdirectory", () => {
    expect(checkDbPath('/srv/appwrite', install, probe({})).ok).toBe(false);
    expect(checkDbPath('/srv/appwrite/', install, probe({})).ok).toBe(false);
    expect(checkDbPath('/srv', install, probe({})).ok).toBe(false);
    expect(checkDbPath('/srv/appwrite/.harden-init/db', install, probe({})).ok).toBe(false);
    expect(checkDbPath('/srv/appwrite/mariadb', install, probe({}))).toEqual({
      ok: true,
      path: '/srv/appwrite/mariadb',
    });
  });
  it('refuses a file; an empty or new directory or a database data directory is fine', () => {
    expect(checkDbPath('/data/f', install, probe({ '/data/f': 'file' })).ok).toBe(false);
    expect(checkDbPath('/data/new', install, probe({}))).toEqual({ ok: true, path: '/data/new' });
    expect(checkDbPath('/data/empty', install, probe({ '/data/empty': [] }))).toEqual({
      ok: true,
      path: '/data/empty',
    });
    expect(checkDbPath('/data/m', install, probe({ '/data/m': ['mysql', 'x'], '/data/m/mysql': [] })).ok).toBe(true);
    expect(checkDbPath('/data/m', install, probe({ '/data/m': ['ibdata1'] }))).toEqual({ ok: true, path: '/data/m' });
    expect(checkDbPath('/data/m', install, probe({ '/data/m': ['aria_log_control'] }))).toEqual({
      ok: true,
      path: '/data/m',
    });
    expect(checkDbPath('/data/p', install, probe({ '/data/p': ['16'], '/data/p/16': ['PG_VERSION'] }))).toEqual({
      ok: true,
      path: '/data/p',
    });
  });
  it("a non-empty directory that is not a database's needs a confirmation", () => {
    const r = checkDbPath('/data/photos', install, probe({ '/data/photos': ['a.jpg', 'b.jpg'] }));
    expect(r).toMatchObject({ ok: true, needsConfirm: expect.stringMatching(/not empty/) });
  });
});

describe.concurrent('--db-path through the built binary', () => {
  it.each([['/etc'], ['/root'], ['/usr/local/db'], ['/var/lib/docker'], ['/proc'], ['//'], ['/']])(
    '%s is refused with exit 2, naming the field; nothing is written',
    async (path) => {
      const dir = join(tempDir('hi-safety-'), 'appwrite');
      const r = await runBin(['--dir', dir, ...FIRST, '--db', 'path', '--db-path', path]);
      expect(r.exitCode, r.stdout + r.stderr).toBe(2);
      expect(r.stderr).toMatch(/--db-path/);
      expect(r.stderr).toMatch(/allowed/i);
      expectNoStack(r);
      expect(existsSync(dir)).toBe(false);
    },
  );

  it('the install directory, a parent of it, or a file is refused (exit 2)', async () => {
    const root = tempDir('hi-safety-');
    const dir = join(root, 'appwrite');
    writeFileSync(join(root, 'afile'), 'x');
    for (const p of [dir, root, `${dir}/`, join(root, 'afile')]) {
      const r = await runBin(['--dir', dir, ...FIRST, '--db', 'path', '--db-path', p]);
      expect(r.exitCode, `${p}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(/--db-path/);
    }
    expect(existsSync(dir)).toBe(false);
  });

  it(`a non-empty directory that is not a database's: exit 2 headless, accepted with --allow-db-path-nonempty`, async () => {
    const root = tempDir('hi-safety-');
    const data = join(root, 'stuff');
    mkdirSync(data);
    writeFileSync(join(data, 'notes.txt'), 'mine');
    const dir = join(root, 'appwrite');
    let r = await runBin(['--dir', dir, ...FIRST, '--db', 'path', '--db-path', data]);
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/--allow-db-path-nonempty/);
    expect(existsSync(dir)).toBe(false);
    r = await runBin(['--dir', dir, ...FIRST, '--db', 'path', '--db-path', `${data}//`, '--allow-db-path-nonempty']);
    expect(r.exitCode, r.stderr).toBe(0);
    // A re-run with the same path asks nothing again.
    r = await runBin(['--dir', dir, '--yes', '--no-start']);
    expect(r.exitCode, r.stderr).toBe(0);
  });
});
