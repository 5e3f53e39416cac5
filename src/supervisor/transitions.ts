// The supervisor's transitions: (state, input) -> (next state, effects), for one supervised
// process (an instance of a process type, or a one-off). Pure: no process, timer or clock;
// the driver (supervisor.ts) runs the effects and feeds back what they produce.
//
//   stopped ──start──▶ starting ──spawned──▶ running ──exited──────────────▶ stopping
//      ▲                 ▲   ▲                  │  stop-requested,              │ (the tree
//      │                 │   │                  │  restart-requested:           │  finishes)
//      │                 │   │                  └──signal the tree, grace──────▶│
//      │                 │   │                                                  ▼
//      │                 │   └──────restart, or a decision to start now────── tree-ended
//      │                 └──timer── waiting ◀──a decision to start later────────┤
//      └──────────────────────────── (exit) ◀──a stop, or a decision to stop────┘
//
// States and inputs are named as s6 and systemd name theirs. A stop is never a crash: after
// one, the app's exit ends the supervision, and a stop while `waiting` ends it at once. Before
// every start, no process of the previous tree is left (the driver's `finish-tree`): two
// copies of the app never run at once.

import type { EventFields, EventName, ExitCause, StartMode, SupervisorState } from '../events/events.ts';
import { decide, failed, pruneHistory, type PastStart } from '../policy/decide.ts';
import { matchesAny, type ExitRules } from '../policy/exit-rules.ts';
import type { Policy } from '../policy/policy.ts';
import { exitCodeFor, type AppExit } from '../process/exit-status.ts';

export type { SupervisorState };

/** Starts kept in `history` beyond what the budgets need, for `procwarden status`. */
export const HISTORY_SHOWN = 20;

/** What does not change while an instance is supervised. */
export interface Settings {
  /** The first stop signal: what a requested restart sends. */
  readonly stopSignal: string;
  /** PROCWARDEN_STOP_TIMEOUT, the grace (ms), for what the grace's end says. */
  readonly stopTimeoutMs?: number;
  readonly exitRules: ExitRules;
  /** As the events name it. */
  readonly command: readonly string[];
  readonly processType?: string;
  readonly port?: number;
  /** The instance's name in a formation (`web.1`), carried by its events. */
  readonly process?: string;
  /**
   * One instance of several: a replace or a recovery acts on the whole container (the driver
   * stops every instance, resets once, starts them all), and an end with no policy left
   * stops the container (see `container-action` and `exit`).
   */
  readonly shared?: boolean;
  /** A formation's one-shot type (`release`): it runs once; its end is no decision but the start order's next step. */
  readonly oneShot?: boolean;
}

/** One supervised instance, between two inputs. Times are ms on the monotonic clock. */
export interface Supervision {
  readonly state: SupervisorState;
  readonly policy: Policy;
  /** How the current start was made (or the next one will be). */
  readonly mode: StartMode;
  readonly attempt: number;
  /** The instance's first process, also its process group's id; 0 while none runs. */
  readonly pid: number;
  /** The first process of the latest start, after it has ended too (its process group's id). */
  readonly lastPid: number;
  readonly startedAt: number;
  readonly history: readonly PastStart[];
  /** A stop was asked for, with this signal. */
  readonly stop?: string | undefined;
  /** A requested restart is under way. */
  readonly restart: boolean;
  /** The next start follows a requested restart: it counts against no budget. */
  readonly uncounted: boolean;
  /** The first process's exit, while the rest of its tree finishes. */
  readonly exited?: AppExit | undefined;
  /** The first process ended during a stop (or of a stop on its terminal). */
  readonly diedInStop: boolean;
  /** The stop's grace ran out: procwarden SIGKILLed what was left of the tree. */
  readonly graceRanOut?: boolean;
  /** A background process's exit that stands for the app's (PROCWARDEN_BACKGROUND_EXIT=crash). */
  readonly backgroundCrash?: AppExit | undefined;
  /** The exit the last decision was about: what a stop while `waiting` exits with. */
  readonly lastExit?: AppExit | undefined;
  /** Stopped by procwarden because its health check failed. */
  readonly unhealthy?: boolean;
  /** The exit being decided on followed a failed health check (it counts as a failure). */
  readonly decidedUnhealthy?: boolean;
  /** Quick exits in a row (runs shorter than the backoff's reset), for the next decision's backoff. */
  readonly streak: number;
  /** When the decision a `waiting` instance waits on was taken (monotonic ms). */
  readonly decidedAt: number;
  /** Stopped for the container (another instance's replace, or its end): no decision, no exit. */
  readonly halt: boolean;
  /** The supervision is over for good (its `exit` effect is out). */
  readonly over: boolean;
}

