// The linter's parser for unit tests: web-tree-sitter and tree-sitter-bash straight from
// node_modules (the bundle carries the same files as payloads).

import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { Language, Parser } from 'web-tree-sitter';

const require = createRequire(import.meta.url);

export async function nodeModulesParser(): Promise<Parser> {
  await Parser.init({ wasmBinary: readFileSync(require.resolve('web-tree-sitter/web-tree-sitter.wasm')) });
  const parser = new Parser();
  parser.setLanguage(await Language.load(readFileSync(require.resolve('tree-sitter-bash/tree-sitter-bash.wasm'))));
  return parser;
}
