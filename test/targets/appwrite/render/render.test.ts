// renderLikeInstaller does what Appwrite's installer does with the release's compose file
// (src/Appwrite/Docker/Compose/Generator.php at 1.9.6, plus 2.x's topology choice): checked on upstream's
// real 1.9.6 and 2.3.0 files and on small synthetic files for what those do not contain.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import {
  DB_SERVICES,
  DB_VOLUMES,
  RenderError,
  renderLikeInstaller,
  type RenderChoice,
} from '../../../../src/targets/appwrite/render/generator.js';
import { ROOT } from '../../../helpers/run-bin.js';

const upstream = (v: string) =>
  readFileSync(join(ROOT, 'test/fixtures/upstream/appwrite', v, 'docker-compose.yml'), 'utf8');
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Compose = { services: Record<string, any>; volumes?: Record<string, unknown>; networks?: Record<string, unknown> };
const render = (text: string, choice: RenderChoice): Compose => parse(renderLikeInstaller(text, choice).toString());
const ALL_DB_VOLUMES = Object.values(DB_VOLUMES).flat();

/** Services whose depends_on names a database (by name or `${_APP_DB_HOST:-x}`) in upstream's file. */
function dbDependents(c: Compose): string[] {
  return Object.entries(c.services)
    .filter(([, s]) => {
      const deps: string[] = Array.isArray(s.depends_on) ? s.depends_on : Object.keys(s.depends_on ?? {});
      return deps.some((d) => (DB_SERVICES as readonly string[]).includes(d) || /^\$\{_APP_DB_HOST:-[a-z]+\}$/.test(d));
    })
    .map(([n]) => n);
}

const CASES = [
  { version: '1.9.6', database: 'mariadb' as const },
  { version: '2.3.0', database: 'postgresql' as const },
  { version: '2.3.0', database: 'mariadb' as const },
];

describe.each(CASES)('upstream $version rendered for $database', ({ version, database }) => {
  const text = upstream(version);
  const before: Compose = parse(text);
  const c = render(text, { database, topology: version.startsWith('2.') ? 'combined' : undefined });

  it('keeps exactly one database service, with its volumes; the others and their volumes are gone', () => {
    for (const db of DB_SERVICES) expect(Object.hasOwn(c.services, db), db).toBe(db === database);
    for (const v of DB_VOLUMES[database]) expect(c.volumes, v).toHaveProperty(v);
    for (const v of ALL_DB_VOLUMES.filter((x) => !DB_VOLUMES[database].includes(x)))
      expect(c.volumes, v).not.toHaveProperty(v);
    expect(c.services[database]).toEqual(before.services[database]);
  });

  it('drops the assistant (not asked for) and keeps it when asked', () => {
    expect(before.services).toHaveProperty('appwrite-assistant');
    expect(c.services).not.toHaveProperty('appwrite-assistant');
    expect(render(text, { database, assistant: true }).services).toHaveProperty('appwrite-assistant');
  });

  it('turns list-form depends_on naming a database into a map: the rest service_started, the database service_healthy', () => {
    const dependents = dbDependents(before).filter((n) => n in c.services);
    expect(dependents.length).toBeGreaterThan(3);
    for (const name of dependents) {
      const was: string[] = before.services[name].depends_on;
      const rest = was.filter((d) => !(DB_SERVICES as readonly string[]).includes(d) && !d.startsWith('${'));
      const expected = Object.fromEntries([
        ...rest.map((d) => [d, { condition: 'service_started' }]),
        [database, { condition: 'service_healthy' }],
      ]);
      expect(c.services[name].depends_on, name).toEqual(expected);
      expect(
        Object.keys(c.services[name].depends_on).at(-1),
        `${name}: the database comes last, as in Generator.php`,
      ).toBe(database);
    }
  });

  it('leaves depends_on without a database as upstream wrote it', () => {
    expect(c.services.traefik.depends_on).toEqual(before.services.traefik.depends_on);
    expect(Array.isArray(c.services.traefik.depends_on)).toBe(true);
  });

  it('every remaining dependency names a service that exists', () => {
    for (const [name, s] of Object.entries(c.services)) {
      for (const dep of Array.isArray(s.depends_on) ? s.depends_on : Object.keys(s.depends_on ?? {}))
        expect(c.services, `${name} → ${dep}`).toHaveProperty(dep);
    }
  });

  it('an external database (database undefined) removes every database service and volume, and every dependency on one', () => {
    const ext = render(text, { database: undefined });
    for (const db of DB_SERVICES) expect(ext.services).not.toHaveProperty(db);
    for (const v of ALL_DB_VOLUMES) expect(ext.volumes ?? {}).not.toHaveProperty(v);
    for (const name of dbDependents(before).filter((n) => n in ext.services)) {
      const deps = ext.services[name].depends_on ?? {};
      expect(Array.isArray(deps), name).toBe(false);
      for (const [dep, cond] of Object.entries(deps)) {
        expect(DB_SERVICES as readonly string[], name).not.toContain(dep);
        expect(cond, `${name} → ${dep}`).toEqual({ condition: 'service_started' });
      }
    }
  });

  it('removes services behind a Compose profile (they do not run upstream either) and keeps everything else', () => {
    const profiled = Object.entries(before.services)
      .filter(([, s]) => Array.isArray(s.profiles))
      .map(([n]) => n);
    for (const n of profiled) expect(c.services).not.toHaveProperty(n);
    const dropped = new Set([...profiled, 'appwrite-assistant', ...DB_SERVICES.filter((d) => d !== database)]);
    expect(Object.keys(c.services).sort()).toEqual(
      Object.keys(before.services)
        .filter((n) => !dropped.has(n))
        .sort(),
    );
  });

  it('keeps networks and the other volumes untouched', () => {
    expect(c.networks).toEqual(before.networks);
    for (const [v, def] of Object.entries(before.volumes ?? {}))
      if (!ALL_DB_VOLUMES.includes(v)) expect(c.volumes?.[v], v).toEqual(def);
  });
});

