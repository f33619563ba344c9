// The "Next" box after a verified install: the URL, who the first account is in each sign-up mode, and the two
// commands that keep the install safe, with flags the CLI really takes.
import { describe, expect, it } from 'vitest';
import { appwriteNextSteps } from '../../src/targets/appwrite/report.js';
import { nextSteps as langflowNextSteps } from '../../src/targets/langflow/report.js';
import { keepSafeLines } from '../../src/core/keep-safe.js';
import { parseCommandLine } from '../../src/cli/main.js';
import { BASE } from '../helpers/fixtures.js';
import { answers as langflow } from './langflow/combos.js';

const text = (lines: string[]) => lines.join('\n');

describe('Appwrite: the Next box per console sign-up mode', () => {
  it('root: the first account becomes the owner and sign-up closes behind it', () => {
    const t = text(appwriteNextSteps({ ...BASE, console: 'root' }, './appwrite'));
    expect(t).toMatch(/^Open https:\/\/appwrite\.example\.com\/$/m);
    expect(t).toMatch(/first account now: it becomes the console's owner and sign-up closes behind it/);
    expect(t).toContain('Point the DNS name appwrite.example.com at this server');
    expect(t).toContain('harden-init check --dir ./appwrite');
    expect(t).toContain('sudo harden-init backup --dir ./appwrite --schedule daily --recipient <age public key>');
  });

  it('emails and ips: the listed addresses sign up, each account its own; no "owner" promise', () => {
    const emails = text(
      appwriteNextSteps(
        { ...BASE, console: 'emails', consoleEmails: ['a@example.com', 'b@example.com'] },
        './appwrite',
      ),
    );
    expect(emails).toMatch(
      /Sign up with a listed address \(a@example\.com, b@example\.com\): only these can create console accounts/,
    );
    const ips = text(appwriteNextSteps({ ...BASE, console: 'ips', consoleIps: ['203.0.113.7'] }, './appwrite'));
    expect(ips).toMatch(/Sign up from a listed address \(203\.0\.113\.7\)/);
    for (const t of [emails, ips]) expect(t).not.toMatch(/owner/);
  });

  it('open: says anyone can sign up and how to close it', () => {
    const t = text(appwriteNextSteps({ ...BASE, console: 'open' }, './appwrite'));
    expect(t).toMatch(
      /Sign-up is open to anyone who reaches the console: create your account now, then close it with --console root/,
    );
  });

  it('proxy and off: no DNS-for-certificates line; the URL follows the HTTPS mode', () => {
    const off = text(appwriteNextSteps({ ...BASE, https: 'off' }, 'srv/my install'));
    expect(off).toMatch(/^Open http:\/\/appwrite\.example\.com\/$/m);
    expect(off).not.toContain('Point the DNS name');
    expect(off).toContain("harden-init check --dir 'srv/my install'"); // quoted for the shell
  });
});

describe('Langflow: the Next box per access mode', () => {
  it('names the superuser as the owner and what sign-up is in each mode', () => {
    const root = text(langflowNextSteps(langflow({ console: 'root' }), './langflow'));
    expect(root).toMatch(/sign in as \S+: that account is the owner/);
    expect(root).toContain('Sign-up is off: add users yourself');
    const ips = text(langflowNextSteps(langflow({ console: 'ips', consoleIps: ['10.0.0.0/8'] }), './langflow'));
    expect(ips).toContain('Only clients from 10.0.0.0/8 reach it; sign-up is off');
    const open = text(langflowNextSteps(langflow({ console: 'open' }), './langflow'));
    expect(open).toContain('new accounts stay inactive until you activate them');
    for (const t of [root, ips, open]) {
      expect(t).toContain('harden-init check --dir ./langflow');
      expect(t).toContain('sudo harden-init backup --dir ./langflow --schedule daily --recipient <age public key>');
    }
  });
});

describe('the commands in the box are ones the CLI takes', () => {
  it('check and backup --schedule parse with the flags shown', async () => {
    const [, check, backup] = keepSafeLines('./appwrite');
    const argv = (line: string) =>
      line
        .trim()
        .replace(/^sudo /, '')
        .replace('<age public key>', 'age1example')
        .split(/\s+/)
        .slice(1);
    expect(await parseCommandLine(argv(check!))).toMatchObject({ name: 'check', flags: { dir: './appwrite' } });
    expect(await parseCommandLine(argv(backup!))).toMatchObject({
      name: 'backup',
      flags: { dir: './appwrite', schedule: 'daily', recipient: 'age1example' },
    });
  });
});
