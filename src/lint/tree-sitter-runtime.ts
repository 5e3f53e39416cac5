// web-tree-sitter, bundled apart from procwarden's main code and carried as a payload
// (src/bundle/payloads.ts): loaded only when a Procfile is linted. Its CommonJS build is
// the one taken (through require): the ES module build imports `module` dynamically and
// reads import.meta, which a payload compiled with vm.compileFunction does not have.

// eslint-disable-next-line @typescript-eslint/no-require-imports
const treeSitter = require('web-tree-sitter') as typeof import('web-tree-sitter');

export const { Language, Parser } = treeSitter;
