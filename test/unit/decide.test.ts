import { describe, expect, it } from 'vitest';
import { decide, type ExitStatus, type PastStart } from '../../src/policy/decide.ts';
import type { Policy } from '../../src/policy/policy.ts';
import { OFF } from '../support/policy.ts';

const policy = (overrides: Partial<Policy>): Policy => ({ ...OFF, ...overrides });
const code = (n: number): ExitStatus => ({ code: n, signal: null });
const killed: ExitStatus = { code: null, signal: 'SIGKILL' };
const starts = (action: PastStart['action'], ...at: number[]): PastStart[] => at.map((t) => ({ action, at: t }));

const MINUTE = 60_000;
const NOW = 10 * MINUTE;

describe('which exits a policy takes', () => {
  it('OFF never acts: the app stops', () => {
    expect(decide(code(1), [], OFF, NOW).action).toBe('stop');
    expect(decide(killed, [], OFF, NOW).action).toBe('stop');
  });

  it('ON_FAILURE takes a non-zero code and a death by signal, never exit 0', () => {
    const p = policy({ autorestart: 'on_failure' });
    expect(decide(code(1), [], p, NOW).action).toBe('restart');
    expect(decide(code(255), [], p, NOW).action).toBe('restart');
    expect(decide(killed, [], p, NOW).action).toBe('restart');
    expect(decide({ code: null, signal: 'SIGTERM' }, [], p, NOW).action).toBe('restart');
    expect(decide(code(0), [], p, NOW).action).toBe('stop');
  });

  it('ALWAYS takes exit 0 too', () => {
    expect(decide(code(0), [], policy({ autorestart: 'always' }), NOW).action).toBe('restart');
    expect(decide(code(0), [], policy({ autoreplace: 'always' }), NOW).action).toBe('replace');
  });
});

describe('the order: restart, then replace, then recover, then stop', () => {
  const all = policy({ autorestart: 'on_failure', autoreplace: 'on_failure', recovery: true });

  it('restarts first', () => {
    expect(decide(code(1), [], all, NOW)).toEqual({ action: 'restart', delayMs: 0, restartsLeft: 2, replacesLeft: 3, reason: 'autorestart ON_FAILURE, 2 of 3 left in 1m' });
  });

  it('replaces once three restarts happened in the last minute', () => {
    const history = starts('restart', NOW - 3000, NOW - 2000, NOW - 1000);
    expect(decide(code(1), history, all, NOW)).toEqual({
      action: 'replace',
      delayMs: 0,
      restartsLeft: 0,
      replacesLeft: 2,
      reason: 'autorestart ON_FAILURE: budget spent (3 in 1m); autoreplace ON_FAILURE, 2 of 3 left in 5m',
    });
  });

  it('recovers once both budgets are spent', () => {
    const history = [...starts('restart', NOW - 3, NOW - 2, NOW - 1), ...starts('replace', NOW - 30, NOW - 20, NOW - 10)];
    expect(decide(code(1), history, all, NOW)).toEqual({
      action: 'recover',
      delayMs: 0,
      restartsLeft: 0,
      replacesLeft: 0,
      reason: 'autorestart ON_FAILURE: budget spent (3 in 1m); autoreplace ON_FAILURE: budget spent (3 in 5m); Container Recovery ON',
    });
  });

  it('stops once both budgets are spent and recovery is off', () => {
    const history = [...starts('restart', NOW - 3, NOW - 2, NOW - 1), ...starts('replace', NOW - 30, NOW - 20, NOW - 10)];
    const decision = decide(code(1), history, policy({ autorestart: 'on_failure', autoreplace: 'on_failure' }), NOW);
    expect(decision).toEqual({
      action: 'stop',
      delayMs: 0,
      restartsLeft: 0,
      replacesLeft: 0,
      reason: 'autorestart ON_FAILURE: budget spent (3 in 1m); autoreplace ON_FAILURE: budget spent (3 in 5m); Container Recovery OFF',
    });
  });

  it('an exit 0 under ON_FAILURE skips restart and replace, and still recovers', () => {
    expect(decide(code(0), [], all, NOW).action).toBe('recover');
  });

  it('replace ALWAYS after restart ON_FAILURE: a clean exit is replaced, a crash restarted', () => {
    const p = policy({ autorestart: 'on_failure', autoreplace: 'always' });
    expect(decide(code(0), [], p, NOW).action).toBe('replace');
    expect(decide(code(2), [], p, NOW).action).toBe('restart');
  });
});

