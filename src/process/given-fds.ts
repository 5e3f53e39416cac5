// The descriptors procwarden was started with, found by an fstat(2) of every descriptor
// number below the size of its descriptor table (FDSize in /proc/self/status; no open
// descriptor is above it), through the native addon; for a table of more than 1,024, of each
// number /proc/self/fd lists. Listing /proc/self/fd costs the kernel about 40 µs a
// descriptor on some machines (0.6 to 1.2 ms for Node's 15 to 25 at start, bench/README.md);
// an fstat, well under a microsecond. Which of them are the app's is inherited-fds.ts's rule.

import { readdirSync } from 'node:fs';
import type { FsAddon } from '../native/fs-calls.ts';
import { inheritedFds, type FdEntry, type FdKind } from './inherited-fds.ts';
import { statusAtStart } from './self-status.ts';

/** st_mode's kind bits (S_IFMT) and a FIFO's (S_IFIFO), from <sys/stat.h>. */
const S_IFMT = 0o170000;
const S_IFIFO = 0o010000;

/** Where fsStatAt puts st_mode, st_dev and st_ino (libc-addon.c, stat_into). */
const MODE = 0;
const DEV = 6;
const INO = 7;

/**
 * Above this many descriptor numbers, listing /proc/self/fd costs less than an fstat of each
 * (a descriptor handed over as number 60,000 makes a table of 65,536).
 */
const MOST_PROBED = 1024;

/**
 * The descriptors above 2 that procwarden was given, in ascending order, leaving out `own`
 * (descriptors procwarden opened itself before this: its bundle file). Called before
 * procwarden opens anything else it keeps.
 */
export function readGivenFds(fs: Pick<FsAddon, 'fsStatAt'>, own: readonly number[]): number[] {
  const entries: FdEntry[] = [];
  const size = fdTableSize();
  const numbers = size <= MOST_PROBED ? Array.from({ length: size }, (_, fd) => fd) : readdirSync('/proc/self/fd').map(Number);
  for (const fd of numbers) {
    if (own.includes(fd)) continue;
    const stat = fs.fsStatAt(fd, null);
    // A number is -errno: EBADF, no descriptor of that number.
    if (typeof stat !== 'number') entries.push({ fd, ...kindOf(stat[MODE]!, stat[DEV]!, stat[INO]!) });
  }
  return inheritedFds(entries);
}

/**
 * What fstat tells of a descriptor. An anonymous inode's st_mode has no kind bits (a mode of
 * 0600: Linux's anon_inodefs, which eventpoll, eventfd and io_uring descriptors are on).
 */
function kindOf(mode: number, dev: number, ino: number): FdKind {
  const kind = mode & S_IFMT;
  if (kind === 0) return { kind: 'event-loop' };
  if (kind === S_IFIFO) return { kind: 'pipe', id: `${dev}:${ino}` };
  return { kind: 'other' };
}

/**
 * FDSize in /proc/self/status as read at start, the number of descriptors the table held: the
 * table only grows, and what procwarden was given was in it from the first; 1024 when
 * unreadable.
 */
function fdTableSize(): number {
  return Number(/^FDSize:\s*(\d+)/m.exec(statusAtStart() ?? '')?.[1] ?? 1024);
}
