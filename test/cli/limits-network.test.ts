// Function and build ceilings (--function-cpus, --function-memory) and the shared network's subnet (--subnet), as a
// user sets them with flags: validated (exit 2 naming the flag), written, and kept by re-runs and hand edits.
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { tempDir } from '../helpers/run-bin.js';
import { runMain } from '../helpers/run-main.js';
import { parseEnv, toRecord } from '../../src/engine/envfile.js';

const FIRST = ['--domain', 'appwrite.example.com', '--email', 'admin@example.com', '--yes', '--no-start'];
const RERUN = ['--yes', '--no-start'];
const read = (dir: string, f: string) => readFileSync(join(dir, f), 'utf8');
const envOf = (dir: string) => toRecord(parseEnv(read(dir, '.env')));
const newDir = () => join(tempDir(), 'appwrite');
const LIMITS = ['_APP_COMPUTE_CPUS', '_APP_FUNCTIONS_CPUS', '_APP_COMPUTE_MEMORY', '_APP_FUNCTIONS_MEMORY'] as const;
const limits = (dir: string) => Object.fromEntries(LIMITS.map((k) => [k, envOf(dir)[k]]));

describe.concurrent('function, site and build ceilings', () => {
  it("finite by default (2 CPUs, 2048 MB), never upstream's unlimited 0", async ({ expect }) => {
    const dir = newDir();
    const r = await runMain(['--dir', dir, ...FIRST]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(limits(dir)).toEqual({
      _APP_COMPUTE_CPUS: '2',
      _APP_FUNCTIONS_CPUS: '2',
      _APP_COMPUTE_MEMORY: '2048',
      _APP_FUNCTIONS_MEMORY: '2048',
    });
  });

  it('the flags set them; a re-run without flags keeps them, and so does a hand edit of .env', async ({ expect }) => {
    const dir = newDir();
    const r = await runMain(['--dir', dir, ...FIRST, '--function-cpus', '4', '--function-memory', '8192']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(limits(dir)).toEqual({
      _APP_COMPUTE_CPUS: '4',
      _APP_FUNCTIONS_CPUS: '4',
      _APP_COMPUTE_MEMORY: '8192',
      _APP_FUNCTIONS_MEMORY: '8192',
    });
    const again = await runMain(['--dir', dir, ...RERUN]);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(limits(dir)).toMatchObject({ _APP_COMPUTE_CPUS: '4', _APP_COMPUTE_MEMORY: '8192' });
    writeFileSync(join(dir, '.env'), read(dir, '.env').replace(/^_APP_COMPUTE_CPUS=.*$/m, '_APP_COMPUTE_CPUS=3'));
    const edited = await runMain(['--dir', dir, ...RERUN]);
    expect(edited.exitCode, edited.stderr).toBe(0);
    expect(limits(dir)).toMatchObject({
      _APP_COMPUTE_CPUS: '3',
      _APP_FUNCTIONS_CPUS: '3',
      _APP_COMPUTE_MEMORY: '8192',
    });
  });

  it.each([
    [
      '--function-cpus',
      '0',
      /--function-cpus: must be a whole number of CPUs from 1 to 256 \(got "0"; 0, unlimited, is not offered\)/,
    ],
    ['--function-cpus', '1.5', /--function-cpus: must be a whole number of CPUs/],
    ['--function-cpus', '1000', /--function-cpus: must be a whole number of CPUs from 1 to 256/],
    ['--function-memory', '256', /--function-memory: must be a whole number of MB from 512 to 1048576/],
    ['--function-memory', '2g', /--function-memory: must be a whole number of MB/],
  ])('%s %s is refused (exit 2, naming the flag and what it takes), nothing written', async (flag, value, says) => {
    const dir = newDir();
    const r = await runMain(['--dir', dir, ...FIRST, flag, value]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(says);
    expect(existsSync(dir)).toBe(false);
  });
});

describe.concurrent("the shared network's subnet", () => {
  const networkOf = (dir: string) => parse(read(dir, 'docker-compose.yml')).networks.appwrite;
  it("--subnet moves the network, traefik's address and the trusted proxies; a re-run keeps it", async ({ expect }) => {
    const dir = newDir();
    const r = await runMain(['--dir', dir, ...FIRST, '--https', 'proxy', '--subnet', '192.168.203.0/24']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(networkOf(dir).ipam.config).toEqual([
      { subnet: '192.168.203.0/24', ip_range: '192.168.203.128/25', gateway: '192.168.203.1' },
    ]);
    expect(envOf(dir)._APP_TRUSTED_PROXIES).toBe('192.168.203.2/32,192.168.203.1/32');
    const before = read(dir, 'docker-compose.yml');
    const again = await runMain(['--dir', dir, ...RERUN]);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(read(dir, 'docker-compose.yml')).toBe(before);
  });

  it.each([
    ['8.8.8.0/24', /--subnet: 8\.8\.8\.0\/24 is not in a private range/],
    ['10.0.0.5/24', /--subnet: 10\.0\.0\.5\/24 is not the start of a \/24 network \(that is 10\.0\.0\.0\/24\)/],
    ['10.0.0.0/8', /--subnet: must be a private IPv4 network from \/16 to \/24/],
    ['10.0.0.0/28', /--subnet: must be a private IPv4 network from \/16 to \/24/],
    ['fd00::/64', /--subnet: must be a private IPv4 network/],
  ])('--subnet %s is refused (exit 2), nothing written', async (value, says) => {
    const dir = newDir();
    const r = await runMain(['--dir', dir, ...FIRST, '--subnet', value]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(says);
    expect(existsSync(dir)).toBe(false);
  });
});
