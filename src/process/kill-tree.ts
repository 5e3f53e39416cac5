// SIGKILL to every process below procwarden, until none is left: the app may have forked
// while it was being killed, and a grandchild that called setsid is in no process group of
// the app's, so the tree is read from /proc again after each round.

import type { Reaper } from './reaper.ts';
import { nodeChildren } from './node-children.ts';
import { commandLine, readDescendants } from './process-table.ts';

/** Longest wait for a SIGCHLD between two rounds; the next round reads /proc again anyway. */
const ROUND_WAIT_MS = 50;

export interface Leftover {
  readonly pid: number;
  readonly command: string;
}

/** Kills the whole tree and waits until it is reaped. Returns what was alive at the first round. */
export async function killTree(reaper: Reaper): Promise<Leftover[]> {
  let first: Leftover[] | undefined;
  for (;;) {
    reaper.reap();
    // procwarden's own helpers (the linter at start) are not the app's: they finish their job.
    const left = readDescendants().filter(({ pid }) => !nodeChildren.has(pid));
    const alive = left.filter((stat) => stat.state !== 'Z' && stat.state !== 'X');
    // Their command lines are read before they are killed: a zombie's is empty.
    first ??= alive.map(({ pid, comm }) => ({ pid, command: commandLine(pid, comm) }));
    if (left.length === 0) return first;
    for (const { pid } of alive) killQuietly(pid);
    await reaper.nextReap(ROUND_WAIT_MS);
  }
}

/** One round at once, without waiting: the stop grace's end, a background crash, a fatal error. */
export function killDescendantsNow(): void {
  for (const { pid } of readDescendants()) killQuietly(pid);
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}
