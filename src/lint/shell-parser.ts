// The shell parser the linter reads Procfile commands with: tree-sitter-bash on
// web-tree-sitter, both carried in the bundle as payloads and loaded only when needed.

import { readPayload, requirePayload } from '../bundle/payloads.ts';
import type { SyntaxNode } from './lint.ts';
import type * as TreeSitterRuntime from './tree-sitter-runtime.ts';
import type * as TreeSitter from 'web-tree-sitter';

export interface ShellParser {
  /** The syntax tree of a command; free it with the returned `done`. */
  parse(command: string): { root: SyntaxNode; done: () => void };
}

/** The shell parser cannot run in this Node; the message says why, in the user's terms. */
export class ShellParserUnavailable extends Error {}

/**
 * tree-sitter-bash, ready to parse. Throws ShellParserUnavailable where Node runs without
 * WebAssembly (`--jitless`, on its command line or in NODE_OPTIONS, turns it off).
 */
export async function bundledShellParser(): Promise<ShellParser> {
  if (!('WebAssembly' in globalThis)) {
    throw new ShellParserUnavailable('the Procfile linter needs WebAssembly, which this Node runs without (--jitless, in NODE_OPTIONS or on its command line): run it without that option');
  }
  const { Parser, Language } = requirePayload<typeof TreeSitterRuntime>('tree-sitter');
  // V8 compiles WebAssembly on its own threads, which do not hold Node's event loop open:
  // without this handle, a `procwarden check` could end before its parser is ready.
  const hold = setInterval(() => {}, 2 ** 31 - 1);
  let bash: TreeSitter.Language;
  try {
    await Parser.init({ wasmBinary: readPayload('tree-sitter-wasm') });
    bash = await Language.load(readPayload('tree-sitter-bash-wasm'));
  } finally {
    clearInterval(hold);
  }
  const parser = new Parser();
  parser.setLanguage(bash);
  return {
    parse(command) {
      const tree = parser.parse(command);
      if (!tree) throw new Error('the shell parser gave no tree');
      return { root: tree.rootNode, done: () => tree.delete() };
    },
  };
}
