// One suite every registered target must pass: what the engine relies on, checked through the contract only
// (src/targets/types.ts). Answers come from each target's own questions: every choice of every select, with
// the questions' placeholders as text answers (a placeholder is an example of a valid answer).
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TARGETS } from '../../src/targets/index.js';
import type { BaseAnswers, Target, TargetTemplate } from '../../src/targets/types.js';
import type { Question } from '../../src/core/question.js';
import { plan, type Plan } from '../../src/engine/plan.js';
import { parseEnv, toRecord } from '../../src/engine/envfile.js';
import { parseState } from '../../src/engine/state.js';
import type { Existing } from '../../src/engine/existing.js';
import { RELEASES_DIR } from '../helpers/run-bin.js';
import { requireInCi } from '../helpers/tools.js';

const haveCompose = requireInCi('docker-compose', 'the contract checks every combination with docker-compose config');

/** Answers from the questions alone: fallbacks, else the placeholder parsed; then `overrides`. */
function answersFor(questions: Question[], overrides: Record<string, unknown>): Record<string, unknown> {
  const acc: Record<string, unknown> = {};
  for (const q of questions) {
    if (!q.when(acc)) continue;
    if (overrides[q.id] !== undefined) {
      acc[q.id] = overrides[q.id];
      continue;
    }
    const fallback = q.fallbackFor?.(acc) ?? q.fallback;
    if (fallback !== undefined) {
      acc[q.id] = fallback;
      continue;
    }
    const parsed = q.parse(q.placeholder ?? '');
    if (parsed.error !== undefined)
      throw new Error(`${q.id}: no fallback and the placeholder "${q.placeholder}" does not parse: ${parsed.error}`);
    acc[q.id] = parsed.value;
  }
  return acc;
}

/** One combination per choice of every prompted select (the others at their defaults). */
function combinations(questions: Question[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [{}];
  for (const q of questions) {
    if (q.kind !== 'select' || !q.choices) continue;
    for (const c of q.choices) if (c.value !== q.fallback) out.push({ [q.id]: c.value });
  }
  return out
    .map((o) => answersFor(questions, o))
    .filter((a, i, all) => all.findIndex((b) => JSON.stringify(b) === JSON.stringify(a)) === i);
}

const NOTHING: Existing = { dir: '/contract' };
const counter = () => {
  let n = 0;
  return () => `contractsecret${String(++n).padStart(34, '0')}`;
};

function existingAfter(p: Plan): Existing {
  const get = (path: string) => p.files.find((f) => f.path === path)?.content;
  const envText = get('.env');
  const stateText = get('.harden-init/state.json');
  return {
    dir: '/contract',
    envText,
    env: envText ? parseEnv(envText) : undefined,
    compose: get('docker-compose.yml'),
    stateText,
    state: stateText ? parseState(stateText) : undefined,
  };
}

for (const entry of Object.values(TARGETS)) {
  describe(`target contract: ${entry.id}`, async () => {
    const target = (await entry.load()) as Target<BaseAnswers>;
    const templates = new Map<string, TargetTemplate>();
    async function templateFor(release: string): Promise<TargetTemplate> {
      if (!templates.has(release)) {
        process.env.HARDEN_INIT_RELEASES_DIR = RELEASES_DIR;
        const prepared = await target.prepare({
          dir: mkdtempSync(join(tmpdir(), 'hi-contract-')),
          dirArg: './x',
          given: { release },
          existing: { present: false },
          allowInsecureRelease: true,
          acceptUpstream: [],
          dockerAvailable: false,
          onLine: () => {},
          env: process.env,
        });
        templates.set(release, prepared.template);
      }
      return templates.get(release)!;
    }
    // Appwrite's test descriptions are rebuilt without Compose profiles, so they hold no `separate` worker
    // topology (test/fixtures/upstream/appwrite/README.md); render.test.ts covers it on a synthetic file.
    const combos = combinations(entry.questions).filter((a) => !(entry.id === 'appwrite' && a.topology === 'separate'));

    it('declares one question per answer with unique flags, a message and help', () => {
      expect(new Set(entry.questions.map((q) => q.id)).size).toBe(entry.questions.length);
      expect(new Set(entry.questions.map((q) => q.flag)).size).toBe(entry.questions.length);
      for (const q of entry.questions) expect(q.message && q.help, q.id).toBeTruthy();
      expect(target.id).toBe(entry.id);
    });

    it.each(combos.map((a, i) => [i, a] as const))(
      'combination %i: answers → files → answers round trip, re-run byte-identical, secrets only in .env',
      async (_i, a) => {
        const t = await templateFor(String(a.release));
        const opts = {
          target,
          composePolicy: 'keep' as const,
          random: counter(),
          secretValues: Object.fromEntries(target.render.secretInputs.map((s) => [s.key, 'Operator-Secret_1'])),
        };
        const first = plan(a, NOTHING, t, opts);
        expect(first.findings).toEqual([]);
        const env = toRecord(parseEnv(first.files.find((f) => f.path === '.env')!.content));
        // The install reads back as the answers it was made from (what a re-run offers as defaults).
        const back = target.answersFromEnv(env, first.files.find((f) => f.path === 'docker-compose.yml')!.content);
        for (const key of target.readFromEnv) {
          if (first.answers[key] !== undefined) expect(back[key], key).toEqual(first.answers[key]);
        }
        // Generated and operator secrets live only in .env (0600), never in another file or the state.
        const secrets = [...first.generatedSecrets.map((k) => env[k]!), 'Operator-Secret_1'].filter(Boolean);
        for (const f of first.files) {
          if (f.path === '.env') {
            expect(f.mode).toBe(0o600);
            continue;
          }
          for (const s of secrets) expect(f.content.includes(s), `${f.path} holds a secret`).toBe(false);
        }
        // Same answers again: no file changes, no secret is replaced.
        const onDisk = (path: string) => first.files.find((f) => f.path === path)?.content;
        const again = plan(first.answers, existingAfter(first), t, {
          ...opts,
          readFile: onDisk,
          previous: first.answers,
          random: () => 'never-used',
        });
        expect(again.changes.filter((f) => !f.path.startsWith('.harden-init/upstream/')).map((f) => f.path)).toEqual(
          [],
        );
        expect(again.generatedSecrets).toEqual([]);
      },
    );

    it.skipIf(!haveCompose).each(combos.map((a, i) => [i, a] as const))(
      'combination %i: docker-compose config accepts the files',
      async (_i, a) => {
        const t = await templateFor(String(a.release));
        const p = plan(a, NOTHING, t, {
          target,
          composePolicy: 'keep',
          random: counter(),
          secretValues: Object.fromEntries(target.render.secretInputs.map((s) => [s.key, 'Operator-Secret_1'])),
        });
        const dir = mkdtempSync(join(tmpdir(), 'hi-contract-cfg-'));
        for (const f of p.files) if (!f.path.includes('/')) writeFileSync(join(dir, f.path), f.content);
        const r = await execa('docker-compose', ['config', '-q'], {
          cwd: dir,
          reject: false,
          env: { PATH: process.env.PATH ?? '' },
          extendEnv: false,
        });
        expect(r.exitCode, String(r.stderr)).toBe(0);
      },
    );
  });
}
