/**
 * mkdir -p, mode 0700 for what it makes. A folder that exists already (at every start but a
 * container's first: the state dir) costs one stat and no exception; a missing one, a stat
 * and a mkdir for itself and each missing parent. Node's own recursive mkdir is not used: it
 * never returns on a path under /proc (procfs answers ENOENT, and Node retries the parent
 * for ever). Throws mkdir's errors but EEXIST (a folder made meanwhile by another start).
 */

import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

export function makeDirs(path: string): void {
  if (statSync(path, { throwIfNoEntry: false }) !== undefined) return;
  const parent = dirname(path);
  if (parent !== path) makeDirs(parent);
  try {
    mkdirSync(path, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}