/** What happened: a signal, a request, a process's end, a timer, an effect's outcome. */
export type Input =
  /** The first start; or, in a formation, a start the container asks for after a halt (the reset done). */
  | { readonly type: 'start'; readonly mode?: StartMode; readonly uncounted?: boolean }
  /** Stop for the container: the stop signal, and once the tree has ended, `halted` instead of a decision. */
  | { readonly type: 'halt-requested' }
  | { readonly type: 'spawned'; readonly pid: number }
  /** The first process exited; `terminalStop`: of ^C or ^\ on the terminal it held. */
  | { readonly type: 'exited'; readonly exit: AppExit; readonly terminalStop: boolean }
  | { readonly type: 'stop-requested'; readonly signal: string }
  | { readonly type: 'restart-requested' }
  | { readonly type: 'grace-over' }
  /** The health check failed RETRIES times in a row: the app is stopped gracefully, and its exit is a failure. */
  | { readonly type: 'health-failed' }
  | { readonly type: 'background-crash'; readonly exit: AppExit }
  | {
      readonly type: 'tree-ended';
      /** What was still running once the first process and the grace were over (then killed). */
      readonly leftovers: readonly { readonly pid: number; readonly command: string }[];
      /** The exit of the last process of the tree to end after the first. */
      readonly lastTreeExit: AppExit | undefined;
      /** The last signal forwarded to the group that was not a stop. */
      readonly lastForwarded: string | undefined;
    }
  | { readonly type: 'timer' }
  | { readonly type: 'policy-changed'; readonly policy: Policy };

/** An event to write, with its fields. */
export type Emit = { [E in EventName]: { readonly type: 'emit'; readonly event: E; readonly fields: EventFields[E] } }[EventName];

/** What the driver does, in order. */
export type Effect =
  /** Reset the filesystem to the pristine snapshot. */
  | { readonly type: 'reset' }
  /** Start the first process; the driver answers with `spawned`. */
  | { readonly type: 'spawn' }
  /** `signal` to the instance's process group and to what of its tree left it; then the grace. */
  | { readonly type: 'signal-tree'; readonly signal: string }
  /** `signal` to the instance's process group only. */
  | { readonly type: 'signal-group'; readonly signal: string }
  /** SIGKILL to the whole tree now. */
  | { readonly type: 'kill-now' }
  /** Wait for the tree (until the grace is over, when `wait`), then kill what is left; answered with `tree-ended`. */
  | { readonly type: 'finish-tree'; readonly wait: boolean }
  /** `timer` after `delayMs`, in place of any wait armed before. */
  | { readonly type: 'arm-timer'; readonly delayMs: number }
  /** The wait armed before is over without its `timer`. */
  | { readonly type: 'cancel-timer' }
  | Emit
  /** The supervision is over: exit with `code`. */
  | { readonly type: 'exit'; readonly code: number }
  /** A formation's instance: the container is to be replaced or recovered (the instance now waits, stopped). */
  | { readonly type: 'container-action'; readonly action: 'replace' | 'recover' }
  /** A formation's instance stopped for the container, ready to start again. */
  | { readonly type: 'halted' };

export interface Step {
  readonly next: Supervision;
  readonly effects: readonly Effect[];
}

