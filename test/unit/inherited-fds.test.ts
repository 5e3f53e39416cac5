import { describe, expect, it } from 'vitest';
import { inheritedFds } from '../../src/process/inherited-fds.ts';

describe('inherited descriptors', () => {
  it('keeps what was handed over and leaves out Node own event-loop descriptors', () => {
    const entries = [
      { fd: 0, target: '/dev/null' },
      { fd: 1, target: 'pipe:[1]' },
      { fd: 2, target: 'pipe:[2]' },
      { fd: 3, target: 'socket:[777]' },
      { fd: 4, target: 'anon_inode:[eventpoll]' },
      { fd: 5, target: 'anon_inode:[io_uring]' },
      { fd: 6, target: '/etc/hostname' },
      { fd: 7, target: 'pipe:[500]' },
      { fd: 8, target: 'pipe:[500]' },
      { fd: 9, target: 'anon_inode:[eventfd]' },
      { fd: 40, target: 'pipe:[600]' },
      { fd: 251, target: '/data/file' },
    ];
    expect(inheritedFds(entries)).toEqual([3, 6, 40, 251]);
  });
});
