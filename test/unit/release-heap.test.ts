import { describe, expect, it } from 'vitest';
import { runInNewContext } from 'node:vm';
import { releaseHeap } from '../../src/runtime/release-heap.ts';

describe('releaseHeap', () => {
  it('runs a full collection: an object nothing refers to is gone after it', async () => {
    let garbage: object | undefined = { payload: new Array(1000).fill('x') };
    const ref = new WeakRef(garbage);
    garbage = undefined;
    // A WeakRef's target lives until the job that made it (or last read it) ends.
    await new Promise((resolve) => setImmediate(resolve));
    releaseHeap();
    expect(ref.deref()).toBeUndefined();
  });

  it('leaves no gc function behind, in this context or a new one', () => {
    releaseHeap();
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
    expect(runInNewContext('typeof gc')).toBe('undefined');
  });
});
