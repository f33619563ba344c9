// harden-init's own YAML: the document model (nodes.ts), the reader (parse.ts) and the printer (stringify.ts).
// It replaces the `yaml` package in the bundle (issue 12); tests keep `yaml` as the oracle it must agree with.
export * from './nodes.js';
export { parse, parseDocument } from './parse.js';
export { stringify, stringifyDocument, type StringifyOptions } from './stringify.js';
