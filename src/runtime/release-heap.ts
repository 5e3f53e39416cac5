// Giving the heap a walk (or the start) grew back to the system.
//
// A snapshot or a reset of 100,000 files allocates an object or two an entry, and V8 keeps
// what its collections freed: the young generation grown to its cap, and the freed pages in
// its page pool. Nothing in procwarden's idle life makes V8 collect again, and its memory
// reducer, which would, judges the allocation rate still high: measured with 100,000 files,
// 40 MiB of freed 256 KiB pages stayed resident for the container's life (37.7 MiB
// anonymous against 13.0 with no snapshot). One memory-reducing full collection (V8's
// "last resort" flavor, which also empties the page pool) gives them back: about 17 ms once,
// after the walk, never while the app waits to start.
//
// The collection is reached the one way Node offers at run time: `--expose-gc` set for a
// moment, and the `gc` function of a fresh context read while it is set (node:v8's
// setFlagsFromString). Neither the flag nor the context outlives the call.
//
// A full collection that frees more than a megabyte arms V8's memory reducer, which 8 s later
// (`--gc-memory-reducer-start-delay-ms`) runs collections of its own on V8's worker threads:
// about 100 wake-ups and 90 ms of CPU in an idle container, for a heap this one collection
// has just made small. So `--memory-reducer-gc-count=0` is set from the collection until the
// reducer's timer has come and gone (`REDUCER_WINDOW_MS`), then the default (2) again. Only
// for that window: V8 checks a hash of all its flags before it uses a code cache, and while a
// flag differs, Node's built-in modules loaded then compile from source (node:http measured
// 6 ms against 16 ms). Measured on the bundle: 84 to 133 wake-ups in the 12 s after a start
// without the window, 1 (the reducer's timer) with it.

/** V8's `--memory-reducer-gc-count` default (Node 24, V8 13.6): what the window restores. */
const REDUCER_GC_COUNT = 2;

/**
 * How long the reducer's collections stay off after a release (ms): its start delay (8,000,
 * V8's `--gc-memory-reducer-start-delay-ms` default) and 2 s to spare.
 */
export const REDUCER_WINDOW_MS = 10_000;

/** How long after a walk or the start the collection runs (ms): long enough for the app's start to go first. */
export const RELEASE_DELAY_MS = 100;

import { releaseBundleText } from '../bundle/payloads.ts';
import { loadedAddon } from '../native/load-libc.ts';

type GcFunction = (options: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void;

let timer: NodeJS.Timeout | undefined;
let reducerTimer: NodeJS.Timeout | undefined;

/** How long a collection due in a busy moment waits before it looks again (ms). */
export const RELEASE_QUIET_MS = 10;
/** How many times it looks again before it runs all the same (a second in all). */
const RELEASE_QUIET_WAITS = 100;

let busyNow: (() => boolean) | undefined;

/**
 * Schedules one memory-reducing full collection `RELEASE_DELAY_MS` after the last call
 * (calls in between make one), on an unref'd timer: it never keeps procwarden alive and
 * runs nothing while nothing has walked. `busy`, when given, is asked when it is due: while
 * it says true (procwarden is reaping a storm of exits, which the collection's few ms would
 * delay), the collection waits `RELEASE_QUIET_MS` and asks again, up to a second. Never throws.
 */
export function releaseHeapSoon(busy?: () => boolean): void {
  if (timer) clearTimeout(timer);
  if (busy) busyNow = busy;
  const due = (waits: number): void => {
    if (busyNow?.() && waits < RELEASE_QUIET_WAITS) {
      timer = setTimeout(due, RELEASE_QUIET_MS, waits + 1);
      timer.unref();
      return;
    }
    timer = undefined;
    busyNow = undefined;
    releaseHeap();
  };
  timer = setTimeout(due, RELEASE_DELAY_MS, 0);
  timer.unref();
}

/** Runs one memory-reducing full collection now (about 17 ms after a 100,000-file walk). Never throws. */
export function releaseHeap(): void {
  // The bundle file as Node read it, kept for the start's payloads: collected now too.
  releaseBundleText();
  const v8 = process.getBuiltinModule('node:v8');
  holdMemoryReducer(v8);
  try {
    v8.setFlagsFromString('--expose-gc');
    const gc = process.getBuiltinModule('node:vm').runInNewContext('gc') as GcFunction | undefined;
    gc?.({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  } catch {
    // A Node without the gc extension's options: the memory stays, nothing else changes.
  } finally {
    v8.setFlagsFromString('--no-expose-gc');
  }
  loadedAddon()?.trimMemory();
}

/** Keeps the memory reducer's collections off for `REDUCER_WINDOW_MS` from now (see the top). */
function holdMemoryReducer(v8: typeof import('node:v8')): void {
  if (reducerTimer) clearTimeout(reducerTimer);
  v8.setFlagsFromString('--memory-reducer-gc-count=0');
  reducerTimer = setTimeout(() => {
    reducerTimer = undefined;
    v8.setFlagsFromString(`--memory-reducer-gc-count=${REDUCER_GC_COUNT}`);
  }, REDUCER_WINDOW_MS);
  reducerTimer.unref();
}
