// README.md carries the essentials and points into docs/ for the reference pages (which the package does not
// carry, to stay small). A moved or renamed page must not leave a reader with a dead link.
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..', '..');
const pages = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** The relative link targets of a Markdown page (web links and in-page anchors are not files). */
function relativeLinks(text: string): string[] {
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1]!)
    .filter((t) => !/^[a-z]+:/i.test(t) && !t.startsWith('#'));
}

describe('documentation links', () => {
  it.each(pages)('%s: every relative link leads to a file in the repository', (page) => {
    const links = relativeLinks(readFileSync(join(ROOT, page), 'utf8'));
    const dead = links.filter((l) => !existsSync(join(ROOT, dirname(page), l.split('#')[0]!)));
    expect(dead).toEqual([]);
  });

  it('the README links every page in docs/', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    for (const page of pages.filter((p) => p.startsWith('docs/'))) expect(readme).toContain(`](${page})`);
  });
});
