// Release numbers as every target pins them: plain x.y.z (no "latest", no "v", no release candidates).
export interface Release {
  major: number;
  minor: number;
  patch: number;
}

/** Plain x.y.z only: "2.7.1-rc.1", "latest", "v2.7.1", "2.7" are not releases. */
export function parseRelease(v: string): Release | undefined {
  const m = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/.exec(v);
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) };
}

export function mustParseRelease(v: string): Release {
  const r = parseRelease(v);
  if (!r) throw new Error(`not a release number (x.y.z): ${JSON.stringify(v)}`);
  return r;
}

/** Negative, 0 or positive like a sort comparator; throws on anything that is not x.y.z. */
export function compareReleases(a: string, b: string): number {
  const x = mustParseRelease(a);
  const y = mustParseRelease(b);
  return x.major - y.major || x.minor - y.minor || x.patch - y.patch;
}
