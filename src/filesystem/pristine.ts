// The pristine filesystem before a replace or a recovery (spec section 4). This version
// does not reset anything yet: the step is here, in its place in the life cycle, and says
// so in its `fs.reset` event.

import type { Config } from '../config/config.ts';

export type ResetOutcome =
  | { readonly skipped: true; readonly reason: string }
  | { readonly skipped: false; readonly removed: number; readonly restored: number; readonly durationMs: number };

export function resetFilesystem(config: Config): ResetOutcome {
  if (config.doNotWipe) return { skipped: true, reason: 'APTIBLE_DO_NOT_WIPE is set' };
  return { skipped: true, reason: 'the filesystem reset is not in this version of procwarden yet' };
}
