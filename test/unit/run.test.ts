// The in-house process runner (src/core/run.ts) that replaced execa: what the call sites rely on.
import { describe, expect, it } from 'vitest';
import { run } from '../../src/core/run.js';

const node = process.execPath;

describe('run', () => {
  it('reports a non-zero exit code without throwing, output with the final newline stripped', async () => {
    const r = await run(node, ['-e', 'process.stdout.write("out\\n"); process.stderr.write("err\\n"); process.exit(3)']);
    expect(r).toMatchObject({ exitCode: 3, stdout: 'out', stderr: 'err', timedOut: false, failed: true });
  });

  it('keeps the final newline with stripFinalNewline: false, and only one newline is stripped otherwise', async () => {
    const kept = await run(node, ['-e', 'process.stdout.write("a\\n\\n")'], { stripFinalNewline: false });
    expect(kept.stdout).toBe('a\n\n');
    const stripped = await run(node, ['-e', 'process.stdout.write("a\\n\\n")']);
    expect(stripped).toMatchObject({ stdout: 'a\n', exitCode: 0, failed: false });
  });

  it('kills a child that runs past the timeout and says so', async () => {
    const t0 = Date.now();
    const r = await run(node, ['-e', 'setTimeout(() => {}, 60000)'], { timeout: 300 });
    expect(r.timedOut).toBe(true);
    expect(r.failed).toBe(true);
    expect(r.exitCode).not.toBe(0);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

  it('writes input to the child stdin', async () => {
    const r = await run(node, ['-e', 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.stdout.write(s.toUpperCase()))'], { input: 'hello\n' });
    expect(r.stdout).toBe('HELLO');
  });

  it('gives stdin nothing by default (a reader sees end of input at once)', async () => {
    const r = await run(node, ['-e', 'let n=0;process.stdin.on("data",d=>n+=d.length).on("end",()=>console.log(n))'], { timeout: 10_000 });
    expect(r).toMatchObject({ stdout: '0', timedOut: false });
  });

  it('interleaves stdout and stderr in arrival order in all, and streams it line by line', async () => {
    const script = 'const w=(s,t)=>new Promise(r=>s.write(t,r));(async()=>{await w(process.stdout,"1\\n");await new Promise(r=>setTimeout(r,50));await w(process.stderr,"2\\n");await new Promise(r=>setTimeout(r,50));await w(process.stdout,"3\\n")})()';
    const p = run(node, ['-e', script], { all: true });
    const lines: string[] = [];
    for await (const l of p.iterable({ from: 'all' })) lines.push(l);
    const r = await p;
    expect(lines).toEqual(['1', '2', '3']);
    expect(r.all).toBe('1\n2\n3');
    expect(r.stdout).toBe('1\n3');
    expect(r.stderr).toBe('2');
  });

  it('returns a failed result naming ENOENT for a program that does not exist', async () => {
    const r = await run('harden-init-no-such-program', ['x'], { all: true });
    expect(r.failed).toBe(true);
    expect(r.exitCode).toBeUndefined();
    expect(r.error?.message).toMatch(/ENOENT/);
    expect(r.all).toMatch(/ENOENT/);
  });

  it('runs in cwd with exactly the given environment when extendEnv is false', async () => {
    const r = await run(node, ['-e', 'console.log(process.cwd(), process.env.HI_X, process.env.HOME === undefined)'], { cwd: '/tmp', env: { HI_X: 'y' }, extendEnv: false });
    expect(r.stdout).toBe('/tmp y true');
  });
});
