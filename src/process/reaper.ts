// Reaping zombies: the app and every orphan reparented to procwarden (as PID 1, or as
// child subreaper when it is not).
//
// Node has no waitpid, and libuv waits only for the children it spawned, by pid. The
// reaper lists procwarden's children from /proc and waits for each by pid, never with
// waitpid(-1): that would also take the statuses of children that Node spawned itself, and
// their `exit` events would never fire. procwarden spawns the app through posix_spawn, not
// through Node, so every child here is the reaper's to wait for.

import { readFileSync } from 'node:fs';
import type { Libc } from '../native/libc.ts';
import { parseChildren } from './proc-stat.ts';

export type ExitListener = (pid: number, status: number) => void;

export interface Reaper {
  /** One pass: wait for every child that has exited. */
  reap(): void;
  /** Resolves after the next pass that reaped something, or after `timeoutMs`. */
  nextReap(timeoutMs: number): Promise<void>;
}

export function startReaper(libc: Libc, onExit: ExitListener): Reaper {
  // Children are listed per thread; orphans and the app are children of the main thread.
  const childrenFile = `/proc/self/task/${process.pid}/children`;
  let waiters: (() => void)[] = [];

  const reap = (): void => {
    let reaped = false;
    for (const child of parseChildren(readFileSync(childrenFile, 'latin1'))) {
      const exited = libc.reapIfExited(child);
      if (exited) {
        reaped = true;
        onExit(exited.pid, exited.status);
      }
    }
    if (reaped && waiters.length > 0) {
      const woken = waiters;
      waiters = [];
      for (const wake of woken) wake();
    }
  };

  // A child that exits after the list was read raises SIGCHLD again, so one pass per
  // signal never leaves a zombie behind.
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
