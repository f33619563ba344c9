// The release cache's parsed form (upstream/cache.ts parsed.json, render/parsed.ts): a render from it prints
// byte-for-byte what a render from the parsed text prints; a changed source or an edited form is not used.
import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { ROOT, tempDir } from '../../../helpers/run-bin.js';
import {
  cacheEntryDir,
  cacheFiles,
  readCache,
  readParsed,
  type ParsedForm,
} from '../../../../src/targets/appwrite/upstream/cache.js';
import {
  composeDocument,
  composeTree,
  rememberTree,
  reviveCompose,
} from '../../../../src/targets/appwrite/render/parsed.js';
import { renderLikeInstaller, type RenderChoice } from '../../../../src/targets/appwrite/render/generator.js';
import { parseExecutables, imageRef } from '../../../../src/targets/appwrite/upstream/image.js';
import { parseVariablesPhp } from '../../../../src/targets/appwrite/upstream/variables-php.js';
import { serializeState, sha256, STATE_FILE } from '../../../../src/engine/state.js';
import type { UpstreamFiles } from '../../../../src/targets/appwrite/upstream/types.js';
import { renderCompose } from '../../../../src/targets/appwrite/compose.js';
import { BASE, BASE_19, templateOf } from '../../../helpers/fixtures.js';
import type { Answers } from '../../../../src/targets/appwrite/answers.js';

const RELEASES = join(ROOT, 'test/fixtures/releases');
const VERSIONS = readdirSync(RELEASES).filter((v) => existsSync(join(RELEASES, v, 'docker-compose.yml')));
const OUT = { lineWidth: 0, flowCollectionPadding: false } as const;
const idFor = (v: string) => `sha256:${sha256(v)}`;

function release(version: string): UpstreamFiles {
  const read = (n: string) => readFileSync(join(RELEASES, version, n), 'utf8');
  const variablesPhp = read('variables.php');
  return {
    version,
    imageId: idFor(version),
    compose: read('docker-compose.yml'),
    variables: parseVariablesPhp(variablesPhp),
    variablesPhp,
    executables: parseExecutables(read('bin.txt')),
    source: `image ${imageRef(version)}`,
  };
}

function install(files: UpstreamFiles): { dir: string; entry: string } {
  const dir = tempDir('hi-parsed-');
  for (const f of cacheFiles(files)) {
    mkdirSync(join(dir, f.path, '..'), { recursive: true });
    writeFileSync(join(dir, f.path), f.content, { mode: f.mode });
  }
  const entry = join(dir, cacheEntryDir(files.version, files.imageId!));
  record(dir, entry);
  return { dir, entry };
}

/**
 * state.json's record of the entry as it is on disk now. The forms below are edited behind harden-init's back; the
 * record is made again so the read gets as far as the form (an unrecorded change stops it earlier: upstream-source.test.ts).
 */
function record(dir: string, entry: string): void {
  const rel = entry.slice(dir.length + 1);
  const sums = Object.fromEntries(readdirSync(entry).map((n) => [n, sha256(readFileSync(join(entry, n), 'utf8'))]));
  mkdirSync(join(dir, '.harden-init'), { recursive: true });
  writeFileSync(
    join(dir, STATE_FILE),
    serializeState({
      schema: 1,
      target: 'appwrite',
      templateVersion: '2.7.1',
      answers: {},
      upstreamCache: { entry: rel, sha256: sums },
    }),
  );
}

const CHOICES: RenderChoice[] = [
  { database: 'mariadb', topology: 'combined' },
  { database: 'postgresql', topology: 'separate' },
  { database: undefined },
  { database: 'mongodb', assistant: true },
];

