#!/usr/bin/env node
// CommonJS (bin/package.json): Node starts a CommonJS file faster than an ES module. `--version` and `--help`
// alone are answered from dist/fast.cjs (written at build time) without loading the bundle; everything else
// imports dist/cli.mjs and hands it the real process.
'use strict';
const only = process.argv.length === 3 ? process.argv[2] : undefined;
if (only === '--version' || only === '-v' || only === '--help' || only === '-h') {
  const fast = require('../dist/fast.cjs');
  process.stdout.write(`${only === '--version' || only === '-v' ? fast.version : fast.help}\n`);
} else {
  // Node 22.1+ keeps compiled code between runs (the bundle is then not compiled again); Node 20 has no such API.
  const { enableCompileCache } = require('node:module');
  if (typeof enableCompileCache === 'function') enableCompileCache();
  import('../dist/cli.mjs').then((cli) => cli.run());
}
