// One supervised instance (a process type's, or a one-off): the driver of its transitions
// (transitions.ts). It turns its process's exit, signals and requests into inputs, and runs
// each step's effects on its own tree (spawn, signal, kill, timers, events); what concerns
// the whole container (the reset, the end, a formation's replace) goes to its owner.

import type { Config } from '../config/config.ts';
import type { EventLog } from '../events/events.ts';
import type { Libc } from '../native/libc.ts';
import type { Policy } from '../policy/policy.ts';
import type { AppExit } from '../process/exit-status.ts';
import { killDescendantsNow, killTree, signalTree, waitForTree, type TreeScope } from '../process/kill-tree.ts';
import type { PrefixedOutput } from '../process/prefix-output.ts';
import { expandPort, type HealthCheck } from '../health/health-config.ts';
import { watchHealth, type HealthView, type HealthWatch } from '../health/health-checker.ts';
import { oomKillCount } from '../process/oom.ts';
import type { ProcStat } from '../process/proc-stat.ts';
import type { Reaper } from '../process/reaper.ts';
import { spawnApp, type AppLaunch } from '../process/spawn-app.ts';
import { signalGroup } from '../signals/signals.ts';
import { TERMINAL_STOP_SIGNALS } from '../signals/signal-table.ts';
import { monotonicMs } from '../clock/monotonic.ts';
import { watchBackgroundExits } from './background-exits.ts';
import { initialSupervision, transition, type Effect, type Input, type Settings, type Supervision } from './transitions.ts';

/** What an instance asks of the container it runs in. */
export interface InstanceOwner {
  /** The filesystem reset before a lone app's replace or recovery. */
  reset(): void;
  /** The instance's first process has started. */
  spawned(instance: Instance): void;
  /** A formation's instance asks for the container's replace or recovery. */
  containerAction(instance: Instance, action: 'replace' | 'recover'): void;
  /** A formation's instance stopped for the container, ready to start again. */
  halted(instance: Instance): void;
  /** The instance's supervision is over: it would exit with `code`. */
  ended(instance: Instance, code: number): void;
  /** An effect failed (the app could not be started): procwarden cannot go on. */
  failed(error: unknown): void;
}

export interface Instance {
  readonly settings: Settings;
  /** Where it stands now. */
  readonly supervision: Supervision;
  /** The app's process group holds the terminal's foreground. */
  readonly hasTerminal: boolean;
  /** The running app's health, when a health check is set. */
  health(): HealthView | undefined;
  /** What has happened to it since procwarden started, for `procwarden status`. */
  history(): InstanceHistory;
  dispatch(input: Input): void;
  /** A child procwarden reaped: true when it was this instance's (its first process, or part of its tree that ended after it). */
  reaped(pid: number, exit: AppExit, zombie: ProcStat | undefined): boolean;
  /** A signal for the app (not a stop): to its process group. */
  forward(signal: NodeJS.Signals): void;
  /** The app was stopped (^Z): the terminal comes back to procwarden. */
  takeTerminalBack(): void;
  /** Replaces what the next spawn starts with (the descriptors closed once no policy needs them). */
  relaunch(launch: AppLaunch): void;
}

/** The last exit and decision of an instance, and its starts and exits counted, since procwarden started. */
export interface InstanceHistory {
  readonly lastExit?: { readonly code: number | null; readonly signal: string | null; readonly cause: string; readonly uptimeMs: number; readonly at: string };
  readonly lastDecision?: { readonly action: string; readonly reason: string; readonly at: string; readonly nextStartAt?: string };
  readonly starts: Readonly<Record<string, number>>;
  readonly exits: Readonly<Record<string, number>>;
}

/**
 * An instance of `launch` under `policy` and `config`'s stop settings, with its own transitions. `scope`:
 * which processes below procwarden are its tree; `output`: its output through procwarden
 * (PROCWARDEN_PREFIX), else it shares procwarden's. Nothing runs until its owner dispatches
 * `start`.
 */
