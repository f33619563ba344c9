// The compose file harden-init writes differs from the one Appwrite's installer renders only by reviewed,
// intended deviations (src/targets/appwrite/rules/deviations.ts). For every release × HTTPS × console ×
// database location × engine, both files are read by `docker-compose config` (so interpolation and
// normalisation are Compose's) with the same .env — the one our plan wrote — and every differing path must
// match an entry of the table; every entry must be needed by at least one choice.
import { afterAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { parse } from 'yaml';
import { plan } from '../../../helpers/plan.js';
import { renderLikeInstaller } from '../../../../src/targets/appwrite/render/generator.js';
import { RULES } from '../../../../src/targets/appwrite/rules/index.js';
import {
  DEVIATIONS,
  covers,
  deviationsFor,
  ruleIds,
  type Deviation,
  type Difference,
} from '../../../../src/targets/appwrite/rules/deviations.js';
import { BASE, BASE_19, counter, fileOf, templateOf } from '../../../helpers/fixtures.js';
import { ROOT, tempDir } from '../../../helpers/run-bin.js';
import { requireInCi } from '../../../helpers/tools.js';
import {
  CONSOLE_MODES,
  DB_MODES,
  HTTPS_MODES,
  type Answers,
  type DbEngine,
} from '../../../../src/targets/appwrite/answers.js';
import type { Template } from '../../../../src/targets/appwrite/template.js';

const haveCompose = requireInCi(
  'docker-compose',
  "the deviation table is checked against Compose's own reading of both files",
);

const RELEASES: { version: string; base: Answers; engines: DbEngine[] }[] = [
  { version: '1.9.5', base: { ...BASE_19, release: '1.9.5' }, engines: ['mariadb'] },
  { version: '1.9.6', base: { ...BASE_19, release: '1.9.6' }, engines: ['mariadb'] },
  { version: '2.3.0', base: { ...BASE, release: '2.3.0' }, engines: ['postgresql', 'mariadb'] },
];
const CONSOLE: Record<string, Partial<Answers>> = {
  root: {},
  open: {},
  emails: { consoleEmails: ['alice@example.com', 'bob@example.com'] },
  ips: { consoleIps: ['203.0.113.7', '2001:db8::7'] },
};
const DB: Record<string, Partial<Answers>> = {
  volume: {},
  path: { dbPath: '/srv/appwrite/db' },
  external: { dbHost: 'db.example.com', dbPort: 3307, dbUser: 'appwrite', dbName: 'appwrite_prod' },
};

interface Combo {
  version: string;
  answers: Answers;
  label: string;
}
const combos: Combo[] = RELEASES.flatMap(({ version, base, engines }) =>
  HTTPS_MODES.flatMap((https) =>
    CONSOLE_MODES.flatMap((console) =>
      DB_MODES.flatMap((db) =>
        engines.map((dbEngine) => ({
          version,
          answers: { ...base, https, console, db, dbEngine, ...CONSOLE[console], ...DB[db] } as Answers,
          label: `${version} https=${https} console=${console} db=${db} engine=${dbEngine}`,
        })),
      ),
    ),
  ),
);

// ---- the diff: differing leaf paths of two parsed `docker-compose config` outputs ----
type Json = null | string | number | boolean | Json[] | { [k: string]: Json };
const isObj = (v: unknown): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);
const key = (v: Json) => (typeof v === 'string' ? v : JSON.stringify(v));

