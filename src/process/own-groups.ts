// The process groups procwarden starts for itself: an `exec:` health check's command runs
// in a session and process group of its own. Whatever runs in one is procwarden's, never the
// app's: it is reaped quietly (never a background-exit pitfall, never the app's crash or
// exit), and no stop or kill of the app's tree counts it. A group is forgotten once no
// process is left in it: until then, its number can be no other process's.

const groups = new Set<number>();
/** Called once no group is left. */
let waiters: (() => void)[] = [];

/** Whether a process group has any process left in it, zombies included (they stay in it until reaped). */
function groupExists(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    // EPERM: there are processes in it, only not ours to signal (a setuid program).
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

export const ownGroups = {
  /** A group procwarden has just started (its leader's pid). */
  add: (pgid: number): void => void groups.add(pgid),
  has: (pgid: number): boolean => groups.has(pgid),
  /** How many are known: none, most of the time. */
  get size(): number {
    return groups.size;
  },
  /** Forgets every group with no process left in it. */
  prune(): void {
    for (const pgid of groups) if (!groupExists(pgid)) groups.delete(pgid);
    if (groups.size > 0 || waiters.length === 0) return;
    const woken = waiters;
    waiters = [];
    for (const wake of woken) wake();
  },
  /**
   * Resolves once no group is left (each forgotten as its last process is reaped, by the
   * reaper or by libuv), or after `timeoutMs`: a process stuck in the kernel never holds
   * procwarden's exit.
   */
  whenEmpty(timeoutMs: number): Promise<void> {
    if (groups.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  },
};
