import { isSeq, type YAMLMap } from 'yaml';
import { scalar, service } from '../render/doc.js';
import { RenderError } from '../render/generator.js';
import type { Rule } from './types.js';

/** The data directory inside the database container, read from upstream's own volume entry. */
export function dataDirOf(db: YAMLMap | undefined, volume: string): string | undefined {
  const vols = db?.get('volumes');
  if (!isSeq(vols)) return undefined;
  const entry = vols.items.map(scalar).find((v) => v.startsWith(`${volume}:`));
  return entry?.split(':')[1];
}

export const databaseLocation: Rule = {
  id: 'database-location',
  what:
    '--db path: the database volume becomes a bind mount of the chosen host ' +
    'directory; --db external: no database service',
  why: "the operator's choice of where the data lives (upstream's installer only offers a volume)",
  keeps:
    'the same data directory inside the container; services no longer wait for a database that is not in the stack',
  apply({ doc, answers }) {
    const name = answers.dbEngine;
    const volume = `appwrite-${name}`;
    if (answers.db === 'path') {
      const db = service(doc, name);
      const dir = dataDirOf(db, volume);
      const vols = db?.get('volumes');
      // Never silently leave the data in the named volume when the operator asked for a host directory.
      if (!db || !dir || !isSeq(vols))
        throw new RenderError(
          `--db path: upstream's ${name} service has no "${volume}:<data directory>" volume ` +
            `entry to replace with ${answers.dbPath}`,
        );
      const i = vols.items.findIndex((v) => scalar(v).startsWith(`${volume}:`));
      vols.set(i, doc.createNode(`${answers.dbPath}:${dir}:rw`));
      (doc.get('volumes') as YAMLMap | undefined)?.delete(volume);
    } else if (answers.db === 'external') {
      (doc.get('volumes') as YAMLMap | undefined)?.delete(volume);
    }
  },
};