describe('release-specific facts', () => {
  it('1.9.6 keeps appwrite-embedding (not profiled there) and 2.3.0 drops it (profile "embedding")', () => {
    expect(render(upstream('1.9.6'), { database: 'mariadb' }).services).toHaveProperty('appwrite-embedding');
    expect(render(upstream('2.3.0'), { database: 'postgresql', topology: 'combined' }).services).not.toHaveProperty(
      'appwrite-embedding',
    );
  });
  it('2.3.0 combined: the generic worker and the scheduler run', () => {
    const c = render(upstream('2.3.0'), { database: 'postgresql', topology: 'combined' });
    expect(c.services['appwrite-worker'].entrypoint).toBe('worker');
    expect(c.services['appwrite-task-scheduler'].entrypoint).toBe('schedule');
  });
  it('2.3.0 has no separate topology in its file: --topology separate is a clear error', () => {
    expect(() => renderLikeInstaller(upstream('2.3.0'), { database: 'postgresql', topology: 'separate' })).toThrow(
      new RenderError('this release\'s compose file has no "separate" worker topology; use --topology combined'),
    );
  });
  it("keeps upstream's comments (the YAML document is edited, not re-emitted from data)", () => {
    expect(
      renderLikeInstaller(upstream('2.3.0'), { database: 'postgresql', topology: 'combined' }).toString(),
    ).toContain('# Pinned name (unprefixed) so the jobs-service can attach it to build workers');
  });
  it('an unparsable file is a RenderError', () => {
    expect(() => renderLikeInstaller('services: [a\n', { database: 'mariadb' })).toThrow(RenderError);
  });
});

