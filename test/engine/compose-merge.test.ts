// The three-way merge of hand edits (src/engine/compose-merge.ts): examples of each kind of edit, the conflicts,
// the proposal, and properties over generated compose files.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parse, stringify } from 'yaml';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  composeEdits,
  describeEdit,
  editHolds,
  mergeCompose,
  normalize,
  sameCompose,
  type Edit,
} from '../../src/engine/compose-merge.js';
import { ROOT } from '../helpers/run-bin.js';

const model = (text: string) => normalize(parse(text, { merge: true }));

const BASE = `# harden-init's file
services:
  appwrite:
    image: appwrite/appwrite:1.9.5
    environment:
      - _APP_ENV
      - _APP_DOMAIN
    labels:
      - traefik.enable=true
      - traefik.http.routers.api.rule=PathPrefix(\`/\`)
    volumes:
      - appwrite-uploads:/storage/uploads:rw
    networks:
      - appwrite
  worker-audits:
    image: appwrite/appwrite:1.9.5
    command: [worker-audits]
  redis:
    image: redis:7.2 # pinned
volumes:
  appwrite-uploads: {}
`;

// The new release: image moved, a service removed and one added, a label changed upstream.
const NEXT = `# harden-init's file, new release
services:
  appwrite:
    image: appwrite/appwrite:1.9.10
    environment:
      - _APP_ENV
      - _APP_DOMAIN
      - _APP_NEW
    labels:
      - traefik.enable=true
      - traefik.http.routers.api.rule=PathPrefix(\`/v1\`)
    volumes:
      - appwrite-uploads:/storage/uploads:rw
    networks:
      - appwrite
  redis:
    image: redis:7.4 # pinned
  clickhouse:
    image: clickhouse:26
volumes:
  appwrite-uploads: {}
`;

const edit = (base: string, f: (m: Record<string, any>) => void): string => {
  const m = parse(base);
  f(m);
  return stringify(m, { lineWidth: 0 });
};

describe('composeEdits: their edits as structured changes', () => {
  it('an environment entry, a label, a volume, a service of their own, a removed key', () => {
    const theirs = edit(BASE, (m) => {
      m.services.appwrite.environment.push('MY_FLAG=on');
      m.services.appwrite.labels[1] = 'traefik.http.routers.api.rule=Host(`a.example.com`)';
      m.services.appwrite.volumes.push('./extra:/extra:ro');
      m.services.backup = { image: 'me/backup:1' };
      delete m.services.redis.image;
    });
    const lines = composeEdits(BASE, theirs).map((e) => describeEdit(e));
    expect(lines).toEqual([
      'added services.appwrite.environment.MY_FLAG = "on"',
      'changed services.appwrite.labels.traefik.http.routers.api.rule = "Host(`a.example.com`)"',
      'added to services.appwrite.volumes: "./extra:/extra:ro"',
      'removed services.redis.image',
      'added services.backup = {"image":"me/backup:1"}',
    ]);
  });

  it('list form ↔ map form of environment, re-ordered volumes and comments are no edit', () => {
    const theirs = BASE.replace(
      '      - _APP_ENV\n      - _APP_DOMAIN\n',
      '      _APP_ENV:\n      _APP_DOMAIN:\n',
    ).replace('# pinned', '# mine now');
    expect(composeEdits(BASE, theirs)).toEqual([]);
    const r = mergeCompose(BASE, theirs, NEXT);
    expect(r.layoutOnly).toBe(true);
    expect(r.text).toBe(NEXT);
  });
});

