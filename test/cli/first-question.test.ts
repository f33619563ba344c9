// The wizard asks while the release is read: in a real terminal, with a stand-in `docker` on PATH
// (test/fixtures/fake-docker/docker) whose image is missing and whose `pull` is slow, the first question appears while
// the pull still runs; after the answers the read's progress is shown until it is done; Ctrl-C during it ends the
// pull (exit 130, nothing written); what the rules refuse in the release's files is said once the answers are in. And
// the title comes before the Docker preflight lines.
// Runs the built binary (`npm run build` first; `npm test` does).
import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { answerFirstInstall as answerAll, KEY, ROOT, ptyScratch, spawnCli, type PtySession } from '../helpers/pty.js';
import { RELEASES_DIR } from '../helpers/run-bin.js';
import { questionFor } from '../../src/targets/appwrite/questions.js';

const FAKE_DOCKER_DIR = join(ROOT, 'test', 'fixtures', 'fake-docker');
const Q = {
  domain: questionFor('domain').message,
  https: questionFor('https').message,
  email: questionFor('email').message,
  console: questionFor('console').message,
  dbEngine: questionFor('dbEngine').message,
  db: questionFor('db').message,
  smtpHost: questionFor('smtpHost').message,
};
const WRITE_CONFIRM = /Write [^\n]*\?/;

const scratch = ptyScratch('hi-first-');
const tmp = scratch.tmp;

