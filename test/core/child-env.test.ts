// A run's children start from the run's environment (main runs each command inside withChildEnv(io.env)), two
// runs at once each with their own, and outside a run from the process's.
import { describe, expect, it } from 'vitest';
import { withChildEnv } from '../../src/core/child-env.js';
import { exec } from '../../src/core/exec.js';

const echo = async () => String((await exec('sh', ['-c', 'printf %s "$HI_CHILD_ENV"'])).stdout);

describe("the environment of a run's children", () => {
  it("is the run's inside withChildEnv, each concurrent run its own; the process's outside", async () => {
    const [a, b] = await Promise.all([
      withChildEnv({ ...process.env, HI_CHILD_ENV: 'a' }, echo),
      withChildEnv({ ...process.env, HI_CHILD_ENV: 'b' }, echo),
    ]);
    expect([a, b]).toEqual(['a', 'b']);
    expect(process.env.HI_CHILD_ENV).toBeUndefined();
    expect(await echo()).toBe('');
  });

  it('a call with its own env (extendEnv: false) keeps it', async () => {
    const r = await withChildEnv({ HI_CHILD_ENV: 'run' }, async () =>
      exec('sh', ['-c', 'printf %s "$HI_CHILD_ENV"'], {
        env: { HI_CHILD_ENV: 'own', PATH: process.env.PATH },
        extendEnv: false,
      }),
    );
    expect(String(r.stdout)).toBe('own');
  });
});