describe('mergeCompose: clean edits carried onto the new file, conflicts listed and proposed', () => {
  const theirs = edit(BASE, (m) => {
    m.services.appwrite.environment.push('MY_FLAG=on'); // clean: the path is new
    m.services.appwrite.volumes.push('./extra:/extra:ro'); // clean: an entry of a set
    m.services.backup = { image: 'me/backup:1', networks: ['appwrite'] }; // clean: a service of their own
    m.services.appwrite.labels[1] = 'traefik.http.routers.api.rule=Host(`a.example.com`)'; // conflict: upstream changed it
    m.services['worker-audits'].command = ['worker-audits', '--verbose']; // conflict: the service is gone
    m.services.redis.image = 'redis:7.2.5'; // conflict: upstream changed it
  });
  const r = mergeCompose(BASE, theirs, NEXT);

  it('carries the clean ones into the new file, keeping its comments and its list form', () => {
    expect(r.carried.map((e) => describeEdit(e))).toEqual([
      'added services.appwrite.environment.MY_FLAG = "on"',
      'added to services.appwrite.volumes: "./extra:/extra:ro"',
      'added services.backup = {"image":"me/backup:1","networks":["appwrite"]}',
    ]);
    expect(r.text).toMatch(/^# harden-init's file, new release\n/);
    expect(r.text).toContain('      - _APP_NEW\n      - MY_FLAG=on\n');
    expect(r.text).toContain('      - ./extra:/extra:ro\n');
    const m = model(r.text) as Record<string, any>;
    expect(m.services.appwrite.image).toBe('appwrite/appwrite:1.9.10');
    expect(m.services.clickhouse).toEqual({ image: 'clickhouse:26' });
    expect(m.services.backup).toEqual({ image: 'me/backup:1', networks: ['appwrite'] });
    expect(m.services['worker-audits']).toBeUndefined();
  });

  it('lists each conflict with its reason and applies none of them', () => {
    expect(r.conflicts.map((c) => `${describeEdit(c.edit)}: ${c.reason}`)).toEqual([
      'changed services.appwrite.labels.traefik.http.routers.api.rule = "Host(`a.example.com`)": the new release changed it too',
      'changed services.worker-audits.command = ["worker-audits","--verbose"]: services.worker-audits is not in the new release\'s file',
      'changed services.redis.image = "redis:7.2.5": the new release changed it too',
    ]);
    const m = model(r.text) as Record<string, any>;
    expect(m.services.redis.image).toBe('redis:7.4');
    expect(m.services.appwrite.labels['traefik.http.routers.api.rule']).toBe('PathPrefix(`/v1`)');
    expect(r.edits.length).toBe(r.carried.length + r.conflicts.length);
  });

  it('the proposal lists every conflict and holds the forceable ones, beside a file that holds none', () => {
    expect(r.proposal).toMatch(/^# PROPOSAL, not in use/);
    expect(r.proposal).toContain(
      "services.worker-audits is not in the new release's file (not written below either: its place is gone)",
    );
    const p = model(r.proposal!) as Record<string, any>;
    expect(p.services.redis.image).toBe('redis:7.2.5');
    expect(p.services.appwrite.labels['traefik.http.routers.api.rule']).toBe('Host(`a.example.com`)');
    expect(p.services.appwrite.environment.MY_FLAG).toBe('on');
  });

  it('the admit hook refuses an edit: taken back, listed as a conflict with its reason, and in the proposal', () => {
    const pub = edit(BASE, (m) => {
      m.services.redis.ports = ['6379:6379'];
      m.services.appwrite.environment.push('X=1');
    });
    const seen: Edit[] = [];
    const r2 = mergeCompose(BASE, pub, NEXT, {
      admit: (text, e) => {
        seen.push(e);
        return (model(text) as any).services.redis.ports ? { refused: 'publishes redis on the host' } : undefined;
      },
    });
    expect(seen).toHaveLength(2);
    expect(r2.carried.map((e) => e.path.join('.'))).toEqual(['services.appwrite.environment.X']);
    expect(r2.conflicts.map((c) => c.reason)).toEqual(['publishes redis on the host']);
    expect((model(r2.text) as any).services.redis.ports).toBeUndefined();
    expect((model(r2.proposal!) as any).services.redis.ports).toEqual(['6379:6379']);
  });

  it('the admit hook may complete a carried edit (a service of their own hardened): its text is kept, with its note', () => {
    const own = edit(BASE, (m) => {
      m.services.mine = { image: 'me/x:1' };
    });
    const r3 = mergeCompose(BASE, own, NEXT, {
      admit: (text) => ({
        text: text.replace('image: me/x:1\n', 'image: me/x:1\n    restart: unless-stopped\n'),
        note: 'hardened',
      }),
    });
    expect(r3.carried).toHaveLength(1);
    expect(r3.notes).toEqual([{ edit: r3.carried[0], note: 'hardened' }]);
    expect((model(r3.text) as any).services.mine).toEqual({ image: 'me/x:1', restart: 'unless-stopped' });
    expect(editHolds(r3.text, r3.carried[0]!)).toBe(true);
    expect(editHolds(NEXT, r3.carried[0]!)).toBe(false);
  });

  it('a removal carried where upstream left the value alone; refused where upstream changed it', () => {
    const t = edit(BASE, (m) => {
      m.services.appwrite.networks = [];
      delete m.services.redis.image;
      delete m.volumes;
    });
    const r3 = mergeCompose(BASE, t, NEXT);
    expect(r3.carried.map((e) => describeEdit(e))).toEqual([
      'removed from services.appwrite.networks: "appwrite"',
      'removed volumes',
    ]);
    expect(r3.conflicts.map((c) => `${describeEdit(c.edit)}: ${c.reason}`)).toEqual([
      'removed services.redis.image: the new release changed it',
    ]);
    expect((model(r3.text) as any).services.appwrite.networks).toEqual([]);
  });

  it('a map they added joins a map the new release added at the same place, key by key', () => {
    const b = 'services:\n  a:\n    image: x\n';
    const t = 'services:\n  a:\n    image: x\n    environment:\n      MINE: "1"\n';
    const n = 'services:\n  a:\n    image: y\n    environment:\n      - UPSTREAM=2\n';
    const r4 = mergeCompose(b, t, n);
    expect(r4.conflicts).toEqual([]);
    expect(r4.text).toBe('services:\n  a:\n    image: y\n    environment:\n      - UPSTREAM=2\n      - MINE=1\n');
  });

  it('masks values the caller names secret', () => {
    const [e] = composeEdits(
      BASE,
      edit(BASE, (m) => {
        m.services.appwrite.environment.push('MY_TOKEN=abc123');
      }),
    );
    expect(describeEdit(e!, (p) => !/TOKEN/.test(p[p.length - 1]!))).toBe(
      'added services.appwrite.environment.MY_TOKEN (value hidden)',
    );
  });

  it("upstream's own 1.9.6 → 2.3.0 files: an edit on appwrite carried, one on a removed worker a conflict", () => {
    const rel = (v: string) => readFileSync(join(ROOT, 'test/fixtures/releases', v, 'docker-compose.yml'), 'utf8');
    const b = rel('1.9.6');
    const t = edit(b, (m) => {
      m.services.appwrite.environment.push('MY_OWN=1');
      m.services['appwrite-worker-audits'].restart = 'always';
    });
    const r5 = mergeCompose(b, t, rel('2.3.0'));
    expect(r5.carried.map((e) => e.path.join('.'))).toEqual(['services.appwrite.environment.MY_OWN']);
    expect(r5.conflicts.map((c) => c.reason)).toEqual([
      "services.appwrite-worker-audits is not in the new release's file",
    ]);
    expect((model(r5.text) as any).services.appwrite.environment.MY_OWN).toBe('1');
  });

  // Two steps of one upgrade: step 1's conflicts are in no file step 2 reads (they were not applied), so they are
  // handed to step 2's merge as pending; its proposal holds them next to its own, each named with its step.
  it("a later step's proposal keeps the earlier steps' not-carried edits, and never applies them", () => {
    const step1 = mergeCompose(BASE, theirs, NEXT, { step: '1.9.5 → 1.9.10' });
    expect(step1.conflicts.map((c) => c.step)).toEqual(['1.9.5 → 1.9.10', '1.9.5 → 1.9.10', '1.9.5 → 1.9.10']);
    // The next release: the label back as BASE had it (the earlier conflict would now apply cleanly), redis gone.
    const NEXT2 = NEXT.replace('1.9.10', '2.3.0')
      .replace('PathPrefix(`/v1`)', 'PathPrefix(`/`)')
      .replace(/ {2}redis:\n.*\n/, '');
    const mine = edit(step1.text, (m) => {
      m.services.appwrite.environment.push('STEP2=1');
      m.services.clickhouse.restart = 'always';
    });
    const step2 = mergeCompose(
      NEXT,
      mine,
      NEXT2.replace('clickhouse:26', 'clickhouse:27').replace(
        '    image: clickhouse:27\n',
        '    image: clickhouse:27\n    restart: unless-stopped\n',
      ),
      { step: '1.9.10 → 2.3.0', pending: step1.conflicts },
    );
    expect(step2.carried.map((e) => describeEdit(e))).toEqual(
      expect.arrayContaining(['added services.appwrite.environment.STEP2 = "1"']),
    );
    expect(step2.conflicts.map((c) => `${describeEdit(c.edit)}: ${c.reason} [${c.step}]`)).toEqual([
      'added services.clickhouse.restart = "always": the new release sets it too, to another value [1.9.10 → 2.3.0]',
    ]);
    expect(step2.pending).toEqual(step1.conflicts);
    // Never applied: the file written holds neither the earlier conflicts nor this step's.
    const m = model(step2.text) as Record<string, any>;
    expect(m.services.appwrite.labels['traefik.http.routers.api.rule']).toBe('PathPrefix(`/`)');
    expect(m.services.redis).toBeUndefined();
    expect(m.services.clickhouse.restart).toBe('unless-stopped');
    // The proposal: every step's edits written where their place exists, each listed with its step.
    const p = model(step2.proposal!) as Record<string, any>;
    expect(p.services.appwrite.labels['traefik.http.routers.api.rule']).toBe('Host(`a.example.com`)');
    expect(p.services.clickhouse.restart).toBe('always');
    expect(p.services.appwrite.environment.STEP2).toBe('1');
    expect(step2.proposal).toContain(
      '#   changed services.appwrite.labels.traefik.http.routers.api.rule = "Host(`a.example.com`)" — not applied: the new release changed it too [step 1.9.5 → 1.9.10]',
    );
    expect(step2.proposal).toContain(
      '#   changed services.redis.image = "redis:7.2.5" — not applied: the new release changed it too (not written below either: its place is gone) [step 1.9.5 → 1.9.10]',
    );
    expect(step2.proposal).toContain(
      '#   added services.clickhouse.restart = "always" — not applied: the new release sets it too, to another value [step 1.9.10 → 2.3.0]',
    );
    // What the proposal cannot hold either is said, with the missing part of the path in the final file.
    expect(step2.unwritten.map((u) => `${describeEdit(u.conflict.edit)}: ${u.why}`)).toEqual([
      'changed services.worker-audits.command = ["worker-audits","--verbose"]: services.worker-audits is not in the new release\'s file',
      'changed services.redis.image = "redis:7.2.5": services.redis is not in the new release\'s file',
    ]);
    // A step with no hand edit of its own still proposes the pending ones (the file itself stays NEXT, byte for byte).
    const only = mergeCompose(step1.text, step1.text, NEXT2, { pending: step1.conflicts });
    expect(only.text).toBe(NEXT2);
    expect(only.edits).toEqual([]);
    expect(only.proposal).toMatch(/^# PROPOSAL, not in use[^]*routers\.api\.rule[^]*\[step 1\.9\.5 → 1\.9\.10\]/);
    expect((model(only.proposal!) as any).services.appwrite.labels['traefik.http.routers.api.rule']).toBe(
      'Host(`a.example.com`)',
    );
  });
});

// ---- properties ----------------------------------------------------------------------------------------------------

const names = fc.constantFrom('appwrite', 'redis', 'worker', 'mine');
const envKeys = fc.constantFrom('A', 'B', 'C', '_APP_X');
const words = fc.constantFrom('x', 'y', '1', 'on', 'a b', 'p=q', 'http://h:1');
const service = fc.record(
  {
    image: fc.constantFrom('img:1', 'img:2', 'other:3'),
    environment: fc.oneof(
      fc.dictionary(envKeys, words, { maxKeys: 3 }),
      fc.dictionary(envKeys, words, { maxKeys: 3 }).map((d) => Object.entries(d).map(([k, v]) => `${k}=${v}`)),
    ),
    volumes: fc.uniqueArray(fc.constantFrom('a:/a', 'b:/b:ro', './c:/c'), { maxLength: 3 }),
    command: fc.array(words, { maxLength: 2 }),
    restart: fc.constantFrom('unless-stopped', 'always'),
  },
  { requiredKeys: ['image'] },
);
const composeText = fc
  .dictionary(names, service, { minKeys: 1, maxKeys: 4 })
  .map((services) => stringify({ services }, { lineWidth: 0 }));

describe('mergeCompose: properties', () => {
  it('with NEXT == BASE, the merge gives back THEIRS (as compose reads it), no conflict', () => {
    fc.assert(
      fc.property(composeText, composeText, (base, theirs) => {
        const r = mergeCompose(base, theirs, base);
        expect(r.conflicts).toEqual([]);
        expect(sameCompose(r.text, theirs)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('no edit is silently dropped: each is carried (and holds in the result) or listed as a conflict', () => {
    fc.assert(
      fc.property(composeText, composeText, composeText, (base, theirs, next) => {
        const r = mergeCompose(base, theirs, next);
        expect(r.carried.length + r.conflicts.length).toBe(r.edits.length);
        for (const e of r.carried) expect(editHolds(r.text, e), describeEdit(e)).toBe(true);
        if (r.conflicts.length) expect(r.proposal).toBeDefined();
      }),
      { numRuns: 200 },
    );
  });

  it('without hand edits the new file is written as rendered, byte for byte', () => {
    fc.assert(
      fc.property(composeText, composeText, (base, next) => {
        expect(mergeCompose(base, base, next).text).toBe(next);
      }),
      { numRuns: 100 },
    );
  });

  it('what upstream changed and they did not touch stays as upstream changed it', () => {
    fc.assert(
      fc.property(composeText, composeText, composeText, (base, theirs, next) => {
        const r = mergeCompose(base, theirs, next);
        const touched = r.edits.map((e) => e.path.join('\u0000'));
        const upstream = composeEdits(base, next).filter(
          (u) => !touched.some((t) => t.startsWith(u.path.join('\u0000')) || u.path.join('\u0000').startsWith(t)),
        );
        for (const u of upstream) expect(editHolds(r.text, u), describeEdit(u)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});

describe('mergeCompose: a list entry the new file shares through an anchor', () => {
  it('an added entry to a list holding an alias is listed as a conflict, not a crash', () => {
    const base = 'services:\n  a:\n    image: x:1\n    volumes:\n      - data:/data\n';
    const theirs = 'services:\n  a:\n    image: x:1\n    volumes:\n      - data:/data\n      - ./mine:/mine:ro\n';
    const next =
      'x-cache: &cache cache:/cache\nservices:\n  a:\n    image: x:2\n    volumes:\n      - data:/data\n      - *cache\n';
    const r = mergeCompose(base, theirs, next);
    expect(r.carried).toEqual([]);
    expect(r.conflicts.map((c) => c.reason).join('\n')).toMatch(/anchor/);
    expect(r.text).toBe(next);
  });
});
