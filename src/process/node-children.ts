// The children Node itself spawned (child_process), which libuv waits for by pid: the
// reaper must leave their statuses to it, or their `exit` and `close` never come.

const pids = new Set<number>();

export const nodeChildren = {
  add: (pid: number): void => void pids.add(pid),
  delete: (pid: number): void => void pids.delete(pid),
  has: (pid: number): boolean => pids.has(pid),
  /** How many run: none, most of the time. */
  get size(): number {
    return pids.size;
  },
};
