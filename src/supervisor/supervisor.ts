// The app's life under procwarden, as an explicit state machine:
//
//   starting ──▶ running ──(app exits)──▶ decide ──▶ starting (restart, replace, recover)
//                  │                         ├────▶ waiting ──(throttle over)──▶ starting
//                  │ SIGTERM/SIGINT          └────▶ stopped (stop: exit with the app's code)
//                  ▼
//               stopping ──(app exits, or SIGKILL after the grace)──▶ stopped
//
// A stop is never a crash: in `stopping` the app's exit ends procwarden, and a stop that
// arrives while `waiting` ends it at once, without another start. Before every start, no
// process of the previous tree is left: two copies of the app never run at once.

import type { Config } from '../config/config.ts';
import type { EventLog, ExitCause, PolicyView, StartMode } from '../events/events.ts';
import { preparePristine, type Pristine } from '../filesystem/pristine.ts';
import type { Libc } from '../native/libc.ts';
import { budgetsLeft, decide, failed, type PastStart } from '../policy/decide.ts';
import { canReplace, showPolicy, type Policy } from '../policy/policy.ts';
import { openControlSocket, type ControlSocket } from '../control/server.ts';
import type { ControlApi, PolicyChange } from '../control/protocol.ts';
import { parsePolicyFile } from '../control/policy-file.ts';
import { watchPolicyFile } from '../control/watch-policy-file.ts';
import { decodeWaitStatus, exitCodeFor, type AppExit } from '../process/exit-status.ts';
import { killDescendantsNow, killTree } from '../process/kill-tree.ts';
import { msSinceBoot } from '../process/process-table.ts';
import type { ProcStat } from '../process/proc-stat.ts';
import { PITFALL_MESSAGES } from '../lint/rules.ts';
import { startReaper } from '../process/reaper.ts';
import { spawnApp, type AppLaunch } from '../process/spawn-app.ts';
import { configureSignals, signalGroup } from '../signals/signals.ts';
import { monotonicMs } from '../clock/monotonic.ts';

export type SupervisorState = 'starting' | 'running' | 'stopping' | 'waiting' | 'stopped';

/** A background process that lived this long before exiting is worth a `background-exit` pitfall. */
const BACKGROUND_MIN_AGE_MS = 1000;

/** Signal listeners do not hold Node's event loop open; this handle does, and never fires in practice. */
const KEEP_ALIVE_MS = 2 ** 31 - 1;

/** What runs, as the events name it. */
export interface AppIdentity {
  readonly command: readonly string[];
  /** The Procfile process type, for a service. */
  readonly processType: string | undefined;
}

