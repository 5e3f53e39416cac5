// The process tree below procwarden, read from /proc: slim images have no procps, so no
// `ps`. It is walked down from procwarden through the kernel's children lists, so its cost
// follows the size of the app's tree, not the number of processes on the machine.

import { readdirSync, readFileSync } from 'node:fs';
import { parseChildren, parseProcStat, type ProcStat } from './proc-stat.ts';

/** Children of one process, over all its threads (a child belongs to the thread that forked it). */
export function childrenOf(pid: number): number[] {
  let threads: string[];
  try {
    threads = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  return threads.flatMap((tid) => {
    try {
      return parseChildren(readFileSync(`/proc/${pid}/task/${tid}/children`, 'latin1'));
    } catch {
      return [];
    }
  });
}

/** Every process below procwarden: the app's tree and every orphan that came to it. */
export function readDescendants(): ProcStat[] {
  const found: ProcStat[] = [];
  const queue = [process.pid];
  for (let pid = queue.pop(); pid !== undefined; pid = queue.pop()) {
    for (const child of childrenOf(pid)) {
      try {
        const stat = parseProcStat(readFileSync(`/proc/${child}/stat`, 'latin1'));
        if (stat) found.push(stat);
      } catch {
        // It ended while we read the tree.
      }
      queue.push(child);
    }
  }
  return found;
}
