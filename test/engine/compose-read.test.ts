// A compose file as users' editors and tools leave it — a byte-order mark, CRLF line ends, a very long one-line list
// — is read as Docker Compose reads it wherever harden-init reads one: `check` (its own reading, without Compose),
// the three-way merge of hand edits (upgrade), the verify step's expectations, Langflow's running-config reader.
// A file that would exhaust memory or the stack (an alias bomb, thousands of nested brackets) or is not YAML is
// refused in one line that names the file and the problem (and the line, where there is one), never a hang.
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/run-bin.js';
import { readCompose, readFiles } from '../../src/audit/read.js';
import { composeEdits, describeEdit, mergeCompose } from '../../src/engine/compose-merge.js';
import { appwriteServices } from '../../src/targets/appwrite/verify/services.js';
import { running as langflowRunning } from '../../src/targets/langflow/report.js';

const MINECRAFT = 'services:\n minecraft:\n  image: x\n';
const BOM = '\ufeff';
const crlf = (text: string) => text.replace(/\n/g, '\r\n');

/** An install directory holding this compose file. */
function installDir(compose: string): string {
  const dir = tempDir('hi-compose-read-');
  writeFileSync(join(dir, 'docker-compose.yml'), compose);
  writeFileSync(join(dir, '.env'), 'A=1\n', { mode: 0o600 });
  return dir;
}

/** `check`'s own reading of an install (Compose not asked, so the test does not depend on it being installed). */
const check = (dir: string) => readCompose(readFiles(dir), false);
const checkText = (compose: string) => check(installDir(compose));

/** "Billion laughs": each level a list of ten aliases of the level below. */
function aliasBomb(levels: number): string {
  let text = `x-l0: &l0 [${Array(10).fill('lol').join(', ')}]\n`;
  for (let i = 1; i < levels; i++)
    text += `x-l${i}: &l${i} [${Array(10)
      .fill(`*l${i - 1}`)
      .join(', ')}]\n`;
  return `${text}services:\n  web:\n    image: nginx\n    command: *l${levels - 1}\n`;
}

const nested = (depth: number) =>
  `services:\n  web:\n    image: nginx\n    command: ${'['.repeat(depth)}x${']'.repeat(depth)}\n`;

describe('a byte-order mark at the start of the file', () => {
  it('check reads services → minecraft (not a top-level "minecraft" beside an empty services)', async () => {
    const r = await checkText(BOM + MINECRAFT);
    expect(Object.keys(r.model.services)).toEqual(['minecraft']);
    expect(r.model.services.minecraft!.image).toBe('x');
  });

  it('the merge of hand edits sees no edit in the mark itself, and the edit after it', () => {
    expect(composeEdits(MINECRAFT, BOM + MINECRAFT)).toEqual([]);
    const edits = composeEdits(MINECRAFT, `${BOM}services:\n minecraft:\n  image: y\n`);
    expect(edits.map((e) => describeEdit(e))).toEqual([
      describeEdit({ kind: 'set', path: ['services', 'minecraft', 'image'], base: 'x', theirs: 'y' }),
    ]);
  });

  it("the verify step and Langflow's reader find their services", () => {
    // One space per level, as in the file above: the mark must not count as the first line's indentation.
    expect(
      appwriteServices(
        `${BOM}services:\n appwrite:\n  image: appwrite/appwrite:2.7.1\n  environment:\n   - _APP_ENV\n`,
      ),
    ).toEqual(new Map([['appwrite', ['_APP_ENV']]]));
    expect(
      langflowRunning.services(
        `${BOM}services:\n langflow:\n  image: langflowai/langflow:1.13.1\n  environment:\n   LANGFLOW_HOST: \${LANGFLOW_HOST}\n`,
      ),
    ).toEqual(new Map([['langflow', ['LANGFLOW_HOST']]]));
  });
});

describe('CRLF line ends', () => {
  const LF = [
    '# an install edited on Windows',
    'services:',
    '  web:',
    '    image: "nginx:1.27" # pinned',
    '    command: >',
    '      nginx -g',
    "      'daemon off;'",
    '    environment:',
    '      - A=${A}',
    '    ports:',
    '      - 127.0.0.1:8080:80',
    '',
  ].join('\n');

  it('check reads the same model as from LF line ends, with no \\r in any value', async () => {
    const lf = await checkText(LF);
    const win = await checkText(crlf(LF));
    expect(win.model).toEqual(lf.model);
    expect(JSON.stringify(win.model)).not.toContain('\\r');
    expect(win.model.services.web!.image).toBe('nginx:1.27');
  });

  it('the merge of hand edits: line ends are no edit; an edit in a CRLF file is carried', () => {
    expect(composeEdits(LF, crlf(LF))).toEqual([]);
    const theirs = crlf(LF.replace('127.0.0.1:8080:80', '127.0.0.1:8081:80'));
    const next = LF.replace('nginx:1.27', 'nginx:1.28');
    const r = mergeCompose(LF, theirs, next);
    expect(r.conflicts).toEqual([]);
    expect(r.carried.map((e) => describeEdit(e)).join('\n')).toMatch(/8081/);
    expect(r.text).toContain('127.0.0.1:8081:80');
    expect(r.text).toContain('nginx:1.28');
  });
});

