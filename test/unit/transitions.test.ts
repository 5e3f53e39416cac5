// The supervisor's transition table with plain values and a fake clock: every (state, input)
// pair that can occur, and the ones that cannot change anything.

import { describe, expect, it } from 'vitest';
import type { AppExit } from '../../src/process/exit-status.ts';
import type { Policy } from '../../src/policy/policy.ts';
import { OFF } from '../support/policy.ts';
import { initialSupervision, transition, type Effect, type Input, type Settings, type Supervision } from '../../src/supervisor/transitions.ts';

const settings: Settings = { stopSignal: 'SIGTERM', exitRules: { success: [], noRestart: [] }, command: ['web'], processType: 'web', port: 5000 };

/** Feeds `inputs` from `from` at `now`, each 10 ms after the one before; the last step and every effect. */
function drive(from: Supervision, inputs: readonly Input[], now = 1000) {
  let s = from;
  const effects: Effect[] = [];
  let last = { next: s, effects: [] as readonly Effect[] };
  inputs.forEach((input, index) => {
    last = transition(s, input, settings, now + index * 10);
    s = last.next;
    effects.push(...last.effects);
  });
  return { s, effects, last };
}

const types = (effects: readonly Effect[]) => effects.map((effect) => (effect.type === 'emit' ? `emit ${effect.event}` : effect.type));
const emitted = (effects: readonly Effect[], event: string) => effects.filter((effect) => effect.type === 'emit' && effect.event === event).map((effect) => (effect as { fields: Record<string, unknown> }).fields);
const exitCode = (effects: readonly Effect[]) => effects.flatMap((effect) => (effect.type === 'exit' ? [effect.code] : []))[0];

const running = (policy: Policy = OFF) => drive(initialSupervision(policy), [{ type: 'start' }, { type: 'spawned', pid: 42 }]).s;
const crashed = (exit: AppExit = { code: 1, signal: null }): Input[] => [
  { type: 'exited', exit, terminalStop: false },
  { type: 'tree-ended', leftovers: [], lastTreeExit: undefined, lastForwarded: undefined },
];

describe('the first start', () => {
  it('stopped --start--> starting (spawn) --spawned--> running, with container.started', () => {
    const begun = transition(initialSupervision(OFF), { type: 'start' }, settings, 0);
    expect(begun.next.state).toBe('starting');
    expect(types(begun.effects)).toEqual(['spawn']);
    const up = transition(begun.next, { type: 'spawned', pid: 42 }, settings, 5);
    expect(up.next).toMatchObject({ state: 'running', pid: 42, lastPid: 42, attempt: 1, startedAt: 5, mode: 'initial' });
    expect(emitted(up.effects, 'container.started')).toEqual([{ pid: 42, attempt: 1, mode: 'initial', command: ['web'], processType: 'web', port: 5000 }]);
  });

  it('a stop before the start: no start, and the stop signal is the exit (143)', () => {
    const { s, effects } = drive(initialSupervision(OFF), [{ type: 'stop-requested', signal: 'SIGTERM' }, { type: 'start' }]);
    expect(s.state).toBe('stopped');
    expect(types(effects)).toEqual(['exit']);
    expect(exitCode(effects)).toBe(143);
  });

  it('start, spawned or timer where they mean nothing change nothing', () => {
    const up = running();
    for (const input of [{ type: 'start' }, { type: 'spawned', pid: 7 }, { type: 'timer' }, { type: 'grace-over' }] as Input[]) {
      const step = transition(up, input, settings, 2000);
      expect(step.next).toBe(up);
      expect(step.effects).toEqual([]);
    }
  });
});