// A small 2.x-shaped file: a combined pair, the separate workers behind profile "separate", an optional
// profiled service, map-form dependencies and every database.
const SYNTHETIC = `
services:
  appwrite:
    image: appwrite/appwrite:2.9.0
    depends_on:
      - redis
      - \${_APP_DB_HOST:-postgresql}
  appwrite-worker:
    image: appwrite/appwrite:2.9.0
    entrypoint: worker
    depends_on:
      redis:
        condition: service_started
      mariadb:
        condition: service_healthy
  appwrite-task-scheduler:
    image: appwrite/appwrite:2.9.0
    entrypoint: schedule
    depends_on: [redis]
  appwrite-worker-audits:
    image: appwrite/appwrite:2.9.0
    entrypoint: worker-audits
    profiles: [separate]
    depends_on: [redis, mongodb]
  appwrite-task-scheduler-functions:
    image: appwrite/appwrite:2.9.0
    entrypoint: schedule-functions
    profiles: [separate]
    depends_on:
      mongodb:
        condition: service_healthy
  appwrite-embedding:
    image: appwrite/embedding:0.3.1
    profiles: [embedding]
  appwrite-assistant:
    image: appwrite/assistant:0.8.4
  mariadb: { image: 'mariadb:10.11', volumes: ['appwrite-mariadb:/var/lib/mysql:rw'] }
  mongodb: { image: 'mongo:8', volumes: ['appwrite-mongodb:/data/db', 'appwrite-mongodb-keyfile:/data/keyfile'] }
  postgresql: { image: 'appwrite/postgres:0.1.0', volumes: ['appwrite-postgresql:/var/lib/postgresql:rw'] }
  redis: { image: 'redis:7' }
volumes:
  appwrite-mariadb:
  appwrite-mongodb:
  appwrite-mongodb-keyfile:
  appwrite-postgresql:
  appwrite-redis:
`;

describe('worker topology (synthetic 2.x file with a "separate" profile)', () => {
  it('combined: the per-queue workers stay behind their profile and are removed', () => {
    const c = render(SYNTHETIC, { database: 'postgresql', topology: 'combined' });
    expect(Object.keys(c.services).sort()).toEqual([
      'appwrite',
      'appwrite-task-scheduler',
      'appwrite-worker',
      'postgresql',
      'redis',
    ]);
  });
  it('separate: the combined pair is removed, the per-queue workers run (their profile removed)', () => {
    const c = render(SYNTHETIC, { database: 'postgresql', topology: 'separate' });
    expect(Object.keys(c.services).sort()).toEqual([
      'appwrite',
      'appwrite-task-scheduler-functions',
      'appwrite-worker-audits',
      'postgresql',
      'redis',
    ]);
    expect(c.services['appwrite-worker-audits'].profiles).toBeUndefined();
    expect(c.services['appwrite-worker-audits'].depends_on).toEqual({
      redis: { condition: 'service_started' },
      postgresql: { condition: 'service_healthy' },
    });
  });
  it('map-form depends_on: database entries are replaced by the chosen one (service_healthy), the rest kept', () => {
    const c = render(SYNTHETIC, { database: 'postgresql', topology: 'combined' });
    expect(c.services['appwrite-worker'].depends_on).toEqual({
      redis: { condition: 'service_started' },
      postgresql: { condition: 'service_healthy' },
    });
    const s = render(SYNTHETIC, { database: 'mariadb', topology: 'separate' });
    expect(s.services['appwrite-task-scheduler-functions'].depends_on).toEqual({
      mariadb: { condition: 'service_healthy' },
    });
  });
  it('the ${_APP_DB_HOST:-x} placeholder counts as a database whatever x names', () => {
    const c = render(SYNTHETIC, { database: 'mariadb', topology: 'combined' });
    expect(c.services.appwrite.depends_on).toEqual({
      redis: { condition: 'service_started' },
      mariadb: { condition: 'service_healthy' },
    });
  });
  it('external: a dependency list of databases only disappears; mixed ones keep the rest', () => {
    const c = render(SYNTHETIC, { database: undefined, topology: 'separate' });
    expect(c.services['appwrite-task-scheduler-functions'].depends_on).toBeUndefined();
    expect(c.services['appwrite-worker-audits'].depends_on).toEqual({ redis: { condition: 'service_started' } });
    expect(c.volumes).toEqual({ 'appwrite-redis': null });
  });
  it('mongodb keeps both of its volumes', () => {
    const c = render(SYNTHETIC, { database: 'mongodb', topology: 'combined' });
    expect(Object.keys(c.volumes ?? {}).sort()).toEqual([
      'appwrite-mongodb',
      'appwrite-mongodb-keyfile',
      'appwrite-redis',
    ]);
  });
  it('a file without profile "separate" refuses the separate topology, naming the way out', () => {
    const noSeparate = SYNTHETIC.replace(/profiles: \[separate\]/g, 'profiles: [other]');
    expect(() => renderLikeInstaller(noSeparate, { database: 'postgresql', topology: 'separate' })).toThrow(
      /no "separate" worker topology; use --topology combined/,
    );
  });
});
