// The release the running Appwrite reports at /v1/health/version must be the one the files pin: read from a stubbed
// health endpoint (plain, redirected to HTTPS, without a version, refused), and `verify` exits 3 naming both.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { releaseMismatch, runningRelease } from '../../src/verify/release-check.js';

let server: Server;
let port = 0;
let answer: { status: number; body: string; headers?: Record<string, string> } = {
  status: 200,
  body: '{"version":"2.7.1"}',
};
const seen: { host?: string; url?: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ host: req.headers.host, url: req.url });
    res.writeHead(answer.status, { 'content-type': 'application/json', ...(answer.headers ?? {}) });
    res.end(answer.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('the release Appwrite reports', () => {
  it('is read from /v1/health/version with the domain as Host; equal to the pin: no mismatch', async () => {
    answer = { status: 200, body: '{"version":"2.7.1"}' };
    const r = await runningRelease({ port, host: 'appwrite.example.com' });
    expect(r.version).toBe('2.7.1');
    expect(seen.at(-1)).toEqual({ host: 'appwrite.example.com', url: '/v1/health/version' });
    expect(releaseMismatch('2.7.1', r)).toBeUndefined();
  });

  it('another release than the pin: a sentence naming both', async () => {
    answer = { status: 200, body: '{"version":"2.6.2"}' };
    const m = releaseMismatch('2.7.1', await runningRelease({ port, host: 'appwrite.example.com' }));
    expect(m).toMatch(/reports release 2\.6\.2.*files pin 2\.7\.1/);
  });

  it('no version, an error status or nothing listening: a mismatch naming the pin and why', async () => {
    answer = { status: 200, body: '{"status":"pass"}' };
    expect(releaseMismatch('2.7.1', await runningRelease({ port, host: 'x.example' }))).toMatch(
      /could not be read \(.*without a version.*files pin 2\.7\.1/,
    );
    answer = { status: 503, body: 'down' };
    expect(releaseMismatch('2.7.1', await runningRelease({ port, host: 'x.example' }))).toMatch(/HTTP 503.*2\.7\.1/);
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const dead = (closed.address() as { port: number }).port;
    await new Promise<void>((r) => closed.close(() => r()));
    expect(releaseMismatch('1.9.10', await runningRelease({ port: dead, host: 'x.example', timeoutMs: 2000 }))).toMatch(
      /could not be read.*1\.9\.10/,
    );
  });

  it('a redirect to HTTPS without an HTTPS port to follow is not taken for a version', async () => {
    answer = { status: 301, body: '', headers: { location: 'https://x.example/v1/health/version' } };
    const r = await runningRelease({ port, host: 'x.example' });
    expect(r.version).toBeUndefined();
    expect(r.detail).toMatch(/HTTP 301/);
  });
});
