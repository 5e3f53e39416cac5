// The process tree below procwarden, read from /proc: slim images have no procps, so no
// `ps`. It is walked down from procwarden through the kernel's children lists, so its cost
// follows the size of the app's tree, not the number of processes on the machine.

import { readdirSync, readFileSync } from 'node:fs';
import { loadedAddon } from '../native/load-libc.ts';
import { parseChildren, parseProcStat, type ProcStat } from './proc-stat.ts';

/**
 * /proc could not be read for a reason other than the process being gone: out of
 * descriptors (EMFILE), say. The tree is then unknown, never empty: a kill that took it for
 * empty would start the next app beside the old one's survivors.
 */
export class ProcUnreadable extends Error {}

/** An error that means the process ended while it was being read. */
const gone = (error: unknown) => ['ENOENT', 'ESRCH'].includes((error as NodeJS.ErrnoException).code ?? '');

/** Children of one process, over all its threads (a child belongs to the thread that forked it). Throws ProcUnreadable. */
export function childrenOf(pid: number): number[] {
  let threads: string[];
  try {
    threads = readdirSync(`/proc/${pid}/task`);
  } catch (error) {
    if (gone(error)) return [];
    throw new ProcUnreadable(`cannot read /proc/${pid}/task: ${(error as Error).message}`);
  }
  return threads.flatMap((tid) => {
    try {
      return parseChildren(readFileSync(`/proc/${pid}/task/${tid}/children`, 'latin1'));
    } catch (error) {
      if (gone(error)) return [];
      throw new ProcUnreadable(`cannot read /proc/${pid}/task/${tid}/children: ${(error as Error).message}`);
    }
  });
}

/**
 * Every process below procwarden: the app's tree and every orphan that came to it. Throws
 * ProcUnreadable. When procwarden has no child at all (the native addon's waitid, once it is
 * loaded), that is none, and /proc is not read: listing procwarden's threads for their
 * children costs 0.2 to 1.4 ms on some kernels, at every exit of an app that left nothing.
 */
export function readDescendants(): ProcStat[] {
  if (loadedAddon()?.hasChildren() === false) return [];
  const found: ProcStat[] = [];
  const queue = [process.pid];
  for (let pid = queue.pop(); pid !== undefined; pid = queue.pop()) {
    for (const child of childrenOf(pid)) {
      const stat = readStat(child); // undefined: it ended while we read the tree
      if (stat) found.push(stat);
      queue.push(child);
    }
  }
  return found;
}

/** What /proc says of one process; undefined when it has ended. Throws ProcUnreadable. */
export function readStat(pid: number): ProcStat | undefined {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'latin1'));
  } catch (error) {
    if (gone(error)) return undefined;
    throw new ProcUnreadable(`cannot read /proc/${pid}/stat: ${(error as Error).message}`);
  }
}

/** A process's command line, words joined by spaces; its name alone once it is a zombie. */
export function commandLine(pid: number, fallback: string): string {
  try {
    const words = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    return words.length > 0 ? words.join(' ') : fallback;
  } catch {
    return fallback;
  }
}

/** Time since boot, in ms, on the clock /proc/<pid>/stat's start times count from. */
export function msSinceBoot(): number {
  return Number(readFileSync('/proc/uptime', 'latin1').split(' ')[0]) * 1000;
}

/** A process's environment block (NAME=value entries, each ended by NUL); empty once it is a zombie or gone, or when it cannot be read. */
export function environOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'latin1');
  } catch {
    return '';
  }
}
