import { addString, eachService } from '../render/doc.js';
import type { Rule } from './types.js';

export const restartAndNoNewPrivileges: Rule = {
  id: 'restart-no-new-privileges',
  what: '`restart: unless-stopped` and `security_opt: no-new-privileges:true` on every service',
  why:
    'upstream leaves some services (appwrite, traefik, redis, the database) without a restart ' +
    'policy, and none blocks setuid escalation',
  keeps: 'entrypoints that drop privileges (gosu/su-exec) still work: no-new-privileges only blocks gaining them',
  apply({ doc }) {
    eachService(doc, (_name, svc) => {
      if (!svc.has('restart')) svc.set('restart', 'unless-stopped');
      addString(doc, svc, 'security_opt', 'no-new-privileges:true');
    });
  },
};