export async function supervise(
  config: Config,
  app: AppIdentity,
  libc: Libc,
  events: EventLog,
  launch: AppLaunch,
  /** What PROCWARDEN_POLICY_FILE said at start (already in config.policy), to watch from. */
  policyFileText?: string,
): Promise<number> {
  const keepAlive = setInterval(() => {}, KEEP_ALIVE_MS);
  const history: PastStart[] = [];
  let state: SupervisorState = 'stopped';
  let appPid = 0;
  let attempt = 0;
  let stopTimer: NodeJS.Timeout | undefined;
  let appExit = Promise.withResolvers<AppExit>();
  let stopRequested = false;
  /** The signal that asked for the stop: procwarden's code when it came before any app ran. */
  let stopSignal = 'SIGTERM';
  const stopRequest = Promise.withResolvers<void>();

  // After the grace, SIGKILL to everything, including processes that left the app's process
  // group (setsid) and so never saw the forwarded signal. One timer at a time: a second
  // stop or restart must not leave an earlier one to kill the next instance.
  const armGrace = (): void => {
    clearTimeout(stopTimer);
    stopTimer = setTimeout(killDescendantsNow, config.stopTimeoutMs);
  };

  const enter = (next: SupervisorState): void => {
    events.emit('supervisor.state', { from: state, to: next });
    state = next;
  };

  // A long-lived background process of the app's that exited (an orphan reaped by
  // procwarden); with PROCWARDEN_BACKGROUND_EXIT=crash, it stands for the app's exit.
  let backgroundCrash: AppExit | undefined;

  // Start times in /proc count from boot; read the boot clock once, not at every orphan's exit.
  const bootToMonotonicMs = msSinceBoot() - monotonicMs();
  const onBackgroundExit = (pid: number, exit: AppExit, zombie: ProcStat): void => {
    // Once one counts as the app's crash, the rest are procwarden's own killing.
    if (backgroundCrash) return;
    const ageMs = Math.round(bootToMonotonicMs + monotonicMs() - (zombie.startTicks * 1000) / libc.clockTicksPerSecond);
    if (ageMs < BACKGROUND_MIN_AGE_MS) return;
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

  const reaper = startReaper(libc, (pid, status, zombie) => {
    const exit = decodeWaitStatus(status);
    if (!exit) return;
    if (pid === appPid) appExit.resolve(exit);
    else if (state === 'running' && zombie) onBackgroundExit(pid, exit, zombie);
  });

  configureSignals(libc, {
    // pid 0 would mean procwarden's own group: only ever signal a started app.
    forward: (signal) => appPid > 0 && signalGroup(appPid, signal),
    stop: (signal) => {
      stopRequested = true;
      stopSignal = signal;
      stopRequest.resolve();
      if (state !== 'running') return;
      enter('stopping');
      armGrace();
    },
  });

  let policy = config.policy;
  let startedAt = 0;
  let mode: StartMode = 'initial';
  let restartRequested = false;
  /** The next start follows a requested restart: it counts against no budget. */
  let uncounted = false;

  // Applies to the next exit; the app is never restarted for it.
  const applyChange = (change: PolicyChange, source: 'socket' | 'file') => {
    const old = policy;
    policy = { ...policy, ...change };
    events.emit('policy.changed', { old: viewPolicy(old), new: viewPolicy(policy), source });
    // A replace or a recovery that has just become possible needs its snapshot now.
    if (!pristine.snapshot && canReplace(policy)) pristine = announce(preparePristine({ ...config, policy }, process.pid));
    return { old: viewPolicy(old), new: viewPolicy(policy) };
  };

  const control: ControlApi = {
    status: () => ({
      state,
      app: appPid > 0 ? { pid: appPid, attempt, mode, uptimeMs: Math.round(monotonicMs() - startedAt) } : null,
      policy: viewPolicy(policy),
      ...budgetsLeft(history, policy, monotonicMs()),
      history: history.slice(-HISTORY_SHOWN).map(({ action, at }) => ({ action, secondsAgo: Math.round((monotonicMs() - at) / 1000) })),
      pitfalls: events.pitfalls(),
    }),
    changePolicy: (change) => applyChange(change, 'socket'),
    restart() {
      if (state !== 'running') return false;
      restartRequested = true;
      signalGroup(appPid, 'SIGTERM');
      armGrace();
      return true;
    },
  };

  const finish = async (exit: AppExit): Promise<number> => {
    enter('stopped');
    clearInterval(keepAlive);
    // Opened, or still opening (an app that exits at once): closed either way, so that no
    // socket file outlives procwarden.
    const socket = await controlSocket;
    if (socket && 'path' in socket) socket.close();
    stopWatching?.();
    const code = exitCodeFor(exit);
    events.emit('procwarden.exit', { code });
    return code;
  };

  const announce = (prepared: Pristine): Pristine => {
    if (prepared.snapshot) for (const detail of config.warnings) events.emit('procwarden.warning', { detail });
    if (prepared.snapshot && 'error' in prepared.snapshot) events.emit('procwarden.warning', { detail: prepared.snapshot.error });
    else if (prepared.snapshot) events.emit('fs.snapshot', prepared.snapshot);
    return prepared;
  };
  // Before the app first runs: what a replace or a recovery puts back.
  let pristine = announce(preparePristine(config, process.pid));
  // Opened once the app has started: nobody needs it sooner, and it costs 3 to 6 ms.
  let controlSocket: Promise<ControlSocket> | undefined;
  const openControl = () =>
    openControlSocket(config.stateDir, control)
      .catch((error: Error) => ({ refused: error.message }))
      .then((socket) => {
        if ('refused' in socket) events.emit('procwarden.warning', { detail: `no control socket: ${socket.refused}` });
        return socket;
      });
  const stopWatching =
    config.policyFile && policyFileText !== undefined
      ? watchPolicyFile(config.policyFile, policyFileText, (text) => {
          const change = parsePolicyFile(text);
          if ('error' in change) events.emit('policy.rejected', { source: 'file', error: `${config.policyFile}: ${change.error}` });
          else if (Object.keys(change).length > 0) applyChange(change, 'file');
        })
      : undefined;

  for (;;) {
    // A stop that came while procwarden was getting ready (its socket, its snapshot): no start.
    if (stopRequested) return finish({ code: null, signal: stopSignal });
    enter('starting');
    if (mode === 'replace' || mode === 'recover') events.emit('fs.reset', pristine.reset());
    appExit = Promise.withResolvers<AppExit>();
    appPid = spawnApp(libc, launch);
    startedAt = monotonicMs();
    attempt += 1;
    if (mode !== 'initial' && !uncounted) history.push({ action: mode, at: startedAt });
    uncounted = false;
    events.emit('container.started', {
      pid: appPid,
      attempt,
      mode,
      command: app.command,
      ...(app.processType === undefined ? {} : { processType: app.processType }),
    });
    enter('running');
    controlSocket ??= openControl();

    const appExited = await appExit.promise;
    clearTimeout(stopTimer);
    const exit = backgroundCrash ?? appExited;
    const requested = restartRequested;
    restartRequested = false;
    const cause: ExitCause = stopRequested ? 'stop' : requested ? 'requested' : failed(exit) ? 'crash' : 'clean';
    const uptimeMs = Math.round(monotonicMs() - startedAt);
    events.emit('container.exited', { pid: appPid, attempt, code: exit.code, signal: exit.signal, uptimeMs, cause });
    appPid = 0;
    // Whatever the app left running goes with it, before anything else starts: as PID 1
    // the kernel would kill it anyway when procwarden exits; as a subreaper, nothing else would.
    const leftovers = await killTree(reaper);
    if (leftovers.length > 0 && !stopRequested && !requested && !backgroundCrash) {
      events.emit(
        'pitfall',
        {
          rule: 'daemonized',
          detail: `the app exited and left ${leftovers.length} process${leftovers.length === 1 ? '' : 'es'} running (${leftovers
            .map(({ pid, command }) => `${command} [${pid}]`)
            .join(', ')}): the app went to the background; they were killed`,
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

    const decision = decide(exit, history, policy, monotonicMs());
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

function viewPolicy(policy: Policy): PolicyView {
  return { autorestart: showPolicy(policy.autorestart), autoreplace: showPolicy(policy.autoreplace), recovery: policy.recovery ? 'ON' : 'OFF' };
}
