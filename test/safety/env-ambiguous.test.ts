// A hand-written .env value that Compose (what runs the stack) and dotenv (what harden-init reads with) read as
// different values: a re-run refuses it by line (exit 2, nothing written) and check reports it, so harden-init never
// backs up, verifies or re-writes with a value the containers do not have.
import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runMain } from '../helpers/run-main.js';
import { tempDir } from '../helpers/run-bin.js';
import { ambiguousEntries, parseEnv } from '../../src/engine/envfile.js';
import { FIRST } from './helpers.js';

describe('ambiguousEntries', () => {
  it('names the forms the readers disagree on, by line, and nothing else', () => {
    const text = [
      '# a comment with # inside',
      'A=plain',
      'B=a#b',
      'C=value # a comment',
      "D='x#y\\z'",
      'E="with\\ttab"',
      'F="line\\nbreak"',
      'G=`tick`',
      'H="a#b"',
      'I="multi',
      'line"',
      'J=x#',
    ].join('\r\n');
    expect(ambiguousEntries(parseEnv(text)).map((e) => [e.line, e.key])).toEqual([
      [3, 'B'],
      [6, 'E'],
      [8, 'G'],
      [12, 'J'],
    ]);
  });
});

describe('a re-run and check over an ambiguous hand edit', () => {
  it('refuses the re-run naming the line and the fix, writes nothing; check reports it as high', async () => {
    const dir = join(tempDir('hi-ambig-'), 'install');
    expect((await runMain(['--dir', dir, ...FIRST])).exitCode).toBe(0);
    const env = readFileSync(join(dir, '.env'), 'utf8').replace(
      /^_APP_SMTP_HOST=.*$/m,
      '_APP_SMTP_HOST=mail#relay.example.com',
    );
    writeFileSync(join(dir, '.env'), env);
    const r = await runMain(['--dir', dir, ...FIRST]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr + r.stdout).toMatch(/\.env line \d+: _APP_SMTP_HOST — a '#' inside an unquoted value/);
    expect(r.stderr + r.stdout).toMatch(/single quotes/);
    expect(readFileSync(join(dir, '.env'), 'utf8')).toBe(env);

    const c = await runMain(['check', '--dir', dir, '--json']);
    const report = JSON.parse(c.stdout) as { findings: { id: string; severity: string; subject: string }[] };
    expect(report.findings.filter((f) => f.id === 'env-ambiguous').map((f) => f.severity)).toEqual(['high']);
  });
});
