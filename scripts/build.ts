// Bundles procwarden into one executable file, dist/procwarden: nothing needs to be
// installed beside it but Node.js 24. Its native addon and pino (which a plain init does
// not need at start) travel at its end as payloads (src/bundle/payloads.ts).

import { build } from 'esbuild';
import { appendFileSync, chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { constants, gzipSync } from 'node:zlib';
import { payloadComment } from '../src/bundle/payloads.ts';
import { common, defines, ENTRY, MIN_NODE_MAJOR, payloads } from './bundle-parts.ts';

const OUT = 'dist/procwarden';

// Runs before anything else in the bundle, in syntax every Node understands, so an old
// Node gets one line instead of a stack trace.
const guard = `#!/usr/bin/env node
if (+process.versions.node.split('.')[0] < ${MIN_NODE_MAJOR}) {
  require('fs').writeSync(2, 'procwarden: needs Node.js ${MIN_NODE_MAJOR} or newer; this is Node.js ' + process.version + ' (' + process.execPath + ')\\n');
  process.exit(2);
}`;

mkdirSync('dist', { recursive: true });
await build({ ...common, entryPoints: [ENTRY], outfile: OUT, define: defines, banner: { js: guard } });
for (const { name, encoding, bytes } of await payloads()) {
  appendFileSync(OUT, payloadComment(name, encoding, encoding === 'gzip' ? gzipSync(bytes, { level: constants.Z_BEST_COMPRESSION }) : bytes));
}
appendFileSync(OUT, '\n');
// The bundle is CommonJS; this keeps the project's "type": "module" from applying to it.
writeFileSync('dist/package.json', '{ "type": "commonjs" }\n');
chmodSync(OUT, 0o755);
