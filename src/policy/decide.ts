// The recovery decision (spec section 3), a pure function of how the app exited, the
// starts so far, the policy and the time: no clock, timer or process here, so every rule is
// unit-tested with plain numbers.

import { matchesAny, NO_EXIT_RULES, type ExitRules } from './exit-rules.ts';
import { backoffDelay, type Budget, type Policy, type RestartPolicy } from './policy.ts';
import { formatDuration } from '../config/duration.ts';

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

export interface Decision {
  readonly action: RecoveryAction | 'stop';
  /** How long to wait before the start (ms): the backoff, and for a recovery the throttle. */
  readonly delayMs: number;
  /** Why, in words: each policy considered, in order, and what it said (`autorestart ON_FAILURE, 2 of 3 left in 1m`). */
  readonly reason: string;
  /** Restarts left in the window after this one: only when autorestart is on. */
  readonly restartsLeft?: number;
  /** Replacements left in the window after this one: only when autoreplace is on. */
  readonly replacesLeft?: number;
  /** Set when an exit rule, not the policy, keeps the app stopped. */
  readonly rule?: 'no-restart-exit';
  /** When the start is due (ISO 8601, from the `wallNow` given): not for a stop. */
  readonly nextStartAt?: string;
}

/** What a decision needs besides the exit, the starts so far and the policy. */
export interface DecisionContext {
  /** Quick exits in a row before this one (a run shorter than the backoff's reset): the backoff's count. */
  readonly streak?: number;
  /** The wall clock now (ms since the epoch), for `nextStartAt` and a throttle's end in words. */
  readonly wallNow?: number;
  /** procwarden stopped the app because its health check failed: a failure, whatever its exit. */
  readonly unhealthy?: boolean;
}

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

/** `ON_FAILURE`, as users write it. */
const shown = (policy: RestartPolicy) => policy.toUpperCase();

/** How an exit reads in a reason: `exit code 3`, `SIGKILL`. */
const exitInWords = (exit: ExitStatus) => (exit.signal === null ? `exit code ${exit.code}` : exit.signal);

/** `HH:MM:SS` of a wall time (UTC, as the events' times are). */
const clockTime = (wallMs: number) => new Date(wallMs).toISOString().slice(11, 19);

/**
 * What the policy does about `exit`, now: restart, then replace, then recover, then stop,
 * each within its budget, spaced by the backoff and (for a recovery) the throttle. Pure:
 * `now` is any monotonic clock (ms), `context.wallNow` the wall clock for the times in words.
 */
export function decide(exit: ExitStatus, history: readonly PastStart[], policy: Policy, now: number, rules: ExitRules = NO_EXIT_RULES, context: DecisionContext = {}): Decision {
  let { restartsLeft, replacesLeft } = budgetsLeft(history, policy, now);
  const said: string[] = context.unhealthy ? ['unhealthy'] : [];
  const budgets = () => ({
    ...(policy.autorestart === 'off' ? {} : { restartsLeft }),
    ...(policy.autoreplace === 'off' ? {} : { replacesLeft }),
  });
  const stop = (reason: string, rule?: 'no-restart-exit'): Decision => ({ action: 'stop', delayMs: 0, reason, ...budgets(), ...(rule ? { rule } : {}) });
  const start = (action: RecoveryAction, throttleMs = 0): Decision => {
    const backoffMs = backoffDelay(policy.backoff, context.streak ?? 0);
    const delayMs = Math.max(throttleMs, backoffMs);
    const parts = [...said];
    if (throttleMs > 0) {
      parts[parts.length - 1] += `, throttled until ${context.wallNow === undefined ? `${formatDuration(throttleMs)} from now` : clockTime(context.wallNow + throttleMs)}`;
    }
    if (backoffMs > 0 && backoffMs >= throttleMs) parts.push(`backoff ${formatDuration(backoffMs)}${(context.streak ?? 0) > 0 ? ` (quick exit ${(context.streak ?? 0) + 1} in a row)` : ''}`);
    return {
      action,
      delayMs,
      reason: parts.join('; '),
      ...budgets(),
      ...(context.wallNow === undefined ? {} : { nextStartAt: new Date(context.wallNow + delayMs).toISOString() }),
    };
  };

  if (matchesAny(exit, rules.noRestart)) return stop(`${exitInWords(exit)} is in PROCWARDEN_NO_RESTART_EXIT: nothing starts the app again`, 'no-restart-exit');
  const step = (name: string, policyOf: RestartPolicy, left: number, budget: Budget): boolean => {
    if (policyOf === 'off') {
      said.push(`${name} OFF`);
      return false;
    }
    // An app stopped as unhealthy failed, whatever it exited with: ON_FAILURE acts on it.
    if (!context.unhealthy && !applies(policyOf, exit, rules)) {
      said.push(`${name} ${shown(policyOf)}: not for ${exit.signal === null && exit.code === 0 ? 'exit code 0' : `${exitInWords(exit)} (a success)`}`);
      return false;
    }
    if (left <= 0) {
      said.push(`${name} ${shown(policyOf)}: budget spent (${budget.tries} in ${formatDuration(budget.windowMs)})`);
      return false;
    }
    said.push(`${name} ${shown(policyOf)}, ${left - 1} of ${budget.tries} left in ${formatDuration(budget.windowMs)}`);
    return true;
  };
  if (step('autorestart', policy.autorestart, restartsLeft, policy.restartBudget)) {
    restartsLeft -= 1;
    return start('restart');
  }
  if (step('autoreplace', policy.autoreplace, replacesLeft, policy.replaceBudget)) {
    replacesLeft -= 1;
    return start('replace');
  }
  if (policy.recovery) {
    said.push('Container Recovery ON');
    const previous = history.findLast((past) => past.action === 'recover');
    // At the previous recovery's start + throttle, or now if that is later: the first
    // recovery, and one after a quiet spell, are immediate.
    // Whole milliseconds, rounded up: never before the throttle allows, and tidy in the event.
    const throttleMs = previous === undefined ? 0 : Math.max(0, Math.ceil(previous.at + policy.throttleMs - now));
    return start('recover', throttleMs);
  }
  said.push('Container Recovery OFF');
  return stop(said.join('; '));
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
