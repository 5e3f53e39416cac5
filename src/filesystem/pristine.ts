// The pristine filesystem before a replace or a recovery (spec section 4): a snapshot of
// the wipe roots before the app first runs (or the one `procwarden snapshot` left at image
// build), and a reset to it before each replace and recover. After each, the heap the walk
// grew is given back (runtime/release-heap.ts).

import type { Config } from '../config/config.ts';
import { whyNotOwnDefaultPaths } from '../config/container-sign.ts';
import { canReplace } from '../policy/policy.ts';
import { resetToSnapshot } from './reset.ts';
import { loadBuildSnapshot, takeSnapshot, type Snapshot, type SnapshotSource } from './snapshot.ts';
import { monotonicMs } from '../clock/monotonic.ts';
import { releaseHeapSoon } from '../runtime/release-heap.ts';

export type ResetOutcome =
  | { readonly skipped: true; readonly reason: string }
  | {
      readonly skipped: false;
      readonly removed: number;
      readonly restored: number;
      readonly durationMs: number;
      readonly errors?: readonly { path: string; error: string }[];
    };

export interface SnapshotOutcome {
  /**
   * What the snapshot holds: `build`, the image as built (`procwarden snapshot`); `start`, the
   * roots before the app first ran; `live`, the roots as the running app had left them when a
   * live policy change made a replace or a recovery possible: not a pristine state.
   */
  readonly source: SnapshotSource;
  readonly roots: readonly string[];
  readonly entries: number;
  /** The space it takes in the state dir: allocated blocks, as du counts them (on a tmpfs, memory). */
  readonly bytes: number;
  readonly durationMs: number;
  /** `live` only: what it holds and what to do instead, one sentence for the operator. */
  readonly advice?: string;
}

export interface Pristine {
  /** What the snapshot step did, for its event; undefined when none was needed. */
  readonly snapshot: SnapshotOutcome | { readonly error: string } | undefined;
  reset(): ResetOutcome;
}

/** The `advice` of a `live` snapshot. */
export const LIVE_SNAPSHOT_ADVICE =
  'taken while the app ran: a replace or a recovery puts back the app\'s state at that moment (its PID files, caches, locks), not a pristine one; take the snapshot at image build (`RUN procwarden snapshot`) or allow a replace or a recovery from the start';

/** When a snapshot is prepared: before the app first runs, or later, while it runs. */
export type SnapshotMoment = 'start' | 'live';

let prepared = false;

/**
 * The snapshot a replace or a recovery resets to, and the reset. `pid`: procwarden's own. The
 * default wipe paths (the working directory and /tmp) are a container's own only when
 * procwarden is its PID 1 and sees a sign of a container (whyNotOwnDefaultPaths); elsewhere
 * (a developer's machine, a CI job, under another init) they may be shared, and are never
 * reset unless named.
 *
 * `moment`: `start` before the app first runs, `live` while it runs (a policy change that
 * made a replace or a recovery possible). Without it, the first call in this process is the
 * start and any later one is live. A build-time snapshot of the same roots is used whenever
 * there is one; otherwise one is taken now, labelled with the moment (source `start` or
 * `live`). Never throws: a snapshot that cannot be taken is `{ error }`, and resets nothing.
 */
export function preparePristine(config: Config, pid: number, moment?: SnapshotMoment): Pristine {
  const when: SnapshotMoment = moment ?? (prepared ? 'live' : 'start');
  prepared = true;
  if (config.doNotWipe) return { snapshot: undefined, reset: () => ({ skipped: true, reason: 'APTIBLE_DO_NOT_WIPE is set' }) };
  const notOwn = whyNotOwnDefaultPaths(config, pid);
  if (notOwn !== undefined) return { snapshot: undefined, reset: () => ({ skipped: true, reason: notOwn }) };
  if (!canReplace(config.policy)) {
    return { snapshot: undefined, reset: () => ({ skipped: true, reason: 'no snapshot: no replace or recovery was possible at start' }) };
  }
  const startedAt = monotonicMs();
  let snapshot: Snapshot;
  try {
    snapshot =
      loadBuildSnapshot(config.wipePaths, config.wipeExclude, config.stateDir) ??
      takeSnapshot(config.wipePaths, config.wipeExclude, config.stateDir, when);
  } catch (error) {
    releaseHeapSoon();
    const reason = `no snapshot: ${(error as Error).message}`;
    return { snapshot: { error: reason }, reset: () => ({ skipped: true, reason }) };
  }
  releaseHeapSoon();
  return {
    snapshot: {
      source: snapshot.source,
      roots: snapshot.roots,
      entries: snapshot.entries,
      bytes: snapshot.bytes,
      durationMs: Math.round(monotonicMs() - startedAt),
      ...(snapshot.source === 'live' ? { advice: LIVE_SNAPSHOT_ADVICE } : {}),
    },
    reset() {
      const resetAt = monotonicMs();
      const { removed, restored, errors } = resetToSnapshot(snapshot);
      const durationMs = Math.round(monotonicMs() - resetAt);
      releaseHeapSoon();
      return { skipped: false, removed, restored, durationMs, ...(errors.length > 0 ? { errors } : {}) };
    },
  };
}
