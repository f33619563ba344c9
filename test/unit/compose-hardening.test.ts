// Invariants of every generated compose file, whatever the answers: what "hardened" means, checked.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderCompose } from '../../src/targets/appwrite/compose.js';
import { loadTemplate } from '../../src/engine/template.js';
import { BASE } from '../helpers/fixtures.js';
import { CONSOLE_MODES, DB_MODES, HTTPS_MODES, type Answers } from '../../src/answers.js';

const t = loadTemplate();
const combos: Answers[] = HTTPS_MODES.flatMap((https) => DB_MODES.map((db) => ({
  ...BASE, https, db, dbPath: '/srv/db', dbHost: 'db.example.com', dbPort: 3306, dbUser: 'u', dbName: 'n',
})));

// Appwrite 1.9's installer template: these services must all be there (MariaDB variant).
const UPSTREAM_SERVICES = [
  'traefik', 'appwrite', 'appwrite-console', 'appwrite-realtime', 'appwrite-worker-audits', 'appwrite-worker-webhooks',
  'appwrite-worker-deletes', 'appwrite-worker-databases', 'appwrite-worker-builds', 'appwrite-worker-certificates',
  'appwrite-worker-executions', 'appwrite-worker-functions', 'appwrite-worker-mails', 'appwrite-worker-notifications',
  'appwrite-worker-messaging', 'appwrite-worker-migrations', 'appwrite-task-maintenance', 'appwrite-task-stats-resources',
  'appwrite-worker-stats-resources', 'appwrite-worker-stats-usage', 'appwrite-task-scheduler-functions',
  'appwrite-task-scheduler-executions', 'appwrite-task-scheduler-messages', 'appwrite-browser', 'openruntimes-executor',
  'mariadb', 'redis',
];

describe.each(combos.map((a) => [`https=${a.https} db=${a.db}`, a] as const))('%s', (_name, answers) => {
  const c = parse(renderCompose(t.compose, answers));
  const services = Object.entries<Record<string, any>>(c.services);

  it('has Appwrite\'s complete service set (minus the bundled DB for an external one)', () => {
    const expected = answers.db === 'external' ? UPSTREAM_SERVICES.filter((s) => s !== 'mariadb') : UPSTREAM_SERVICES;
    expect(Object.keys(c.services).sort()).toEqual([...expected].sort());
  });
  it('restarts every service and forbids privilege escalation', () => {
    for (const [name, s] of services) {
      expect(s.restart, name).toBe('unless-stopped');
      expect(s.security_opt, name).toContain('no-new-privileges:true');
    }
  });
  it('publishes ports on traefik only', () => {
    for (const [name, s] of services) if (name !== 'traefik') expect(s.ports, name).toBeUndefined();
  });
  it('keeps Redis and the DB on the internal network only, and that network is internal', () => {
    expect(c.networks.internal.internal).toBe(true);
    expect(c.services.redis.networks).toEqual(['internal']);
    if (answers.db !== 'external') expect(c.services.mariadb.networks).toEqual(['internal']);
  });
  it('pins every image to a version tag', () => {
    for (const [name, s] of services) expect(s.image, name).toMatch(/^[a-z0-9./-]+:(?!latest$)[0-9][\w.-]*$/);
  });
  it('mounts the Docker socket read-only for traefik', () => {
    expect(c.services.traefik.volumes).toContain('/var/run/docker.sock:/var/run/docker.sock:ro');
  });
  it('has no duplicate environment entries (compose v1 rejects them)', () => {
    for (const [name, s] of services) {
      const env: string[] = Array.isArray(s.environment) ? s.environment : [];
      expect(new Set(env.map((e) => e.split('=')[0])).size, name).toBe(env.length);
    }
  });
  it('has no dependency on a service that does not exist', () => {
    for (const [name, s] of services) {
      for (const dep of Array.isArray(s.depends_on) ? s.depends_on : Object.keys(s.depends_on ?? {})) expect(c.services, `${name} → ${dep}`).toHaveProperty(dep);
    }
  });
});

it('console modes do not change the compose file', () => {
  const files = CONSOLE_MODES.map((console) => renderCompose(t.compose, { ...BASE, console }));
  expect(new Set(files).size).toBe(1);
});
