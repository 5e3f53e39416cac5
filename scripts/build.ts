// Bundles procwarden into one executable file, dist/procwarden: nothing needs to be
// installed beside it but Node.js 24. Its first code is src/bundle/bootstrap.ts; procwarden's
// own code, its V8 code cache, its native addon and what a plain init does not need at start
// (pino, the shell parser, the web interface) travel after it as payloads
// (src/bundle/payloads.ts).

import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { bundleWithPayloads, type Payload } from '../src/bundle/payloads.ts';
import { BOOTSTRAP, BUNDLE, bundledModule, common, defines, ENTRY, MIN_NODE_MAJOR, payloads } from './bundle-parts.ts';

const OUT = BUNDLE;

// Runs before anything else in the bundle, in syntax every Node understands, so an old
// Node gets one line instead of a stack trace.
const guard = `#!/usr/bin/env node
if (+process.versions.node.split('.')[0] < ${MIN_NODE_MAJOR}) {
  console.error('procwarden: needs Node.js ${MIN_NODE_MAJOR} or newer; this is Node.js ' + process.version + ' (' + process.execPath + ')');
  process.exit(2);
}`;

const bundled = async (entry: string, banner?: string) =>
  (await build({ ...common, entryPoints: [entry], define: defines, write: false, ...(banner ? { banner: { js: banner } } : {}) })).outputFiles[0]!.contents;

mkdirSync('dist', { recursive: true });
// The bundle is CommonJS; this keeps the project's "type": "module" from applying to it.
writeFileSync('dist/package.json', '{ "type": "commonjs" }\n');
const bootstrap = await bundled(BOOTSTRAP, guard);
const code: Payload = { name: 'code', encoding: 'text', bytes: await bundledModule(ENTRY) };
const rest = await payloads();
// First without the code caches, run once to record them; then with them.
writeFileSync(OUT, bundleWithPayloads(bootstrap, [code, ...rest]));
chmodSync(OUT, 0o755);
const caches = recordCodeCaches();
const cache = (name: 'code' | 'pino'): Payload[] => (caches.has(name) ? [{ name: `${name}-cache`, encoding: 'raw', bytes: caches.get(name)! }] : []);
writeFileSync(OUT, bundleWithPayloads(bootstrap, [code, ...cache('code'), ...rest, ...cache('pino')]));

/**
 * The V8 code caches of one run of the bundle as a Procfile service (`web: true`, its JSON
 * events on a pipe, nothing restarted), by module name (code-cache.ts): the code a start
 * compiles, from reading its configuration to the app's exit. Made by this build's Node,
 * they fit that Node only. Throws when the run fails or records no cache of the code.
 */
function recordCodeCaches(): Map<string, Buffer> {
  const work = mkdtempSync(join(tmpdir(), 'procwarden-code-cache-'));
  try {
    const out = join(work, 'caches');
    mkdirSync(out);
    writeFileSync(join(work, 'Procfile'), 'web: true\n');
    execFileSync(process.execPath, ['--require', resolve('scripts/code-cache-run.cjs'), resolve(OUT)], {
      cwd: work,
      stdio: ['ignore', 'ignore', 'pipe'],
      // Nothing of the machine's configuration; no wipe paths, whatever the build runs in.
      env: {
        PATH: process.env['PATH'],
        CODE_CACHE_OUT: out,
        PROCWARDEN_STATE_DIR: join(work, 'state'),
        PROCWARDEN_AUTORESTART: 'OFF',
        PROCWARDEN_RECOVERY: 'off',
        APTIBLE_DO_NOT_WIPE: '1',
      },
    });
    const caches = new Map(readdirSync(out).map((name) => [name, readFileSync(join(out, name))]));
    if (!caches.has('code')) throw new Error('the recording run of dist/procwarden left no code cache');
    return caches;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
