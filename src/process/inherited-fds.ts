// Which file descriptors procwarden was started with, so that the app gets exactly those.
//
// Node marks descriptors 0 to about 19 close-on-exec while it starts (strace shows
// fcntl(n, F_SETFD, FD_CLOEXEC) for each), so the flag no longer tells an inherited
// descriptor (socket activation, a readiness pipe) from Node's own. What remains is their
// kind: Node's own are event-loop objects (anon_inode: eventpoll, io_uring, eventfd) and
// pipes whose two ends it holds itself. Everything else was handed to procwarden.

export interface FdEntry {
  readonly fd: number;
  /** readlink(/proc/self/fd/N): "pipe:[123]", "socket:[45]", "/dev/null", "anon_inode:[eventfd]", ... */
  readonly target: string;
}

/** The descriptors above 2 to hand to the app, in ascending order. Pure. */
export function inheritedFds(entries: readonly FdEntry[]): number[] {
  const pipeEnds = new Map<string, number>();
  for (const { target } of entries) {
    if (target.startsWith('pipe:')) pipeEnds.set(target, (pipeEnds.get(target) ?? 0) + 1);
  }
  return entries
    .filter(({ fd, target }) => {
      if (fd <= 2) return false;
      if (target.startsWith('anon_inode:')) return false;
      if (target.startsWith('pipe:') && (pipeEnds.get(target) ?? 0) > 1) return false;
      return true;
    })
    .map(({ fd }) => fd)
    .sort((a, b) => a - b);
}
