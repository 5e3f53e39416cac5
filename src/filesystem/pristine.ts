// The pristine filesystem before a replace or a recovery (spec section 4): a snapshot of
// the wipe roots before the app first runs (or the one `procwarden snapshot` left at image
// build), and a reset to it before each replace and recover.

import type { Config } from '../config/config.ts';
import { canReplace } from '../policy/policy.ts';
import { resetToSnapshot } from './reset.ts';
import { entryCount, loadBuildSnapshot, takeSnapshot, type Snapshot } from './snapshot.ts';
import { monotonicMs } from '../clock/monotonic.ts';

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
  readonly source: Snapshot['source'];
  readonly roots: readonly string[];
  readonly entries: number;
  readonly durationMs: number;
}

export interface Pristine {
  /** What the snapshot step did, for its event; undefined when none was needed. */
  readonly snapshot: SnapshotOutcome | { readonly error: string } | undefined;
  reset(): ResetOutcome;
}

/**
 * `pid`: procwarden's own. The default wipe paths (the working directory and /tmp) are a
 * container's own only when procwarden is its PID 1; elsewhere (a developer's machine, a CI
 * job, under another init) they may be shared, and are never reset unless named.
 */
export function preparePristine(config: Config, pid: number): Pristine {
  if (config.doNotWipe) return { snapshot: undefined, reset: () => ({ skipped: true, reason: 'APTIBLE_DO_NOT_WIPE is set' }) };
  if (config.wipePathsByDefault && pid !== 1) {
    const reason = 'not PID 1: the default wipe paths (the working directory and /tmp) are reset only in a container procwarden is PID 1 of; set PROCWARDEN_WIPE_PATHS to name them';
    return { snapshot: undefined, reset: () => ({ skipped: true, reason }) };
  }
  if (!canReplace(config.policy)) {
    return { snapshot: undefined, reset: () => ({ skipped: true, reason: 'no snapshot: no replace or recovery was possible at start' }) };
  }
  const startedAt = monotonicMs();
  let snapshot: Snapshot;
  try {
    snapshot =
      loadBuildSnapshot(config.wipePaths, config.wipeExclude, config.stateDir) ??
      takeSnapshot(config.wipePaths, config.wipeExclude, config.stateDir, 'start');
  } catch (error) {
    const reason = `no snapshot: ${(error as Error).message}`;
    return { snapshot: { error: reason }, reset: () => ({ skipped: true, reason }) };
  }
  return {
    snapshot: {
      source: snapshot.source,
      roots: snapshot.roots,
      entries: entryCount(snapshot),
      durationMs: Math.round(monotonicMs() - startedAt),
    },
    reset() {
      const resetAt = monotonicMs();
      const { removed, restored, errors } = resetToSnapshot(snapshot, config.stateDir);
      const durationMs = Math.round(monotonicMs() - resetAt);
      return { skipped: false, removed, restored, durationMs, ...(errors.length > 0 ? { errors } : {}) };
    },
  };
}