describe('an exit the policy acts on', () => {
  it('with no policy: stopped, exit with the app code, after container.exited and the decision', () => {
    const { s, effects } = drive(running(), crashed());
    expect(s.state).toBe('stopped');
    expect(types(effects)).toEqual(['finish-tree', 'emit container.exited', 'emit recovery.decision', 'exit']);
    expect(emitted(effects, 'container.exited')[0]).toMatchObject({ pid: 42, attempt: 1, code: 1, signal: null, cause: 'crash' });
    expect(exitCode(effects)).toBe(1);
  });

  it('the first exit waits for no grace: the tree is finished at once (finish-tree without wait)', () => {
    const step = transition(running(), { type: 'exited', exit: { code: 0, signal: null }, terminalStop: false }, settings, 2000);
    expect(step.next).toMatchObject({ state: 'stopping', pid: 0, lastPid: 42 });
    expect(step.effects).toEqual([{ type: 'finish-tree', wait: false }]);
  });

  it('autorestart: starting again in place (no reset), counted in the history', () => {
    const { s, effects } = drive(running({ ...OFF, autorestart: 'on_failure' }), [...crashed(), { type: 'spawned', pid: 43 }]);
    expect(types(effects)).toEqual(['finish-tree', 'emit container.exited', 'emit recovery.decision', 'spawn', 'emit container.started']);
    expect(s).toMatchObject({ state: 'running', pid: 43, attempt: 2, mode: 'restart' });
    expect(s.history.map(({ action }) => action)).toEqual(['restart']);
  });

  it('autoreplace: the reset before the spawn', () => {
    const { effects } = drive(running({ ...OFF, autoreplace: 'always' }), crashed({ code: 0, signal: null }));
    expect(types(effects).slice(-2)).toEqual(['reset', 'spawn']);
    expect(emitted(effects, 'container.exited')[0]).toMatchObject({ cause: 'clean' });
  });

  it('a recovery inside the throttle waits (arm-timer), then the timer starts it with a reset', () => {
    const policy = { ...OFF, recovery: true, throttleMs: 5000 };
    const first = drive(running(policy), [...crashed(), { type: 'spawned', pid: 43 }]);
    expect(first.s.mode).toBe('recover');
    const second = drive(first.s, crashed(), 2000);
    expect(second.s.state).toBe('waiting');
    expect(second.effects.at(-1)).toEqual({ type: 'arm-timer', delayMs: 5000 - (2010 - 1020) });
    const woken = transition(second.s, { type: 'timer' }, settings, 9000);
    expect(woken.next.state).toBe('starting');
    expect(types(woken.effects)).toEqual(['reset', 'spawn']);
  });

  it('a stop while waiting ends the supervision at once with the last exit', () => {
    const policy = { ...OFF, recovery: true, throttleMs: 5000 };
    const first = drive(running(policy), [...crashed(), { type: 'spawned', pid: 43 }]);
    const waiting = drive(first.s, crashed({ code: 3, signal: null }), 2000).s;
    const { s, effects } = drive(waiting, [{ type: 'stop-requested', signal: 'SIGTERM' }, { type: 'timer' }]);
    expect(s.state).toBe('stopped');
    expect(types(effects)).toEqual(['exit']);
    expect(exitCode(effects)).toBe(3);
  });

  it('PROCWARDEN_NO_RESTART_EXIT stops whatever the policy; PROCWARDEN_SUCCESS_EXIT exits 0', () => {
    const rules = { success: [{ code: 143 }], noRestart: [{ code: 143 }] };
    let s = running({ ...OFF, autorestart: 'always' });
    const effects: Effect[] = [];
    for (const input of crashed({ code: 143, signal: null })) {
      const step = transition(s, input, { ...settings, exitRules: rules }, 2000);
      s = step.next;
      effects.push(...step.effects);
    }
    expect(emitted(effects, 'recovery.decision')[0]).toMatchObject({ action: 'stop', rule: 'no-restart-exit' });
    expect(exitCode(effects)).toBe(0);
  });
});

