// Node built-ins that most runs never use, loaded at the call that needs them instead of by a top-level import.
// A top-level `import … from 'node:child_process'` in any module of the setup path compiles child_process (and,
// through it, dgram) on every start, and an ES import of a built-in also reads every lazy getter it has (e.g.
// node:stream's `promises`). A files-only run (`--no-start`) starts no program and makes no HTTP request.
// require() is synchronous, so callers that hand back a child or a stream at once (core/run.ts) can use it.
import { createRequire } from 'node:module';

const load = createRequire(import.meta.url);

export const childProcess = (): typeof import('node:child_process') => load('node:child_process');
export const readline = (): typeof import('node:readline') => load('node:readline');
export const stream = (): typeof import('node:stream') => load('node:stream');
export const http = (): typeof import('node:http') => load('node:http');
