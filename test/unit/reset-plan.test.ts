// What a reset leaves alone (src/filesystem/out-of-reach.ts): a time only another user may
// set. Plain values, no fs.

import { describe, expect, it } from 'vitest';
import { timeOutOfReach } from '../../src/filesystem/out-of-reach.ts';

describe('a time only its owner may set', () => {
  const EPERM = 1;
  const EACCES = 13;
  const EROFS = 30;

  it('is left, without an error, when procwarden\'s user does not own the entry (root\'s /tmp, procwarden run as 1000)', () => {
    expect(timeOutOfReach(EPERM, 0, 1000)).toBe(true);
  });

  it('is an error on procwarden\'s own entry, and for any other failure', () => {
    expect(timeOutOfReach(EPERM, 1000, 1000)).toBe(false);
    expect(timeOutOfReach(EPERM, 0, 0)).toBe(false);
    expect(timeOutOfReach(EROFS, 0, 1000)).toBe(false);
    expect(timeOutOfReach(EACCES, 0, 1000)).toBe(false);
  });
});