describe('a stop', () => {
  it('running --stop-requested--> stopping: the signal to the tree, then the grace', () => {
    const step = transition(running(), { type: 'stop-requested', signal: 'SIGINT' }, settings, 2000);
    expect(step.next).toMatchObject({ state: 'stopping', stop: 'SIGINT' });
    expect(step.effects).toEqual([{ type: 'signal-tree', signal: 'SIGINT' }]);
  });

  it('a second stop signal goes to the group as it is; once the first process is gone, nowhere', () => {
    const stopping = transition(running(), { type: 'stop-requested', signal: 'SIGTERM' }, settings, 2000).next;
    const second = transition(stopping, { type: 'stop-requested', signal: 'SIGINT' }, settings, 2010);
    expect(second.effects).toEqual([{ type: 'signal-group', signal: 'SIGINT' }]);
    expect(second.next.stop).toBe('SIGTERM');
    const finishing = transition(stopping, { type: 'exited', exit: { code: null, signal: 'SIGTERM' }, terminalStop: false }, settings, 2020);
    expect(finishing.effects).toEqual([{ type: 'finish-tree', wait: true }]);
    expect(transition(finishing.next, { type: 'stop-requested', signal: 'SIGINT' }, settings, 2030).effects).toEqual([]);
  });

  it('the grace over: SIGKILL to the tree, only while stopping', () => {
    const stopping = transition(running(), { type: 'stop-requested', signal: 'SIGTERM' }, settings, 2000).next;
    const over = transition(stopping, { type: 'grace-over' }, { ...settings, stopTimeoutMs: 10_000 }, 12_000);
    expect(types(over.effects)).toEqual(['emit procwarden.warning', 'kill-now']);
    expect(emitted(over.effects, 'procwarden.warning')[0]!['detail']).toBe('the app did not stop within 10 s (PROCWARDEN_STOP_TIMEOUT): SIGKILL to what is left of its tree');
  });

  it("the exit is the last of the tree's when a shell died of the stop's signal (a drained server: 0)", () => {
    const stopping = transition(running(), { type: 'stop-requested', signal: 'SIGTERM' }, settings, 2000).next;
    const drained = drive(stopping, [
      { type: 'exited', exit: { code: null, signal: 'SIGTERM' }, terminalStop: false },
      { type: 'tree-ended', leftovers: [], lastTreeExit: { code: 0, signal: null }, lastForwarded: undefined },
    ]);
    expect(emitted(drained.effects, 'container.exited')[0]).toMatchObject({ code: 0, cause: 'stop' });
    expect(exitCode(drained.effects)).toBe(0);
    expect(drained.s.state).toBe('stopped');
    const alone = drive(stopping, [
      { type: 'exited', exit: { code: null, signal: 'SIGTERM' }, terminalStop: false },
      { type: 'tree-ended', leftovers: [], lastTreeExit: undefined, lastForwarded: undefined },
    ]);
    expect(exitCode(alone.effects)).toBe(143);
  });

  it('once the grace ran out, the exit is SIGKILL (137), even when the last process reaped had exited 0 on its own', () => {
    const stopping = transition(running(), { type: 'stop-requested', signal: 'SIGTERM' }, settings, 2000).next;
    const killed = drive(stopping, [
      { type: 'exited', exit: { code: null, signal: 'SIGTERM' }, terminalStop: false },
      { type: 'grace-over' },
      // A `sleep` the shell forked just before the SIGKILL: it ends on its own, reaped last.
      { type: 'tree-ended', leftovers: [], lastTreeExit: { code: 0, signal: null }, lastForwarded: undefined },
    ]);
    expect(emitted(killed.effects, 'container.exited')[0]).toMatchObject({ code: null, signal: 'SIGKILL', cause: 'stop' });
    expect(exitCode(killed.effects)).toBe(137);
    // The next start's stop is judged afresh.
    const again = drive(running({ ...OFF, autorestart: 'always' }), [
      { type: 'stop-requested', signal: 'SIGTERM' },
      { type: 'exited', exit: { code: null, signal: 'SIGTERM' }, terminalStop: false },
      { type: 'grace-over' },
      { type: 'tree-ended', leftovers: [], lastTreeExit: { code: 0, signal: null }, lastForwarded: undefined },
    ]);
    expect(again.s.graceRanOut).toBe(false);
  });

  it('^C on the terminal is a stop: the rest of the tree gets it, no restart, exit 130', () => {
    const { s, effects } = drive(running({ ...OFF, autorestart: 'always' }), [
      { type: 'exited', exit: { code: null, signal: 'SIGINT' }, terminalStop: true },
      { type: 'tree-ended', leftovers: [], lastTreeExit: undefined, lastForwarded: undefined },
    ]);
    expect(types(effects)).toEqual(['signal-tree', 'finish-tree', 'emit container.exited', 'exit']);
    expect(effects[1]).toEqual({ type: 'finish-tree', wait: true });
    expect(s.state).toBe('stopped');
    expect(exitCode(effects)).toBe(130);
  });

  it('a stop tells no pitfall of what it killed', () => {
    const stopping = transition(running(), { type: 'stop-requested', signal: 'SIGTERM' }, settings, 2000).next;
    const { effects } = drive(stopping, [
      { type: 'exited', exit: { code: null, signal: 'SIGTERM' }, terminalStop: false },
      { type: 'tree-ended', leftovers: [{ pid: 50, command: 'sleep 9' }], lastTreeExit: undefined, lastForwarded: undefined },
    ]);
    expect(emitted(effects, 'pitfall')).toEqual([]);
  });
});