export function createInstance(
  config: Config,
  settings: Settings,
  policy: Policy,
  launch: AppLaunch,
  deps: { libc: Libc; events: EventLog; reaper: Reaper; scope: TreeScope; owner: InstanceOwner; output?: PrefixedOutput | undefined; health?: HealthCheck | undefined },
): Instance {
  const { libc, events, reaper, scope, owner, output, health } = deps;
  /** The health checks of the app's current start. */
  let healthWatch: HealthWatch | undefined;
  /** The cgroup's OOM kills when the app started (read after the spawn, never delaying it). */
  let oomKillsAtStart: number | undefined;
  let s: Supervision = initialSupervision(policy);
  /** The app's process group is the terminal's foreground (taken back when the app stops or ends). */
  let appHasTerminal = false;
  /** The first process of the latest start has ended (set as it is reaped, before anything else runs). */
  let appEnded = true;
  /** The exit of the last process of the app's tree to end after its first process. */
  let lastTreeExit: AppExit | undefined;
  /** The last signal forwarded to the app's group that is not a stop: it may have killed a shell in front of the app. */
  let lastForwarded: NodeJS.Signals | undefined;
  let waitTimer: NodeJS.Timeout | undefined;

  // Inputs are handled one at a time, in the order they come; an effect's own input (the
  // spawn's `spawned`) waits for the effects before it.
  const inputs: Input[] = [];
  let stepping = false;
  const dispatch = (input: Input): void => {
    inputs.push(input);
    if (stepping) return;
    stepping = true;
    try {
      for (let next = inputs.shift(); next; next = inputs.shift()) {
        const before = s;
        const step = transition(s, next, settings, monotonicMs(), Date.now());
        s = step.next;
        if (s.state !== before.state) events.emit('supervisor.state', { from: before.state, to: s.state, ...(settings.process ? { process: settings.process } : {}) });
        for (const effect of step.effects) run(effect);
      }
    } catch (error) {
      inputs.length = 0;
      owner.failed(error);
    } finally {
      stepping = false;
    }
  };

  // The grace of the stop under way: SIGKILL to what is left at its end. One timer at a
  // time: a second stop or restart must not leave an earlier one to kill the next start.
  let graceTimer: NodeJS.Timeout | undefined;
  let graceEndsAt = Infinity;
  const armGrace = (): void => {
    if (graceTimer !== undefined) return;
    graceEndsAt = monotonicMs() + config.stopTimeoutMs;
    graceTimer = setTimeout(() => dispatch({ type: 'grace-over' }), config.stopTimeoutMs);
  };
  const endGrace = (): void => {
    clearTimeout(graceTimer);
    graceTimer = undefined;
    graceEndsAt = Infinity;
  };

  // With the terminal, ^C and ^\ reach the app's group, not procwarden: the app's foreground
  // must come back to procwarden whenever no app can take them (stopped by ^Z, or ended), or
  // the next ^C goes nowhere and a stopped app wedges the container.
  const takeTerminalBack = (): void => {
    if (!launch.takeTerminal) return;
    appHasTerminal = false;
    libc.setForeground(0, libc.processGroup);
  };

  // What `procwarden status` tells of the past, taken from the events as they are written.
  // Times are kept as Date.now() and written as ISO 8601 when a status asks: V8's first date
  // formatting reads the time zone, 0.2 to 0.9 ms, which an app's exit need not wait for.
  const starts: Record<string, number> = {};
  const exits: Record<string, number> = {};
  let lastExit: (Omit<NonNullable<InstanceHistory['lastExit']>, 'at'> & { atMs: number }) | undefined;
  let lastDecision: (Omit<NonNullable<InstanceHistory['lastDecision']>, 'at'> & { atMs: number }) | undefined;
  const remember = (effect: Extract<Effect, { type: 'emit' }>): void => {
    if (effect.event === 'container.started') starts[effect.fields.mode] = (starts[effect.fields.mode] ?? 0) + 1;
    if (effect.event === 'container.exited') {
      const { code, signal, cause, uptimeMs } = effect.fields;
      exits[cause] = (exits[cause] ?? 0) + 1;
      lastExit = { code, signal, cause, uptimeMs, atMs: Date.now() };
    }
    if (effect.event === 'recovery.decision') {
      const { action, reason, nextStartAt } = effect.fields;
      lastDecision = { action, reason, atMs: Date.now(), ...(nextStartAt === undefined ? {} : { nextStartAt }) };
    }
  };
  const history = (): InstanceHistory => {
    const dated = <T extends { atMs: number }>({ atMs, ...rest }: T) => ({ ...rest, at: new Date(atMs).toISOString() });
    return { ...(lastExit ? { lastExit: dated(lastExit) } : {}), ...(lastDecision ? { lastDecision: dated(lastDecision) } : {}), starts: { ...starts }, exits: { ...exits } };
  };

  const background = watchBackgroundExits(config, libc, events, (exit) => dispatch({ type: 'background-crash', exit }));

  /** The first process has ended: wait for its tree (a stop's), kill what is left, say so. */
  const finishTree = async (wait: boolean): Promise<Input> => {
    // The wait can reach the grace's end before the grace's timer fires: the grace is over all
    // the same, with the timer's input (its warning, its SIGKILL, the stop's 137), never
    // without them.
    if (wait && !(await waitForTree(reaper, graceEndsAt, scope)) && !s.graceRanOut) dispatch({ type: 'grace-over' });
    endGrace();
    background.tellUntold();
    // Whatever the app left running goes with it, before anything else starts: as PID 1
    // the kernel would kill it anyway when procwarden exits; as a subreaper, nothing else would.
    const leftovers = await killTree(reaper, scope);
    return { type: 'tree-ended', leftovers, lastTreeExit, lastForwarded };
  };

  const run = (effect: Effect): void => {
    switch (effect.type) {
      case 'reset':
        owner.reset();
        return;
      case 'spawn': {
        lastForwarded = undefined;
        background.reset();
        const pid = spawnApp(libc, launch, output?.open());
        output?.started();
        appEnded = false;
        oomKillsAtStart = oomKillCount();
        if (health) {
          const probe = expandPort(health.probe, settings.port);
          healthWatch = watchHealth(health, probe, environment(launch.env), events, () => dispatch({ type: 'health-failed' }), settings.process);
        }
        appHasTerminal = launch.takeTerminal;
        dispatch({ type: 'spawned', pid });
        owner.spawned(instance);
        return;
      }
      case 'signal-tree':
        signalTree(s.lastPid, effect.signal as NodeJS.Signals, scope);
        armGrace();
        return;
      case 'signal-group':
        signalGroup(s.pid, effect.signal as NodeJS.Signals);
        return;
      case 'kill-now':
        killDescendantsNow(scope);
        return;
      case 'finish-tree':
        finishTree(effect.wait).then(dispatch, owner.failed);
        return;
      case 'arm-timer':
        clearTimeout(waitTimer);
        waitTimer = setTimeout(() => dispatch({ type: 'timer' }), effect.delayMs);
        return;
      case 'cancel-timer':
        clearTimeout(waitTimer);
        waitTimer = undefined;
        return;
      case 'emit':
        remember(effect);
        events.emit(effect.event, effect.fields as never);
        return;
      case 'exit':
        clearTimeout(waitTimer);
        owner.ended(instance, effect.code);
        return;
      case 'container-action':
        owner.containerAction(instance, effect.action);
        return;
      case 'halted':
        clearTimeout(waitTimer);
        owner.halted(instance);
        return;
    }
  };

  const instance: Instance = {
    settings,
    get supervision() {
      return s;
    },
    get hasTerminal() {
      return appHasTerminal;
    },
    health: () => (s.pid > 0 ? healthWatch?.view() : undefined),
    history,
    dispatch,
    reaped(pid, exit, zombie) {
      if (pid === s.pid && !appEnded) {
        appEnded = true;
        healthWatch?.stop();
        lastTreeExit = undefined;
        const terminalStop = appHasTerminal && exit.signal !== null && TERMINAL_STOP_SIGNALS.has(exit.signal);
        takeTerminalBack();
        // SIGKILL while the cgroup counted an OOM kill: the kernel's OOM killer, not a crash of its own.
        const oom = exit.signal === 'SIGKILL' && oomKillsAtStart !== undefined && (oomKillCount() ?? 0) > oomKillsAtStart;
        dispatch({ type: 'exited', exit: oom ? { ...exit, oom: true } : exit, terminalStop });
        return true;
      }
      // What ends after the first process is its tree's; the owner hands only its own here.
      if (appEnded) {
        lastTreeExit = exit;
        return true;
      }
      // Only while the app runs undisturbed: what ends once procwarden stops or kills the
      // tree is procwarden's doing, never a pitfall of the app's.
      if (s.state === 'running' && zombie) background.ended(pid, exit, zombie);
      return true;
    },
    forward(signal) {
      if (s.pid === 0) return;
      lastForwarded = signal;
      // SIGCONT resumes an app stopped by ^Z: it gets the terminal back first.
      if (signal === 'SIGCONT' && launch.takeTerminal && !appHasTerminal && s.state === 'running') {
        appHasTerminal = libc.setForeground(0, s.pid);
      }
      signalGroup(s.pid, signal);
    },
    takeTerminalBack,
    relaunch(next) {
      launch = next;
    },
  };
  return instance;
}

/** The app's environment (NAME=value Buffers) as an object, for a health check's command. */
function environment(env: readonly Buffer[]): NodeJS.ProcessEnv {
  const result: NodeJS.ProcessEnv = {};
  for (const entry of env) {
    const text = entry.toString('utf8');
    const equals = text.indexOf('=');
    if (equals > 0) result[text.slice(0, equals)] = text.slice(equals + 1);
  }
  return result;
}
