// Preloaded (node --require) into the one run of dist/procwarden that scripts/build.ts makes
// to record its code caches: just before procwarden's _exit, each script compiled through
// src/bundle/code-cache.ts, with every function the run compiled, is serialized to a file of
// its name in the folder CODE_CACHE_OUT names.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS preload
const { writeFileSync } = require('node:fs');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS preload
const { join } = require('node:path');

globalThis[Symbol.for('procwarden.beforeExitNow')] = () => {
  for (const [name, script] of globalThis[Symbol.for('procwarden.codeScripts')] ?? []) {
    writeFileSync(join(process.env.CODE_CACHE_OUT, name), script.createCachedData());
  }
};