describe('a requested restart', () => {
  it('running only: the stop signal to the tree, then a start that counts against no budget', () => {
    const up = running({ ...OFF, autorestart: 'on_failure' });
    const asked = transition(up, { type: 'restart-requested' }, settings, 2000);
    expect(asked.next).toMatchObject({ state: 'stopping', restart: true });
    expect(asked.effects).toEqual([{ type: 'signal-tree', signal: 'SIGTERM' }]);
    const { s, effects } = drive(asked.next, [
      { type: 'exited', exit: { code: null, signal: 'SIGTERM' }, terminalStop: false },
      { type: 'tree-ended', leftovers: [], lastTreeExit: undefined, lastForwarded: undefined },
      { type: 'spawned', pid: 43 },
    ]);
    expect(emitted(effects, 'container.exited')[0]).toMatchObject({ cause: 'requested' });
    expect(emitted(effects, 'recovery.decision')).toEqual([]);
    expect(s).toMatchObject({ state: 'running', mode: 'restart', attempt: 2, uncounted: false });
    expect(s.history).toEqual([]);
  });

  it('refused (the same state back) while stopping, waiting, or stopped', () => {
    const stopping = transition(running(), { type: 'stop-requested', signal: 'SIGTERM' }, settings, 2000).next;
    for (const s of [stopping, initialSupervision(OFF), drive(running(), crashed()).s]) {
      expect(transition(s, { type: 'restart-requested' }, settings, 3000).next).toBe(s);
    }
  });

  it('a stop during the restart wins: no start', () => {
    const asked = transition(running({ ...OFF, autorestart: 'always' }), { type: 'restart-requested' }, settings, 2000).next;
    const { s, effects } = drive(asked, [
      { type: 'stop-requested', signal: 'SIGINT' },
      { type: 'exited', exit: { code: null, signal: 'SIGTERM' }, terminalStop: false },
      { type: 'tree-ended', leftovers: [], lastTreeExit: undefined, lastForwarded: undefined },
    ]);
    expect(s.state).toBe('stopped');
    // The app died of the restart's SIGTERM; the stop was a SIGINT: its 130, not procwarden's own 143.
    expect(emitted(effects, 'container.exited')[0]).toMatchObject({ cause: 'stop', signal: 'SIGINT' });
    expect(exitCode(effects)).toBe(130);
    expect(types(effects)).not.toContain('spawn');
  });
});

describe('what the tree left behind', () => {
  const ended = (leftovers: { pid: number; command: string }[], lastForwarded?: string, exit: AppExit = { code: 0, signal: null }) =>
    drive(running(), [
      { type: 'exited', exit, terminalStop: false },
      { type: 'tree-ended', leftovers, lastTreeExit: undefined, lastForwarded },
    ]).effects;

  it('the daemonized pitfall when the app exited and left processes running', () => {
    const [pitfall] = emitted(ended([{ pid: 50, command: 'nginx' }]), 'pitfall');
    expect(pitfall).toMatchObject({ rule: 'daemonized', leftovers: [{ pid: 50, command: 'nginx' }] });
  });

  it('a warning instead when a shell in front of the app died of a signal procwarden forwarded', () => {
    const effects = ended([{ pid: 50, command: 'server' }], 'SIGHUP', { code: null, signal: 'SIGHUP' });
    expect(emitted(effects, 'pitfall')).toEqual([]);
    expect(String(emitted(effects, 'procwarden.warning')[0]?.['detail'])).toMatch(/died of SIGHUP, which procwarden forwarded/);
  });
});

