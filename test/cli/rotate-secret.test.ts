// rotate-secret without an engine: what it refuses before touching anything (an encryption key, names it does not
// know, an external server's password, no --yes without a terminal), the SQL it sends (quoted identifiers, literals),
// and the neighbours that now point at it: the adoption warning, check's fix for a weak database password. Also the
// other secret-output fixes: Langflow's first superuser password is not printed without --show-secrets, and a
// state.json someone widened goes back to 0600 on a re-run.
import { describe, expect, it } from 'vitest';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runBin, tempDir } from '../helpers/run-bin.js';
import { runMain } from '../helpers/run-main.js';
import { parseEnv, toRecord } from '../../src/engine/envfile.js';
import { alterSql, planRotation, type DbRotation } from '../../src/commands/rotate-secret.js';
import { auditDir, weakInstall } from '../audit/helpers.js';

const read = (dir: string, f: string) => readFileSync(join(dir, f), 'utf8');
const envOf = (dir: string) => toRecord(parseEnv(read(dir, '.env')));
const APPWRITE = ['--domain', 'appwrite.example.com', '--email', 'admin@example.com', '--yes', '--no-start'];

async function appwriteInstall(extra: string[] = []): Promise<string> {
  const dir = join(tempDir('hi-rotsec-'), 'appwrite');
  const r = await runBin(['--dir', dir, ...APPWRITE, ...extra]);
  expect(r.exitCode, r.stderr).toBe(0);
  return dir;
}

describe('rotate-secret refuses before anything is changed (exit 2)', () => {
  it('the encryption key (Appwrite has no rotation, naming why), the usage DSN password, unknown names, no name, no --yes', async () => {
    const dir = await appwriteInstall(['--db-engine', 'mariadb']);
    const before = read(dir, '.env');
    const key = await runMain(['rotate-secret', '_APP_OPENSSL_KEY_V1', '--dir', dir, '--yes']);
    expect(key.exitCode).toBe(2);
    expect(key.stderr).toMatch(/_APP_OPENSSL_KEY_V1 is not rotated: Appwrite has no key rotation.*unreadable/);
    const usage = await runMain(['rotate-secret', '_APP_USAGE_PASS', '--dir', dir, '--yes']);
    expect(usage.exitCode).toBe(2);
    expect(usage.stderr).toMatch(/_APP_CONNECTIONS_DB_USAGE/);
    const unknown = await runMain(['rotate-secret', '_APP_DOMAIN', '--dir', dir, '--yes']);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toMatch(/does not know how to rotate _APP_DOMAIN/);
    const none = await runMain(['rotate-secret', '--dir', dir, '--yes']);
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toMatch(/which secret\?/);
    const noYes = await runMain(['rotate-secret', '_APP_DB_PASS', '--dir', dir]);
    expect(noYes.exitCode).toBe(2);
    expect(noYes.stderr).toMatch(/confirm with --yes/);
    expect(read(dir, '.env')).toBe(before);
  });

  it("Langflow: the secret key is rotate-key's; the superuser password is changed in Langflow", async () => {
    const dir = join(tempDir('hi-rotsec-'), 'langflow');
    expect(
      (await runBin(['langflow', '--dir', dir, '--domain', 'lf.example.com', '--yes', '--no-start'])).exitCode,
    ).toBe(0);
    const key = await runMain(['rotate-secret', 'LANGFLOW_SECRET_KEY', '--dir', dir, '--yes']);
    expect(key.exitCode).toBe(2);
    expect(key.stderr).toMatch(/harden-init rotate-key/);
    const su = await runMain(['rotate-secret', 'LANGFLOW_SUPERUSER_PASSWORD', '--dir', dir, '--yes']);
    expect(su.exitCode).toBe(2);
    expect(su.stderr).toMatch(/only when Langflow creates the superuser/);
  });

  it("an external server's password is the operator's to change; _APP_DB_ROOT_PASS does not exist on PostgreSQL", () => {
    expect(() => planRotation('appwrite', '_APP_DB_PASS', { _APP_DB_PASS: 'x' }, undefined)).toThrow(
      /external database server/,
    );
    expect(() =>
      planRotation('appwrite', '_APP_DB_ROOT_PASS', {}, { engine: 'postgresql', service: 'postgresql' }),
    ).toThrow(/belongs to MariaDB/);
    expect(() => planRotation('langflow', 'POSTGRES_PASSWORD', {}, undefined)).toThrow(/external PostgreSQL server/);
  });
});

describe('the SQL sent to the database', () => {
  it('PostgreSQL: the user quoted as an identifier ("user" is reserved), the database named, the password a literal', () => {
    const r = planRotation(
      'appwrite',
      '_APP_DB_PASS',
      { _APP_DB_USER: 'user', _APP_DB_SCHEMA: 'appwrite' },
      { engine: 'postgresql', service: 'postgresql' },
    ) as DbRotation;
    expect(r).toMatchObject({
      kind: 'db',
      account: 'user',
      database: 'appwrite',
      admin: { user: 'user', passVar: '_APP_DB_PASS' },
    });
    expect(alterSql(r, 'Ab_-9')).toBe('ALTER USER "user" WITH PASSWORD \'Ab_-9\';\n');
    expect(alterSql({ ...r, account: 'we"ird' }, "it's")).toBe('ALTER USER "we""ird" WITH PASSWORD \'it\'\'s\';\n');
    expect(() => alterSql(r, 'a\\b')).toThrow(/backslash/);
    expect(() => alterSql(r, 'a\nb')).toThrow(/line break/);
  });

  it('MariaDB: the user at %, root at % and localhost, as root; Langflow: POSTGRES_USER on POSTGRES_DB', () => {
    const db = { engine: 'mariadb' as const, service: 'mariadb' };
    const u = planRotation('appwrite', '_APP_DB_PASS', { _APP_DB_USER: 'user' }, db) as DbRotation;
    expect(alterSql(u, 'N3w')).toBe("ALTER USER IF EXISTS 'user'@'%' IDENTIFIED BY 'N3w';\nFLUSH PRIVILEGES;\n");
    const root = planRotation('appwrite', '_APP_DB_ROOT_PASS', {}, db) as DbRotation;
    expect(root.admin).toEqual({ user: 'root', passVar: '_APP_DB_ROOT_PASS' });
    expect(alterSql(root, 'N3w')).toMatch(/'root'@'%'.*\n.*'root'@'localhost'/);
    const lf = planRotation(
      'langflow',
      'POSTGRES_PASSWORD',
      { POSTGRES_USER: 'langflow', POSTGRES_DB: 'lf' },
      { engine: 'postgresql', service: 'postgres' },
    ) as DbRotation;
    expect(lf).toMatchObject({ service: 'postgres', account: 'langflow', database: 'lf' });
  });
});

