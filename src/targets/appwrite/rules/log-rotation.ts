import { eachService } from '../render/doc.js';
import type { Rule } from './types.js';

export const logRotation: Rule = {
  id: 'log-rotation',
  what: "services without a logging block get upstream's own rotation (json-file, 5 × 10 MB)",
  why: 'unrotated container logs fill the disk, and a full disk stops the database',
  keeps: '`docker compose logs` as before',
  apply({ doc }) {
    eachService(doc, (_name, svc) => {
      if (!svc.has('logging'))
        svc.set('logging', doc.createNode({ driver: 'json-file', options: { 'max-file': '5', 'max-size': '10m' } }));
    });
  },
};
