// What dist/procwarden and the standalone executable are made of: the esbuild settings, the
// build-time constants and the payloads (src/bundle/payloads.ts). Both builds use these.

import type { BuildOptions } from 'esbuild';
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Payload } from '../src/bundle/payloads.ts';
import { buildNativeAddon } from './native-addon.ts';

export const MIN_NODE_MAJOR = 24;
export const ENTRY = 'src/main.ts';
/** The first code of both: it runs ENTRY's bundle from a payload (src/bundle/bootstrap.ts). */
export const BOOTSTRAP = 'src/bundle/bootstrap.ts';
export const BUNDLE = 'dist/procwarden';

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
const resolveFile = (specifier: string) => readFileSync(createRequire(import.meta.url).resolve(specifier));
const native = buildNativeAddon();

export const common: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: `node${MIN_NODE_MAJOR}`,
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  logLevel: 'warning',
};

export const defines = {
  PROCWARDEN_VERSION: JSON.stringify(version),
  PROCWARDEN_NATIVE_ID: JSON.stringify(createHash('sha256').update(native).digest('hex').slice(0, 16)),
  PROCWARDEN_NATIVE_SIZE: String(native.length),
  PROCWARDEN_SNAPSHOT: 'false',
};

// The web interface's pages are imported as text (src/web/html.d.ts).
const bundled = async (entry: string) => (await build({ ...common, entryPoints: [entry], loader: { '.html': 'text' }, write: false })).outputFiles[0]!.contents;

export async function payloads(): Promise<Payload[]> {
  return [
    { name: 'tree-sitter', encoding: 'gzip', bytes: await bundled('src/lint/tree-sitter-runtime.ts') },
    { name: 'chokidar', encoding: 'gzip', bytes: await bundled('src/control/chokidar-runtime.ts') },
    { name: 'web', encoding: 'gzip', bytes: await bundled('src/web/web-runtime.ts') },
    { name: 'tree-sitter-wasm', encoding: 'gzip', bytes: resolveFile('web-tree-sitter/web-tree-sitter.wasm') },
    { name: 'tree-sitter-bash-wasm', encoding: 'gzip', bytes: resolveFile('tree-sitter-bash/tree-sitter-bash.wasm') },
    { name: 'pino', encoding: 'raw', bytes: await bundled('src/events/pino-runtime.ts') },
    { name: 'libc', encoding: 'raw', bytes: native },
  ];
}
