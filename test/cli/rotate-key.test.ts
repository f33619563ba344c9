// `harden-init rotate-key`: what is refused before anything is locked, stopped or written (no Docker needed), and the
// reading of the script's report. The rotation itself runs on real databases in test/e2e/rotate-key-script.test.ts.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runMain } from '../helpers/run-main.js';
import { parseCommandLine } from '../../src/cli/main.js';
import { parseReport, scriptInput } from '../../src/commands/rotate-key-script.js';

const KEY = 'A'.repeat(43);
function langflowInstall(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hi-rotatekey-cli-'));
  writeFileSync(join(dir, '.env'), `LANGFLOW_SECRET_KEY=${KEY}\nPOSTGRES_PASSWORD=pw\n`, { mode: 0o600 });
  writeFileSync(join(dir, 'docker-compose.yml'), 'services:\n  langflow:\n    image: "langflowai/langflow:1.13.0"\n');
  return dir;
}

describe('rotate-key', () => {
  it('parses as a command, with the product optional after it', async () => {
    expect((await parseCommandLine(['rotate-key', '--dir', 'x'])).name).toBe('rotate-key');
    const r = await parseCommandLine(['rotate-key', 'langflow', '--passphrase-file', 'f']);
    expect([r.name, r.positionals, r.flags['passphrase-file']]).toEqual(['rotate-key', ['langflow'], 'f']);
  });

  it('refuses a directory without an install, and an Appwrite install (exit 2)', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'hi-rotatekey-none-'));
    const none = await runMain(['rotate-key', '--dir', empty, '--yes']);
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toMatch(/No install in/);
    const aw = mkdtempSync(join(tmpdir(), 'hi-rotatekey-aw-'));
    writeFileSync(join(aw, '.env'), '_APP_OPENSSL_KEY_V1=x\n', { mode: 0o600 });
    writeFileSync(join(aw, 'docker-compose.yml'), 'services:\n  appwrite:\n    image: "appwrite/appwrite:2.7.1"\n');
    const r = await runMain(['rotate-key', '--dir', aw, '--yes']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/rotates Langflow's LANGFLOW_SECRET_KEY/);
  });

  it("needs the backup's encryption, and --yes without a terminal, before it touches anything (exit 2)", async () => {
    const dir = langflowInstall();
    const noEnc = await runMain(['rotate-key', '--dir', dir, '--yes']);
    expect(noEnc.exitCode).toBe(2);
    expect(noEnc.stderr).toMatch(/always encrypted/);
    const noYes = await runMain(['rotate-key', '--dir', dir, '--passphrase-env', 'HI_P'], {
      HI_P: 'a-long-enough-passphrase',
    });
    expect(noYes.exitCode).toBe(2);
    expect(noYes.stderr).toMatch(/confirm with --yes/);
    expect(readFileSync(join(dir, '.env'), 'utf8')).toContain(KEY);
  });

  it("reads the script's last JSON line as its report; the keys go on stdin before the script", () => {
    expect(
      parseReport('noise\n{"ok": true, "fields": {"user.store_api_key": {"encrypted": 2, "plaintext": 0}}}\n')
        ?.fields?.['user.store_api_key']?.encrypted,
    ).toBe(2);
    expect(parseReport('Traceback …')).toBeUndefined();
    const input = scriptInput({ old_key: 'o', new_key: 'n' }, 'print(1)\n');
    expect(input.split('\n')[0]).toBe('{"old_key":"o","new_key":"n"}');
    expect(input).toContain('print(1)');
  });
});