describe('a background crash (PROCWARDEN_BACKGROUND_EXIT=crash)', () => {
  it('kills the tree once, and its exit stands for the app', () => {
    const first = transition(running({ ...OFF }), { type: 'background-crash', exit: { code: 7, signal: null } }, settings, 2000);
    expect(first.effects).toEqual([{ type: 'kill-now' }]);
    expect(transition(first.next, { type: 'background-crash', exit: { code: 9, signal: null } }, settings, 2010).effects).toEqual([]);
    const { effects } = drive(first.next, crashed({ code: null, signal: 'SIGKILL' }));
    expect(emitted(effects, 'container.exited')[0]).toMatchObject({ code: 7, cause: 'crash' });
    expect(emitted(effects, 'pitfall')).toEqual([]);
    expect(exitCode(effects)).toBe(7);
  });

  it('means nothing once the app is stopping', () => {
    const stopping = transition(running(), { type: 'stop-requested', signal: 'SIGTERM' }, settings, 2000).next;
    expect(transition(stopping, { type: 'background-crash', exit: { code: 7, signal: null } }, settings, 2010).next).toBe(stopping);
  });
});

describe('a policy change', () => {
  it('applies in any state, and to the next decision', () => {
    const up = running();
    const changed = transition(up, { type: 'policy-changed', policy: { ...OFF, autorestart: 'always' } }, settings, 2000);
    expect(changed.effects).toEqual([]);
    expect(changed.next.state).toBe('running');
    const { s } = drive(changed.next, crashed());
    expect(s.state).toBe('starting');
  });
});

describe('inputs out of place', () => {
  it('an exit or a tree end with no process, or a tree end before the exit, change nothing', () => {
    const before = initialSupervision(OFF);
    expect(transition(before, { type: 'exited', exit: { code: 0, signal: null }, terminalStop: false }, settings, 0).next).toBe(before);
    const up = running();
    expect(transition(up, { type: 'tree-ended', leftovers: [], lastTreeExit: undefined, lastForwarded: undefined }, settings, 0).next).toBe(up);
    const finishing = transition(up, { type: 'exited', exit: { code: 0, signal: null }, terminalStop: false }, settings, 0).next;
    expect(transition(finishing, { type: 'exited', exit: { code: 1, signal: null }, terminalStop: false }, settings, 0).next).toBe(finishing);
  });
});

