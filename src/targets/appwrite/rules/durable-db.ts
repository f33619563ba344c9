import { isScalar, isSeq } from 'yaml';
import { scalar, service } from '../render/doc.js';
import type { Rule } from './types.js';

// Flags that trade crash safety for speed (an early 2.0 compose ran PostgreSQL with the first three).
const UNSAFE = new RegExp(
  [
    String.raw`^(?:-c\s*)?-{0,2}(fsync|synchronous[-_]commit|full[-_]page[-_]writes)=off$`,
    '^-{0,2}innodb[-_]flush[-_]log[-_]at[-_]trx[-_]commit=[02]$',
    '^--skip-innodb[-_]doublewrite$',
    '^-{0,2}innodb[-_]doublewrite=(0|off|OFF)$',
  ].join('|'),
);

export function unsafeDbFlags(items: string[]): number[] {
  const drop: number[] = [];
  items.forEach((v, i) => {
    if (UNSAFE.test(v)) drop.push(i);
    else if (v === '-c' && UNSAFE.test(items[i + 1] ?? '')) drop.push(i, i + 1);
  });
  return [...new Set(drop)];
}

export const durableDatabase: Rule = {
  id: 'durable-database',
  what:
    'database flags that weaken durability (fsync=off, synchronous_commit=off, full_page_writes=off, ' +
    'InnoDB flush/doublewrite off) are removed',
  why: 'a power cut or crash with them set can corrupt the database beyond repair',
  keeps: 'every other upstream database flag',
  apply({ doc }) {
    for (const name of ['postgresql', 'mariadb']) {
      const svc = service(doc, name);
      const cmd = svc?.get('command', true);
      // String form (Compose splits it shell-like): dropped word by word, the rest re-joined.
      if (svc && isScalar(cmd) && typeof cmd.value === 'string') {
        const words = cmd.value.trim().split(/\s+/);
        const drop = new Set(unsafeDbFlags(words));
        if (drop.size) svc.set('command', words.filter((_, i) => !drop.has(i)).join(' '));
        continue;
      }
      if (!isSeq(cmd)) continue;
      const items = cmd.items.map(scalar);
      const drop = new Set(unsafeDbFlags(items));
      cmd.items = cmd.items.filter((_, i) => !drop.has(i));
    }
  },
};
