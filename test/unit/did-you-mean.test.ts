import { describe, expect, it } from 'vitest';
import { nearestName } from '../../src/config/did-you-mean.ts';

describe('did you mean', () => {
  it('finds the name a typo was meant to be: letters swapped, one left out or doubled', () => {
    expect(nearestName('wrokers', ['web', 'worker', 'release'])).toBe('worker');
    expect(nearestName('relase', ['web', 'worker', 'release'])).toBe('release');
    expect(nearestName('wokrer', ['web', 'worker'])).toBe('worker');
    expect(nearestName('statsu', ['check', 'status', 'set'])).toBe('status');
    expect(nearestName('sett', ['check', 'status', 'set'])).toBe('set');
  });

  it('takes the nearest of several near ones, the first on a tie', () => {
    expect(nearestName('wrker', ['walker', 'worker'])).toBe('worker');
    expect(nearestName('worker3', ['worker1', 'worker2', 'worker'])).toBe('worker1');
  });

  it('finds nothing for another word: more edits than half the name has letters', () => {
    expect(nearestName('nosuch', ['web', 'worker'])).toBeUndefined();
    expect(nearestName('cat', ['set'])).toBeUndefined();
    expect(nearestName('checkout', ['check'])).toBeUndefined();
    expect(nearestName('setup', ['status'])).toBeUndefined();
    expect(nearestName('anything', [])).toBeUndefined();
  });
});