/** The CLI in a terminal with the stand-in docker first on PATH, its state in `state`. */
function start(args: string[], state: string, env: Record<string, string> = {}): PtySession {
  const s = spawnCli(args, {
    cwd: state,
    env: {
      PATH: `${FAKE_DOCKER_DIR}:${process.env.PATH ?? ''}`,
      // Not a unix socket: harden-init asks the docker CLI (the stand-in) whether an engine answers.
      DOCKER_HOST: 'tcp://127.0.0.1:9',
      HARDEN_INIT_RELEASES_DIR: undefined, // the files come from the (stand-in) image, not a description
      FAKE_DOCKER_STATE: state,
      FAKE_DOCKER_RELEASE: join(RELEASES_DIR, '2.7.1'),
      ...env,
    },
  });
  return scratch.track(s);
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('the first question does not wait for the release image', () => {
  it('asks while `docker pull` runs; after the answers shows the pull until done, then installs from the image', async () => {
    const state = tmp();
    const dir = join(state, 'appwrite');
    const s = start(['--dir', dir, '--no-start'], state, { FAKE_PULL_SECONDS: '4' });

    await s.waitFor(Q.domain);
    await until(() => existsSync(join(state, 'pull.pid')), 5_000, 'the pull to start');
    const pid = Number(readFileSync(join(state, 'pull.pid'), 'utf8'));
    // The question is on the screen and the pull has not ended.
    expect(existsSync(join(state, 'pulled'))).toBe(false);
    expect(alive(pid)).toBe(true);

    await answerAll(s, true);
    await s.waitFor("Reading Appwrite 2.7.1's files", 5_000);
    expect(existsSync(join(state, 'pulled'))).toBe(false);
    await s.waitFor('Status: Downloaded newer image for appwrite/appwrite:2.7.1', 15_000);
    await s.waitFor("upstream's files from image appwrite/appwrite:2.7.1");
    await s.answer(WRITE_CONFIRM, KEY.enter);
    await s.waitFor('Run this again without questions');
    const { exitCode } = await s.exit();
    expect(exitCode, s.tail()).toBe(0);
    expect(readFileSync(join(dir, '.env'), 'utf8')).toContain('_APP_DOMAIN=appwrite.example.com\n');
    const calls = readFileSync(join(state, 'calls.log'), 'utf8');
    expect(calls).toContain('pull appwrite/appwrite:2.7.1');
    // The reads ran in named throw-away containers after the pull.
    expect(calls).toMatch(/create --name harden-init-read-\d+-\d+ --network none --entrypoint cat /);
    expect(calls).toMatch(/start --attach harden-init-read-\d+-\d+/);
    expect(calls).toMatch(/rm --force harden-init-read-\d+-\d+/);
  });

  it('Ctrl-C while the pull is shown after the answers: the pull is ended, exit 130, nothing written', async () => {
    const state = tmp();
    const dir = join(state, 'appwrite');
    const s = start(['--dir', dir, '--no-start'], state, { FAKE_PULL_SECONDS: '60' });

    await answerAll(s);
    await s.waitFor("Reading Appwrite 2.7.1's files", 5_000);
    await until(() => existsSync(join(state, 'pull.pid')), 5_000, 'the pull to start');
    const pid = Number(readFileSync(join(state, 'pull.pid'), 'utf8'));
    expect(alive(pid)).toBe(true);
    // The stand-in pull ignores SIGINT (the terminal sends it to the whole process group): only harden-init ends it.
    s.write(KEY.ctrlC);
    const { exitCode } = await s.exit(10_000);
    expect(exitCode, s.tail()).toBe(130);
    await until(() => !alive(pid), 3_000, 'the pull process to be gone');
    expect(existsSync(join(state, 'pulled'))).toBe(false);
    expect(!existsSync(dir) || readdirSync(dir).length === 0).toBe(true);
  });

  it('Ctrl-C at the first question while the pull runs: the pull is ended too, exit 130', async () => {
    const state = tmp();
    const dir = join(state, 'appwrite');
    const s = start(['--dir', dir, '--no-start'], state, { FAKE_PULL_SECONDS: '60' });

    await s.waitFor(Q.domain);
    await until(() => existsSync(join(state, 'pull.pid')), 5_000, 'the pull to start');
    const pid = Number(readFileSync(join(state, 'pull.pid'), 'utf8'));
    s.write(KEY.ctrlC);
    const { exitCode } = await s.exit(10_000);
    expect(exitCode, s.tail()).toBe(130);
    await until(() => !alive(pid), 3_000, 'the pull process to be gone');
    expect(!existsSync(dir) || readdirSync(dir).length === 0).toBe(true);
  });

  it("what the rules refuse in the release's files is said right after the answers (exit 2, nothing written)", async () => {
    const state = tmp();
    const dir = join(state, 'appwrite');
    // A release whose file has a service no rule knows, publishing a port.
    const release = join(state, 'release');
    // Each file read and written anew: the fixture folder is a symlink, and a copy of it would write through to it.
    mkdirSync(release);
    for (const n of ['variables.php', 'bin.txt'])
      writeFileSync(join(release, n), readFileSync(join(RELEASES_DIR, '2.7.1', n)));
    const compose = readFileSync(join(RELEASES_DIR, '2.7.1', 'docker-compose.yml'), 'utf8');
    writeFileSync(
      join(release, 'docker-compose.yml'),
      compose.replace(
        /^services:\n/m,
        'services:\n  mystery:\n    image: example/mystery:1\n    ports:\n      - "9999:9999"\n',
      ),
    );
    const s = start(['--dir', dir, '--no-start'], state, { FAKE_PULL_SECONDS: '2', FAKE_DOCKER_RELEASE: release });

    await answerAll(s);
    await s.waitFor("Upstream's files ask for what harden-init's rules do not know how to harden", 15_000);
    await s.waitFor('--accept-upstream mystery');
    const { exitCode } = await s.exit();
    expect(exitCode, s.tail()).toBe(2);
    expect(s.text()).not.toContain('Will install');
    expect(s.text()).toContain('Once fixed, run this to skip the questions');
    expect(!existsSync(dir) || readdirSync(dir).length === 0).toBe(true);
  });

  it('the title comes first, the Docker preflight lines after it, then the first question', async () => {
    const state = tmp();
    const dir = join(state, 'appwrite');
    const s = start(['--dir', dir], state, { FAKE_IMAGE_PRESENT: '1' });

    await s.answer(Q.domain, KEY.ctrlC);
    const { exitCode } = await s.exit();
    expect(exitCode, s.tail()).toBe(130);
    const text = s.text();
    const title = text.indexOf('harden-init ');
    const client = text.indexOf('Docker client 28.0.0-fake');
    expect(title, text).toBeGreaterThanOrEqual(0);
    expect(client, text).toBeGreaterThan(title);
    expect(text.indexOf('Docker daemon 28.0.0-fake reachable')).toBeGreaterThan(client);
    expect(text.indexOf(Q.domain)).toBeGreaterThan(text.indexOf('Compose: '));
    expect(text.slice(0, title).replace(/[\s┌]/g, '')).toBe(''); // nothing before the title but its corner
  });
});
