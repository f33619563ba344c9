// Compares what the containers run with what .env says, and explains drift where it can.
import { isMaskedName } from '../engine/diff.js';
import type { Expectation } from './expectations.js';

export interface Row {
  name: string;
  expected: string;
  /** The running value when all services agree, else undefined (see `services`). */
  running: string | undefined;
  ok: boolean;
  /** Whether any container printed the variable at all. */
  reported: boolean;
  /** Services whose value differs. */
  drifted: string[];
  secret: boolean;
}

export interface Comparison {
  rows: Row[];
  drift: Row[];
}

export function compare(
  exp: Expectation[],
  running: Map<string, Map<string, string>>,
  sensitive: Set<string>,
): Comparison {
  const byName = new Map<string, Expectation[]>();
  for (const e of exp) byName.set(e.name, [...(byName.get(e.name) ?? []), e]);
  const rows: Row[] = [];
  for (const [name, list] of byName) {
    const values = list.map((e) => running.get(e.service)?.get(name));
    // `vars` prints a value raw, so only the first line of a multi-line value (a PEM key) is readable.
    const same = (got: string | undefined, want: string) =>
      want.includes('\n') ? got === want.split('\n')[0] : got === want;
    const drifted = list.filter((e, i) => !same(values[i], e.expected)).map((e) => e.service);
    const distinct = [...new Set(values)];
    rows.push({
      name,
      expected: list[0]!.expected,
      running: distinct.length === 1 ? distinct[0] : undefined,
      reported: values.some((v) => v !== undefined),
      ok: drifted.length === 0,
      drifted,
      secret: isMaskedName(name, sensitive),
    });
  }
  return { rows, drift: rows.filter((r) => !r.ok) };
}
