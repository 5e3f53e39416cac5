import { describe, expect, it } from 'vitest';
import { counted } from '../../src/events/counted.ts';
import { describeEvent } from '../../src/events/pretty.ts';

describe('counts in what procwarden says', () => {
  it('take the noun in the number the count asks for', () => {
    expect([counted(0, 'error'), counted(1, 'error'), counted(2, 'error')]).toEqual(['0 errors', '1 error', '2 errors']);
    expect([counted(1, 'entry', 'entries'), counted(3, 'entry', 'entries')]).toEqual(['1 entry', '3 entries']);
  });

  it('a reset with one error, a snapshot of one entry', () => {
    expect(describeEvent('fs.reset', { removed: 1, restored: 0, durationMs: 4, errors: [{ path: '/tmp', error: 'EPERM' }] })).toBe(
      'filesystem reset: 1 removed, 0 restored, in 4 ms; 1 error',
    );
    expect(describeEvent('fs.snapshot', { roots: ['/app'], source: 'start', entries: 1, durationMs: 2 })).toBe('pristine snapshot of /app ready (start, 1 entry, 2 ms)');
  });
});
