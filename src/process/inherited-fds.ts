// Which file descriptors procwarden was started with, so that the app gets exactly those.
//
// Node marks descriptors 0 to about 19 close-on-exec while it starts (strace shows
// fcntl(n, F_SETFD, FD_CLOEXEC) for each), so the flag no longer tells an inherited
// descriptor (socket activation, a readiness pipe) from Node's own. What remains is their
// kind: Node's own are event-loop objects (anonymous inodes: eventpoll, io_uring, eventfd)
// and pipes whose two ends it holds itself. Everything else was handed to procwarden.

/** What a descriptor is open on, as far as that rule needs (given-fds.ts reads it with fstat). */
export type FdKind =
  /** An anonymous inode: epoll, eventfd, io_uring, signalfd, timerfd. */
  | { readonly kind: 'event-loop' }
  /** A pipe (or FIFO): `id` names it (device and inode), the same for both its ends. */
  | { readonly kind: 'pipe'; readonly id: string }
  /** A file, a folder, a device, a socket. */
  | { readonly kind: 'other' };

export type FdEntry = { readonly fd: number } & FdKind;

/** The descriptors above 2 to hand to the app, in ascending order. Pure. */
export function inheritedFds(entries: readonly FdEntry[]): number[] {
  const pipeEnds = new Map<string, number>();
  for (const entry of entries) {
    if (entry.kind === 'pipe') pipeEnds.set(entry.id, (pipeEnds.get(entry.id) ?? 0) + 1);
  }
  return entries
    .filter((entry) => {
      if (entry.fd <= 2) return false;
      if (entry.kind === 'event-loop') return false;
      if (entry.kind === 'pipe' && (pipeEnds.get(entry.id) ?? 0) > 1) return false;
      return true;
    })
    .map(({ fd }) => fd)
    .sort((a, b) => a - b);
}
