// The recovery decision (spec section 3), a pure function of how the app exited, the
// starts so far, the policy and the time: no clock, timer or process here, so every rule is
// unit-tested with plain numbers.

import { matchesAny, NO_EXIT_RULES, type ExitRules } from './exit-rules.ts';
import type { Budget, Policy, RestartPolicy } from './policy.ts';

export type RecoveryAction = 'restart' | 'replace' | 'recover';

export interface ExitStatus {
  readonly code: number | null;
  readonly signal: string | null;
}

/** A start that a recovery action made, and when (ms on any monotonic clock). */
export interface PastStart {
  readonly action: RecoveryAction;
  readonly at: number;
}

export type Decision =
  | {
      readonly action: RecoveryAction;
      /** How long to wait before the start: only recover is ever delayed (the throttle). */
      readonly delayMs: number;
      readonly restartsLeft: number;
      readonly replacesLeft: number;
    }
  | {
      readonly action: 'stop';
      readonly delayMs: 0;
      readonly restartsLeft: number;
      readonly replacesLeft: number;
      /** Set when an exit rule, not the policy, keeps the app stopped. */
      readonly reason?: 'no-restart-exit';
    };

/**
 * ON_FAILURE: an exit code other than 0, or death by a signal, unless PROCWARDEN_SUCCESS_EXIT
 * counts it as a success. ALWAYS: any exit.
 */
export function failed(exit: ExitStatus, rules: ExitRules = NO_EXIT_RULES): boolean {
  return (exit.signal !== null || exit.code !== 0) && !matchesAny(exit, rules.success);
}

function applies(policy: RestartPolicy, exit: ExitStatus, rules: ExitRules): boolean {
  return policy === 'always' || (policy === 'on_failure' && failed(exit, rules));
}

/** Starts by `action` within the sliding window that ends now: those less than windowMs ago. */
function usedIn(history: readonly PastStart[], action: RecoveryAction, budget: Budget, now: number): number {
  return history.filter((start) => start.action === action && now - start.at < budget.windowMs).length;
}

/** What each budget has left now. */
export function budgetsLeft(history: readonly PastStart[], policy: Policy, now: number): { restartsLeft: number; replacesLeft: number } {
  return {
    restartsLeft: Math.max(0, policy.restartBudget.tries - usedIn(history, 'restart', policy.restartBudget, now)),
    replacesLeft: Math.max(0, policy.replaceBudget.tries - usedIn(history, 'replace', policy.replaceBudget, now)),
  };
}

export function decide(exit: ExitStatus, history: readonly PastStart[], policy: Policy, now: number, rules: ExitRules = NO_EXIT_RULES): Decision {
  let { restartsLeft, replacesLeft } = budgetsLeft(history, policy, now);

  if (matchesAny(exit, rules.noRestart)) return { action: 'stop', delayMs: 0, restartsLeft, replacesLeft, reason: 'no-restart-exit' };
  if (applies(policy.autorestart, exit, rules) && restartsLeft > 0) {
    restartsLeft -= 1;
    return { action: 'restart', delayMs: 0, restartsLeft, replacesLeft };
  }
  if (applies(policy.autoreplace, exit, rules) && replacesLeft > 0) {
    replacesLeft -= 1;
    return { action: 'replace', delayMs: 0, restartsLeft, replacesLeft };
  }
  if (policy.recovery) {
    const previous = history.findLast((start) => start.action === 'recover');
    // At the previous recovery's start + throttle, or now if that is later: the first
    // recovery, and one after a quiet spell, are immediate.
    // Whole milliseconds, rounded up: never before the throttle allows, and tidy in the event.
    const delayMs = previous === undefined ? 0 : Math.max(0, Math.ceil(previous.at + policy.throttleMs - now));
    return { action: 'recover', delayMs, restartsLeft, replacesLeft };
  }
  return { action: 'stop', delayMs: 0, restartsLeft, replacesLeft };
}

/**
 * The starts a decision can still need, and the last `shown` for `procwarden status`: those
 * inside their budget's window, and the last recovery (the throttle counts from it). The
 * rest are dropped, so that a long crash loop's history, and the work of each decision, stay
 * bounded (50,000 cycles kept 50,000 entries). Returns a new list, in order.
 */
export function pruneHistory(history: readonly PastStart[], policy: Policy, now: number, shown: number): PastStart[] {
  const lastRecover = history.findLast((start) => start.action === 'recover');
  const windowOf = (start: PastStart) =>
    start.action === 'restart' ? policy.restartBudget.windowMs : start.action === 'replace' ? policy.replaceBudget.windowMs : 0;
  return history.filter((start, index) => index >= history.length - shown || start === lastRecover || now - start.at < windowOf(start));
}
