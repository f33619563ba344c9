// The rules every target shares: what is published where, images, restart policies, .env's mode and git, the
// Docker socket, and drift between the files and the running containers. Each is parameterised by the target's
// audit (its gateway, who may hold the socket, how running configuration is read).
import { isMaskedName } from '../engine/diff.js';
import { describeProblem, DIR_PROBLEM_WHY } from '../apply/install-dir.js';
import { compare } from '../verify/compare.js';
import { expectations } from '../verify/expectations.js';
import type { AuditRule, RuleHit, ServiceModel, TargetAudit } from './types.js';

const ALL_INTERFACES = new Set(['0.0.0.0', '::', '[::]', '*']);
const DATA_STORE = /(^|\/)(postgres|mariadb|mysql|redis|mongo|clickhouse)[^/]*(:|$)/;

export const SOCKET_PATHS = ['/var/run/docker.sock', '/run/docker.sock'];
export const holdsSocket = (s: ServiceModel): boolean =>
  s.mounts.some((m) => m.source !== undefined && SOCKET_PATHS.includes(m.source.replace(/\/+$/, '')));

/** The image's tag ('' when none) and whether a digest pins it. */
export function imageTag(image: string): { tag: string; digest: boolean } {
  const at = image.indexOf('@');
  const name = at >= 0 ? image.slice(0, at) : image;
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  return { tag: colon > slash ? name.slice(colon + 1) : '', digest: at >= 0 };
}

const composeInvalid: AuditRule = {
  id: 'compose-invalid',
  severity: 'high',
  title: 'compose refuses the files',
  check(input, h) {
    if (input.composeError === undefined) return [];
    return [
      {
        subject: input.composeFile,
        what: `${input.composeNote ?? 'compose refused the files'}: ${input.composeError}`,
        why:
          'the stack cannot be started or recreated as the files stand, so no fix below can be applied with "up"; ' +
          'this check read the file itself instead',
        fix:
          `Run ${h.cd}docker compose config to see the error, and correct the line it names ` +
          `(usually a variable missing from .env).`,
      },
    ];
  },
};

const publishedPort = (audit: TargetAudit): AuditRule => ({
  id: 'published-port',
  severity: 'high',
  title: 'a database, Redis or application port published on every interface',
  check(input, h) {
    const out: RuleHit[] = [];
    for (const s of Object.values(input.compose.services)) {
      if (audit.gateways.includes(s.name)) continue;
      for (const p of s.ports) {
        if (p.hostIp !== undefined && !ALL_INTERFACES.has(p.hostIp)) continue;
        const store =
          DATA_STORE.test(s.image ?? '') ||
          /^(postgres|postgresql|mariadb|mysql|redis|mongodb|clickhouse)$/.test(s.name);
        out.push({
          severity: store ? 'critical' : 'high',
          subject: `service ${s.name}`,
          what:
            `publishes ${p.published ? `host port ${p.published}` : 'a random host port'} (container port ` +
            `${p.target}/${p.protocol}) on every interface (ports entry "${p.text}")`,
          why: store
            ? 'the database or cache answers the whole network, the internet included, and its credentials are all ' +
              'that stands in the way (Redis has none by default)'
            : `the application is reachable around the gateway (${audit.gateways.join(', ') || 'the proxy'}): no ` +
              `TLS, no allow-list, no security headers`,
          fix:
            `In docker-compose.yml remove that entry from ${s.name}'s "ports:" (the other services reach it ` +
            `on the compose network), or bind it to loopback as ` +
            `"127.0.0.1:${p.published ?? p.target}:${p.target}"; then ${h.cd}docker compose up -d. A harden-init ` +
            `install publishes only the gateway: ${h.rerun} --replace-compose.`,
        });
      }
    }
    return out;
  },
});

const imageUnpinned: AuditRule = {
  id: 'image-unpinned',
  severity: 'medium',
  title: 'images without a version, or "latest"',
  check(input) {
    const out: RuleHit[] = [];
    for (const s of Object.values(input.compose.services)) {
      if (!s.image) continue;
      const { tag, digest } = imageTag(s.image);
      if (digest || (tag && tag !== 'latest')) continue;
      out.push({
        subject: `service ${s.name}`,
        what: `image "${s.image}" is ${tag ? 'the moving tag "latest"' : 'not pinned to a version'}`,
        why:
          'each pull may bring another release: an unplanned major upgrade without its migration, ' +
          'and no way to tell which advisories apply',
        fix:
          `In docker-compose.yml write ${s.name}'s image with an explicit version (e.g. ` +
          `"${s.image.replace(/:latest$/, '')}:<x.y.z>", the release you run now: docker image inspect --format ` +
          `'{{index .RepoDigests 0}}' ${s.image}); then docker compose up -d.`,
      });
    }
    return out;
  },
};

const restartPolicy: AuditRule = {
  id: 'restart-policy',
  severity: 'low',
  title: 'services without a restart policy',
  check(input, h) {
    return Object.values(input.compose.services)
      .filter((s) => !s.restart || s.restart === 'no')
      .map((s) => ({
        subject: `service ${s.name}`,
        what: s.restart ? 'has "restart: no"' : 'has no restart policy',
        why:
          'after a crash or a reboot it stays down: the stack is silently half up (a ' +
          'worker, the database or the proxy missing)',
        fix: `In docker-compose.yml add "restart: unless-stopped" to ${s.name}; then ${h.cd}docker compose up -d.`,
      }));
  },
};

