// SIGKILL to every process below procwarden, until none is left: the app may have forked
// while it was being killed, and a grandchild that called setsid is in no process group of
// the app's, so the tree is read from /proc again after each round.

import type { Reaper } from './reaper.ts';
import { readDescendants } from './process-table.ts';
import type { ProcStat } from './proc-stat.ts';

/** Longest wait for a SIGCHLD between two rounds; the next round reads /proc again anyway. */
const ROUND_WAIT_MS = 50;

/** Kills the whole tree and waits until it is reaped. Returns what was alive at the first round. */
export async function killTree(reaper: Reaper): Promise<ProcStat[]> {
  let first: ProcStat[] | undefined;
  for (;;) {
    reaper.reap();
    const left = readDescendants();
    const alive = left.filter((stat) => stat.state !== 'Z' && stat.state !== 'X');
    first ??= alive;
    if (left.length === 0) return first;
    for (const { pid } of alive) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    await reaper.nextReap(ROUND_WAIT_MS);
  }
}
