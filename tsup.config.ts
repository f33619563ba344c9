import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

// One self-contained ESM build: every library is bundled, so `npx harden-init` downloads one package and
// nothing else. Code splitting keeps --help/--version from loading the prompt, YAML and Docker code.
export default defineConfig({
  entry: { cli: 'src/cli/main.ts' },
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  clean: true,
  sourcemap: false,
  minify: true,
  splitting: true,
  noExternal: [/.*/],
  // Bundled CommonJS code (in some dependencies) calls require() for Node's built-ins.
  banner: { js: "import { createRequire as __hiCreateRequire } from 'node:module'; const require = __hiCreateRequire(import.meta.url);" },
  define: { __VERSION__: JSON.stringify(version) },
});
