// The driver of the supervisor's transitions (transitions.ts): it turns signals, exits,
// requests and timers into inputs, and runs each step's effects (spawn, signal, kill the
// tree, reset, timers, events). What a step means is decided there, not here.

import type { Config } from '../config/config.ts';
import type { EventLog } from '../events/events.ts';
import { LIVE_SNAPSHOT_ADVICE, preparePristine, type Pristine } from '../filesystem/pristine.ts';
import type { Libc } from '../native/libc.ts';
import { budgetsLeft } from '../policy/decide.ts';
import { canReplace, recoversAtAll } from '../policy/policy.ts';
import { viewPolicy } from '../policy/settings.ts';
import { openControlSocket, type OpeningControlSocket } from '../control/server.ts';
import type { ControlApi, PolicyChange } from '../control/protocol.ts';
import { parsePolicyFile } from '../control/policy-file.ts';
import { watchPolicyFile } from '../control/watch-policy-file.ts';
import { decodeWaitStatus, signalName, type AppExit } from '../process/exit-status.ts';
import { killDescendantsNow, killTree, signalTree, waitForTree } from '../process/kill-tree.ts';
import { startReaper } from '../process/reaper.ts';
import { spawnApp, type AppLaunch } from '../process/spawn-app.ts';
import { configureSignals, signalGroup } from '../signals/signals.ts';
import { TERMINAL_STOP_SIGNALS } from '../signals/signal-table.ts';
import { closeSync } from 'node:fs';
import { monotonicMs } from '../clock/monotonic.ts';
import { watchBackgroundExits } from './background-exits.ts';
import { HISTORY_SHOWN, initialSupervision, transition, type Effect, type Input, type Settings, type Supervision } from './transitions.ts';

export type { SupervisorState } from './transitions.ts';

/** Signal listeners do not hold Node's event loop open; this handle does, and never fires in practice. */
const KEEP_ALIVE_MS = 2 ** 31 - 1;

/** What runs, as the events name it. */
export interface AppIdentity {
  readonly command: readonly string[];
  /** The Procfile process type, for a service. */
  readonly processType: string | undefined;
  /** The PORT a service listens on (its own, or foreman's 5000). */
  readonly port: number | undefined;
}

/**
 * Runs the app under `config`'s policy until the supervision is over. Resolves with
 * procwarden's exit code; rejects with a SpawnError when the app cannot be started.
 * `policyFileText`: what PROCWARDEN_POLICY_FILE said at start (already in config.policy), to watch from.
 */