/** The instance before its first start. */
export function initialSupervision(policy: Policy): Supervision {
  return { state: 'stopped', policy, mode: 'initial', attempt: 0, pid: 0, lastPid: 0, startedAt: 0, history: [], restart: false, uncounted: false, diedInStop: false, streak: 0, decidedAt: 0, halt: false, over: false };
}

const same = (s: Supervision): Step => ({ next: s, effects: [] });
const emit = <E extends EventName>(event: E, fields: EventFields[E]): Emit => ({ type: 'emit', event, fields }) as Emit;

/**
 * The next state and the effects of `input` in `s`, at `now` (monotonic ms; `wallNow`: the
 * wall clock, ms since the epoch, for the times a decision gives). An input that means
 * nothing in a state (a restart asked for while stopping, a timer of a wait that is over)
 * returns `s` itself with no effects: the driver tells a refused request that way.
 */
export function transition(s: Supervision, input: Input, settings: Settings, now: number, wallNow?: number): Step {
  const clock: Clock = { now, ...(wallNow === undefined ? {} : { wallNow }) };
  switch (input.type) {
    case 'start':
      if (s.state !== 'stopped' || s.over) return same(s);
      // A stop that came while procwarden was getting ready: no start.
      if (s.stop !== undefined) return finish(s, s.lastExit ?? { code: null, signal: s.stop }, settings);
      if (input.mode !== undefined) return { next: { ...s, state: 'starting', mode: input.mode, uncounted: input.uncounted ?? false, halt: false }, effects: [{ type: 'spawn' }] };
      return s.attempt > 0 ? same(s) : begin(s, settings);
    case 'halt-requested':
      return haltRequested(s, settings);
    case 'spawned':
      return s.state === 'starting' ? started(s, input.pid, settings, now) : same(s);
    case 'exited':
      return exited(s, input.exit, input.terminalStop);
    case 'stop-requested':
      return stopRequested(s, input.signal, settings);
    case 'restart-requested':
      // A wait (backoff, throttle) ends: the pending start happens now.
      if (s.state === 'waiting') return withEffects(begin({ ...s, streak: s.streak + 1 }, settings), [{ type: 'cancel-timer' }]);
      // Otherwise only an app that runs undisturbed: not one already stopping, or gone.
      if (s.state !== 'running' || s.pid === 0) return same(s);
      return { next: { ...s, state: 'stopping', restart: true }, effects: [{ type: 'signal-tree', signal: settings.stopSignal }] };
    case 'grace-over': {
      if (s.state !== 'stopping') return same(s);
      const grace = settings.stopTimeoutMs === undefined ? 'the grace' : `${settings.stopTimeoutMs / 1000} s`;
      const who = settings.process ?? 'the app';
      return { next: { ...s, graceRanOut: true }, effects: [emit('procwarden.warning', { detail: `${who} did not stop within ${grace} (PROCWARDEN_STOP_TIMEOUT): SIGKILL to what is left of its tree` }), { type: 'kill-now' }] };
    }
    case 'health-failed':
      if (s.state !== 'running' || s.pid === 0) return same(s);
      return { next: { ...s, state: 'stopping', unhealthy: true }, effects: [{ type: 'signal-tree', signal: settings.stopSignal }] };
    case 'background-crash':
      // Once one counts as the app's crash, the rest are procwarden's own killing.
      if (s.state !== 'running' || s.backgroundCrash) return same(s);
      return { next: { ...s, backgroundCrash: input.exit }, effects: [{ type: 'kill-now' }] };
    case 'tree-ended':
      return s.state === 'stopping' && s.exited ? treeEnded(s, input, settings, clock) : same(s);
    case 'timer':
      return s.state === 'waiting' ? begin({ ...s, streak: s.streak + 1 }, settings) : same(s);
    case 'policy-changed':
      // A wait's pending start is decided again under the new policy, from when it was decided.
      return s.state === 'waiting' ? redecide({ ...s, policy: input.policy }, settings, clock) : same({ ...s, policy: input.policy });
  }
}

