// harden-init's YAML reader (src/yaml/parse.ts) against the `yaml` library as oracle: on every real compose file,
// the compose texts the tests hand-edit, and generated documents full of comments, blank lines and odd scalars,
// the document must carry the library's fields node for node, and parse() must give the library's values.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import * as lib from 'yaml';
import { describe, expect, it } from 'vitest';
import { parse, parseDocument } from '../../src/yaml/parse.js';
import { fromLib, project } from '../helpers/yaml-oracle.js';

const root = join(import.meta.dirname, '../..');
const walk = (d: string): string[] =>
  readdirSync(d).flatMap((f) => (statSync(join(d, f)).isDirectory() ? walk(join(d, f)) : [join(d, f)]));
const tryWalk = (d: string) => { try { return walk(d); } catch { return []; } };

const files = [
  ...tryWalk(join(root, 'test/fixtures/upstream/appwrite')).filter((f) => f.endsWith('.yml')),
  ...tryWalk('/work/shared/upstream/appwrite').filter((f) => /docker-compose[^/]*\.yml$/.test(f)),
  ...tryWalk(join(root, 'test/targets/langflow/__snapshots__/compose')),
];

// Compose texts written inline in other tests (hand edits, broken files): template literals without interpolation.
const inline = [...tryWalk(join(root, 'test/unit')), ...tryWalk(join(root, 'test/cli'))]
  .filter((f) => f.endsWith('.test.ts') && !f.endsWith('yaml-parse.test.ts'))
  .flatMap((f) => {
    const src = readFileSync(f, 'utf8');
    const unescape = (t: string) => t.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c));
    return [
      ...[...src.matchAll(/`((?:[^`$\\]|\$(?!\{))*services:(?:[^`$\\]|\$(?!\{))*)`/g)].map((m) => m[1]),
      ...[...src.matchAll(/'((?:[^'\\\n]|\\.)*services:(?:[^'\\\n]|\\.)*)'/g)].map((m) => unescape(m[1])),
    ];
  });

/** Our reading equals the library's: the same errors-or-not, the same nodes, the same plain values. */
function agree(text: string): void {
  const theirs = lib.parseDocument(text);
  const ours = parseDocument(text);
  if (theirs.errors.length) {
    expect(ours.errors.length, `the library finds errors in ${JSON.stringify(text)}`).toBeGreaterThan(0);
    expect(() => parse(text)).toThrow();
    return;
  }
  expect(ours.errors.map((e) => e.message), JSON.stringify(text)).toEqual([]);
  expect(project(ours), JSON.stringify(text)).toEqual(project(fromLib(theirs)));
  expect(ours.warnings.length > 0).toBe(theirs.warnings.length > 0);
  for (const merge of [false, true]) {
    let want: unknown, wantErr: unknown;
    try { want = lib.parse(text, { merge, logLevel: 'error' }); } catch (e) { wantErr = e; }
    if (wantErr) expect(() => parse(text, { merge })).toThrow();
    else expect(parse(text, { merge })).toEqual(want);
  }
}

describe('the corpus reads as the yaml library reads it', () => {
  it('finds the corpus', () => {
    expect(files.length).toBeGreaterThanOrEqual(4);
    expect(inline.length).toBeGreaterThan(5);
  });
  it.each(files.map((f) => [f.replace(root, '.'), f]))('%s', (_, f) => agree(readFileSync(f, 'utf8')));
  it('the compose texts written in the tests', () => { for (const t of inline) agree(t); });
});

