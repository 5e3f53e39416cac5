// The process tree, read from /proc: slim images have no procps, so no `ps`.

import { readdirSync, readFileSync } from 'node:fs';
import { descendantsOf, parseProcStat, type ProcStat } from './proc-stat.ts';

export function readProcessTable(): ProcStat[] {
  const stats: ProcStat[] = [];
  for (const name of readdirSync('/proc')) {
    if (name.charCodeAt(0) < 48 || name.charCodeAt(0) > 57) continue;
    try {
      const stat = parseProcStat(readFileSync(`/proc/${name}/stat`, 'latin1'));
      if (stat) stats.push(stat);
    } catch {
      // The process ended while we read the table.
    }
  }
  return stats;
}

/** Every process below procwarden: the app's tree and every orphan that came to it. */
export function readDescendants(): ProcStat[] {
  return descendantsOf(process.pid, readProcessTable());
}
