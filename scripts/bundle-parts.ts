// What dist/procwarden and the standalone executable are made of: the esbuild settings, the
// build-time constants and the payloads (src/bundle/payloads.ts). Both builds use these.

import type { BuildOptions, Plugin } from 'esbuild';
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import { moduleFunctionSource } from '../src/bundle/code-cache.ts';
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

/**
 * A module's bundle as the payload carries it: its function expression (moduleFunctionSource),
 * the text V8 compiles and its code cache fits. The web interface's pages are imported as
 * text (src/web/html.d.ts).
 */
export async function bundledModule(entry: string, plugins: Plugin[] = []): Promise<Buffer> {
  const { text } = (await build({ ...common, entryPoints: [entry], loader: { '.html': 'text' }, define: defines, plugins, write: false })).outputFiles[0]!;
  // The require a payload is given reaches Node's built-ins only (src/bundle/bootstrap.ts).
  const required = [...text.matchAll(/\brequire\("([^"]+)"\)/g)].map(([, id]) => id!);
  const notBuiltin = required.filter((id) => !isBuiltin(id));
  if (notBuiltin.length > 0) throw new Error(`${entry}: its bundle requires ${notBuiltin.join(', ')}, which is no Node built-in: bundle it`);
  return Buffer.from(moduleFunctionSource(text));
}

/**
 * pino without the parts procwarden never uses, which it loads as it is required: its
 * transports (a worker thread each), and sonic-boom, its own destination (procwarden gives
 * pino one: src/events/events.ts). Their modules (node:worker_threads, node:assert and
 * node:stream, by way of them) made the first JSON event of every start 9 ms; without them,
 * 1 to 2 ms. What stands in their place throws if it is ever used; worker_threads says what
 * is true of procwarden, that its one thread is the main one.
 */
const pinoAsUsed: Plugin = {
  name: 'pino-as-procwarden-uses-it',
  setup(pluginBuild) {
    const STAND_INS: Record<string, string> = {
      'worker_threads': 'module.exports = { isMainThread: true };',
      'sonic-boom': "module.exports = function SonicBoom() { throw new Error('procwarden gives pino its destination: sonic-boom is not bundled'); };",
      './transport': "module.exports = function transport() { throw new Error('pino transports are not bundled in procwarden'); };",
      './lib/transport': "module.exports = function transport() { throw new Error('pino transports are not bundled in procwarden'); };",
    };
    pluginBuild.onResolve({ filter: /^(worker_threads|sonic-boom|\.\/transport|\.\/lib\/transport)$/ }, ({ path, importer }) =>
      /node_modules\/pino\//.test(importer) ? { path, namespace: 'pino-as-used' } : undefined,
    );
    pluginBuild.onLoad({ filter: /.*/, namespace: 'pino-as-used' }, ({ path }) => ({ contents: STAND_INS[path]!, loader: 'js' }));
  },
};

export async function payloads(): Promise<Payload[]> {
  return [
    { name: 'tree-sitter', encoding: 'brotli', bytes: await bundledModule('src/lint/tree-sitter-runtime.ts') },
    { name: 'chokidar', encoding: 'brotli', bytes: await bundledModule('src/control/chokidar-runtime.ts') },
    { name: 'web', encoding: 'brotli', bytes: await bundledModule('src/web/web-runtime.ts') },
    // The linter runs at every service's start, in a `procwarden check` of its own: it loads
    // node:zlib for the shell parser all the same.
    { name: 'lint', encoding: 'brotli', bytes: await bundledModule('src/lint/check-command.ts') },
    { name: 'tree-sitter-wasm', encoding: 'brotli', bytes: resolveFile('web-tree-sitter/web-tree-sitter.wasm') },
    { name: 'tree-sitter-bash-wasm', encoding: 'brotli', bytes: resolveFile('tree-sitter-bash/tree-sitter-bash.wasm') },
    { name: 'pino', encoding: 'text', bytes: await bundledModule('src/events/pino-runtime.ts', [pinoAsUsed]) },
    { name: 'libc', encoding: 'raw', bytes: native },
  ];
}