/** Where `ours` differs from `theirs`: a key on one side only, a changed scalar, a list element added or removed. */
export function diffPaths(theirs: Json, ours: Json, path = ''): Difference[] {
  if (isObj(theirs) && isObj(ours)) {
    const out: Difference[] = [];
    for (const k of new Set([...Object.keys(theirs), ...Object.keys(ours)])) {
      const p = path ? `${path}.${k}` : k;
      if (!(k in theirs)) out.push({ path: p, change: 'added', value: ours[k] });
      else if (!(k in ours)) out.push({ path: p, change: 'removed', value: theirs[k] });
      else out.push(...diffPaths(theirs[k]!, ours[k]!, p));
    }
    return out;
  }
  if (Array.isArray(theirs) && Array.isArray(ours)) {
    // Lists compared as multisets: an insertion must not shift every later index into a difference.
    const left = new Map<string, Json[]>();
    for (const v of theirs) left.set(key(v), [...(left.get(key(v)) ?? []), v]);
    const out: Difference[] = [];
    for (const v of ours) {
      const same = left.get(key(v));
      if (same?.length) same.pop();
      else out.push({ path: `${path}[${key(v)}]`, change: 'added', value: v });
    }
    for (const [k, rest] of left)
      for (const v of rest) out.push({ path: `${path}[${k}]`, change: 'removed', value: v });
    return out;
  }
  return JSON.stringify(theirs) === JSON.stringify(ours) ? [] : [{ path, change: 'changed', value: ours }];
}

// ---- running docker-compose config, cached by content ----
// Compose v1 is Python: most of a `docker-compose config` run is the interpreter starting. When the command
// is a Python script (Debian's package), its own console entry point is loaded once per worker and called
// per project directory — the same code as the command, about four times faster; otherwise (or if that
// fails) the command runs per directory, four at a time.
const BATCH_PY = String.raw`
import contextlib, io, json, os, sys
from importlib.metadata import distribution
ep = next(e for e in distribution('docker-compose').entry_points if e.group == 'console_scripts' and e.name == 'docker-compose')
main = ep.load()
real_stdout = sys.stdout
real_stdout.write('ready\n'); real_stdout.flush()
for line in sys.stdin:
    d = line.rstrip('\n')
    os.chdir(d)
    out, err = io.StringIO(), io.StringIO()
    sys.argv = ['docker-compose', 'config']
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main()
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        except Exception as e:
            code = 1
            err.write(repr(e))
    real_stdout.write(json.dumps({'dir': d, 'code': code, 'stdout': out.getvalue(), 'stderr': err.getvalue()}) + '\n')
    real_stdout.flush()
`;
interface ConfigResult {
  code: number;
  stdout: string;
  stderr: string;
}
type Runner = (dir: string) => Promise<ConfigResult>;

function perProcessRunner(): Runner {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (dir) => {
    if (running >= 4) await new Promise<void>((r) => waiting.push(r));
    running++;
    try {
      const r = await execa('docker-compose', ['config'], {
        cwd: dir,
        reject: false,
        env: { HARDEN_INIT_DB_PASSWORD: '' },
      });
      return { code: r.exitCode ?? 1, stdout: String(r.stdout), stderr: String(r.stderr) };
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}

async function batchWorker(python: string): Promise<{ run: Runner; stop: () => void }> {
  const proc = spawn(python, ['-c', BATCH_PY], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, HARDEN_INIT_DB_PASSWORD: '' },
  });
  const pending = new Map<string, (r: ConfigResult) => void>();
  let ready!: () => void;
  let failed!: (e: Error) => void;
  const started = new Promise<void>((res, rej) => {
    ready = res;
    failed = rej;
  });
  proc.on('error', (e) => failed(e));
  proc.on('exit', (code) => {
    failed(new Error(`compose batch worker exited (${code})`));
    for (const [dir, done] of pending)
      done({ code: 1, stdout: '', stderr: `the compose batch worker exited (${code}) before ${dir}` });
    pending.clear();
  });
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    if (line === 'ready') {
      ready();
      return;
    }
    const r = JSON.parse(line) as ConfigResult & { dir: string };
    pending.get(r.dir)?.(r);
    pending.delete(r.dir);
  });
  await started;
  return {
    run: (dir) =>
      new Promise((res) => {
        pending.set(dir, res);
        proc.stdin!.write(`${dir}\n`);
      }),
    stop: () => {
      proc.stdin!.end();
    },
  };
}

async function makeRunner(): Promise<{ run: Runner; stop: () => void }> {
  try {
    const path = String((await execa('sh', ['-c', 'command -v docker-compose'])).stdout).trim();
    const shebang = /^#!\s*(\S*python\S*)/.exec(readFileSync(path, 'utf8').slice(0, 200))?.[1];
    if (!shebang) throw new Error('not a Python script');
    const workers = await Promise.all([batchWorker(shebang), batchWorker(shebang)]);
    let next = 0;
    return { run: (dir) => workers[next++ % workers.length]!.run(dir), stop: () => workers.forEach((w) => w.stop()) };
  } catch {
    return { run: perProcessRunner(), stop: () => {} };
  }
}

