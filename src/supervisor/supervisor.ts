// The app's life under procwarden:
//
//   starting ──▶ running ──(app exits)──▶ stopping: leftovers killed ──▶ decide ──▶ starting
//                  │                                                      ├──▶ waiting ──(throttle over)──▶ starting
//                  │ a stop signal, or `procwarden restart`               └──▶ stopped (exit with the app's code)
//                  ▼
//               stopping: the signal to the whole tree, then wait for every process of it
//                  │      until the grace is over, then SIGKILL to what is left
//                  ├──(a stop)──▶ stopped
//                  └──(a restart)──▶ starting
//
// A stop is never a crash: after one, the app's exit ends procwarden, and a stop that
// arrives while `waiting` ends it at once, without another start. Before every start, no
// process of the previous tree is left: two copies of the app never run at once.

import type { Config } from '../config/config.ts';
import type { EventLog, ExitCause, PolicyView, StartMode } from '../events/events.ts';
import { LIVE_SNAPSHOT_ADVICE, preparePristine, type Pristine } from '../filesystem/pristine.ts';
import type { Libc } from '../native/libc.ts';
import { budgetsLeft, decide, failed, pruneHistory, type PastStart } from '../policy/decide.ts';
import { matchesAny } from '../policy/exit-rules.ts';
import { canReplace, recoversAtAll, showPolicy, type Policy } from '../policy/policy.ts';
import { openControlSocket, type OpeningControlSocket } from '../control/server.ts';
import type { ControlApi, PolicyChange } from '../control/protocol.ts';
import { parsePolicyFile } from '../control/policy-file.ts';
import { watchPolicyFile } from '../control/watch-policy-file.ts';
import { decodeWaitStatus, exitCodeFor, signalName, type AppExit } from '../process/exit-status.ts';
import { killDescendantsNow, killTree, signalTree, waitForTree } from '../process/kill-tree.ts';
import { msSinceBoot } from '../process/process-table.ts';
import type { ProcStat } from '../process/proc-stat.ts';
import { PITFALL_MESSAGES } from '../lint/rules.ts';
import { startReaper } from '../process/reaper.ts';
import { spawnApp, type AppLaunch } from '../process/spawn-app.ts';
import { configureSignals, signalGroup } from '../signals/signals.ts';
import { TERMINAL_STOP_SIGNALS } from '../signals/signal-table.ts';
import { closeSync } from 'node:fs';
import { monotonicMs } from '../clock/monotonic.ts';

export type SupervisorState = 'starting' | 'running' | 'stopping' | 'waiting' | 'stopped';

/** A background process that lived this long before exiting is worth a `background-exit` pitfall. */
const BACKGROUND_MIN_AGE_MS = 1000;

/** background-exit pitfalls told one by one for one instance of the app; the rest are counted. */
const BACKGROUND_EXITS_TOLD = 10;

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