describe('cases', () => {
  const cases: Record<string, string> = {
    'comments around keys and values':
      '# head\n\n# lead\na: 1 # one\n  # deeper: still 1\'s\n\n  # after a blank\n# before b\n\nb:\n  # inside\n  c: x\n  # end of b\nd: [x, y] # flow\n# tail\n',
    'sequences': 'a:\n- x\n- - y\n  - z\n-   k: v\n    j: 2\n# c\n-\n- &a1 q\n- *a1\n',
    'empty values and comments': 'a:\n# c\nb:\n\n  # d\nc: !reset\nd: !!str 1\ne: !!int x\nf: !override [a]\n',
    'scalars': 'a: 0o17\nb: 0x1F\nc: 1.50\nd: 1e3\ne: -.Inf\nf: .nan\ng: ~\nh: TRUE\ni: -0\nj: 007\nk: +12\nl: 3.\n',
    'quoted': 'a: "x\\t\\u00e9\\x41\\U0001F600 \\\n   y"\nb: \'it\'\'s\n\n  z \'\nc: "a\n  b"\n',
    'block scalars': 'a: |\n  x\n\n   y\nb: >-\n  p\n  q\n\n   r\n  s\n\nc: |+\n  k\n\nd: >2\n    m\ne: |\nf: 1\n',
    'multi-line plain': 'a: one\n  two\n\n  three\n- no\n',
    'merge keys': 'x-l: &l\n  driver: json\n  o: 1\ns:\n  a:\n    <<: *l\n    o: 2\n  b:\n    <<: [*l]\n',
    'merge keys named like Object.prototype members': 'x: &x\n  constructor: c\n  __proto__: p\n  toString: t\ny:\n  <<: *x\n  valueOf: v\n',
    'document markers': '# pre\n---\n# after start\na: 1\n...\n# post\n',
    'flow': 'a: { b: 1, c: [x, "y", {d: e}], f }\nb: [\n  1, # one\n  2,\n]\nc: [a: 1, b]\n',
  };
  it.each(Object.entries(cases))('%s', (_, t) => agree(t));

  it('merge keys apply only with { merge: true }', () => {
    const t = cases['merge keys'];
    expect((parse(t, { merge: true }) as any).s.a).toEqual({ driver: 'json', o: 2 });
    expect((parse(t) as any).s.a['<<']).toEqual({ driver: 'json', o: 1 });
  });
});

describe('errors', () => {
  const bad: Record<string, string> = {
    'a duplicate key': 'a: 1\nb: 2\na: 3\n',
    'bad indentation': 'a:\n    b: 1\n  c: 2\n',
    'a tab as indentation': 'a:\n\tb: 1\n',
    'an unterminated double quote': 'a: "x\nb: 1\n',
    'an unterminated single quote': "a: 'x\n",
    'an unterminated flow sequence': 'a: [x, y\nb: 1\n',
    'an unterminated flow map': 'a: {x: 1\n',
    'two documents': 'a: 1\n---\nb: 2\n',
    'a nested map on a key line': 'a: b: c\n',
    'a key without value': 'a: 1\nb\n',
  };
  it.each(Object.entries(bad))('%s is an error, with its line', (_, t) => {
    agree(t);
    const e = parseDocument(t).errors[0];
    expect(e.code).toMatch(/^[A-Z_]+$/);
    expect(e.linePos!.line).toBeGreaterThanOrEqual(1);
    expect(() => parse(t)).toThrow(e.message);
  });
  it('a duplicate key names its line', () => {
    expect(parseDocument('a: 1\nb: 2\na: 3\n').errors[0]).toMatchObject({ code: 'DUPLICATE_KEY', linePos: { line: 3 } });
  });
  it('directives and complex keys are refused (yaml accepts them)', () => {
    expect(parseDocument('%YAML 1.2\n---\na: 1\n').errors[0].code).toBe('NOT_SUPPORTED');
    expect(parseDocument('? a\n: 1\n').errors[0].code).toBe('NOT_SUPPORTED');
  });
  it('an alias before its anchor throws in parse, as yaml does', () => {
    const t = 'a: *x\nb: &x 1\n';
    expect(parseDocument(t).errors).toEqual([]);
    expect(() => lib.parse(t)).toThrow(ReferenceError);
    expect(() => parse(t)).toThrow(ReferenceError);
  });
  it("a collection's own toJSON (no document to find anchors in) gives an alias's name, as yaml's does", () => {
    const t = 'a: &x 1\nb:\n  s: *x\n  t: [*x]\n';
    const ours = parseDocument(t).get('b') as { toJSON(): unknown };
    expect(ours.toJSON()).toEqual({ s: { source: 'x' }, t: [{ source: 'x' }] });
    expect(ours.toJSON()).toEqual((lib.parseDocument(t).get('b') as lib.YAMLMap).toJSON());
    expect(parse(t)).toEqual({ a: 1, b: { s: 1, t: [1] } }); // the document resolves it
  });
  it('an unknown tag keeps its tag and value, with a warning', () => {
    const d = parseDocument('a: !reset []\nb: !override x\n');
    expect(d.warnings.map((w) => w.code)).toEqual(['TAG_RESOLVE_FAILED', 'TAG_RESOLVE_FAILED']);
    expect(d.toJS()).toEqual({ a: [], b: 'x' });
  });
});

// ---- generated documents: compose-like structure with comments and blank lines dropped anywhere ----