describe('sliding windows', () => {
  const restart = policy({ autorestart: 'on_failure' });

  it('counts a restart exactly one window ago as outside it, one ms later as inside', () => {
    const atEdge = starts('restart', NOW - MINUTE, NOW - 2, NOW - 1);
    expect(decide(code(1), atEdge, restart, NOW).action).toBe('restart');
    const justInside = starts('restart', NOW - MINUTE + 1, NOW - 2, NOW - 1);
    expect(decide(code(1), justInside, restart, NOW).action).toBe('stop');
  });

  it('slides: a slow crasher is restarted for ever', () => {
    let history: PastStart[] = [];
    for (let t = 0; t < 100 * MINUTE; t += 25_000) {
      const decision = decide(code(1), history, restart, t);
      expect(decision.action, `at ${t} ms`).toBe('restart');
      history = [...history, { action: 'restart', at: t }];
    }
  });

  it('follows the configured budget: 3/1s', () => {
    const p = policy({ autorestart: 'on_failure', restartBudget: { tries: 3, windowMs: 1000 } });
    const history = starts('restart', NOW - 1001, NOW - 1000, NOW - 999, NOW - 10);
    expect(decide(code(1), history, p, NOW)).toMatchObject({ action: 'restart', restartsLeft: 0 });
    expect(decide(code(1), [...history, { action: 'restart', at: NOW - 5 }], p, NOW).action).toBe('stop');
  });

  it('the replace window is five minutes by default', () => {
    const p = policy({ autoreplace: 'always' });
    expect(decide(code(0), starts('replace', NOW - 5 * MINUTE, NOW - 2, NOW - 1), p, NOW).action).toBe('replace');
    expect(decide(code(0), starts('replace', NOW - 5 * MINUTE + 1, NOW - 2, NOW - 1), p, NOW).action).toBe('stop');
  });

  it('a budget of 0 tries never acts', () => {
    const p = policy({ autorestart: 'always', restartBudget: { tries: 0, windowMs: MINUTE } });
    expect(decide(code(1), [], p, NOW).action).toBe('stop');
  });
});

describe('the recovery throttle', () => {
  const recover = policy({ recovery: true, throttleMs: 2 * MINUTE });

  it('the first recovery is immediate', () => {
    expect(decide(code(1), [], recover, NOW)).toMatchObject({ action: 'recover', delayMs: 0 });
  });

  it('a recovery starts at the previous recovery start + throttle', () => {
    expect(decide(code(1), starts('recover', NOW - 30_000), recover, NOW)).toMatchObject({ delayMs: 90_000 });
    expect(decide(code(1), starts('recover', NOW - 2 * MINUTE + 1), recover, NOW)).toMatchObject({ delayMs: 1 });
  });

  it('the delay is in whole milliseconds, rounded up, when the clock has fractions', () => {
    expect(decide(code(1), starts('recover', NOW - 1_006.25), recover, NOW)).toMatchObject({ delayMs: 118_994 });
  });

  it('after a quiet spell it is immediate again', () => {
    expect(decide(code(1), starts('recover', NOW - 2 * MINUTE), recover, NOW)).toMatchObject({ delayMs: 0 });
    expect(decide(code(1), starts('recover', NOW - 60 * MINUTE), recover, NOW)).toMatchObject({ delayMs: 0 });
  });

  it('only the previous recovery counts, not restarts or replacements', () => {
    const history = [...starts('recover', NOW - 100_000), ...starts('restart', NOW - 1)];
    expect(decide(code(1), history, recover, NOW)).toMatchObject({ delayMs: 20_000 });
  });
});

describe('exit rules', () => {
  const rules = { success: [{ code: 143 }, { signal: 'SIGTERM' }], noRestart: [{ code: 78 }, { signal: 'SIGKILL' }] };

  it('PROCWARDEN_SUCCESS_EXIT: ON_FAILURE does not act on a success exit; ALWAYS still does', () => {
    const onFailure = policy({ autorestart: 'on_failure', autoreplace: 'on_failure', recovery: false });
    expect(decide(code(143), [], onFailure, NOW, rules).action).toBe('stop');
    expect(decide({ code: null, signal: 'SIGTERM' }, [], onFailure, NOW, rules).action).toBe('stop');
    expect(decide(code(1), [], onFailure, NOW, rules).action).toBe('restart');
    expect(decide(code(143), [], policy({ autorestart: 'always' }), NOW, rules).action).toBe('restart');
  });

  it('PROCWARDEN_NO_RESTART_EXIT: nothing starts the app again, whatever the policy, and says why', () => {
    const everything = policy({ autorestart: 'always', autoreplace: 'always', recovery: true });
    expect(decide(code(78), [], everything, NOW, rules)).toEqual({
      action: 'stop',
      delayMs: 0,
      restartsLeft: 3,
      replacesLeft: 3,
      rule: 'no-restart-exit',
      reason: 'exit code 78 is in PROCWARDEN_NO_RESTART_EXIT: nothing starts the app again',
    });
    expect(decide(killed, [], everything, NOW, rules)).toMatchObject({ action: 'stop', rule: 'no-restart-exit' });
    expect(decide(code(77), [], everything, NOW, rules).action).toBe('restart');
  });
});

