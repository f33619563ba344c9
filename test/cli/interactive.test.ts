// The interactive wizard, driven key by key in a real pseudo-terminal against the built binary
// (run `npm run build` first; `npm test` does).
import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { answerFirstInstall, KEY, ROOT, ptyScratch, spawnCli, type PtySession } from '../helpers/pty.js';
import { questionFor } from '../../src/targets/appwrite/questions.js';
import { secretsToGenerate } from '../../src/targets/appwrite/env-values.js';
import { runBin } from '../helpers/run-bin.js';
import { BASE, templateOf } from '../helpers/fixtures.js';

const Q = {
  domain: questionFor('domain').message,
  https: questionFor('https').message,
  email: questionFor('email').message,
  console: questionFor('console').message,
  consoleEmails: questionFor('consoleEmails').message,
  consoleIps: questionFor('consoleIps').message,
  dbEngine: questionFor('dbEngine').message,
  db: questionFor('db').message,
  smtpHost: questionFor('smtpHost').message,
  smtpPort: questionFor('smtpPort').message,
  smtpSecure: questionFor('smtpSecure').message,
  smtpUser: questionFor('smtpUser').message,
  smtpSender: questionFor('smtpSender').message,
};

/** The label of a select choice, as rendered next to the active radio (●) once it is highlighted. */
const choice = (id: 'https' | 'console' | 'db' | 'dbEngine' | 'smtpSecure', value: string) => {
  const c = questionFor(id).choices!.find((x) => x.value === value);
  if (!c) throw new Error(`no choice ${value} for ${id}`);
  return `● ${c.label}`;
};

const WRITE_CONFIRM = /Write [^\n]*\?/;
/** A re-run shows the database engine instead of asking it. */
const ENGINE_KEPT = 'Database: PostgreSQL (kept; changing engines is not a re-run setting)';

const scratch = ptyScratch('hi-pty-');
const tmp = scratch.tmp;

function start(args: string[]): PtySession {
  const s = spawnCli(args, { cwd: scratch.lastDir() ?? ROOT, cols: 120, rows: 40 });
  return scratch.track(s);
}

function envValue(envText: string, name: string): string | undefined {
  const line = envText.split('\n').find((l) => l.startsWith(`${name}=`));
  return line?.slice(name.length + 1);
}

/** Text of the transcript with clack's box drawing removed and wrapped lines joined, for matching long lines. */
function flat(text: string): string {
  return text
    .replace(/\r/g, '')
    .split('\n')
    .map((l) => l.replace(/^[\s│┌└◇◆●▲■├╮╯╰─]+/, '').replace(/[\s│╮╯]+$/, ''))
    .join(' ');
}

/** The secrets a default install (2.7.1, PostgreSQL) generates. */
const SECRETS: string[] = secretsToGenerate(templateOf('2.7.1').secrets.generate, BASE);

/** No generated secret value is ever printed; wherever a secret variable is shown, its value is masked. */
function expectSecretsMasked(s: PtySession, envText: string): number {
  let shown = 0;
  for (const name of SECRETS) {
    const value = envValue(envText, name);
    expect(value && value.length, `${name} in .env`).toBeGreaterThan(8);
    expect(s.raw()).not.toContain(value);
    for (const m of s.text().matchAll(new RegExp(`${name}=(\\S*)`, 'g'))) {
      expect(m[1], `${name} shown unmasked`).toBe('********');
      shown++;
    }
  }
  return shown;
}

/** A first install made without questions, as the base of a re-run. */
async function headlessInstall(): Promise<string> {
  const dir = join(tmp(), 'appwrite');
  const r = await runBin([
    '--dir',
    dir,
    '--domain',
    'appwrite.example.com',
    '--email',
    'admin@example.com',
    '--yes',
    '--no-start',
  ]);
  expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
  return dir;
}

