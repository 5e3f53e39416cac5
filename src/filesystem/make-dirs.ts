/**
 * mkdir -p, one level at a time, mode 0700 for what it makes: Node's own recursive mkdir
 * never returns on a path under /proc (procfs answers ENOENT, and Node retries the parent
 * for ever).
 */

import { mkdirSync } from 'node:fs';

export function makeDirs(path: string): void {
  const parts = path.split('/').filter(Boolean);
  for (let depth = 1; depth <= parts.length; depth++) {
    try {
      mkdirSync(`/${parts.slice(0, depth).join('/')}`, { mode: 0o700 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}
