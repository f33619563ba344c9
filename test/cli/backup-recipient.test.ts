// Which age recipients `backup` takes: post-quantum ones (age1pq1…) are refused up front (src/crypto/age has no
// ML-KEM), with exit 2, naming what is supported, and nothing written.
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NO_DOCKER, runBin, tempDir } from '../helpers/run-bin.js';

describe('backup --recipient', () => {
  it('refuses a post-quantum recipient with exit 2, naming the supported kinds, writing nothing', async () => {
    const dir = tempDir('hi-pq-');
    const r = await runBin(['backup', '--dir', dir, '--recipient', 'age1pq1qqqqqqqqqqqqqqqqqqqq'], { DOCKER_HOST: NO_DOCKER, NO_COLOR: '1' });
    expect(r.exitCode).toBe(2);
    expect(r.stderr + r.stdout).toMatch(/post-quantum age keys \(age1pq1…\) are not supported\. Supported: an X25519 age public key \(age1…/);
    expect(readdirSync(dir)).toEqual([]);
  });
});
