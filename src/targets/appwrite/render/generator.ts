// Renders upstream's release compose file the way Appwrite's own installer does
// (src/Appwrite/Docker/Compose/Generator.php, read at tag 1.9.6): keep one database service and its
// volumes, drop the assistant unless asked, point `depends_on` at the chosen database, and — since 2.0 —
// pick the worker topology. Works on the YAML document so upstream's comments and layout survive.
import { isMap, isScalar, isSeq, type Document, type Pair, type YAMLMap } from 'yaml';
import { composeDocument } from './parsed.js';
import { YamlReadError } from '../../../engine/yaml-read.js';

export const DB_SERVICES = ['mariadb', 'mongodb', 'postgresql'] as const;
export type DbService = (typeof DB_SERVICES)[number];

/** The volumes each database service owns (Generator.php SELECTABLE_VOLUME_GROUPS). */
export const DB_VOLUMES: Record<DbService, string[]> = {
  mariadb: ['appwrite-mariadb'],
  mongodb: ['appwrite-mongodb', 'appwrite-mongodb-keyfile'],
  postgresql: ['appwrite-postgresql'],
};

/** 2.x "combined" topology: one generic worker and one scheduler replace the per-queue containers. */
export const COMBINED_SERVICES = ['appwrite-worker', 'appwrite-task-scheduler'];
export const SEPARATE_PROFILE = 'separate';

export interface RenderChoice {
  /** The database service to keep; undefined keeps none (an external database). */
  database: DbService | undefined;
  /** 2.x only; undefined for releases without topologies. */
  topology?: 'combined' | 'separate';
  assistant?: boolean;
}

export class RenderError extends Error {}

export function servicesOf(doc: Document): YAMLMap {
  const services = doc.get('services');
  if (!isMap(services)) throw new RenderError('the compose file has no services map');
  return services;
}

export function renderLikeInstaller(composeText: string, choice: RenderChoice): Document {
  // Revived from the release cache's parsed form when it holds this exact text (render/parsed.ts), else parsed.
  let doc: Document;
  try {
    doc = composeDocument(composeText);
  } catch (e) {
    if (e instanceof YamlReadError) throw new RenderError(`upstream compose file does not parse: ${e.message}`);
    throw e;
  }
  const services = servicesOf(doc);

  for (const db of DB_SERVICES) {
    if (db === choice.database) continue;
    services.delete(db);
    for (const v of DB_VOLUMES[db]) (doc.get('volumes') as YAMLMap | undefined)?.delete(v);
  }
  if (!choice.assistant) services.delete('appwrite-assistant');
  selectTopology(services, choice.topology);
  // Services behind any other Compose profile (e.g. `embedding`) do not run by default upstream either.
  for (const name of serviceNames(services)) {
    const profiles = profilesOf(services.get(name) as YAMLMap);
    if (profiles.length > 0) services.delete(name);
  }
  for (const pair of services.items as Pair<unknown, unknown>[]) {
    if (isMap(pair.value)) rewriteDependencies(doc, pair.value, choice.database);
  }
  return doc;
}

export function serviceNames(services: YAMLMap): string[] {
  return services.items.map((p) => String(isScalar(p.key) ? p.key.value : p.key));
}

function profilesOf(svc: YAMLMap | undefined): string[] {
  const p = svc?.get('profiles');
  return isSeq(p) ? p.items.map((i) => String(isScalar(i) ? i.value : i)) : [];
}

function selectTopology(services: YAMLMap, topology: RenderChoice['topology']): void {
  const separate = serviceNames(services).filter((n) =>
    profilesOf(services.get(n) as YAMLMap).includes(SEPARATE_PROFILE),
  );
  if (topology === 'separate') {
    if (separate.length === 0)
      throw new RenderError('this release\'s compose file has no "separate" worker topology; use --topology combined');
    for (const n of COMBINED_SERVICES) services.delete(n);
    for (const n of separate) (services.get(n) as YAMLMap).delete('profiles');
  }
  // combined (or a release without topologies): the separate workers stay behind their profile and are
  // removed with every other profiled service.
}

const DB_PLACEHOLDER = /^\$\{_APP_DB_HOST:-[a-z]+\}$/;

/** Generator.php rewriteDependencies: database entries (by name or placeholder) become the chosen one. */
function rewriteDependencies(doc: Document, svc: YAMLMap, database: DbService | undefined): void {
  const deps = svc.get('depends_on');
  const isDb = (name: string) => (DB_SERVICES as readonly string[]).includes(name) || DB_PLACEHOLDER.test(name);
  if (isSeq(deps)) {
    const names = deps.items.map((i) => String(isScalar(i) ? i.value : i));
    if (!names.some(isDb)) return;
    const rest = names.filter((n) => !isDb(n));
    const map: Record<string, { condition: string }> = {};
    for (const n of rest) map[n] = { condition: 'service_started' };
    if (database) map[database] = { condition: 'service_healthy' };
    if (Object.keys(map).length === 0) svc.delete('depends_on');
    else svc.set('depends_on', doc.createNode(map));
  } else if (isMap(deps)) {
    const names = deps.items.map((p) => String(isScalar(p.key) ? p.key.value : p.key));
    if (!names.some(isDb)) return;
    for (const n of names) if (isDb(n)) deps.delete(n);
    if (database) deps.set(database, doc.createNode({ condition: 'service_healthy' }));
    if (deps.items.length === 0) svc.delete('depends_on');
  }
}