const root = tempDir('hi-deviations-');
let runner: Promise<{ run: Runner; stop: () => void }> | undefined;
afterAll(async () => {
  if (runner) (await runner).stop();
  rmSync(root, { recursive: true, force: true });
});
const configCache = new Map<string, Promise<Json>>();
function composeConfig(compose: string, env: string): Promise<Json> {
  const id = createHash('sha256').update(compose).update('\0').update(env).digest('hex').slice(0, 16);
  let p = configCache.get(id);
  if (!p) {
    p = (async () => {
      const dir = join(root, id, 'appwrite'); // the same project name on both sides
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'docker-compose.yml'), compose);
      writeFileSync(join(dir, '.env'), env);
      runner ??= makeRunner();
      const r = await (await runner).run(dir);
      if (r.code !== 0) throw new Error(`docker-compose config failed in ${dir}:\n${r.stderr}`);
      return parse(r.stdout) as Json;
    })();
    configCache.set(id, p);
  }
  return p;
}

const templates = new Map<string, Template>();
const templateFor = (v: string) => {
  if (!templates.has(v)) templates.set(v, templateOf(v));
  return templates.get(v)!;
};

async function differences(c: Combo): Promise<Difference[]> {
  const t = templateFor(c.version);
  const p = plan(c.answers, { dir: '/x' }, t, {
    composePolicy: 'replace',
    random: counter(),
    dbPassword: c.answers.db === 'external' ? 'ext-Secret_pw' : undefined,
  });
  expect(p.findings, c.label).toEqual([]);
  const env = fileOf(p, '.env');
  const upstream = renderLikeInstaller(t.compose, {
    database: c.answers.db === 'external' ? undefined : c.answers.dbEngine,
    topology: c.answers.topology,
  }).toString();
  const [theirs, ours] = await Promise.all([
    composeConfig(upstream, env),
    composeConfig(fileOf(p, 'docker-compose.yml'), env),
  ]);
  return diffPaths(theirs, ours);
}

const used = new Map<Deviation, number>();

describe.runIf(haveCompose)("ours vs upstream's render, as docker-compose config reads both", () => {
  it('every differing path, for every choice, is an entry of the reviewed table', { timeout: 600_000 }, async () => {
    const unreviewed = new Map<string, string[]>();
    await Promise.all(
      combos.map(async (c) => {
        for (const diff of await differences(c)) {
          const hits = deviationsFor(diff);
          for (const d of hits) used.set(d, (used.get(d) ?? 0) + 1);
          const k = `${diff.change} ${diff.path}`;
          if (hits.length === 0) unreviewed.set(k, [...(unreviewed.get(k) ?? []), c.label]);
        }
      }),
    );
    const report = [...unreviewed.entries()]
      .map(([p, labels]) => `${p}  (${labels.length} choices, e.g. ${labels[0]})`)
      .sort();
    expect(report).toEqual([]);
  });

  it('every table entry is needed by at least one choice (no dead entries)', () => {
    expect(DEVIATIONS.filter((d) => !used.has(d)).map((d) => d.path)).toEqual([]);
  });
});