/**
 * To `starting`: the reset first for a replace or a recovery, then the spawn. In a
 * formation, a replace or a recovery is the container's: the instance waits, stopped, for
 * the driver to stop the others, reset once and start them all.
 */
function begin(s: Supervision, settings: Settings): Step {
  if (s.mode === 'replace' || s.mode === 'recover') {
    if (settings.shared) return { next: { ...s, state: 'stopped' }, effects: [{ type: 'container-action', action: s.mode }] };
    return { next: { ...s, state: 'starting' }, effects: [{ type: 'reset' }, { type: 'spawn' }] };
  }
  return { next: { ...s, state: 'starting' }, effects: [{ type: 'spawn' }] };
}

/** Stopped for the container's sake: gracefully when running, at once when waiting or stopped. */
function haltRequested(s: Supervision, settings: Settings): Step {
  if (s.over) return same(s);
  switch (s.state) {
    case 'running':
      return { next: { ...s, state: 'stopping', halt: true }, effects: [{ type: 'signal-tree', signal: settings.stopSignal }] };
    case 'stopping':
      return same({ ...s, halt: true });
    case 'waiting':
    case 'stopped':
      return { next: { ...s, state: 'stopped', halt: true }, effects: [{ type: 'halted' }] };
    case 'starting':
      return same(s);
  }
}

function started(s: Supervision, pid: number, settings: Settings, now: number): Step {
  const counted = s.mode !== 'initial' && !s.uncounted;
  const history = counted ? [...pruneHistory(s.history, s.policy, now, HISTORY_SHOWN), { action: s.mode as 'restart', at: now }] : s.history;
  const next: Supervision = {
    ...s,
    state: 'running',
    pid,
    lastPid: pid,
    attempt: s.attempt + 1,
    startedAt: now,
    history,
    uncounted: false,
    exited: undefined,
    diedInStop: false,
    graceRanOut: false,
    backgroundCrash: undefined,
  };
  const { command, processType, port } = settings;
  const fields = {
    pid,
    attempt: next.attempt,
    mode: s.mode,
    command,
    ...(processType === undefined ? {} : { processType }),
    ...(port === undefined ? {} : { port }),
    ...named(settings),
  };
  return { next, effects: [emit('container.started', fields)] };
}

function exited(s: Supervision, exit: AppExit, terminalStop: boolean): Step {
  if ((s.state !== 'running' && s.state !== 'stopping') || s.exited) return same(s);
  const effects: Effect[] = [];
  let stop = s.stop;
  // ^C or ^\ on the app's terminal went to its whole process group, not to procwarden: the
  // app ended as the user asked, a stop like a SIGINT to procwarden, never a crash. The rest
  // of the tree (what left the group) gets the signal too.
  if (terminalStop && stop === undefined && exit.signal !== null) {
    stop = exit.signal;
    effects.push({ type: 'signal-tree', signal: stop });
  }
  const diedInStop = s.state === 'stopping' || terminalStop;
  // A stop or a restart waits for the whole tree, up to the grace: the server that a shell
  // started drains its requests after the shell has died of the signal.
  effects.push({ type: 'finish-tree', wait: diedInStop });
  return { next: { ...s, state: 'stopping', ...(stop === undefined ? {} : { stop }), exited: exit, diedInStop, pid: 0 }, effects };
}

function stopRequested(s: Supervision, signal: string, settings: Settings): Step {
  const first = s.stop === undefined;
  const stopping = { ...s, stop: s.stop ?? signal };
  switch (s.state) {
    case 'stopped':
      // Halted for the container (a formation's): nothing runs, the stop ends it at once.
      if (s.attempt > 0 && !s.over && first) return finish(stopping, s.lastExit ?? { code: null, signal }, settings);
      return same(stopping);
    case 'starting':
      return same(stopping);
    case 'running':
      return { next: { ...stopping, state: 'stopping' }, effects: [{ type: 'signal-tree', signal }] };
    case 'stopping':
      // A second stop signal (a second ^C), or a stop during a restart, goes to the app as
      // it is; once the first process has ended, there is no group left to tell.
      return { next: stopping, effects: s.pid === 0 ? [] : [{ type: 'signal-group', signal }] };
    case 'waiting':
      return first ? finish(stopping, s.lastExit ?? { code: null, signal }, settings) : same(s);
  }
}

