import { describe, expect, it } from 'vitest';
import { inheritedFds, type FdEntry } from '../../src/process/inherited-fds.ts';

describe('inherited descriptors', () => {
  it("keeps what was handed over and leaves out Node's own event-loop descriptors and pipes", () => {
    const entries: FdEntry[] = [
      { fd: 0, kind: 'other' },
      { fd: 1, kind: 'pipe', id: '15:1' },
      { fd: 2, kind: 'pipe', id: '15:2' },
      // A socket (socket activation).
      { fd: 3, kind: 'other' },
      // epoll, io_uring.
      { fd: 4, kind: 'event-loop' },
      { fd: 5, kind: 'event-loop' },
      // A file.
      { fd: 6, kind: 'other' },
      // Both ends of one pipe: Node's own (its signal pipe).
      { fd: 7, kind: 'pipe', id: '15:500' },
      { fd: 8, kind: 'pipe', id: '15:500' },
      // eventfd.
      { fd: 9, kind: 'event-loop' },
      // One end of a pipe: a readiness pipe handed over.
      { fd: 40, kind: 'pipe', id: '15:600' },
      { fd: 251, kind: 'other' },
    ];
    expect(inheritedFds(entries)).toEqual([3, 6, 40, 251]);
  });
});
