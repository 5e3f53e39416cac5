import { describe, expect, it, vi } from 'vitest';
import { runInNewContext } from 'node:vm';
import v8 from 'node:v8';
import { REDUCER_WINDOW_MS, RELEASE_DELAY_MS, RELEASE_QUIET_MS, releaseHeap, releaseHeapSoon } from '../../src/runtime/release-heap.ts';

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

  it('runs one RELEASE_DELAY_MS after the last of several calls, and not before', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      let garbage: object | undefined = { payload: new Array(1000).fill('y') };
      const ref = new WeakRef(garbage);
      garbage = undefined;
      releaseHeapSoon();
      vi.advanceTimersByTime(RELEASE_DELAY_MS - 1);
      releaseHeapSoon();
      vi.advanceTimersByTime(RELEASE_DELAY_MS - 1);
      await new Promise((resolve) => setImmediate(resolve));
      expect(ref.deref()).toBeDefined();
      await new Promise((resolve) => setImmediate(resolve));
      vi.advanceTimersByTime(1);
      expect(ref.deref()).toBeUndefined();
    } finally {
      vi.useRealTimers();
    }
  });

  it('leaves no gc function behind, in this context or a new one', () => {
    releaseHeap();
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
    expect(runInNewContext('typeof gc')).toBe('undefined');
  });

  it("keeps the memory reducer's collections off for REDUCER_WINDOW_MS after the last release, then restores V8's default", () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const setFlags = vi.spyOn(v8, 'setFlagsFromString');
    const lastReducerFlag = () =>
      setFlags.mock.calls
        .map(([flag]) => flag)
        .filter((flag) => flag.startsWith('--memory-reducer-gc-count'))
        .at(-1);
    try {
      releaseHeap();
      expect(lastReducerFlag()).toBe('--memory-reducer-gc-count=0');
      vi.advanceTimersByTime(REDUCER_WINDOW_MS - 1);
      releaseHeap();
      vi.advanceTimersByTime(REDUCER_WINDOW_MS - 1);
      expect(lastReducerFlag()).toBe('--memory-reducer-gc-count=0');
      vi.advanceTimersByTime(1);
      expect(lastReducerFlag()).toBe('--memory-reducer-gc-count=2');
    } finally {
      setFlags.mockRestore();
      vi.useRealTimers();
    }
  });

  it('waits while procwarden is busy (reaping a storm of exits), RELEASE_QUIET_MS at a time, then runs', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      let busy = true;
      let garbage: object | undefined = { payload: new Array(1000).fill('z') };
      const ref = new WeakRef(garbage);
      garbage = undefined;
      releaseHeapSoon(() => busy);
      await new Promise((resolve) => setImmediate(resolve));
      vi.advanceTimersByTime(RELEASE_DELAY_MS + 5 * RELEASE_QUIET_MS);
      expect(ref.deref()).toBeDefined();
      busy = false;
      // The deref above keeps the target alive until this job ends.
      await new Promise((resolve) => setImmediate(resolve));
      vi.advanceTimersByTime(RELEASE_QUIET_MS);
      expect(ref.deref()).toBeUndefined();
    } finally {
      vi.useRealTimers();
    }
  });
});