function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SCALARS = [
  'a', 'foo bar', 'x:y', 'a#b', '1', '-2', '0o17', '0x1f', '1.50', '2e3', '.inf', '.NaN', 'true', 'False', 'null', '~',
  '"q\\t\\u00e9 x"', "'it''s'", '"a b"', "''", '""', '${VAR:-x}:80', 'traefik:3.6', '!!str 1', '!reset', '!!int 7',
  '!override v', '[a, b]', '{a: 1, b: [x]}', '[]', '{}', '["CMD", "curl", "-f"]', 'http://x/y?z=1', '- x', '-1.5',
];

function generate(seed: number): string {
  const r = rng(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  const lines: string[] = [];
  let anchors = 0;
  const noise = (indent: number) => {
    while (r() < 0.25) lines.push(r() < 0.5 ? '' : ' '.repeat(Math.floor(r() * (indent + 5))) + '#' + pick(['', ' c', ' x y', '#']));
  };
  const trail = () => (r() < 0.15 ? ' # t' : '');
  const scalar = () => {
    const s = pick(SCALARS);
    if (r() < 0.08) return `&a${++anchors} ${s.startsWith('!') || s.startsWith('- ') ? 'v' : s}`;
    if (anchors && r() < 0.08) return `*a${1 + Math.floor(r() * anchors)}`;
    return s;
  };
  const block = (ind: number) => {
    const pad = ' '.repeat(ind + 2);
    const n = Math.floor(r() * 4);
    for (let i = 0; i < n; i++) lines.push(r() < 0.2 ? '' : pad + (r() < 0.2 ? '  ' : '') + pick(['x', 'y z', '# not a comment']));
  };
  const value = (ind: number, depth: number, head: string) => {
    const k = r();
    if (depth > 3 || k < 0.45) {
      const s = scalar();
      lines.push(head + ' ' + (head.endsWith('-') && s.startsWith('- ') ? 'x' : s) + trail());
      if (r() < 0.05) lines.push(' '.repeat(ind + 2) + 'more words');
    } else if (k < 0.55) {
      lines.push(head + ' ' + pick(['|', '>', '|-', '>+', '|2']) + trail());
      block(ind);
    } else if (k < 0.62) lines.push(head + trail());
    else if (k < 0.82) {
      lines.push(head + (r() < 0.1 ? ' &m' + ++anchors : '') + trail());
      noise(ind);
      map(ind + 2, depth + 1);
    } else {
      lines.push(head + trail());
      noise(ind);
      seq(head.endsWith(':') && r() < 0.5 ? ind : ind + 2, depth + 1);
    }
  };
  const keys = ['image', 'ports', 'x', 'env', '"q k"', "'s'", '80', 'true', 'a b', '<<'];
  function map(ind: number, depth: number) {
    const used = new Set<string>();
    const n = 1 + Math.floor(r() * 4);
    for (let i = 0; i < n; i++) {
      let key = pick(keys);
      if (used.has(key)) key += i;
      used.add(key);
      noise(ind);
      value(ind, depth, ' '.repeat(ind) + key + ':');
    }
  }
  function seq(ind: number, depth: number) {
    const n = 1 + Math.floor(r() * 3);
    for (let i = 0; i < n; i++) {
      noise(ind);
      if (r() < 0.25 && depth < 4) {
        lines.push(' '.repeat(ind) + '- ' + pick(keys).replace('<<', 'k') + ': ' + scalar().replace(/^- /, '') + trail());
        if (r() < 0.5) lines.push(' '.repeat(ind + 2) + 'other: 1');
      } else value(ind, depth, ' '.repeat(ind) + '-');
    }
  }
  noise(0);
  if (r() < 0.1) lines.push('---' + trail());
  if (r() < 0.15) seq(0, 0);
  else map(0, 0);
  noise(0);
  return lines.join('\n') + (r() < 0.8 ? '\n' : '');
}

describe('generated documents', () => {
  it('read as the yaml library reads them', () => {
    fc.assert(fc.property(fc.integer(), (seed) => agree(generate(seed))), { numRuns: 3000 });
  });
  it('the generator makes documents the library accepts, with comments and blank lines', () => {
    const docs = Array.from({ length: 200 }, (_, i) => generate(i));
    const ok = docs.filter((t) => lib.parseDocument(t).errors.length === 0);
    expect(ok.length).toBeGreaterThan(100);
    expect(ok.filter((t) => /#/.test(t) && /\n\n/.test(t)).length).toBeGreaterThan(30);
  });
});
