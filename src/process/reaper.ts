// Reaping zombies: the app and every orphan reparented to procwarden (as PID 1, or as
// child subreaper when it is not).
//
// Node has no waitpid, and libuv waits only for the children it spawned, by pid. The
// reaper never calls waitpid(-1): that would also take the statuses of children Node
// spawned itself, and their `exit` events would never fire. It asks the kernel which child
// has exited without reaping it (waitid with WNOWAIT), then reaps that pid: the cost follows
// the number of zombies, not of children. The app is started by the native addon, not through
// Node; the children Node spawns (the Procfile linter at start, an exec health check's shell:
// node-children.ts) are left to libuv: when the kernel names one, the pass reads procwarden's
// children from /proc instead and waits for each of the others by pid. What procwarden
// started for itself (a health check's process group, own-groups.ts) is reaped too, and not
// handed on: it is never the app's.

import type { Libc } from '../native/libc.ts';
import { nodeChildren } from './node-children.ts';
import { ownGroups } from './own-groups.ts';
import type { ProcStat } from './proc-stat.ts';
import { childrenOf, ProcUnreadable, readStat } from './process-table.ts';

/** What /proc says of a zombie, when it can be read: it only serves a pitfall's details. */
function statOrNothing(pid: number): ProcStat | undefined {
  try {
    return readStat(pid);
  } catch (error) {
    if (error instanceof ProcUnreadable) return undefined;
    throw error;
  }
}

function childrenOrNothing(pid: number): number[] {
  try {
    return childrenOf(pid);
  } catch (error) {
    if (error instanceof ProcUnreadable) return [];
    throw error;
  }
}

/**
 * An exit of the app's tree, or of an orphan that came to procwarden; never of a process
 * procwarden started for itself. `zombie`: what /proc still said of the process just before
 * it was reaped (its name, its start), when read.
 */
export type ExitListener = (pid: number, status: number, zombie: ProcStat | undefined) => void;

const ZOMBIES_READ_PER_PASS = 16;

export interface Reaper {
  /** One pass: reap every child that has exited. */
  reap(): void;
  /** Resolves after the next pass that reaped something, or after `timeoutMs`. */
  nextReap(timeoutMs: number): Promise<void>;
}

export function startReaper(libc: Libc, onExit: ExitListener): Reaper {
  let waiters: (() => void)[] = [];

  const reap = (): void => {
    let reaped = false;
    let read = 0;
    const reapOne = (pid: number): boolean => {
      // What /proc says of a zombie (its start) serves the background-exit pitfall. In a storm
      // of exits such reads get slow (0.15 ms each, measured with 2,000 orphans at once), and
      // many processes ending together are no one background app dying: only the first few
      // of a pass are read. While a process group of procwarden's own may have processes left
      // (a health check's, for a moment), every one is: its group says whose it is.
      const zombie = read++ < ZOMBIES_READ_PER_PASS || ownGroups.size > 0 ? statOrNothing(pid) : undefined;
      const exited = libc.reapIfExited(pid);
      if (!exited) return false;
      reaped = true;
      if (zombie === undefined || !ownGroups.has(zombie.pgid)) onExit(exited.pid, exited.status, zombie);
      return true;
    };
    for (let pid = libc.peekExitedChild(); pid > 0; pid = libc.peekExitedChild()) {
      if (nodeChildren.has(pid)) {
        // libuv's to reap; the kernel would name it first again and again.
        // Unreadable now (out of descriptors): the next SIGCHLD, or any signal, tries again.
        for (const child of childrenOrNothing(process.pid)) {
          if (!nodeChildren.has(child)) reapOne(child);
        }
        break;
      }
      if (!reapOne(pid)) break;
    }
    // The last of a group of procwarden's own may have been reaped: its number is free again.
    if (reaped && ownGroups.size > 0) ownGroups.prune();
    if (reaped && waiters.length > 0) {
      const woken = waiters;
      waiters = [];
      for (const wake of woken) wake();
    }
  };

  // Each pass reaps until no exited child is left, and a child that exits after it raises
  // SIGCHLD again, so no zombie is ever left behind.
  process.on('SIGCHLD', reap);
  reap();

  return {
    reap,
    nextReap: (timeoutMs) =>
      new Promise((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      }),
  };
}
