// The crash-recovery policy (spec section 3): what procwarden does when the app exits
// without being asked to.

export const RESTART_POLICIES = ['off', 'on_failure', 'always'] as const;
/** Tutum's autorestart / autoreplace values (written upper-case by users: ON_FAILURE). */
export type RestartPolicy = (typeof RESTART_POLICIES)[number];

/** At most `tries` actions in any sliding window of `windowMs`. */
export interface Budget {
  readonly tries: number;
  readonly windowMs: number;
}

export interface Policy {
  /** Restart in place, same filesystem. */
  readonly autorestart: RestartPolicy;
  /** Kill the tree, reset the filesystem, start fresh. */
  readonly autoreplace: RestartPolicy;
  /** Aptible's Container Recovery: like replace, unlimited, throttled. */
  readonly recovery: boolean;
  readonly restartBudget: Budget;
  readonly replaceBudget: Budget;
  /** A recovery starts no sooner than the previous recovery's start + throttle. */
  readonly throttleMs: number;
}

export const DEFAULT_RESTART_BUDGET: Budget = { tries: 3, windowMs: 60_000 };
export const DEFAULT_REPLACE_BUDGET: Budget = { tries: 3, windowMs: 300_000 };
export const DEFAULT_THROTTLE_MS = 120_000;

/** Whether any policy can start the app again (so events are on, spec section 5). */
export function recoversAtAll(policy: Policy): boolean {
  return policy.autorestart !== 'off' || policy.autoreplace !== 'off' || policy.recovery;
}

/** Whether a replace or a recovery can happen: only then is a pristine snapshot needed. */
export function canReplace(policy: Policy): boolean {
  return policy.autoreplace !== 'off' || policy.recovery;
}