describe('exit codes in the exit rules', () => {
  it('a code matches the death by signal that gives it, as tini -e does (143 is SIGTERM)', () => {
    const rules = { success: [{ code: 143 }], noRestart: [{ code: 137 }] };
    const onFailure = policy({ autorestart: 'on_failure' });
    expect(decide({ code: null, signal: 'SIGTERM' }, [], onFailure, NOW, rules).action).toBe('stop');
    expect(decide(killed, [], policy({ autorestart: 'always' }), NOW, rules)).toMatchObject({ action: 'stop', rule: 'no-restart-exit' });
    expect(decide({ code: null, signal: 'SIGINT' }, [], onFailure, NOW, rules).action).toBe('restart');
  });
});

describe('the history a decision keeps', () => {
  it('keeps what the windows, the throttle and status need, and drops the rest', async () => {
    const { pruneHistory } = await import('../../src/policy/decide.ts');
    const p = policy({ restartBudget: { tries: 3, windowMs: MINUTE }, replaceBudget: { tries: 3, windowMs: 5 * MINUTE } });
    const history = [
      ...starts('recover', NOW - 9 * MINUTE),
      ...starts('restart', NOW - 8 * MINUTE, NOW - 30_000),
      ...starts('replace', NOW - 6 * MINUTE, NOW - 4 * MINUTE),
      ...starts('recover', NOW - 3 * MINUTE),
    ];
    expect(pruneHistory(history, p, NOW, 0)).toEqual([
      { action: 'restart', at: NOW - 30_000 },
      { action: 'replace', at: NOW - 4 * MINUTE },
      { action: 'recover', at: NOW - 3 * MINUTE },
    ]);
    expect(pruneHistory(history, p, NOW, 2)).toHaveLength(3);
    expect(pruneHistory(history, p, NOW, 6)).toEqual(history);
    // What is dropped changes no decision.
    for (const exit of [code(1), code(0), killed]) {
      for (const q of [policy({ autorestart: 'on_failure' }), policy({ autoreplace: 'always' }), policy({ recovery: true })]) {
        const r = { ...q, restartBudget: p.restartBudget, replaceBudget: p.replaceBudget };
        expect(decide(exit, pruneHistory(history, r, NOW, 0), r, NOW)).toEqual(decide(exit, history, r, NOW));
      }
    }
  });
});

describe('the backoff (PROCWARDEN_BACKOFF)', () => {
  const backoff = { firstMs: 1000, maxMs: 30_000, resetMs: 10_000 };
  const p = policy({ autorestart: 'on_failure', backoff });

  it('spaces starts: 1 s, doubling with each quick exit in a row, at most 30 s', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 20].map((streak) => decide(code(1), [], p, NOW, undefined, { streak }).delayMs)).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
    expect(decide(code(1), [], p, NOW, undefined, { streak: 2 }).reason).toBe('autorestart ON_FAILURE, 2 of 3 left in 1m; backoff 4s (quick exit 3 in a row)');
  });

  it('none with PROCWARDEN_BACKOFF=off; a stop never waits', () => {
    expect(decide(code(1), [], policy({ autorestart: 'on_failure' }), NOW, undefined, { streak: 3 }).delayMs).toBe(0);
    expect(decide(code(0), [], p, NOW, undefined, { streak: 3 })).toMatchObject({ action: 'stop', delayMs: 0 });
  });

  it("a recovery waits for the longer of the throttle and the backoff", () => {
    const recovering = policy({ recovery: true, throttleMs: 120_000, backoff });
    const last = starts('recover', NOW - 100_000);
    expect(decide(code(1), last, recovering, NOW, undefined, { streak: 1 }).delayMs).toBe(20_000);
    expect(decide(code(1), [], recovering, NOW, undefined, { streak: 4 }).delayMs).toBe(16_000);
  });
});

describe('a decision in words', () => {
  it('names each policy it went through, and what it said', () => {
    expect(decide(code(0), [], policy({ autorestart: 'on_failure' }), NOW).reason).toBe('autorestart ON_FAILURE: not for exit code 0; autoreplace OFF; Container Recovery OFF');
    expect(decide(killed, [], policy({ autoreplace: 'always' }), NOW).reason).toBe('autorestart OFF; autoreplace ALWAYS, 2 of 3 left in 5m');
  });

  it("gives a throttle's end and the next start as wall-clock times", () => {
    const wallNow = Date.parse('2026-11-30T12:02:07Z');
    const decision = decide(code(1), starts('recover', NOW - 30_000), policy({ recovery: true }), NOW, undefined, { wallNow });
    expect(decision.reason).toBe('autorestart OFF; autoreplace OFF; Container Recovery ON, throttled until 12:03:37');
    expect(decision.nextStartAt).toBe('2026-11-30T12:03:37.000Z');
    expect(decision).not.toHaveProperty('restartsLeft');
    expect(decision).not.toHaveProperty('replacesLeft');
  });
});
