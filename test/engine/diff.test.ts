import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { diffLines, maskComposeText, maskEnvPair, unifiedDiff } from '../../src/engine/diff.js';

const lines = fc.array(fc.constantFrom('a', 'b', 'c', 'd', ''), { maxLength: 25 });

describe('line diff', () => {
  it('old = kept + removed lines, new = kept + added lines, in order', () => {
    fc.assert(
      fc.property(lines, lines, (a, b) => {
        const ops = diffLines(a, b);
        expect(ops.filter((o) => o.op !== '+').map((o) => o.line)).toEqual(a);
        expect(ops.filter((o) => o.op !== '-').map((o) => o.line)).toEqual(b);
      }),
    );
  });
  it('is empty for identical text and shows only context around a change', () => {
    expect(unifiedDiff('a\nb\n', 'a\nb\n')).toEqual([]);
    const old = Array.from({ length: 20 }, (_, i) => `L${i}`).join('\n');
    const out = unifiedDiff(old, old.replace('L10', 'X'));
    expect(out).toEqual(['…', ' L7', ' L8', ' L9', '-L10', '+X', ' L11', ' L12', ' L13']);
  });
});

describe('masking secrets in .env diffs', () => {
  it('never shows a secret value, and marks a changed one', () => {
    const [o, n] = maskEnvPair('KEY=old-secret\nA=1\n', 'KEY=new-secret\nA=2\n', new Set(['KEY']));
    expect(o + n).not.toMatch(/old-secret|new-secret/);
    expect(n).toContain('KEY=******** (changed)');
    expect(n).toContain('A=2');
  });
});

it('masks every line of a multi-line secret', () => {
  const text = 'KEY="-----BEGIN-----\nTOPSECRETLINE\n-----END-----"\nA=1\n';
  const [o, n] = maskEnvPair(text, `${text}B=2\n`, new Set(['KEY']));
  expect(o + n).not.toContain('TOPSECRETLINE');
  expect(unifiedDiff(o, n).join('\n')).not.toContain('TOPSECRETLINE');
});

it('masks secret-looking values a hand edit put into a compose file', () => {
  const text =
    '    environment:\n      - _APP_SMTP_PASSWORD=Hunter2\n      DB_PASSWORD: Hunter3\n      - _APP_ENV\n      - MODE=prod\n';
  const out = maskComposeText(text, new Set(['_APP_SMTP_PASSWORD']));
  expect(out).not.toMatch(/Hunter2|Hunter3/);
  expect(out).toContain('- _APP_SMTP_PASSWORD=********');
  expect(out).toContain('DB_PASSWORD: ********');
  expect(out).toContain('- MODE=prod');
  expect(maskComposeText('      - MYSQL_PASSWORD=${_APP_DB_PASS}\n', new Set())).toContain('${_APP_DB_PASS}');
});
