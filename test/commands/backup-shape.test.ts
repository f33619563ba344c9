// What a backup reads from an install's compose file, as the target's `backup` description says (no Docker): the
// bundled database service, the data volumes, the helper image, host directories, and which product an install is.
import { describe, expect, it } from 'vitest';
import { backupShape, backupTarget, bindSource, installFiles, targetIdOf } from '../../src/commands/backup.js';
import { renderCompose } from '../../src/targets/langflow/compose.js';
import type { LangflowAnswers } from '../../src/targets/langflow/answers.js';

const lf = (over: Partial<LangflowAnswers>): LangflowAnswers =>
  ({
    release: '1.13.0',
    domain: 'lf.example.com',
    https: 'off',
    console: 'all',
    superuser: 'admin',
    db: 'volume',
    httpPort: 80,
    httpsPort: 443,
    ...over,
  }) as LangflowAnswers;

describe('backup shape from the target description', () => {
  it('Langflow --db volume: postgres dumped, langflow-config saved, the langflow image as helper, Caddyfile among the files', async () => {
    const { spec } = await backupTarget('langflow');
    const shape = backupShape(spec, renderCompose(lf({ db: 'volume' })));
    expect(shape.db).toEqual({ engine: 'postgresql', service: 'postgres' });
    expect(shape.volumes).toEqual(['langflow-config', 'caddy-data']);
    expect(shape.helperImage).toMatch(/^langflowai\/langflow:1\.13\.0$/);
    expect(shape.binds).toEqual([]);
    expect(installFiles(spec).map((f) => f.path)).toEqual([
      '.env',
      'docker-compose.yml',
      'docker-compose.override.yml',
      '.harden-init/state.json',
      'Caddyfile',
    ]);
    expect(spec.keyVariable).toBe('LANGFLOW_SECRET_KEY');
  });

  it('Langflow --db path: postgres still dumped (its data dir is a bind mount, not saved as files); --https proxy has no caddy-data', async () => {
    const { spec } = await backupTarget('langflow');
    const shape = backupShape(spec, renderCompose(lf({ db: 'path', dbPath: '/srv/pg', https: 'proxy' })));
    expect(shape.db).toEqual({ engine: 'postgresql', service: 'postgres' });
    expect(shape.volumes).toEqual(['langflow-config']);
    expect(shape.binds).toEqual([]);
  });

  it('Langflow --db sqlite: no database service; the host config directory is saved instead', async () => {
    const { spec } = await backupTarget('langflow');
    const shape = backupShape(spec, renderCompose(lf({ db: 'sqlite', dbPath: '/srv/langflow-config' })));
    expect(shape.db).toBeUndefined();
    expect(shape.volumes).toEqual(['caddy-data']);
    expect(shape.binds).toEqual([{ service: 'langflow', path: '/app/langflow', source: '/srv/langflow-config' }]);
  });

  it('Appwrite: PostgreSQL (2.x) or MariaDB (1.9), its data volumes, the appwrite image; no extra files', async () => {
    const { spec } = await backupTarget('appwrite');
    const pg = backupShape(
      spec,
      'services:\n  appwrite:\n    image: appwrite/appwrite:2.7.1\n  postgresql:\n    image: appwrite/postgres:0.1.0\nvolumes:\n  appwrite-uploads:\n  appwrite-postgresql:\n  appwrite-config:\n    name: my-config\n',
    );
    expect(pg.db).toEqual({ engine: 'postgresql', service: 'postgresql' });
    expect(pg.volumes).toEqual(['appwrite-uploads', 'appwrite-config']);
    expect(pg.volumeNames).toEqual({ 'appwrite-config': 'my-config' });
    expect(pg.helperImage).toBe('appwrite/appwrite:2.7.1');
    const maria = backupShape(
      spec,
      'services:\n  appwrite:\n    image: appwrite/appwrite:1.9.5\n  mariadb:\n    image: mariadb:10.11\n',
    );
    expect(maria.db).toEqual({ engine: 'mariadb', service: 'mariadb' });
    const external = backupShape(spec, 'services:\n  appwrite:\n    image: appwrite/appwrite:2.7.1\n');
    expect(external.db).toBeUndefined();
    expect(spec.keyVariable).toBe('_APP_OPENSSL_KEY_V1');
  });

  it('bind mounts: short and long syntax, absolute host paths only', () => {
    expect(bindSource({ volumes: ['/srv/x:/app/langflow:rw'] }, '/app/langflow')).toBe('/srv/x');
    expect(bindSource({ volumes: ['named:/app/langflow'] }, '/app/langflow')).toBeUndefined();
    expect(
      bindSource({ volumes: [{ type: 'bind', source: '/srv/y', target: '/app/langflow' }] }, '/app/langflow'),
    ).toBe('/srv/y');
    expect(
      bindSource({ volumes: [{ type: 'volume', source: 'v', target: '/app/langflow' }] }, '/app/langflow'),
    ).toBeUndefined();
    expect(bindSource(undefined, '/app/langflow')).toBeUndefined();
  });

  it("the product of an install: state.json first, else the compose file's images; unknown is refused with exit 2", async () => {
    expect(targetIdOf('langflow', 'services: {}')).toBe('langflow');
    expect(targetIdOf(undefined, 'services:\n  a:\n    image: appwrite/appwrite:1.9.5\n')).toBe('appwrite');
    expect(targetIdOf(undefined, 'services:\n  a:\n    image: docker.io/langflowai/langflow:1.13.0\n')).toBe(
      'langflow',
    );
    expect(targetIdOf(undefined, 'services:\n  a:\n    image: nginx\n')).toBeUndefined();
    await expect(backupTarget(undefined)).rejects.toMatchObject({ exitCode: 2 });
    await expect(backupTarget('wordpress')).rejects.toThrow(/"wordpress" is not one harden-init knows/);
  });
});
