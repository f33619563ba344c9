// The port preflight's own-container rule: a port held by the install's own running stack (any container of its
// Compose project, or its gateway) lets a re-run go on, for both targets and every HTTPS mode; anything else stops it.
import { describe, expect, it } from 'vitest';
import { classifyHolders } from '../../src/docker/preflight.js';
import { composeProjectNames } from '../../src/docker/compose.js';
import { TARGETS } from '../../src/targets/index.js';

/** `docker ps --format '{{.Names}}\t{{.Label "com.docker.compose.project"}}'` as Compose v2 and v1 name containers. */
const ps = (...rows: [name: string, project: string][]) => rows.map(([n, p]) => `${n}\t${p}\n`).join('');

describe('composeProjectNames', () => {
  it('is the directory name, normalised as Compose v2 and v1 do', () => {
    expect(composeProjectNames('/srv/lf', {}, undefined, {})).toEqual(['lf']);
    expect(composeProjectNames('/srv/My.Langflow', {}, undefined, {})).toEqual(['mylangflow']);
    expect(composeProjectNames('/tmp/hi-e2e-Ab_c', {}, undefined, {})).toEqual(['hi-e2e-ab_c']);
    // v2 drops a leading '_' or '-', v1 keeps it: the containers carry one or the other
    expect(composeProjectNames('/srv/_aw', {}, undefined, {})).toEqual(['aw', '_aw']);
  });

  it("COMPOSE_PROJECT_NAME in .env first, then the shell's, then the file's top-level name", () => {
    const compose = '# x\nname: "Stack-One"\nservices: {}\n';
    expect(
      composeProjectNames('/srv/d', { COMPOSE_PROJECT_NAME: 'fromenv' }, compose, { COMPOSE_PROJECT_NAME: 'shell' }),
    ).toEqual(['fromenv']);
    expect(composeProjectNames('/srv/d', {}, compose, { COMPOSE_PROJECT_NAME: 'shell' })).toEqual(['shell']);
    expect(composeProjectNames('/srv/d', {}, compose, {})).toEqual(['stack-one']);
    // a nested `name:` is not the project's
    expect(composeProjectNames('/srv/d', {}, 'services:\n  a:\n    name: x\n', {})).toEqual(['d']);
  });
});

describe("classifyHolders: the install's own containers", () => {
  const cases = [
    // Langflow: proxy publishes 127.0.0.1:7860 from the langflow service itself (no gateway in front), auto/off from caddy.
    { what: 'Langflow proxy (v2 names)', target: 'langflow', out: ps(['lf-langflow-1', 'lf']) },
    { what: 'Langflow proxy (v1 names)', target: 'langflow', out: ps(['lf_langflow_1', 'lf']) },
    { what: 'Langflow auto', target: 'langflow', out: ps(['lf-caddy-1', 'lf']) },
    // Appwrite: traefik publishes (container_name appwrite-traefik), in proxy mode on 127.0.0.1, MQTT ports included.
    { what: 'Appwrite proxy', target: 'appwrite', out: ps(['appwrite-traefik', 'lf']) },
    { what: 'Appwrite auto', target: 'appwrite', out: ps(['appwrite-traefik', 'lf']) },
  ] as const;

  it.each(cases)('$what: held by this stack', async ({ target, out }) => {
    const gateway = (await TARGETS[target]!.load()).stack.gatewayContainer;
    expect(classifyHolders(out, { gateway, projects: ['lf'] })).toEqual({ kind: 'own', names: out.split('\t')[0] });
  });

  it("a container of another project, or an unlabelled one, is not the install's", () => {
    const own = { gateway: 'caddy', projects: ['lf'] };
    expect(classifyHolders(ps(['other-langflow-1', 'other']), own)).toEqual({
      kind: 'other',
      names: 'container other-langflow-1',
    });
    expect(classifyHolders(ps(['some-nginx', '']), own)).toEqual({ kind: 'other', names: 'container some-nginx' });
    // one own and one foreign container on the same port (two host addresses): not all ours
    expect(classifyHolders(ps(['lf-langflow-1', 'lf'], ['x', 'y']), own).kind).toBe('other');
    // no container: a process outside Docker
    expect(classifyHolders('', own)).toEqual({ kind: 'other', names: 'another process' });
  });

  it('the gateway by name alone still counts (a container created before labels were read)', () => {
    expect(classifyHolders(ps(['appwrite-traefik', '']), { gateway: 'appwrite-traefik' }).kind).toBe('own');
    expect(classifyHolders(ps(['x_caddy_1', '']), { gateway: 'caddy' }).kind).toBe('own');
    // before: only the gateway was recognised, so Langflow's own langflow container (proxy mode) was "in use"
    expect(classifyHolders(ps(['lf-langflow-1', 'lf']), { gateway: 'caddy' }).kind).toBe('other');
  });
});