const installDirOwner: AuditRule = {
  id: 'install-dir-owner',
  severity: 'critical',
  title: "the install directory or .harden-init/ another user's, or writable by group or others",
  check(input) {
    return (input.dirProblems ?? []).map((p) => {
      const { what, fix } = describeProblem(p);
      return { subject: p.role, what, why: DIR_PROBLEM_WHY, fix };
    });
  },
};

const envPermissions: AuditRule = {
  id: 'env-permissions',
  severity: 'high',
  title: '.env readable by group or others',
  check(input, h) {
    if (input.envMode === undefined || (input.envMode & 0o077) === 0) return [];
    return [
      {
        subject: '.env',
        what:
          `has mode ${(input.envMode & 0o777).toString(8).padStart(4, '0')}: readable by ` +
          `${input.envMode & 0o007 ? 'every user of this host' : 'its group'}`,
        why: 'it holds every secret of the install (the encryption key, database passwords)',
        fix: `chmod 600 ${h.path('.env')} (a harden-init re-run narrows it too).`,
      },
    ];
  },
};

const envAmbiguous: AuditRule = {
  id: 'env-ambiguous',
  severity: 'high',
  title: '.env values that Compose and harden-init read differently',
  check(input, h) {
    return (input.envAmbiguous ?? []).map((e) => ({
      subject: `.env line ${e.line}`,
      what: `${e.key}: ${e.why}`,
      why:
        'the containers run with one value while backups, verification and re-runs use another (a database ' +
        'login that fails, drift that is not there)',
      fix:
        `In ${h.path('.env')} write ${e.key}'s value in single quotes (${e.key}='value'), ` +
        `the form every reader takes literally.`,
    }));
  },
};

const envInGit: AuditRule = {
  id: 'env-in-git',
  severity: 'high',
  title: '.env tracked by git',
  check(input, h) {
    if (!input.envTracked) return [];
    return [
      {
        subject: '.env',
        what: 'is tracked by git',
        why: 'every secret is in the repository and its history: anyone who can read or clone it holds the keys',
        fix:
          `${h.cd}git rm --cached .env && echo .env >> .gitignore && git commit -m "Stop tracking .env"; the ` +
          `secrets stay in the history, so treat them as known: change the database passwords and shared secrets ` +
          `(the encryption key only with a planned migration).`,
      },
    ];
  },
};

const dockerSocket = (audit: TargetAudit): AuditRule => ({
  id: 'docker-socket',
  severity: 'high',
  title: 'the Docker socket mounted into a service that does not need it',
  check(input, h) {
    return Object.values(input.compose.services)
      .filter((s) => holdsSocket(s) && !audit.socketAllowed(s))
      .map((s) => ({
        subject: `service ${s.name}`,
        what: `mounts the Docker socket${
          s.mounts.find((m) => m.source && SOCKET_PATHS.includes(m.source))?.readOnly
            ? ' (":ro" protects the file, not the API)'
            : ''
        }`,
        why: 'whoever controls this container controls the Docker API, which is root on the host',
        fix:
          `In docker-compose.yml remove the "/var/run/docker.sock" volume of ${s.name} (if it ` +
          `only needs to read containers, give it a read-only docker-socket-proxy on an internal ` +
          `network); then ${h.cd}docker compose up -d.`,
      }));
  },
});

const drift = (audit: TargetAudit): AuditRule => ({
  id: 'drift',
  severity: 'medium',
  title: 'running values that differ from the files',
  check(input, h) {
    if (!input.running || !input.reader) return [];
    // Only the services that were read (those that run).
    const exp = expectations(input.reader.services(input.composeText), input.env).filter((e) =>
      input.running!.has(e.service),
    );
    const { drift } = compare(exp, input.running, new Set());
    return drift
      .filter((r) => r.reported)
      .map((r) => {
        const secret = isMaskedName(r.name, audit.secretNames);
        const security = audit.securityVariables.includes(r.name);
        const values = secret
          ? ''
          : ` (.env: ${r.expected || '(empty)'}, running: ` +
            `${r.running === undefined ? 'differs by service' : r.running || '(empty)'})`;
        return {
          severity: security ? 'high' : 'medium',
          subject: r.name,
          what: `${r.drifted.join(', ')} ${r.drifted.length === 1 ? 'runs' : 'run'} another value than .env${values}`,
          why: security
            ? 'a security setting is not what the files say: the audit of the files does not describe what runs'
            : 'what runs is not what the files say: the next "up" changes it, and the audit of the ' +
              'files does not describe the running stack',
          fix:
            `${h.cd}docker compose up -d (recreates the containers with the files' values); if your shell exports ` +
            `${r.name}, unset it first (compose prefers the shell over .env).`,
        };
      });
  },
});

/** Every target's audit runs these, in this order, before its own rules. */
export function commonRules(audit: TargetAudit): AuditRule[] {
  return [
    composeInvalid,
    publishedPort(audit),
    imageUnpinned,
    restartPolicy,
    installDirOwner,
    envPermissions,
    envAmbiguous,
    envInGit,
    dockerSocket(audit),
    drift(audit),
  ];
}
