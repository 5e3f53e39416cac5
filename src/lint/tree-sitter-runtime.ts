// web-tree-sitter, bundled apart from procwarden's main code and carried as a payload
// (src/bundle/payloads.ts): loaded only when a Procfile is linted.
export { Language, Parser } from 'web-tree-sitter';