/** Monotonic now and, when known, the wall clock (ms). */
interface Clock {
  readonly now: number;
  readonly wallNow?: number;
}

/** What a tree whose stop's grace ran out ended of: procwarden's SIGKILL. */
const KILLED_AT_GRACE: AppExit = { code: null, signal: 'SIGKILL' };

function treeEnded(s: Supervision, ended: Extract<Input, { type: 'tree-ended' }>, settings: Settings, { now, wallNow }: Clock): Step {
  const first = s.exited!;
  const stopSignal = s.stop ?? settings.stopSignal;
  const requested = s.restart && s.stop === undefined;
  // The first process died of the stop's own signal (a shell) and its tree ended after it:
  // the stop's outcome is the last one's (a shell's server that drained and exited 0 gives
  // 0, as with exec). Once the grace ran out it is SIGKILL's, 137, as Docker reports after
  // its stop timeout: whichever process of the tree procwarden happened to reap last (a
  // `sleep` that the shell forked just before the kill, ending on its own after it) does
  // not change that.
  // A stop that came while a requested restart was under way, the app dead of the restart's
  // own signal: the stop's outcome is the stop's signal, never the SIGTERM procwarden sent
  // itself.
  const ofRestart = s.restart && s.stop !== undefined && s.stop !== settings.stopSignal && first.signal === settings.stopSignal;
  const lastOfTree = ended.lastTreeExit && (s.graceRanOut ? KILLED_AT_GRACE : ended.lastTreeExit);
  const exit = s.backgroundCrash ?? (ofRestart ? { code: null, signal: s.stop! } : s.diedInStop && first.signal === stopSignal && lastOfTree ? lastOfTree : first);
  const cause: ExitCause =
    s.stop !== undefined ? 'stop' : s.halt ? 'formation' : requested ? 'requested' : s.unhealthy ? 'unhealthy' : failed(exit, settings.exitRules) ? 'crash' : 'clean';
  const effects: Effect[] = [
    emit('container.exited', {
      pid: s.lastPid,
      attempt: s.attempt,
      code: exit.code,
      signal: exit.signal,
      uptimeMs: Math.round(now - s.startedAt),
      cause,
      ...(first.oom ? { oom: true as const } : {}),
      ...(first.coreDumped ? { coreDumped: true as const } : {}),
      ...named(settings),
    }),
    ...leftoverNotice(s, first, ended, settings),
  ];
  const after: Supervision = { ...s, restart: false, lastExit: exit, backgroundCrash: undefined, graceRanOut: false, unhealthy: false, decidedUnhealthy: s.unhealthy === true && s.stop === undefined && !s.halt && !requested };
  if (s.stop !== undefined) return finish(after, exit, settings, effects);
  if (s.halt) return { next: { ...after, state: 'stopped' }, effects: [...effects, { type: 'halted' }] };
  if (requested) return withEffects(begin({ ...after, mode: 'restart', uncounted: true }, settings), effects);
  if (settings.oneShot) return finish(after, exit, settings, effects);

  // A run as long as the backoff's reset starts the count of quick exits again.
  const backoff = s.policy.backoff;
  const streak = backoff && now - s.startedAt >= backoff.resetMs ? 0 : s.streak;
  return withEffects(decideAndGo({ ...after, streak, decidedAt: now }, settings, { now, ...(wallNow === undefined ? {} : { wallNow }) }, now), effects);
}