describe('what points at rotate-secret', () => {
  it('check: the fix for a weak PostgreSQL _APP_DB_PASS is rotate-secret, and its psql names the database and quotes "user"', async () => {
    const dir = weakInstall('appwrite-weak', { env: { _APP_DB_ADAPTER: 'postgresql' } });
    const hit = (await auditDir(dir, { own: true })).findings.find(
      (f) => f.id === 'secret-weak' && f.subject === '_APP_DB_PASS',
    );
    expect(hit?.fix).toMatch(/harden-init rotate-secret _APP_DB_PASS --dir /);
    expect(hit?.fix).toMatch(/psql -U user -d appwrite -c 'ALTER USER "user" WITH PASSWORD '/);
  });

  it("check: Langflow's bundled database password fix is rotate-secret POSTGRES_PASSWORD, its psql with -d", async () => {
    const dir = weakInstall('langflow-weak');
    const hit = (await auditDir(dir, { own: true })).findings.find((f) => f.id === 'db-password');
    expect(hit?.fix).toMatch(/harden-init rotate-secret POSTGRES_PASSWORD --dir /);
    expect(hit?.fix).toMatch(/psql -U langflow -d langflow -c /);
  });

  it("adopting an install with the installer's example values, files only: not rotated (no running stack), said, the warning kept naming rotate-secret", async () => {
    const dir = await appwriteInstall(['--db-engine', 'mariadb']);
    // As Appwrite's own installer leaves them (an install harden-init has not written: no .harden-init).
    writeFileSync(
      join(dir, '.env'),
      read(dir, '.env')
        .replace(/^_APP_EXECUTOR_SECRET=.*$/m, '_APP_EXECUTOR_SECRET=your-secret-key')
        .replace(/^_APP_DB_PASS=.*$/m, '_APP_DB_PASS=password')
        .replace(/^_APP_DB_ROOT_PASS=.*$/m, '_APP_DB_ROOT_PASS=rootsecretpassword'),
    );
    const r = await runMain(['--dir', dir, ...APPWRITE]);
    expect(r.exitCode, r.stderr).toBe(0);
    const out = r.stdout + r.stderr;
    expect(out).toMatch(/_APP_DB_PASS holds a well-known example value[^\n]*harden-init rotate-secret _APP_DB_PASS/);
    const line = /Not rotated: ([^\n]*)/.exec(out)?.[1] ?? '';
    for (const k of ['_APP_EXECUTOR_SECRET', '_APP_DB_PASS', '_APP_DB_ROOT_PASS']) expect(line).toContain(k);
    expect(line).toMatch(/starts no stack.*harden-init rotate-secret /);
    expect(envOf(dir)._APP_DB_PASS).toBe('password');
  });
});

describe('secrets kept out of output and files kept owner-only', () => {
  it('Langflow --yes without a terminal: the first superuser password is not printed, its .env variable is named; --show-secrets prints it', async () => {
    const dir = join(tempDir('hi-rotsec-'), 'langflow');
    const r = await runMain(['langflow', '--dir', dir, '--domain', 'lf.example.com', '--yes', '--no-start']);
    expect(r.exitCode, r.stderr).toBe(0);
    const pw = envOf(dir).LANGFLOW_SUPERUSER_PASSWORD!;
    expect(pw.length).toBeGreaterThan(16);
    expect(r.stdout + r.stderr).not.toContain(pw);
    expect(r.stdout.replace(/[│\s]+/g, ' ')).toMatch(
      /LANGFLOW_SUPERUSER_PASSWORD: in \S*\.env \(mode 0600\); read it with: grep '\^LANGFLOW_SUPERUSER_PASSWORD=' /,
    );
    const dir2 = join(tempDir('hi-rotsec-'), 'langflow');
    const shown = await runMain([
      'langflow',
      '--dir',
      dir2,
      '--domain',
      'lf.example.com',
      '--yes',
      '--no-start',
      '--show-secrets',
    ]);
    expect(shown.stdout).toContain(`LANGFLOW_SUPERUSER_PASSWORD=${envOf(dir2).LANGFLOW_SUPERUSER_PASSWORD}`);
  });

  it('a state.json left at 0666 is set back to 0600 by a re-run that changes nothing else', async () => {
    const dir = await appwriteInstall();
    const state = join(dir, '.harden-init/state.json');
    chmodSync(state, 0o666);
    const r = await runMain(['--dir', dir, '--yes', '--no-start']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Fixed permissions: \.harden-init\/state\.json: mode 666 → 600/);
    expect(statSync(state).mode & 0o777).toBe(0o600);
  });
});