describe("a formation's instance (shared)", () => {
  const shared: Settings = { ...settings, process: 'worker.1', shared: true };
  const runningShared = (policy: Policy = OFF) => {
    let s = initialSupervision(policy);
    for (const input of [{ type: 'start' }, { type: 'spawned', pid: 42 }] as Input[]) s = transition(s, input, shared, 1000).next;
    return s;
  };
  const step = (s: Supervision, inputs: Input[]) => {
    const effects: Effect[] = [];
    for (const input of inputs) {
      const next = transition(s, input, shared, 2000);
      s = next.next;
      effects.push(...next.effects);
    }
    return { s, effects };
  };

  it('its events carry its name', () => {
    const { effects } = step(runningShared(), crashed());
    expect(emitted(effects, 'container.exited')[0]).toMatchObject({ process: 'worker.1' });
    expect(emitted(effects, 'recovery.decision')[0]).toMatchObject({ process: 'worker.1' });
  });

  it('a replace is the container\'s: the instance waits, stopped, and asks for it (no reset, no spawn of its own)', () => {
    const { s, effects } = step(runningShared({ ...OFF, autoreplace: 'on_failure' }), crashed());
    expect(s).toMatchObject({ state: 'stopped', over: false, mode: 'replace' });
    expect(effects.at(-1)).toEqual({ type: 'container-action', action: 'replace' });
    expect(types(effects)).not.toContain('reset');
    // The container's start after its reset: a spawn only, counted (the budget was this instance's).
    const restarted = transition(s, { type: 'start', mode: 'replace' }, shared, 3000);
    expect(types(restarted.effects)).toEqual(['spawn']);
    expect(transition(restarted.next, { type: 'spawned', pid: 43 }, shared, 3000).next.history.map(({ action }) => action)).toEqual(['replace']);
  });

  it('a recovery after the throttle is the container\'s too', () => {
    const policy = { ...OFF, recovery: true, throttleMs: 5000 };
    const first = step(runningShared(policy), [...crashed()]);
    expect(first.effects.at(-1)).toEqual({ type: 'container-action', action: 'recover' });
    const again = step(transition(transition(first.s, { type: 'start', mode: 'recover' }, shared, 2000).next, { type: 'spawned', pid: 43 }, shared, 2000).next, crashed());
    expect(again.s.state).toBe('waiting');
    const woken = transition(again.s, { type: 'timer' }, shared, 9000);
    expect(woken.next.state).toBe('stopped');
    expect(woken.effects).toEqual([{ type: 'container-action', action: 'recover' }]);
  });

  it('halt-requested: running stops gracefully and ends halted (cause formation), no decision, no exit', () => {
    const asked = transition(runningShared({ ...OFF, autorestart: 'always' }), { type: 'halt-requested' }, shared, 2000);
    expect(asked.next).toMatchObject({ state: 'stopping', halt: true });
    expect(asked.effects).toEqual([{ type: 'signal-tree', signal: 'SIGTERM' }]);
    const { s, effects } = step(asked.next, [
      { type: 'exited', exit: { code: null, signal: 'SIGTERM' }, terminalStop: false },
      { type: 'tree-ended', leftovers: [], lastTreeExit: undefined, lastForwarded: undefined },
    ]);
    expect(s).toMatchObject({ state: 'stopped', over: false });
    expect(types(effects)).toEqual(['finish-tree', 'emit container.exited', 'halted']);
    expect(emitted(effects, 'container.exited')[0]).toMatchObject({ cause: 'formation' });
    // Started again by the container, uncounted.
    const back = step(s, [{ type: 'start', mode: 'replace', uncounted: true }, { type: 'spawned', pid: 44 }]);
    expect(back.s).toMatchObject({ state: 'running', mode: 'replace', history: [] });
  });

  it('halt-requested while waiting or stopped: halted at once; while stopping: at the tree end; while over: nothing', () => {
    const policy = { ...OFF, recovery: true, throttleMs: 5000 };
    const first = step(runningShared(policy), crashed()).s;
    const waiting = step(transition(transition(first, { type: 'start', mode: 'recover' }, shared, 2000).next, { type: 'spawned', pid: 43 }, shared, 2000).next, crashed()).s;
    expect(waiting.state).toBe('waiting');
    expect(transition(waiting, { type: 'halt-requested' }, shared, 2500).effects).toEqual([{ type: 'halted' }]);
    expect(transition(first, { type: 'halt-requested' }, shared, 2500).effects).toEqual([{ type: 'halted' }]);
    const stopping = transition(runningShared(), { type: 'stop-requested', signal: 'SIGTERM' }, shared, 2000).next;
    expect(transition(stopping, { type: 'halt-requested' }, shared, 2000)).toMatchObject({ next: { halt: true }, effects: [] });
    const over = step(runningShared(), crashed()).s;
    expect(over.over).toBe(true);
    expect(transition(over, { type: 'halt-requested' }, shared, 3000).next).toBe(over);
  });

  it('a stop while halted ends it at once with its last exit', () => {
    const halted = step(runningShared({ ...OFF, autoreplace: 'always' }), crashed({ code: 3, signal: null })).s;
    const { s, effects } = step(halted, [{ type: 'stop-requested', signal: 'SIGTERM' }]);
    expect(s).toMatchObject({ state: 'stopped', over: true });
    expect(exitCode(effects)).toBe(3);
  });

  it("a one-shot type's end is no decision: the supervision is over with its code", () => {
    const oneShot: Settings = { ...shared, process: 'release.1', oneShot: true };
    let s = initialSupervision(OFF);
    const effects: Effect[] = [];
    for (const input of [{ type: 'start' }, { type: 'spawned', pid: 9 }, ...crashed({ code: 0, signal: null })] as Input[]) {
      const next = transition(s, input, oneShot, 1000);
      s = next.next;
      effects.push(...next.effects);
    }
    expect(emitted(effects, 'recovery.decision')).toEqual([]);
    expect(exitCode(effects)).toBe(0);
    expect(s.over).toBe(true);
  });
});