describe('a one-line flow list of 20,000 items', () => {
  const items = Array.from({ length: 20_000 }, (_, i) => `arg${i}`);
  const text = `services:\n  web:\n    image: nginx\n    command: [${items.join(', ')}]\n`;

  it('is read by check in well under a few seconds, every item kept', async () => {
    const dir = installDir(text);
    const t0 = performance.now();
    const r = await check(dir);
    const ms = performance.now() - t0;
    expect(r.model.services.web!.command).toHaveLength(20_000);
    expect(r.model.services.web!.command!.at(-1)).toBe('arg19999');
    expect(ms).toBeLessThan(3000);
  });

  it('and by the merge of hand edits', () => {
    const base = 'services:\n  web:\n    image: nginx\n';
    const t0 = performance.now();
    const edits = composeEdits(base, text);
    expect(performance.now() - t0).toBeLessThan(3000);
    expect(edits).toHaveLength(1);
  });
});

describe('an alias bomb is refused, naming the file and the aliases, without expanding it', () => {
  it.each([5, 10])('%i levels of ten aliases: check', async (levels) => {
    const dir = installDir(aliasBomb(levels));
    const t0 = performance.now();
    await expect(check(dir)).rejects.toThrow(
      new RegExp(`${join(dir, 'docker-compose.yml').replace(/[.\\/]/g, '\\$&')}: too many YAML aliases`),
    );
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it.each([5, 10])(
    "%i levels of ten aliases: the merge of hand edits (upgrade), the verify step, Langflow's reader",
    (levels) => {
      const bomb = aliasBomb(levels);
      const t0 = performance.now();
      expect(() => mergeCompose(MINECRAFT, bomb, MINECRAFT)).toThrow(/^docker-compose\.yml: too many YAML aliases/);
      expect(() => appwriteServices(bomb)).toThrow(/^docker-compose\.yml: too many YAML aliases/);
      expect(() => langflowRunning.services(bomb)).toThrow(/^docker-compose\.yml: too many YAML aliases/);
      expect(performance.now() - t0).toBeLessThan(2000);
    },
  );

  it('a file that shares blocks the way compose files do is read', async () => {
    const services = Array.from(
      { length: 40 },
      (_, i) => `  s${i}:\n    image: x\n    logging: *logging\n    <<: *common\n`,
    ).join('');
    const text = `x-logging: &logging\n  driver: json-file\nx-common: &common\n  restart: unless-stopped\n  logging: *logging\nservices:\n${services}`;
    const r = await checkText(text);
    expect(Object.keys(r.model.services)).toHaveLength(40);
    expect(composeEdits(text, text)).toEqual([]);
  });
});

describe('brackets nested deeper than a compose file needs are refused in one line, never a stack overflow', () => {
  it.each([200, 5000])('%i levels: check', async (depth) => {
    const dir = installDir(nested(depth));
    const err = await check(dir).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err).toBeInstanceOf(Error);
    expect(err!.name).not.toBe('RangeError');
    expect(err!.message).toContain(join(dir, 'docker-compose.yml'));
    expect(err!.message).toMatch(/nested more than 100 levels/);
    expect(err!.message).not.toMatch(/call stack/i);
  });

  it.each([200, 5000])('%i levels: the merge of hand edits and the verify step', (depth) => {
    for (const read of [
      () => mergeCompose(MINECRAFT, nested(depth), MINECRAFT),
      () => appwriteServices(nested(depth)),
    ]) {
      let err: Error | undefined;
      try {
        read();
      } catch (e) {
        err = e as Error;
      }
      expect(err).toBeInstanceOf(Error);
      expect(err!.name).not.toBe('RangeError');
      expect(err!.message).toMatch(
        /^docker-compose\.yml( line \d+, column \d+)?: not readable as YAML: collections nested more than 100 levels/,
      );
    }
  });
});

describe('a compose file that is not YAML is refused with its name and line', () => {
  const broken = [
    ['a key twice in one map', 'services:\n  web:\n    image: nginx\n    image: httpd\n', 4],
    ['a colon and space inside a plain value', 'services:\n  web:\n    image: nginx: 1.27\n', 3],
    ['an entry out of line', 'services:\n  web:\n    image: nginx\n   ports: x\n', 4],
    ['a tab as indentation', 'services:\n  web:\n\timage: nginx\n', 3],
  ] as const;

  it.each(broken)('%s: check', async (_what, text, line) => {
    const dir = installDir(text);
    await expect(check(dir)).rejects.toThrow(`${join(dir, 'docker-compose.yml')} line ${line}, column`);
  });

  it.each(broken)('%s: the merge of hand edits', (_what, text, line) => {
    expect(() => mergeCompose(MINECRAFT, text, MINECRAFT)).toThrow(
      new RegExp(`^docker-compose\\.yml line ${line}, column \\d+: not readable as YAML: \\S`),
    );
  });
});
