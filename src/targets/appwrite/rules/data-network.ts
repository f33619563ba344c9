import { addString, ensureNetwork, envReferences, eachService, setStrings, strings } from '../render/doc.js';
import type { Rule } from './types.js';

export const DATA_SERVICES = ['mariadb', 'postgresql', 'mongodb', 'redis', 'clickhouse'];
export const DATA_NETWORK = 'internal';
/**
 * Variables whose presence means a service talks to a data service: the database and Redis hosts (2.x adds
 * _APP_DB_HOST_DOCUMENTSDB / _VECTORSDB) and every _APP_CONNECTIONS_* DSN (ClickHouse, and any later one).
 */
const DATA_CLIENT_VAR = /^_APP_DB_HOST(?:_[A-Z]+)?$|^_APP_REDIS_HOST$|^_APP_CONNECTIONS_/;

export const internalDataNetwork: Rule = {
  id: 'internal-data-network',
  what: 'databases, Redis and ClickHouse sit only on an `internal: true` network, joined by the services that use them',
  why:
    'upstream puts them on the shared `appwrite` network, where function and build containers ' +
    'also run and which routes out of Docker',
  keeps: 'every Appwrite service that reads _APP_DB_*, _APP_REDIS_* or the ClickHouse DSNs joins that network',
  apply({ doc }) {
    ensureNetwork(doc, DATA_NETWORK, { internal: true });
    eachService(doc, (name, svc) => {
      if (DATA_SERVICES.includes(name)) {
        setStrings(doc, svc, 'networks', [DATA_NETWORK]);
        return;
      }
      const usesData =
        envReferences(svc).some((v) => DATA_CLIENT_VAR.test(v)) ||
        strings(svc, 'depends_on').some((d) => DATA_SERVICES.includes(d));
      if (usesData) addString(doc, svc, 'networks', DATA_NETWORK);
    });
  },
};