describe('the table', () => {
  it('names a rule (or a reviewed non-rule source) and a reason for every entry; paths are distinct', () => {
    const ids = ruleIds();
    for (const d of DEVIATIONS) {
      expect(ids, d.path).toContain(d.rule);
      expect(d.reason.length, d.path).toBeGreaterThan(15);
    }
    expect(new Set(DEVIATIONS.map((d) => d.path)).size).toBe(DEVIATIONS.length);
  });
  it('covers a path and what is below it, `*` within one segment only, filtered by change and value', () => {
    const d = (path: string, more: Partial<Deviation> = {}): Deviation => ({ path, rule: 'x', reason: 'x', ...more });
    const at = (path: string, change: Difference['change'] = 'added', value: unknown = 'v'): Difference => ({
      path,
      change,
      value,
    });
    expect(covers(d('services.*.image'), at('services.appwrite.image'))).toBe(true);
    expect(covers(d('services.*.image'), at('services.appwrite.images'))).toBe(false);
    expect(covers(d('services.*.image'), at('services.a.b.image'))).toBe(false);
    expect(covers(d('services.traefik.command'), at('services.traefik.command[--global.checknewversion=false]'))).toBe(
      true,
    );
    expect(
      covers(
        d('services.traefik.command[--global.**]'),
        at('services.traefik.command[--global.checknewversion=false]'),
      ),
    ).toBe(true);
    expect(covers(d('services.docker-socket-proxy'), at('services.docker-socket-proxy.image'))).toBe(true);
    expect(covers(d('networks.internal'), at('networks.internal-2'))).toBe(false);
    expect(covers(d('services.*.restart', { change: ['added'] }), at('services.a.restart', 'removed'))).toBe(false);
    expect(
      covers(d('services.*.image', { value: /^appwrite\// }), at('services.a.image', 'changed', 'traefik:3.7')),
    ).toBe(false);
    expect(
      covers(
        d('services.*.image', { value: /^appwrite\// }),
        at('services.a.image', 'changed', 'appwrite/appwrite:2.3.0'),
      ),
    ).toBe(true);
  });
  it('diffPaths reports one-sided keys, changed scalars and list elements by value', () => {
    expect(diffPaths({ a: 1, b: { c: [1, 2, 2] }, e: 0 }, { a: 2, b: { c: [2, 3] }, d: 1 })).toEqual([
      { path: 'a', change: 'changed', value: 2 },
      { path: 'b.c[3]', change: 'added', value: 3 },
      { path: 'b.c[1]', change: 'removed', value: 1 },
      { path: 'b.c[2]', change: 'removed', value: 2 },
      { path: 'e', change: 'removed', value: 0 },
      { path: 'd', change: 'added', value: 1 },
    ]);
  });
});

// README's "Hardening rules" table is RULES rendered: it cannot drift from the code.
// `UPDATE_README=1 npx vitest run test/targets/appwrite/rules/deviations.test.ts -t README` rewrites the block in place.
const BEGIN =
  '<!-- rules-table: generated from RULES (src/targets/appwrite/rules/index.ts) by test/targets/appwrite/rules/deviations.test.ts -->';
const END = '<!-- /rules-table -->';
export function rulesTable(): string {
  // Markdown-safe outside `code` spans: no HTML tags (<release>), no emphasis from _NAME or NAME_*.
  const cell = (s: string) =>
    s
      .replace(/\n/g, ' ')
      .split(/(`[^`]*`)/)
      .map((part, i) => (i % 2 ? part : part.replace(/[<>*]/g, (c) => `\\${c}`).replace(/(^|[\s(,])_/g, '$1\\_')))
      .join('')
      .replace(/\|/g, '\\|');
  return [
    BEGIN,
    '| rule | what it changes | why | what Appwrite still gets |',
    '|---|---|---|---|',
    ...RULES.map((r) => `| \`${r.id}\` | ${cell(r.what)} | ${cell(r.why)} | ${cell(r.keeps)} |`),
    END,
  ].join('\n');
}

describe('README', () => {
  it('"Hardening rules" holds exactly the table rendered from RULES, once', () => {
    const path = join(ROOT, 'README.md');
    let readme = readFileSync(path, 'utf8');
    const start = readme.indexOf(BEGIN);
    const end = readme.indexOf(END);
    expect(start, 'README has the rules-table block').toBeGreaterThan(readme.indexOf('## Hardening rules'));
    if (process.env.UPDATE_README === '1') {
      readme = readme.slice(0, start) + rulesTable() + readme.slice(end + END.length);
      writeFileSync(path, readme);
    }
    expect(readme.slice(start, readme.indexOf(END) + END.length)).toBe(rulesTable());
    expect(readme.indexOf(BEGIN, start + 1)).toBe(-1);
  });
});
