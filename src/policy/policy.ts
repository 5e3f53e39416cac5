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
  /** PROCWARDEN_BACKOFF: how starts made by a policy are spaced; undefined for none (`off`). */
  readonly backoff?: Backoff | undefined;
}

/**
 * Starts made by a policy wait `firstMs`, doubling with each quick exit in a row, at most
 * `maxMs`; a run of `resetMs` or more without exiting starts the count again (Docker's and
 * Kubernetes' rule for restart delays).
 */
export interface Backoff {
  readonly firstMs: number;
  readonly maxMs: number;
  readonly resetMs: number;
}

/** PROCWARDEN_BACKOFF's default, `1s..30s`, and PROCWARDEN_BACKOFF_RESET's, `10s`. */
export const DEFAULT_BACKOFF: Backoff = { firstMs: 1_000, maxMs: 30_000, resetMs: 10_000 };

/**
 * The wait before a start by a policy after `streak` quick exits in a row before this one
 * (0 for the first): firstMs, 2 x firstMs, 4 x ... up to maxMs; 0 with no backoff.
 */
export function backoffDelay(backoff: Backoff | undefined, streak: number): number {
  if (!backoff) return 0;
  return Math.min(backoff.maxMs, backoff.firstMs * 2 ** Math.min(streak, 40));
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