/**
 * The policy's decision about `s.lastExit`, taken at `s.decidedAt`, acted on at `now`: a
 * stop, a start now, or a wait for what is left of its delay.
 */
function decideAndGo(s: Supervision, settings: Settings, clock: Clock, now: number): Step {
  const exit = s.lastExit!;
  const wallAt = clock.wallNow === undefined ? undefined : clock.wallNow - (now - s.decidedAt);
  const decision = decide(exit, s.history, s.policy, s.decidedAt, settings.exitRules, {
    streak: s.streak,
    ...(wallAt === undefined ? {} : { wallNow: wallAt }),
    ...(s.decidedUnhealthy ? { unhealthy: true } : {}),
  });
  const effects: Effect[] = [emit('recovery.decision', { ...decision, ...named(settings) })];
  if (decision.action === 'stop') return finish(s, exit, settings, effects);
  const next: Supervision = { ...s, mode: decision.action };
  const leftMs = s.decidedAt + decision.delayMs - now;
  if (leftMs > 0) return { next: { ...next, state: 'waiting' }, effects: [...effects, { type: 'arm-timer', delayMs: Math.ceil(leftMs) }] };
  return withEffects(begin({ ...next, streak: s.streak + 1 }, settings), [...effects, ...(s.state === 'waiting' ? [{ type: 'cancel-timer' } as const] : [])]);
}

/** A policy change while waiting: the pending start decided again (a stop, a start now, or another wait). */
function redecide(s: Supervision, settings: Settings, clock: Clock): Step {
  return decideAndGo(s, settings, clock, clock.now);
}

/**
 * What the tree left behind, said once it is killed: a shell in front of the app that died of
 * a signal meant for the app, or the app gone to the background (the daemonized pitfall).
 * Nothing for what procwarden stopped or killed itself.
 */
function leftoverNotice(s: Supervision, first: AppExit, ended: Extract<Input, { type: 'tree-ended' }>, settings: Settings): Effect[] {
  const { leftovers } = ended;
  if (leftovers.length === 0 || s.diedInStop || s.backgroundCrash) return [];
  const left = leftovers.map(({ pid, command }) => `${command} [${pid}]`).join(', ');
  if (first.signal !== null && first.signal === ended.lastForwarded) {
    // Not the app going to the background: a shell in front of it died of a signal meant
    // for the app (dash dies of SIGHUP, SIGUSR1, SIGUSR2, SIGALRM), and took the app's place.
    return [
      emit('procwarden.warning', {
        detail: `the app's first process (${settings.command.join(' ')}) died of ${first.signal}, which procwarden forwarded to its process group, and left ${left} running: killed. A shell in front of the app dies of signals meant for the app: start the app with exec (procwarden does for a Procfile line whose last command is a simple one)`,
      }),
    ];
  }
  return [
    emit(
      'pitfall',
      {
        rule: 'daemonized',
        detail: `the app exited and left ${leftovers.length} process${leftovers.length === 1 ? '' : 'es'} running (${left}): the app went to the background; they were killed`,
        hint: 'keep the app in the foreground: no &, nohup or daemon mode (procwarden check shows how)',
        leftovers,
      },
    ),
  ];
}

/** To `stopped`, for good: procwarden exits with the app's code, 128+N for signal N, 0 for a PROCWARDEN_SUCCESS_EXIT. */
function finish(s: Supervision, exit: AppExit, settings: Settings, before: readonly Effect[] = []): Step {
  const code = matchesAny(exit, settings.exitRules.success) ? 0 : exitCodeFor(exit);
  return { next: { ...s, state: 'stopped', pid: 0, over: true }, effects: [...before, { type: 'exit', code }] };
}

/** `{ process: 'web.1' }` for a formation's instance, else nothing. */
const named = (settings: Settings): { process?: string } => (settings.process === undefined ? {} : { process: settings.process });

function withEffects(step: Step, before: readonly Effect[]): Step {
  return { next: step.next, effects: [...before, ...step.effects] };
}
