// Bundles procwarden into one executable file, dist/procwarden, with koffi's native part
// embedded as bytes: nothing needs to be installed beside it but Node.js 24.

import { build } from 'esbuild';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';

const MIN_NODE_MAJOR = 24;
const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

// Runs before anything else in the bundle, in syntax every Node understands, so an old
// Node gets one line instead of a stack trace.
const guard = `#!/usr/bin/env node
if (+process.versions.node.split('.')[0] < ${MIN_NODE_MAJOR}) {
  require('fs').writeSync(2, 'procwarden: needs Node.js ${MIN_NODE_MAJOR} or newer; this is Node.js ' + process.version + ' (' + process.execPath + ')\\n');
  process.exit(2);
}`;

mkdirSync('dist', { recursive: true });
await build({
  entryPoints: ['src/main.ts'],
  outfile: 'dist/procwarden',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: `node${MIN_NODE_MAJOR}`,
  loader: { '.node': 'binary' },
  define: { PROCWARDEN_VERSION: JSON.stringify(version) },
  banner: { js: guard },
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  logLevel: 'warning',
});
// The bundle is CommonJS; this keeps the project's "type": "module" from applying to it.
writeFileSync('dist/package.json', '{ "type": "commonjs" }\n');
chmodSync('dist/procwarden', 0o755);