export async function supervise(
  config: Config,
  app: AppIdentity,
  libc: Libc,
  events: EventLog,
  given: AppLaunch,
  /** What PROCWARDEN_POLICY_FILE said at start (already in config.policy), to watch from. */
  policyFileText?: string,
): Promise<number> {
  const keepAlive = setInterval(() => {}, KEEP_ALIVE_MS);
  let launch = given;
  let history: PastStart[] = [];
  let state = 'stopped' as SupervisorState;
  /** The app's first process, also its process group's id; 0 while none runs. */
  let appPid = 0;
  let attempt = 0;
  let appExit = Promise.withResolvers<AppExit>();
  /** The grace of the stop under way: SIGKILL to what is left at its end. */
  let graceTimer: NodeJS.Timeout | undefined;
  let graceEndsAt = Infinity;
  let stopRequested = false;
  /** The signal that asked for the stop: procwarden's code when it came before any app ran. */
  let stopSignal: NodeJS.Signals = config.stopSignals[0];
  const stopRequest = Promise.withResolvers<void>();
  let restartRequested = false;
  /** The app's process group is the terminal's foreground (taken back when the app stops or ends). */
  let appHasTerminal = false;
  /** The app's first process has exited (set as it is reaped, before anything else runs). */
  let appEnded = false;
  /** The exit of the last process of the app's tree to end after its first process. */
  let lastTreeExit: AppExit | undefined;

  // After the grace, SIGKILL to everything, including processes that left the app's process
  // group (setsid). One timer at a time: a second stop or restart must not leave an earlier
  // one to kill the next instance.
  const armGrace = (): void => {
    if (graceTimer !== undefined) return;
    graceEndsAt = monotonicMs() + config.stopTimeoutMs;
    graceTimer = setTimeout(killDescendantsNow, config.stopTimeoutMs);
  };
  const endGrace = (): void => {
    clearTimeout(graceTimer);
    graceTimer = undefined;
    graceEndsAt = Infinity;
  };

  const enter = (next: SupervisorState): void => {
    events.emit('supervisor.state', { from: state, to: next });
    state = next;
  };

  // With the terminal, ^C and ^\ reach the app's group, not procwarden: the app's foreground
  // must come back to procwarden whenever no app can take them (stopped by ^Z, or ended), or
  // the next ^C goes nowhere and a stopped app wedges the container.
  const takeTerminalBack = (): void => {
    if (!launch.takeTerminal) return;
    appHasTerminal = false;
    libc.setForeground(0, libc.processGroup);
  };

  // A long-lived background process of the app's that exited (an orphan reaped by
  // procwarden); with PROCWARDEN_BACKGROUND_EXIT=crash, it stands for the app's exit.
  let backgroundCrash: AppExit | undefined;

  // Start times in /proc count from boot; read the boot clock once, not at every orphan's exit.
  const bootToMonotonicMs = msSinceBoot() - monotonicMs();
  /** background-exit pitfalls of this instance of the app so far, and those past the bound. */
  let backgroundExits = 0;
  let backgroundExitsUntold = 0;
  const onBackgroundExit = (pid: number, exit: AppExit, zombie: ProcStat): void => {
    // Once one counts as the app's crash, the rest are procwarden's own killing.
    if (backgroundCrash) return;
    const ageMs = Math.round(bootToMonotonicMs + monotonicMs() - (zombie.startTicks * 1000) / libc.clockTicksPerSecond);
    if (ageMs < BACKGROUND_MIN_AGE_MS) return;
    // A burst (2,000 orphans ending together) is one fact, not 2,000 lines: the first few are
    // told one by one, the rest counted and told once the app ends.
    if (backgroundExits >= BACKGROUND_EXITS_TOLD) {
      if (backgroundExitsUntold === 0) {
        events.emit('procwarden.warning', {
          detail: `${BACKGROUND_EXITS_TOLD} background processes of the app have ended while it goes on: further ones are counted, and told when the app ends`,
        });
      }
      backgroundExitsUntold += 1;
      return;
    }
    backgroundExits += 1;
    const crash = config.backgroundExit === 'crash';
    const how = exit.signal === null ? `exit code ${exit.code}` : exit.signal;
    events.emit(
      'pitfall',
      {
        rule: 'background-exit',
        detail: `${zombie.comm} (pid ${pid}) ran in the background for ${(ageMs / 1000).toFixed(1)} s and ended (${how}) while the app goes on${crash ? ': treated as a crash of the app' : ''}`,
        hint: crash
          ? 'run it in the foreground, or as a Procfile entry of its own'
          : 'run it in the foreground, or as a Procfile entry of its own; PROCWARDEN_BACKGROUND_EXIT=crash makes procwarden treat this as a crash',
        pid,
        command: zombie.comm,
        code: exit.code,
        signal: exit.signal,
        uptimeMs: ageMs,
      },
      PITFALL_MESSAGES['background-exit'],
    );
    if (!crash) return;
    backgroundCrash = exit;
    killDescendantsNow();
  };

  /** When procwarden last reaped a process (monotonic ms): the control socket waits for a quiet moment. */
  let lastReapAt = -Infinity;
  const reaper = startReaper(libc, (pid, status, zombie) => {
    lastReapAt = monotonicMs();
    const exit = decodeWaitStatus(status);
    if (!exit) return;
    if (pid === appPid && !appEnded) {
      appEnded = true;
      lastTreeExit = undefined;
      appExit.resolve(exit);
    } else if (appEnded) {
      lastTreeExit = exit;
    } else if (state === 'running' && zombie) {
      // Only while the app runs undisturbed: what ends once procwarden stops or kills the
      // tree is procwarden's doing, never a pitfall of the app's.
      onBackgroundExit(pid, exit, zombie);
    }
  });

  if (launch.takeTerminal) {
    // ^Z stops the app's group (SIGTSTP); the kernel tells its parent with a SIGCHLD.
    process.on('SIGCHLD', () => {
      if (!appHasTerminal || appPid === 0) return;
      const signal = libc.stoppedBy(appPid);
      if (signal === 0) return;
      takeTerminalBack();
      events.emit('procwarden.warning', {
        detail: `the app was stopped (${signalName(signal)}); a container has no job control: SIGCONT to procwarden resumes it, ^C or a stop signal stops it`,
      });
    });
  }

  // The stop of the app under way: the whole tree of the app whose process group is `pgid`
  // gets `signal`, and the grace begins.
  const stopApp = (signal: NodeJS.Signals, pgid = appPid): void => {
    enter('stopping');
    signalTree(pgid, signal);
    armGrace();
  };

  /** A stop is asked for (a stop signal, ^C on the app's terminal); true for the first. */
  const requestStop = (signal: NodeJS.Signals): boolean => {
    if (stopRequested) return false;
    stopRequested = true;
    stopSignal = signal;
    stopRequest.resolve();
    return true;
  };

  /** The last signal forwarded to the app's group that is not a stop: it may have killed a shell in front of the app. */
  let lastForwarded: NodeJS.Signals | undefined;

  configureSignals(libc, config.stopSignals, {
    woken: () => reaper.reap(),
    forward: (signal) => {
      if (appPid === 0) return;
      lastForwarded = signal;
      // SIGCONT resumes an app stopped by ^Z: it gets the terminal back first.
      if (signal === 'SIGCONT' && launch.takeTerminal && !appHasTerminal && state === 'running') {
        appHasTerminal = libc.setForeground(0, appPid);
      }
      signalGroup(appPid, signal);
    },
    stop: (signal) => {
      // On a terminal, the kernel sends SIGWINCH to the foreground group when the window is
      // resized: while procwarden holds the foreground, a SIGWINCH is a resize, not Apache's
      // stop signal (while the app holds it, resizes go to the app, not to procwarden).
      if (signal === 'SIGWINCH' && launch.takeTerminal && !appHasTerminal) {
        if (appPid !== 0) signalGroup(appPid, signal);
        return;
      }
      requestStop(signal);
      if (appPid === 0) return;
      // A second stop signal (a second ^C) during a stop goes to the app as it is.
      if (state === 'stopping') signalGroup(appPid, signal);
      else stopApp(signal);
    },
  });

  let policy = config.policy;
  let startedAt = 0;
  let mode: StartMode = 'initial';
  /** The next start follows a requested restart: it counts against no budget. */
  let uncounted = false;
  /** The descriptors procwarden was given, closed once the app had them (no policy could start it again). */
  let givenFdsClosed = false;

  // Applies to the next exit; the app is never restarted for it.
  const applyChange = (change: PolicyChange, source: 'socket' | 'file') => {
    if (config.runsOnce) {
      const refused = `the ${app.processType ?? 'app'} process type runs once: its policy cannot change`;
      if (source === 'file') events.emit('policy.rejected', { source, error: refused });
      return { refused };
    }
    const old = policy;
    policy = { ...policy, ...change };
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
      state,
      app: appPid > 0 ? { pid: appPid, attempt, mode, uptimeMs: Math.round(monotonicMs() - startedAt) } : null,
      policy: viewPolicy(policy),
      ...budgetsLeft(history, policy, monotonicMs()),
      history: history.slice(-HISTORY_SHOWN).map(({ action, at }) => ({ action, secondsAgo: Math.round((monotonicMs() - at) / 1000) })),
      snapshot: viewSnapshot(pristine.snapshot),
      pitfalls: events.pitfalls(),
    }),
    changePolicy: (change) => applyChange(change, 'socket'),
    restart() {
      // Only an app that runs undisturbed: not one that is already stopping or has exited.
      if (state !== 'running' || appPid === 0) return false;
      restartRequested = true;
      stopApp(config.stopSignals[0]);
      return true;
    },
  };

  /** What procwarden exits with: the app's code, 128+N for signal N, 0 for a PROCWARDEN_SUCCESS_EXIT. */
  const finish = async (exit: AppExit): Promise<number> => {
    enter('stopped');
    clearInterval(keepAlive);
    // Opened, or still opening (an app that exits at once): closed either way, at once, so
    // that no socket file outlives procwarden and its exit never waits for the socket.
    clearTimeout(controlTimer);
    controlSocket?.close();
    stopWatching?.();
    const code = matchesAny(exit, config.exitRules.success) ? 0 : exitCodeFor(exit);
    events.emit('procwarden.exit', { code });
    return code;
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
      if ('refused' in socket && state !== 'stopped') events.emit('procwarden.warning', { detail: `no control socket: ${socket.refused}` });
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
  for (;;) {
    // A stop that came while procwarden was getting ready (its socket, its snapshot), or
    // before it could even listen (early-signals.ts): no start.
    if (stopRequested) return finish({ code: null, signal: stopSignal });
    enter('starting');
    if (mode === 'replace' || mode === 'recover') events.emit('fs.reset', pristine.reset());
    appExit = Promise.withResolvers<AppExit>();
    appEnded = false;
    lastForwarded = undefined;
    backgroundExits = 0;
    backgroundExitsUntold = 0;
    appPid = spawnApp(libc, launch);
    appHasTerminal = launch.takeTerminal;
    startedAt = monotonicMs();
    attempt += 1;
    if (mode !== 'initial' && !uncounted) history = [...pruneHistory(history, policy, startedAt, HISTORY_SHOWN), { action: mode, at: startedAt }];
    uncounted = false;
    events.emit('container.started', {
      pid: appPid,
      attempt,
      mode,
      command: app.command,
      ...(app.processType === undefined ? {} : { processType: app.processType }),
      ...(app.port === undefined ? {} : { port: app.port }),
    });
    enter('running');
    // A plain init (no policy can start the app again) keeps no copy of the descriptors it
    // was given: the app's closing one must reach its peer (EOF on a readiness pipe).
    if (!givenFdsClosed && given.fds.length > 0 && !recoversAtAll(policy)) {
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

    const appExited = await appExit.promise;
    const terminalStop = appHasTerminal && appExited.signal !== null && TERMINAL_STOP_SIGNALS.has(appExited.signal);
    const diedInStop = state === 'stopping' || terminalStop;
    const exitedPid = appPid;
    appPid = 0;
    takeTerminalBack();
    // ^C or ^\ on the app's terminal went to its whole process group, not to procwarden: the
    // app ended as the user asked, a stop like a SIGINT to procwarden, never a crash. The rest
    // of the tree (what left the group) gets the signal too.
    if (terminalStop && requestStop(appExited.signal as NodeJS.Signals)) stopApp(stopSignal, exitedPid);
    if (state === 'running') enter('stopping');
    // A stop or a restart waits for the whole tree, up to the grace: the server that a shell
    // started drains its requests after the shell has died of the signal.
    if (diedInStop) await waitForTree(reaper, graceEndsAt);
    endGrace();
    const uptimeMs = Math.round(monotonicMs() - startedAt);
    if (backgroundExitsUntold > 0) {
      events.emit('procwarden.warning', { detail: `${backgroundExitsUntold} more background processes of the app ended while it ran, past the ${BACKGROUND_EXITS_TOLD} told one by one` });
    }
    // Whatever the app left running goes with it, before anything else starts: as PID 1
    // the kernel would kill it anyway when procwarden exits; as a subreaper, nothing else would.
    const leftovers = await killTree(reaper);
    const requested = restartRequested && !stopRequested;
    restartRequested = false;
    // The app's first process died of the stop's own signal (a shell) and its tree ended
    // after it: the stop's outcome is the last one's (a shell's server that drained and
    // exited 0 gives 0, as with exec; one SIGKILLed at the end of the grace, 137). A first
    // process that itself took the grace's SIGKILL gives 137, whatever ended after it.
    const exit = backgroundCrash ?? (diedInStop && appExited.signal === stopSignal && lastTreeExit ? lastTreeExit : appExited);
    const cause: ExitCause = stopRequested ? 'stop' : requested ? 'requested' : failed(exit, config.exitRules) ? 'crash' : 'clean';
    events.emit('container.exited', { pid: exitedPid, attempt, code: exit.code, signal: exit.signal, uptimeMs, cause });
    const left = leftovers.map(({ pid, command }) => `${command} [${pid}]`).join(', ');
    if (leftovers.length > 0 && !diedInStop && !backgroundCrash && appExited.signal !== null && appExited.signal === lastForwarded) {
      // Not the app going to the background: a shell in front of it died of a signal meant
      // for the app (dash dies of SIGHUP, SIGUSR1, SIGUSR2, SIGALRM), and took the app's place.
      events.emit('procwarden.warning', {
        detail: `the app's first process (${app.command.join(' ')}) died of ${appExited.signal}, which procwarden forwarded to its process group, and left ${left} running: killed. A shell in front of the app dies of signals meant for the app: start the app with exec (procwarden does for a Procfile line whose last command is a simple one)`,
      });
    } else if (leftovers.length > 0 && !diedInStop && !backgroundCrash) {
      events.emit(
        'pitfall',
        {
          rule: 'daemonized',
          detail: `the app exited and left ${leftovers.length} process${leftovers.length === 1 ? '' : 'es'} running (${left}): the app went to the background; they were killed`,
          hint: 'keep the app in the foreground: no &, nohup or daemon mode (procwarden check shows how)',
          leftovers,
        },
        PITFALL_MESSAGES.daemonized,
      );
    }
    backgroundCrash = undefined;
    // Also a stop that came while the tree was being killed: never a crash.
    if (stopRequested) return finish(exit);
    if (requested) {
      uncounted = true;
      mode = 'restart';
      continue;
    }

    const decision = decide(exit, history, policy, monotonicMs(), config.exitRules);
    events.emit(
      'recovery.decision',
      decision,
      decision.action === 'stop' ? 'container stays stopped' : 'container recovery initiated',
    );
    if (decision.action === 'stop') return finish(exit);
    if (decision.delayMs > 0) {
      enter('waiting');
      const throttle = Promise.withResolvers<'elapsed'>();
      const timer = setTimeout(() => throttle.resolve('elapsed'), decision.delayMs);
      const outcome = await Promise.race([throttle.promise, stopRequest.promise.then(() => 'stop' as const)]);
      clearTimeout(timer);
      if (outcome === 'stop') return finish(exit);
    }
    mode = decision.action;
  }
}

const HISTORY_SHOWN = 20;

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

function viewPolicy(policy: Policy): PolicyView {
  return { autorestart: showPolicy(policy.autorestart), autoreplace: showPolicy(policy.autoreplace), recovery: policy.recovery ? 'ON' : 'OFF' };
}