describe('parsed form of a release', () => {
  it.each(VERSIONS)(
    '%s: the revived document prints exactly what the parsed text prints, for every render choice',
    (v) => {
      const { compose } = release(v);
      const tree = JSON.parse(JSON.stringify(composeTree(parseDocument(compose))));
      expect(reviveCompose(tree).toString(OUT)).toBe(parseDocument(compose).toString(OUT));
      for (const choice of CHOICES) {
        if (choice.topology === 'separate' && !compose.includes('separate')) continue;
        const parsed = renderLikeInstaller(compose, choice).toString(OUT);
        rememberTree(compose, tree);
        const revived = renderLikeInstaller(compose, choice).toString(OUT);
        expect(revived).toBe(parsed);
      }
    },
  );

  it.each([
    ['2.3.0', BASE],
    ['1.9.6', BASE_19],
  ] as const)('%s: the hardened compose file (every rule) is byte-identical from the revived document', (v, base) => {
    const t = templateOf(v);
    const tree = JSON.parse(JSON.stringify(composeTree(parseDocument(t.compose))));
    expect(() => reviveCompose(tree)).not.toThrow(); // so the renders below revive it (no silent fall-back to a parse)
    for (const db of ['volume', 'path', 'external'] as const) {
      const a = { ...base, release: v, db, ...(db === 'path' ? { dbPath: '/srv/appwrite/db' } : {}) } as Answers;
      const fromText = renderCompose(t, a).text;
      rememberTree(t.compose, tree);
      expect(renderCompose(t, a).text).toBe(fromText);
    }
  });

  it('a render of a registered text revives the tree instead of parsing (what the tree says is what prints)', () => {
    const text = 'services:\n  a:\n    image: x # kept\n';
    type Entry = { b: { v: string; p: { source: string }; i: Entry[] } };
    const tree = JSON.parse(JSON.stringify(composeTree(parseDocument(text)))) as { contents: { i: Entry[] } };
    const image = tree.contents.i[0]!.b.i[0]!.b.i[0]!.b; // services → a → image
    image.v = image.p.source = 'from-the-tree';
    rememberTree(text, tree);
    expect(composeDocument(text).toString()).toBe('services:\n  a:\n    image: from-the-tree # kept\n');
  });

  it('the cache entry holds it; a re-read uses it (variables from the form, not from variables.php)', () => {
    const files = release('2.7.1');
    const { dir, entry } = install(files);
    const formFile = join(entry, 'parsed.json');
    const form = JSON.parse(readFileSync(formFile, 'utf8')) as ParsedForm;
    expect(form.composeSha256).toBe(sha256(files.compose));
    expect(form.variables).toEqual(files.variables);
    // A form re-sealed with a changed default is what the read returns: proof it is read instead of the PHP.
    form.variables[0] = { ...form.variables[0]!, default: 'from-the-form' };
    form.sha256 = sha256(JSON.stringify([form.compose, form.variables]));
    writeFileSync(formFile, JSON.stringify(form));
    expect(readCache(dir, '2.7.1', files.imageId)).toBeUndefined(); // not what state.json recorded
    record(dir, entry);
    expect(readCache(dir, '2.7.1', files.imageId)!.variables[0]!.default).toBe('from-the-form');
  });

  it('a changed source is parsed again: the form of the old text is not used', () => {
    const files = release('2.7.1');
    const { entry } = install(files);
    const php = readFileSync(join(entry, 'variables.php'), 'utf8');
    const compose = readFileSync(join(entry, 'docker-compose.yml'), 'utf8');
    expect(readParsed(entry, compose, php)).toBeDefined();
    expect(readParsed(entry, compose, `${php}\n// changed\n`)).toBeUndefined();
    expect(readParsed(entry, `${compose}\n# changed\n`, php)).toBeUndefined();
  });

  it('an edited, damaged or foreign form is ignored and the texts are parsed', () => {
    const files = release('2.7.1');
    const { dir, entry } = install(files);
    const formFile = join(entry, 'parsed.json');
    const good = readFileSync(formFile, 'utf8');
    const compose = readFileSync(join(entry, 'docker-compose.yml'), 'utf8');
    const php = readFileSync(join(entry, 'variables.php'), 'utf8');
    const tamper = (edit: (f: ParsedForm) => void) => {
      const f = JSON.parse(good) as ParsedForm;
      edit(f);
      return JSON.stringify(f);
    };
    const bad = [
      tamper((f) => {
        f.variables[0]!.default = 'edited';
      }), // seal no longer matches
      tamper((f) => {
        (f.compose as { contents: unknown }).contents = null;
      }),
      tamper((f) => {
        f.format = 99;
      }),
      tamper((f) => {
        (f.variables as unknown[])[0] = { name: 'X' };
        f.sha256 = sha256(JSON.stringify([f.compose, f.variables]));
      }),
      good.slice(0, 500),
      '',
    ];
    for (const text of bad) {
      writeFileSync(formFile, text);
      record(dir, entry);
      expect(readParsed(entry, compose, php)).toBeUndefined();
      const back = readCache(dir, '2.7.1', files.imageId)!;
      expect(back.variables).toEqual(files.variables);
      expect(back.compose).toBe(files.compose);
    }
  });

  it('a form of an older format (2: the nodes of an earlier YAML module, no directives) is not revived: the texts are parsed', () => {
    const files = release('2.7.1');
    const { dir, entry } = install(files);
    const formFile = join(entry, 'parsed.json');
    const form = JSON.parse(readFileSync(formFile, 'utf8')) as ParsedForm & {
      compose: { format: number; directives?: unknown };
    };
    form.format = 2;
    form.compose.format = 2;
    delete form.compose.directives;
    form.sha256 = sha256(JSON.stringify([form.compose, form.variables])); // sealed as that version sealed it
    writeFileSync(formFile, JSON.stringify(form));
    record(dir, entry);
    expect(readParsed(entry, files.compose, files.variablesPhp!)).toBeUndefined();
    expect(() => reviveCompose(form.compose)).toThrow(/not a compose tree of this format/);
    const back = readCache(dir, '2.7.1', files.imageId)!;
    expect(back.compose).toBe(files.compose);
    expect(renderLikeInstaller(back.compose, { database: 'postgresql', topology: 'combined' }).toString(OUT)).toBe(
      renderLikeInstaller(files.compose, { database: 'postgresql', topology: 'combined' }).toString(OUT),
    );
  });

  it('a registered tree that does not revive is dropped and the text parsed', () => {
    const text = 'services:\n  a:\n    image: x # kept\n';
    rememberTree(text, { format: 1, doc: {}, directives: {}, contents: { k: 'Z', p: {} } });
    expect(composeDocument(text).toString()).toBe(parseDocument(text).toString());
  });
});
