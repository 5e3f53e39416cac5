// Bundles procwarden into one executable file, dist/procwarden: nothing needs to be
// installed beside it but Node.js 24. koffi's native part and pino (which a plain init does
// not need at start) travel at its end as payloads (src/bundle/payloads.ts).

import { build, type BuildOptions } from 'esbuild';
import { createHash } from 'node:crypto';
import { appendFileSync, chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { constants, gzipSync } from 'node:zlib';
import { payloadComment, type PayloadName } from '../src/bundle/payloads.ts';

const MIN_NODE_MAJOR = 24;
const OUT = 'dist/procwarden';
const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
const resolveFile = (specifier: string) => readFileSync(createRequire(import.meta.url).resolve(specifier));
const koffiNative = resolveFile('@koromix/koffi-linux-x64/linux_x64/koffi.node');

// Runs before anything else in the bundle, in syntax every Node understands, so an old
// Node gets one line instead of a stack trace.
const guard = `#!/usr/bin/env node
if (+process.versions.node.split('.')[0] < ${MIN_NODE_MAJOR}) {
  require('fs').writeSync(2, 'procwarden: needs Node.js ${MIN_NODE_MAJOR} or newer; this is Node.js ' + process.version + ' (' + process.execPath + ')\\n');
  process.exit(2);
}`;

const common: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: `node${MIN_NODE_MAJOR}`,
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  logLevel: 'warning',
};

mkdirSync('dist', { recursive: true });
await build({
  ...common,
  entryPoints: ['src/main.ts'],
  outfile: OUT,
  define: {
    PROCWARDEN_VERSION: JSON.stringify(version),
    PROCWARDEN_NATIVE_ID: JSON.stringify(createHash('sha256').update(koffiNative).digest('hex').slice(0, 16)),
    PROCWARDEN_NATIVE_SIZE: String(koffiNative.length),
  },
  banner: { js: guard },
});
const bundled = async (entry: string) => (await build({ ...common, entryPoints: [entry], write: false })).outputFiles[0]!.contents;
const gzip = (bytes: Uint8Array) => gzipSync(bytes, { level: constants.Z_BEST_COMPRESSION });

// pino is needed at the start of every service: raw, not worth inflating. The rest is read
// once (koffi, then kept in the state dir) or only by the linter: gzipped.
const payloads: [PayloadName, 'raw' | 'gzip', Uint8Array][] = [
  ['pino', 'raw', await bundled('src/events/pino-runtime.ts')],
  ['tree-sitter', 'gzip', gzip(await bundled('src/lint/tree-sitter-runtime.ts'))],
  ['chokidar', 'gzip', gzip(await bundled('src/control/chokidar-runtime.ts'))],
  ['tree-sitter-wasm', 'gzip', gzip(resolveFile('web-tree-sitter/web-tree-sitter.wasm'))],
  ['tree-sitter-bash-wasm', 'gzip', gzip(resolveFile('tree-sitter-bash/tree-sitter-bash.wasm'))],
  ['koffi', 'gzip', gzip(koffiNative)],
];
for (const [name, encoding, bytes] of payloads) appendFileSync(OUT, payloadComment(name, encoding, bytes));
appendFileSync(OUT, '\n');
// The bundle is CommonJS; this keeps the project's "type": "module" from applying to it.
writeFileSync('dist/package.json', '{ "type": "commonjs" }\n');
chmodSync(OUT, 0o755);