describe('interactive wizard in a real terminal', () => {
  it('first install: every question answered by keys writes a 0600 .env and compose file', async () => {
    const dir = join(tmp(), 'appwrite');
    const s = start(['--dir', dir, '--no-start']);

    await s.answer(Q.domain, 'appwrite.example.com');
    await s.answer('appwrite.example.com', KEY.enter);
    await s.answer(Q.https, KEY.enter); // default: auto
    await s.waitFor(Q.email);
    s.write('admin@example.com');
    await s.answer('admin@example.com', KEY.enter);
    await s.answer(Q.console, KEY.down);
    await s.answer(choice('console', 'emails'), KEY.enter);
    await s.waitFor(Q.consoleEmails);
    s.write('a@example.com, b@example.com');
    await s.answer('a@example.com, b@example.com', KEY.enter);
    await s.answer(Q.dbEngine, KEY.enter); // default on 2.x: PostgreSQL
    await s.answer(Q.db, KEY.enter); // default: volume
    await s.answer(Q.smtpHost, KEY.enter); // empty: no outgoing mail
    await s.waitFor('No outgoing mail');
    await s.waitFor('Will install');
    await s.waitFor(/Plan: 3 new files, and 2 of harden-init's own files/);
    // The files a user knows by name, the rest counted.
    await s.answer(
      "Write .env, docker-compose.yml and traefik-routes.yml, and 2 of harden-init's own files?",
      KEY.enter,
    ); // default: yes
    await s.waitFor('Run this again without questions');

    const { exitCode } = await s.exit();
    expect(exitCode, s.tail()).toBe(0);

    const envPath = join(dir, '.env');
    expect(statSync(envPath).mode & 0o777).toBe(0o600);
    const env = readFileSync(envPath, 'utf8');
    expect(env).toContain('_APP_CONSOLE_WHITELIST_EMAILS=a@example.com,b@example.com\n');
    expect(env).toContain('_APP_CONSOLE_WHITELIST_ROOT=disabled\n');
    expect(env).toContain('_APP_EMAIL_CERTIFICATES=admin@example.com\n');
    expect(env).toContain('_APP_DOMAIN=appwrite.example.com\n');
    expect(existsSync(join(dir, 'docker-compose.yml'))).toBe(true);

    expect(env).toContain('_APP_DB_ADAPTER=postgresql\n');
    expect(flat(s.text())).toContain('--console emails --console-emails a@example.com,b@example.com');
    // The release is a flag only: never asked; the summary names the default one.
    expect(s.text()).not.toContain(questionFor('release').message);
    expect(flat(s.text())).toMatch(/Release\s+Appwrite 2\.7\.1/);
    expectSecretsMasked(s, env);
  });

  it('MariaDB on 2.x and outgoing mail: the SMTP password is asked masked and only written to .env', async () => {
    const dir = join(tmp(), 'appwrite');
    const password = 'Mail-pw-7f3Kq9zR';
    const s = start(['--dir', dir, '--no-start']);

    await s.answer(Q.domain, 'appwrite.example.com');
    await s.answer('appwrite.example.com', KEY.enter);
    await s.answer(Q.https, KEY.enter);
    await s.waitFor(Q.email);
    s.write('admin@example.com');
    await s.answer('admin@example.com', KEY.enter);
    await s.answer(Q.console, KEY.enter);
    await s.answer(Q.dbEngine, KEY.down);
    await s.answer(choice('dbEngine', 'mariadb'), KEY.enter);
    await s.answer(Q.db, KEY.enter);
    await s.waitFor(Q.smtpHost);
    s.write('smtp.example.com');
    await s.answer('smtp.example.com', KEY.enter);
    await s.answer(Q.smtpPort, KEY.enter); // 587
    await s.answer(Q.smtpSecure, KEY.enter); // tls
    await s.waitFor(Q.smtpUser);
    s.write('mailer');
    await s.answer('mailer', KEY.enter);
    await s.answer(Q.smtpSender, KEY.enter); // noreply@<domain>
    await s.waitFor('SMTP password');
    s.write(password);
    s.write(KEY.enter);
    await s.waitFor('Will install');
    await s.answer(WRITE_CONFIRM, KEY.enter);
    await s.waitFor('Run this again without questions');
    const { exitCode } = await s.exit();
    expect(exitCode, s.tail()).toBe(0);

    const env = readFileSync(join(dir, '.env'), 'utf8');
    expect(envValue(env, '_APP_DB_ADAPTER')).toBe('mariadb');
    expect(envValue(env, '_APP_DB_HOST')).toBe('mariadb');
    expect(envValue(env, '_APP_DB_ROOT_PASS')!.length).toBeGreaterThan(30);
    expect(envValue(env, '_APP_SMTP_HOST')).toBe('smtp.example.com');
    expect(envValue(env, '_APP_SMTP_PORT')).toBe('587');
    expect(envValue(env, '_APP_SMTP_SECURE')).toBe('tls');
    expect(envValue(env, '_APP_SMTP_USERNAME')).toBe('mailer');
    expect(envValue(env, '_APP_SMTP_PASSWORD')).toBe(password);
    expect(envValue(env, '_APP_SYSTEM_EMAIL_ADDRESS')).toBe('noreply@appwrite.example.com');
    expect(readFileSync(join(dir, 'docker-compose.yml'), 'utf8')).toMatch(/^  mariadb:/m);
    expect(s.raw()).not.toContain(password);
    expect(readFileSync(join(dir, '.harden-init', 'state.json'), 'utf8')).not.toContain(password);
    const command = flat(s.text());
    expect(command).toContain('--db-engine mariadb');
    expect(command).toContain('--smtp-host smtp.example.com');
    expect(command).not.toContain('No outgoing mail');
  });

  it('--release 1.9.10: no engine question (MariaDB is the only one); the e-mail is asked with HTTPS off too', async () => {
    const dir = join(tmp(), 'appwrite');
    const s = start(['--dir', dir, '--no-start', '--release', '1.9.10']);

    await s.answer(Q.domain, 'appwrite.example.com');
    await s.answer('appwrite.example.com', KEY.enter);
    await s.answer(Q.https, KEY.down);
    await s.answer(choice('https', 'proxy'), KEY.down);
    await s.answer(choice('https', 'off'), KEY.enter);
    await s.waitFor('HTTPS is off');
    await s.answer(Q.email, KEY.enter); // empty: refused inline
    await s.waitFor('an e-mail address is required');
    s.write('admin@example.com');
    await s.answer('admin@example.com', KEY.enter);
    await s.answer(Q.console, KEY.enter);
    await s.answer(Q.db, KEY.enter);
    await s.answer(Q.smtpHost, KEY.enter);
    await s.waitFor('Will install');
    await s.answer(WRITE_CONFIRM, KEY.enter);
    const { exitCode } = await s.exit();
    expect(exitCode, s.tail()).toBe(0);

    expect(s.text()).not.toContain(Q.dbEngine);
    expect(flat(s.text())).toMatch(/Release\s+Appwrite 1\.9\.10/);
    const env = readFileSync(join(dir, '.env'), 'utf8');
    expect(envValue(env, '_APP_DB_ADAPTER')).toBe('mariadb');
    expect(envValue(env, '_APP_OPTIONS_FORCE_HTTPS')).toBe('disabled');
    expect(envValue(env, '_APP_EMAIL_CERTIFICATES')).toBe('admin@example.com');
    expect(readFileSync(join(dir, 'docker-compose.yml'), 'utf8')).toContain('image: appwrite/appwrite:1.9.10');
  });

  it('an invalid domain is refused inline with what is allowed, and can be corrected', async () => {
    const dir = join(tmp(), 'appwrite');
    const s = start(['--dir', dir, '--no-start']);

    await s.answer(Q.domain, 'bad domain!');
    await s.answer('bad domain!', KEY.enter);
    await s.waitFor('is not a valid host name: use letters, digits, hyphens and dots');
    // Still the same prompt: erase the bad input and type a good one.
    s.write(KEY.backspace.repeat('bad domain!'.length));
    await answerFirstInstall(s, true);
    await s.answer(WRITE_CONFIRM, KEY.enter);

    const { exitCode } = await s.exit();
    expect(exitCode, s.tail()).toBe(0);
    expect(readFileSync(join(dir, '.env'), 'utf8')).toContain('_APP_DOMAIN=appwrite.example.com\n');
  });

  it('a CIDR range for the console IP list is refused inline; an exact address is accepted', async () => {
    const dir = join(tmp(), 'appwrite');
    const s = start(['--dir', dir, '--no-start']);

    await s.answer(Q.domain, 'appwrite.example.com');
    await s.answer('appwrite.example.com', KEY.enter);
    await s.answer(Q.https, KEY.enter);
    await s.waitFor(Q.email);
    s.write('admin@example.com');
    await s.answer('admin@example.com', KEY.enter);
    await s.answer(Q.console, KEY.down);
    await s.answer(choice('console', 'emails'), KEY.down);
    await s.answer(choice('console', 'ips'), KEY.enter);
    await s.waitFor(Q.consoleIps);
    s.write('10.0.0.0/24');
    await s.answer('10.0.0.0/24', KEY.enter);
    await s.waitFor(/is a CIDR range; .* matches exact addresses only/);
    s.write(KEY.backspace.repeat('10.0.0.0/24'.length));
    s.write('203.0.113.7');
    await s.answer('203.0.113.7', KEY.enter);
    await s.answer(Q.dbEngine, KEY.enter);
    await s.answer(Q.db, KEY.enter);
    await s.answer(Q.smtpHost, KEY.enter);
    await s.answer(WRITE_CONFIRM, KEY.enter);

    const { exitCode } = await s.exit();
    expect(exitCode, s.tail()).toBe(0);
    const env = readFileSync(join(dir, '.env'), 'utf8');
    expect(env).toContain('_APP_CONSOLE_WHITELIST_IPS=203.0.113.7\n');
    expect(env).toContain('_APP_CONSOLE_WHITELIST_ROOT=disabled\n');
  });

  it('Ctrl-C at the first question exits 130 and writes nothing', async () => {
    const dir = join(tmp(), 'appwrite');
    const s = start(['--dir', dir, '--no-start']);

    await s.answer(Q.domain, KEY.ctrlC);
    await s.waitFor('Cancelled');
    const { exitCode } = await s.exit();
    expect(exitCode, s.tail()).toBe(130);
    expect(!existsSync(dir) || readdirSync(dir).length === 0).toBe(true);
  });

  it('re-run: defaults are the current settings; unchanged answers write nothing, a change shows a masked diff and backs up', async () => {
    const dir = await headlessInstall();
    const envPath = join(dir, '.env');
    const before = readFileSync(envPath);
    const key = envValue(before.toString('utf8'), '_APP_OPENSSL_KEY_V1')!;
    expect(key.length).toBeGreaterThan(8);

    // 1) Nothing changed: every prompt pre-filled with the current value, Enter throughout.
    {
      const s = start(['--dir', dir, '--no-start']);
      await s.waitFor('re-run on');
      await s.waitFor(Q.domain);
      await s.answer('appwrite.example.com', KEY.enter);
      await s.answer(Q.https, KEY.enter);
      await s.waitFor(Q.email);
      await s.answer('admin@example.com', KEY.enter);
      await s.answer(Q.console, KEY.enter);
      await s.waitFor(ENGINE_KEPT);
      await s.answer(Q.db, KEY.enter);
      await s.answer(Q.smtpHost, KEY.enter);
      await s.waitFor('Nothing to change');
      const { exitCode } = await s.exit();
      expect(exitCode, s.tail()).toBe(0);
      expect(s.text()).not.toMatch(WRITE_CONFIRM);
      expectSecretsMasked(s, before.toString('utf8'));
      expect(readFileSync(envPath).equals(before)).toBe(true);
      expect(existsSync(join(dir, '.harden-init', 'backups'))).toBe(false);
    }

    // 2) Console opened to anyone: a diff naming the variable, secrets masked, confirm, backup.
    {
      const s = start(['--dir', dir, '--no-start']);
      await s.waitFor(Q.domain);
      await s.answer('appwrite.example.com', KEY.enter);
      await s.answer(Q.https, KEY.enter);
      await s.waitFor(Q.email);
      await s.answer('admin@example.com', KEY.enter);
      await s.answer(Q.console, KEY.down);
      await s.answer(choice('console', 'emails'), KEY.down);
      await s.answer(choice('console', 'ips'), KEY.down);
      await s.answer(choice('console', 'open'), KEY.enter);
      await s.waitFor('Console sign-up is open');
      await s.waitFor(ENGINE_KEPT);
      await s.answer(Q.db, KEY.enter);
      await s.answer(Q.smtpHost, KEY.enter);
      await s.waitFor('_APP_CONSOLE_WHITELIST_ROOT');
      await s.answer(WRITE_CONFIRM, KEY.enter);
      await s.waitFor('Run this again without questions');
      const { exitCode } = await s.exit();
      expect(exitCode, s.tail()).toBe(0);

      const text = s.text();
      expect(text).toMatch(/-\s*_APP_CONSOLE_WHITELIST_ROOT=enabled/);
      expect(text).toMatch(/\+\s*_APP_CONSOLE_WHITELIST_ROOT=disabled/);
      // Unified-diff order: the removed line comes before the added one.
      expect(text.search(/-\s*_APP_CONSOLE_WHITELIST_ROOT=enabled/)).toBeLessThan(
        text.search(/\+\s*_APP_CONSOLE_WHITELIST_ROOT=disabled/),
      );
      expectSecretsMasked(s, readFileSync(envPath, 'utf8'));

      const env = readFileSync(envPath, 'utf8');
      expect(env).toContain('_APP_CONSOLE_WHITELIST_ROOT=disabled\n');
      expect(envValue(env, '_APP_OPENSSL_KEY_V1')).toBe(key);
      const backups = join(dir, '.harden-init', 'backups');
      expect(existsSync(backups)).toBe(true);
      expect(readdirSync(backups).length).toBeGreaterThan(0);
    }
  });

  it('re-run: a changed domain shows the neighbouring secret lines of .env masked, and keeps them', async () => {
    const dir = await headlessInstall();
    const envPath = join(dir, '.env');
    const before = readFileSync(envPath, 'utf8');

    const s = start(['--dir', dir, '--no-start']);
    await s.waitFor(Q.domain);
    await s.waitFor('appwrite.example.com');
    s.write(KEY.backspace.repeat('appwrite.example.com'.length));
    s.write('cloud.example.org');
    await s.answer('cloud.example.org', KEY.enter);
    await s.answer(Q.https, KEY.enter);
    await s.waitFor(Q.email);
    await s.answer('admin@example.com', KEY.enter);
    await s.answer(Q.console, KEY.enter);
    await s.waitFor(ENGINE_KEPT);
    await s.answer(Q.db, KEY.enter);
    await s.answer(Q.smtpHost, KEY.enter);
    await s.waitFor(/\+\s*_APP_DOMAIN=cloud\.example\.org/);
    await s.answer(WRITE_CONFIRM, KEY.enter);
    const { exitCode } = await s.exit();
    expect(exitCode, s.tail()).toBe(0);

    // _APP_OPENSSL_KEY_V1 and _APP_NOTIFICATIONS_TRACKING_SECRET sit right above _APP_DOMAIN: diff context.
    expect(s.text()).toMatch(/_APP_OPENSSL_KEY_V1=\*{8}/);
    expect(expectSecretsMasked(s, before)).toBeGreaterThan(0);
    const after = readFileSync(envPath, 'utf8');
    expect(after).toContain('_APP_DOMAIN=cloud.example.org\n');
    for (const name of SECRETS) expect(envValue(after, name), name).toBe(envValue(before, name));
  });

  it('re-run: the engine is shown, not asked; declining a database move asks again with the current value and the run goes on', async () => {
    const dir = await headlessInstall();
    const envPath = join(dir, '.env');
    const before = readFileSync(envPath, 'utf8');
    const s = start(['--dir', dir, '--no-start']);
    await s.waitFor(Q.domain);
    await s.answer('appwrite.example.com', KEY.enter);
    await s.answer(Q.https, KEY.enter);
    await s.waitFor(Q.email);
    await s.answer('admin@example.com', KEY.enter);
    await s.answer(Q.console, KEY.down);
    await s.answer(choice('console', 'emails'), KEY.down);
    await s.answer(choice('console', 'ips'), KEY.down);
    await s.answer(choice('console', 'open'), KEY.enter);
    await s.waitFor(ENGINE_KEPT);
    // Volume -> a host directory: a move whose data does not follow. Declined: the same question, current value.
    await s.answer(Q.db, KEY.down);
    await s.answer(choice('db', 'path'), KEY.enter);
    await s.waitFor(questionFor('dbPath').message);
    s.write(join(dir, '..', 'pgdata'));
    s.write(KEY.enter);
    await s.waitFor('The database moves from the Docker volume appwrite-postgresql');
    await s.answer('Use the new database location anyway?', KEY.enter); // default: No
    await s.waitFor('Not changed: asked again with the current value.');
    await s.waitFor(Q.db);
    await s.waitFor(choice('db', 'volume')); // the current value is the default again
    s.write(KEY.enter);
    await s.answer(Q.smtpHost, KEY.enter);
    await s.waitFor(/Plan: 1 changed, and 1 of harden-init's own files/);
    await s.answer("Write .env, and 1 of harden-init's own files?", KEY.enter);
    await s.waitFor('Run this again without questions');
    const { exitCode } = await s.exit();
    expect(exitCode, s.tail()).toBe(0);

    const text = s.text();
    expect(text).not.toContain(Q.dbEngine);
    expect(flat(text)).toContain('--console open');
    expect(flat(text)).not.toContain('--db path');
    const env = readFileSync(envPath, 'utf8');
    expect(envValue(env, '_APP_CONSOLE_WHITELIST_ROOT')).toBe('disabled');
    expect(envValue(env, '_APP_DB_ADAPTER')).toBe('postgresql');
    expect(readFileSync(join(dir, 'docker-compose.yml'), 'utf8')).toBe(
      readFileSync(join(dir, '.harden-init', 'compose-written.yml'), 'utf8'),
    );
    expect(readFileSync(join(dir, 'docker-compose.yml'), 'utf8')).toContain('appwrite-postgresql:/var/lib/postgresql');
    for (const name of SECRETS) expect(envValue(env, name), name).toBe(envValue(before, name));
  });

  it('a non-empty directory for the database: declining asks for the directory again, and the run goes on', async () => {
    const dir = join(tmp(), 'appwrite');
    const busy = join(scratch.lastDir()!, 'busy');
    mkdirSync(busy);
    writeFileSync(join(busy, 'notes.txt'), 'not a database\n');
    const fresh = join(scratch.lastDir()!, 'pgdata');
    const s = start([
      '--dir',
      dir,
      '--no-start',
      '--domain',
      'appwrite.example.com',
      '--email',
      'admin@example.com',
      '--console',
      'root',
      '--smtp-host',
      '',
    ]);
    await s.answer(Q.https, KEY.enter);
    await s.answer(Q.dbEngine, KEY.enter);
    await s.answer(Q.db, KEY.down);
    await s.answer(choice('db', 'path'), KEY.enter);
    await s.waitFor(questionFor('dbPath').message);
    s.write(busy);
    s.write(KEY.enter);
    await s.answer(`Use ${busy} for the database anyway?`, KEY.enter); // default: No
    await s.waitFor('Not changed: asked again with the current value.');
    await s.waitFor(questionFor('dbPath').message);
    s.write(fresh);
    s.write(KEY.enter);
    await s.answer(WRITE_CONFIRM, KEY.enter);
    const { exitCode } = await s.exit();
    expect(exitCode, s.tail()).toBe(0);
    expect(envValue(readFileSync(join(dir, '.env'), 'utf8'), '_APP_DB_HOST')).toBe('postgresql');
    expect(readFileSync(join(dir, 'docker-compose.yml'), 'utf8')).toContain(`${fresh}:/var/lib/postgresql`);
    expect(readFileSync(join(busy, 'notes.txt'), 'utf8')).toBe('not a database\n');
  });
});