export async function supervise(config: Config, app: AppIdentity, libc: Libc, events: EventLog, given: AppLaunch, policyFileText?: string): Promise<number> {
  const keepAlive = setInterval(() => {}, KEEP_ALIVE_MS);
  const settings: Settings = {
    stopSignal: config.stopSignals[0],
    exitRules: config.exitRules,
    command: app.command,
    ...(app.processType === undefined ? {} : { processType: app.processType }),
    ...(app.port === undefined ? {} : { port: app.port }),
  };
  const done = Promise.withResolvers<number>();
  let s: Supervision = initialSupervision(config.policy);
  let launch = given;
  /** The app's process group is the terminal's foreground (taken back when the app stops or ends). */
  let appHasTerminal = false;
  /** The first process of the latest start has ended (set as it is reaped, before anything else runs). */
  let appEnded = true;
  /** The exit of the last process of the app's tree to end after its first process. */
  let lastTreeExit: AppExit | undefined;
  /** The last signal forwarded to the app's group that is not a stop: it may have killed a shell in front of the app. */
  let lastForwarded: NodeJS.Signals | undefined;
  /** The descriptors procwarden was given, closed once the app had them (no policy could start it again). */
  let givenFdsClosed = false;
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
        const step = transition(s, next, settings, monotonicMs());
        s = step.next;
        if (s.state !== before.state) events.emit('supervisor.state', { from: before.state, to: s.state });
        for (const effect of step.effects) run(effect);
      }
    } catch (error) {
      inputs.length = 0;
      done.reject(error);
    } finally {
      stepping = false;
    }
  };

  // The grace of the stop under way: SIGKILL to what is left at its end. One timer at a
  // time: a second stop or restart must not leave an earlier one to kill the next instance.
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

  const background = watchBackgroundExits(config, libc, events, (exit) => dispatch({ type: 'background-crash', exit }));

  /** When procwarden last reaped a process (monotonic ms): the control socket waits for a quiet moment. */
  let lastReapAt = -Infinity;
  const reaper = startReaper(libc, (pid, status, zombie) => {
    lastReapAt = monotonicMs();
    const exit = decodeWaitStatus(status);
    if (!exit) return;
    if (pid === s.pid && !appEnded) {
      appEnded = true;
      lastTreeExit = undefined;
      const terminalStop = appHasTerminal && exit.signal !== null && TERMINAL_STOP_SIGNALS.has(exit.signal);
      takeTerminalBack();
      dispatch({ type: 'exited', exit, terminalStop });
    } else if (appEnded) {
      lastTreeExit = exit;
    } else if (s.state === 'running' && zombie) {
      // Only while the app runs undisturbed: what ends once procwarden stops or kills the
      // tree is procwarden's doing, never a pitfall of the app's.
      background.ended(pid, exit, zombie);
    }
  });

  if (launch.takeTerminal) {
    // ^Z stops the app's group (SIGTSTP); the kernel tells its parent with a SIGCHLD.
    process.on('SIGCHLD', () => {
      if (!appHasTerminal || s.pid === 0) return;
      const signal = libc.stoppedBy(s.pid);
      if (signal === 0) return;
      takeTerminalBack();
      events.emit('procwarden.warning', {
        detail: `the app was stopped (${signalName(signal)}); a container has no job control: SIGCONT to procwarden resumes it, ^C or a stop signal stops it`,
      });
    });
  }

  configureSignals(libc, config.stopSignals, {
    woken: () => reaper.reap(),
    forward: (signal) => {
      if (s.pid === 0) return;
      lastForwarded = signal;
      // SIGCONT resumes an app stopped by ^Z: it gets the terminal back first.
      if (signal === 'SIGCONT' && launch.takeTerminal && !appHasTerminal && s.state === 'running') {
        appHasTerminal = libc.setForeground(0, s.pid);
      }
      signalGroup(s.pid, signal);
    },
    stop: (signal) => {
      // On a terminal, the kernel sends SIGWINCH to the foreground group when the window is
      // resized: while procwarden holds the foreground, a SIGWINCH is a resize, not Apache's
      // stop signal (while the app holds it, resizes go to the app, not to procwarden).
      if (signal === 'SIGWINCH' && launch.takeTerminal && !appHasTerminal) {
        if (s.pid !== 0) signalGroup(s.pid, signal);
        return;
      }
      dispatch({ type: 'stop-requested', signal });
    },
  });

  /** The first process has ended: wait for its tree (a stop's), kill what is left, say so. */
  const finishTree = async (wait: boolean): Promise<Input> => {
    if (wait) await waitForTree(reaper, graceEndsAt);
    endGrace();
    background.tellUntold();
    // Whatever the app left running goes with it, before anything else starts: as PID 1
    // the kernel would kill it anyway when procwarden exits; as a subreaper, nothing else would.
    const leftovers = await killTree(reaper);
    return { type: 'tree-ended', leftovers, lastTreeExit, lastForwarded };
  };

  const afterSpawn = (): void => {
    // A plain init (no policy can start the app again) keeps no copy of the descriptors it
    // was given: the app's closing one must reach its peer (EOF on a readiness pipe).
    if (!givenFdsClosed && given.fds.length > 0 && !recoversAtAll(s.policy)) {
      for (const fd of given.fds) closeQuietly(fd);
      givenFdsClosed = true;
      launch = { ...launch, fds: [] };
    }
    controlTimer ??= setTimeout(function openWhenQuiet(waits = 0) {
      // Not in the middle of a storm of exits (2,000 orphans ending): its 3 to 6 ms would
      // delay their reaping. Waited for a quiet moment, up to a second.
      if (monotonicMs() - lastReapAt < CONTROL_DELAY_MS && waits < CONTROL_QUIET_WAITS) {
        controlTimer = setTimeout(openWhenQuiet, CONTROL_DELAY_MS, waits + 1);
        return;
      }
      controlSocket = openControl();
    }, CONTROL_DELAY_MS);
  };

  const run = (effect: Effect): void => {
    switch (effect.type) {
      case 'reset':
        events.emit('fs.reset', pristine.reset());
        return;
      case 'spawn': {
        lastForwarded = undefined;
        background.reset();
        const pid = spawnApp(libc, launch);
        appEnded = false;
        appHasTerminal = launch.takeTerminal;
        dispatch({ type: 'spawned', pid });
        afterSpawn();
        return;
      }
      case 'signal-tree':
        signalTree(s.lastPid, effect.signal as NodeJS.Signals);
        armGrace();
        return;
      case 'signal-group':
        signalGroup(s.pid, effect.signal as NodeJS.Signals);
        return;
      case 'kill-now':
        killDescendantsNow();
        return;
      case 'finish-tree':
        finishTree(effect.wait).then(dispatch, done.reject);
        return;
      case 'arm-timer':
        waitTimer = setTimeout(() => dispatch({ type: 'timer' }), effect.delayMs);
        return;
      case 'emit':
        events.emit(effect.event, effect.fields as never);
        return;
      case 'exit':
        finish(effect.code);
        return;
    }
  };

  /** The supervision is over: nothing of procwarden's own is left to hold it. */
  const finish = (code: number): void => {
    clearInterval(keepAlive);
    clearTimeout(waitTimer);
    // Opened, or still opening (an app that exits at once): closed either way, at once, so
    // that no socket file outlives procwarden and its exit never waits for the socket.
    clearTimeout(controlTimer);
    controlSocket?.close();
    stopWatching?.();
    events.emit('procwarden.exit', { code });
    done.resolve(code);
  };

  // Applies to the next exit; the app is never restarted for it.
  const applyChange = (change: PolicyChange, source: 'socket' | 'file') => {
    if (config.runsOnce) {
      const refused = `the ${app.processType ?? 'app'} process type runs once: its policy cannot change`;
      if (source === 'file') events.emit('policy.rejected', { source, error: refused });
      return { refused };
    }
    const old = s.policy;
    const policy = { ...old, ...change };
    dispatch({ type: 'policy-changed', policy });
    // A plain init is quiet; one whose policy now starts the app again has its events on
    // (and off again when it goes back to a plain init), unless PROCWARDEN_LOG_LEVEL says;
    // the change itself is said either way.
    const level = config.log.levelGiven || config.source.kind !== 'command' ? undefined : recoversAtAll(policy) ? 'info' : 'warn';
    if (level === 'info') events.setLevel(level);
    events.emit('policy.changed', { old: viewPolicy(old), new: viewPolicy(policy), source });
    if (level === 'warn') events.setLevel(level);
    // A replace or a recovery that has just become possible needs its snapshot now.
    if (!pristine.snapshot && canReplace(policy)) pristine = announce(preparePristine({ ...config, policy }, process.pid, 'live'));
    if (givenFdsClosed && recoversAtAll(policy)) {
      events.emit('procwarden.warning', {
        detail: `the descriptors procwarden was given (${given.fds.join(', ')}) were closed once the app had them, as no policy was on: an app started again runs without them`,
      });
    }
    return { old: viewPolicy(old), new: viewPolicy(policy) };
  };

  const control: ControlApi = {
    status: () => ({
      state: s.state,
      app: s.pid > 0 ? { pid: s.pid, attempt: s.attempt, mode: s.mode, uptimeMs: Math.round(monotonicMs() - s.startedAt) } : null,
      policy: viewPolicy(s.policy),
      ...budgetsLeft(s.history, s.policy, monotonicMs()),
      history: s.history.slice(-HISTORY_SHOWN).map(({ action, at }) => ({ action, secondsAgo: Math.round((monotonicMs() - at) / 1000) })),
      snapshot: viewSnapshot(pristine.snapshot),
      pitfalls: events.pitfalls(),
    }),
    changePolicy: (change) => applyChange(change, 'socket'),
    restart() {
      const before = s;
      dispatch({ type: 'restart-requested' });
      return s !== before;
    },
  };

  const announce = (prepared: Pristine): Pristine => {
    if (prepared.snapshot) for (const detail of config.warnings) events.emit('procwarden.warning', { detail });
    if (prepared.snapshot && 'error' in prepared.snapshot) events.emit('procwarden.warning', { detail: prepared.snapshot.error });
    else if (prepared.snapshot) {
      events.emit('fs.snapshot', prepared.snapshot);
      // Said as a warning too: a replace will put back this state, not a pristine one.
      if (prepared.snapshot.source === 'live') events.emit('procwarden.warning', { detail: `the snapshot was ${LIVE_SNAPSHOT_ADVICE}` });
    }
    return prepared;
  };
  // Before the app first runs: what a replace or a recovery puts back.
  let pristine = announce(preparePristine(config, process.pid, 'start'));
  // Opened once the app has run for CONTROL_DELAY_MS: nobody can ask sooner (a `docker
  // exec` takes longer than that to start), and opening it costs 3 to 6 ms (loading node:net,
  // the listen), which an app that exits at once (a one-off such as `true`) no longer pays.
  let controlSocket: OpeningControlSocket | undefined;
  let controlTimer: NodeJS.Timeout | undefined;
  const openControl = (): OpeningControlSocket => {
    const opening = openControlSocket(config.stateDir, control);
    void opening.ready.then((socket) => {
      if ('refused' in socket && s.state !== 'stopped') events.emit('procwarden.warning', { detail: `no control socket: ${socket.refused}` });
    });
    return opening;
  };
  const stopWatching =
    config.policyFile && policyFileText !== undefined
      ? watchPolicyFile(
          config.policyFile,
          policyFileText,
          (text) => {
            const change = parsePolicyFile(text);
            if ('error' in change) events.emit('policy.rejected', { source: 'file', error: `${config.policyFile}: ${change.error}` });
            else if (Object.keys(change).length > 0) applyChange(change, 'file');
          },
          (error) => events.emit('policy.rejected', { source: 'file', error: `${config.policyFile}: ${error}` }),
        )
      : undefined;

  // The snapshot took a while (a second for 100,000 files), and a signal that came meanwhile
  // waits in Node's signal pipe until the event loop runs: let it, so that a stop sent
  // during the snapshot starts no app.
  if (pristine.snapshot) await new Promise((resolve) => setImmediate(resolve));
  dispatch({ type: 'start' });
  return done.promise;
}

/** How long the app runs before the control socket opens (see controlSocket). */
const CONTROL_DELAY_MS = 10;
/** How many more CONTROL_DELAY_MS the socket waits for a moment with no reap (a second in all). */
const CONTROL_QUIET_WAITS = 100;

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Closed already.
  }
}

/** What `procwarden status` says of the snapshot: null when none was needed. */
function viewSnapshot(snapshot: Pristine['snapshot']): object | null {
  if (snapshot === undefined) return null;
  if ('error' in snapshot) return { error: snapshot.error };
  return { source: snapshot.source, entries: snapshot.entries, ...(snapshot.advice ? { advice: snapshot.advice } : {}) };
}