describe('the backoff and the waits', () => {
  const backoff = { firstMs: 1000, maxMs: 30_000, resetMs: 10_000 };
  const crashLoop = (policy: Policy, runMs: number, rounds: number) => {
    let s = running(policy);
    const delays: number[] = [];
    let now = 1010;
    for (let round = 0; round < rounds; round++) {
      now += runMs;
      let step = transition(s, { type: 'exited', exit: { code: 1, signal: null }, terminalStop: false }, settings, now);
      step = transition(step.next, { type: 'tree-ended', leftovers: [], lastTreeExit: undefined, lastForwarded: undefined }, settings, now);
      const arm = step.effects.find((effect) => effect.type === 'arm-timer');
      delays.push(arm && arm.type === 'arm-timer' ? arm.delayMs : 0);
      s = step.next;
      if (s.state === 'waiting') {
        now += arm && arm.type === 'arm-timer' ? arm.delayMs : 0;
        s = transition(s, { type: 'timer' }, settings, now).next;
      }
      if (s.state !== 'starting') break;
      s = transition(s, { type: 'spawned', pid: 100 + round }, settings, now).next;
    }
    return delays;
  };

  it('quick exits in a row wait 1 s, 2 s, 4 s ...; runs as long as the reset start again from 1 s', () => {
    const policy = { ...OFF, autorestart: 'always' as const, restartBudget: { tries: 10, windowMs: 60_000 }, backoff };
    expect(crashLoop(policy, 10, 4)).toEqual([1000, 2000, 4000, 8000]);
    expect(crashLoop(policy, 10_000, 3)).toEqual([1000, 1000, 1000]);
  });

  it('restart-requested while waiting: the pending start now, its timer cancelled', () => {
    const policy = { ...OFF, recovery: true, throttleMs: 60_000 };
    const first = drive(running(policy), [...crashed(), { type: 'spawned', pid: 43 }]).s;
    const waiting = drive(first, crashed(), 2000).s;
    expect(waiting.state).toBe('waiting');
    const now = transition(waiting, { type: 'restart-requested' }, settings, 3000);
    expect(now.next.state).toBe('starting');
    expect(types(now.effects)).toEqual(['cancel-timer', 'reset', 'spawn']);
  });

  it('policy-changed while waiting decides again from when the decision was taken', () => {
    const policy = { ...OFF, recovery: true, throttleMs: 60_000 };
    const first = drive(running(policy), [...crashed(), { type: 'spawned', pid: 43 }]).s;
    const waiting = drive(first, crashed(), 2000).s;
    // Recovery off: the pending start becomes a stop, with the app's code.
    const off = transition(waiting, { type: 'policy-changed', policy: { ...policy, recovery: false } }, settings, 5000);
    expect(off.next.state).toBe('stopped');
    expect(types(off.effects)).toEqual(['emit recovery.decision', 'exit']);
    // A shorter throttle: the wait is what is left of it, counted from the first decision.
    const shorter = transition(waiting, { type: 'policy-changed', policy: { ...policy, throttleMs: 10_000 } }, settings, 5000);
    expect(shorter.next.state).toBe('waiting');
    expect(shorter.effects.at(-1)).toEqual({ type: 'arm-timer', delayMs: 1020 + 10_000 - 5000 });
    // One already over: the start now.
    const over = transition(waiting, { type: 'policy-changed', policy: { ...policy, throttleMs: 1000 } }, settings, 5000);
    expect(types(over.effects)).toEqual(['emit recovery.decision', 'cancel-timer', 'reset', 'spawn']);
  });
});

describe('a failed health check', () => {
  it('running --health-failed--> stopping (the stop signal to the tree); the exit is cause unhealthy, and a failure for the policy', () => {
    const up = running({ ...OFF, autorestart: 'on_failure' });
    const asked = transition(up, { type: 'health-failed' }, settings, 2000);
    expect(asked.next).toMatchObject({ state: 'stopping', unhealthy: true });
    expect(asked.effects).toEqual([{ type: 'signal-tree', signal: 'SIGTERM' }]);
    // It drained and exited 0: still restarted by ON_FAILURE.
    const { effects } = drive(asked.next, crashed({ code: 0, signal: null }), 2010);
    expect(emitted(effects, 'container.exited')[0]).toMatchObject({ code: 0, cause: 'unhealthy' });
    expect(emitted(effects, 'recovery.decision')[0]).toMatchObject({ action: 'restart', reason: 'unhealthy; autorestart ON_FAILURE, 2 of 3 left in 1m' });
  });

  it('means nothing unless the app runs undisturbed', () => {
    const stopping = transition(running(), { type: 'stop-requested', signal: 'SIGTERM' }, settings, 2000).next;
    expect(transition(stopping, { type: 'health-failed' }, settings, 2010).next).toBe(stopping);
  });
});
