// Which age recipients `backup` takes: post-quantum ones (age1pq1…) are refused up front (src/crypto/age has no
// ML-KEM), with exit 2, naming what is supported, and nothing written.
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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

describe('restore --identity', () => {
  it('refuses a file holding only post-quantum identities with exit 2, naming the supported kinds, writing nothing', async () => {
    const home = tempDir('hi-pq-');
    const dir = join(home, 'appwrite');
    const archive = join(home, 'some.age');
    const key = join(home, 'pq.key');
    writeFileSync(archive, 'age-encryption.org/v1\n');
    writeFileSync(key, '# created: 2026-11-25\nAGE-SECRET-KEY-PQ-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ\n', { mode: 0o600 });
    const r = await runBin(['restore', archive, '--dir', dir, '--identity', key, '--yes'], { DOCKER_HOST: NO_DOCKER, NO_COLOR: '1' });
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr + r.stdout).toMatch(/--identity .*pq\.key: post-quantum age keys .* are not supported: use an X25519 key pair/);
    expect(readdirSync(home).sort()).toEqual(['pq.key', 'some.age']);
  });
});
