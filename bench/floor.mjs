#!/usr/bin/env node
// The floor under "generate": only what any fresh generation must do, with no YAML, no render, no checks —
// load node:crypto, read the release's compose file and variables.php, make the secrets, and write the four files
// a fresh install gets — `.env`, `docker-compose.yml`, `.harden-init/compose-written.yml` and
// `.harden-init/state.json` — atomically (temporary file, fsync, rename, directory fsync), as src/apply does.
// bench/startup.mjs times it against `node -e 0` beside the real generation, so the distance between the two is
// harden-init's own work and the floor's ratio is what no design can go below.
//   node bench/floor.mjs <install dir>
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node bench/floor.mjs <install dir>');
  process.exit(2);
}
const release = join(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'fixtures', 'releases', '2.7.1');
const compose = readFileSync(join(release, 'docker-compose.yml'), 'utf8');
const variables = readFileSync(join(release, 'variables.php'), 'utf8');

mkdirSync(dir, { recursive: true, mode: 0o700 });
let env = '';
for (let i = 0; i < 7; i++) env += `_APP_SECRET_${i}=${randomBytes(32).toString('base64url')}\n`; // a 2.7.1 install has 7

const syncPath = (path) => {
  const fd = openSync(path, 'r');
  fsyncSync(fd);
  closeSync(fd);
};
function writeAtomic(name, text, mode) {
  const path = join(dir, name);
  const tmp = join(dirname(path), `.tmp-${process.pid}`);
  writeFileSync(tmp, text, { mode });
  syncPath(tmp);
  renameSync(tmp, path);
}
mkdirSync(join(dir, '.harden-init'), { mode: 0o700 });
writeAtomic('.env', env, 0o600);
writeAtomic('docker-compose.yml', compose, 0o644);
writeAtomic('.harden-init/compose-written.yml', compose, 0o644);
writeAtomic('.harden-init/state.json', JSON.stringify({ variables: variables.length }), 0o600);
syncPath(join(dir, '.harden-init'));
syncPath(dir);
console.log(`wrote ${dir}`);
