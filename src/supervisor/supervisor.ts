// The container's supervision: one instance (a lone app) or a formation of several, each
// with its own transitions (instance.ts, transitions.ts). Here is what they share: the
// reaper and the signals, the control socket, the web interface and the policy file, the
// pristine snapshot, and what a formation does as a whole (the start order, a replace or a
// recovery of the container, its end).

import type { Config, PolicySources } from '../config/config.ts';
import type { EventLog } from '../events/events.ts';
import { LIVE_SNAPSHOT_ADVICE, preparePristine, type Pristine } from '../filesystem/pristine.ts';
import type { Libc } from '../native/libc.ts';
import { budgetsLeft } from '../policy/decide.ts';
import { canReplace, recoversAtAll, type Policy } from '../policy/policy.ts';
import { viewPolicy } from '../policy/settings.ts';
import { openControlSocket, type OpeningControlSocket } from '../control/server.ts';
import type { ControlApi, PolicyChange } from '../control/protocol.ts';
import { changedSince, healthSettings, parsePolicyFile, unknownTypeLines } from '../control/policy-file.ts';
import type { ProcfileEntry } from '../procfile/procfile.ts';
import type { HealthCheck } from '../health/health-config.ts';
import { watchPolicyFile } from '../control/watch-policy-file.ts';
import { createEventFeed } from '../web/event-feed.ts';
import { openWeb } from '../web/open-web.ts';
import { decodeWaitStatus, signalName } from '../process/exit-status.ts';
import { EVERYONE, type TreeScope } from '../process/kill-tree.ts';
import { environHas, membersOf } from '../process/ownership.ts';
import { environOf } from '../process/process-table.ts';
import { prefixedOutput, type PrefixedOutput } from '../process/prefix-output.ts';
import { ownGroups } from '../process/own-groups.ts';
import { startReaper } from '../process/reaper.ts';
import type { AppLaunch } from '../process/spawn-app.ts';
import { configureSignals, signalGroup } from '../signals/signals.ts';
import { closeSync } from 'node:fs';
import { monotonicMs } from '../clock/monotonic.ts';
import { createInstance, type Instance, type InstanceOwner } from './instance.ts';
import { HISTORY_SHOWN, type Settings } from './transitions.ts';
import { releaseHeapSoon } from '../runtime/release-heap.ts';

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

/** One instance to supervise. */
export interface InstanceSpec {
  /** A formation's instance name (`web.1`, also its PS variable); undefined for a lone app. */
  readonly name: string | undefined;
  readonly app: AppIdentity;
  readonly launch: AppLaunch;
  readonly policy: Policy;
  /** Where each setting of `policy` came from. */
  readonly sources: PolicySources;
  /** Its health check (PROCWARDEN_HEALTHCHECK, or the policy file's for its type). */
  readonly health?: HealthCheck | undefined;
  /** It runs once, to completion, before the others start (`release`, PROCWARDEN_ONE_SHOT_TYPES); its policy cannot change. */
  readonly oneShot: boolean;
}

/**
 * Runs the instances under their policies until the container's supervision is over.
 * Resolves with procwarden's exit code; rejects with a SpawnError when an app cannot be
 * started. `policyFileText`: what PROCWARDEN_POLICY_FILE said at start (already in each
 * spec's policy), to watch from. `procfile`: a service's Procfile (its path as said, its
 * entries), whose types a live change of the policy file is checked against.
 */
export async function supervise(
  config: Config,
  specs: readonly [InstanceSpec, ...InstanceSpec[]],
  libc: Libc,
  events: EventLog,
  policyFileText?: string,
  procfile?: { readonly file: string; readonly entries: readonly ProcfileEntry[] },
): Promise<number> {
  const keepAlive = setInterval(() => {}, KEEP_ALIVE_MS);
  // The web page's events, kept from before the first start (PROCWARDEN_HTTP only).
  const feed = config.http ? createEventFeed(events) : undefined;
  const done = Promise.withResolvers<number>();
  const shared = specs.length > 1;
  const given = specs[0].launch;
  /** The descriptors procwarden was given, closed once the apps had them (no policy could start one again). */
  let givenFdsClosed = false;

  /** When procwarden last reaped a process (monotonic ms): the control socket waits for a quiet moment. */
  let lastReapAt = -Infinity;
  const reaper = startReaper(libc, (pid, status, zombie) => {
    lastReapAt = monotonicMs();
    const exit = decodeWaitStatus(status);
    if (!exit) return;
    // The first process of an instance, else the instance whose group it was in; a lone app
    // owns everything below procwarden.
    const owner =
      instances.find(({ supervision }) => supervision.pid === pid) ??
      (shared ? instances.find(({ supervision }) => zombie !== undefined && supervision.lastPid === zombie.pgid) : instances[0]);
    owner?.reaped(pid, exit, zombie);
  });

  // The container's end: when an instance ends with no policy left, or a stop. Every other
  // instance is stopped gracefully; procwarden exits once all have.
  let ending = false;
  /** The first starts have been made (a stop before them ends each instance before it starts). */
  let begun = false;
  /** The code procwarden exits with: the instance's whose end stopped the container, else the first non-zero. */
  let endCode: number | undefined;
  const over = new Set<Instance>();
  const endContainer = (): void => {
    if (ending) return;
    ending = true;
    for (const instance of instances) {
      if (over.has(instance)) continue;
      // Never started (waiting for a one-shot type): nothing to stop.
      if (instance.supervision.attempt === 0 && instance.supervision.state === 'stopped') over.add(instance);
      else instance.dispatch({ type: 'stop-requested', signal: config.stopSignals[0] });
    }
    finishWhenAllOver();
  };
  const finishWhenAllOver = (): void => {
    if (instances.every((instance) => over.has(instance))) finish(endCode ?? 0);
  };

  // A formation's replace or recovery: every instance stops, the filesystem is reset once,
  // all start again. The instance that asked counts it against its budget; the others do not.
  let containerAction: { action: 'replace' | 'recover'; by: Set<Instance> } | undefined;
  const startAfterAction = (): void => {
    if (!containerAction || ending) return;
    const running = instances.some(({ supervision }) => !supervision.over && supervision.state !== 'stopped');
    if (running) return;
    const { action, by } = containerAction;
    containerAction = undefined;
    events.emit('fs.reset', pristine.reset());
    for (const instance of instances) {
      if (!instance.supervision.over) instance.dispatch({ type: 'start', mode: action, uncounted: !by.has(instance) });
    }
  };

  /** Starts what comes next in the start order: each one-shot instance in turn, then the rest at once. */
  const startNext = (): void => {
    if (ending) return;
    const oneShot = instances.find((instance) => specOf(instance).oneShot && !over.has(instance));
    if (oneShot) {
      if (oneShot.supervision.attempt === 0) oneShot.dispatch({ type: 'start' });
      return;
    }
    for (const instance of instances) if (instance.supervision.attempt === 0) instance.dispatch({ type: 'start' });
  };

  const owner: InstanceOwner = {
    reset: () => events.emit('fs.reset', pristine.reset()),
    spawned: () => afterSpawn(),
    containerAction(instance, action) {
      if (containerAction) containerAction.by.add(instance);
      else containerAction = { action, by: new Set([instance]) };
      for (const other of instances) if (other !== instance) other.dispatch({ type: 'halt-requested' });
      // Once the instance that asked is done with its step: all start in the formation's order.
      queueMicrotask(startAfterAction);
    },
    halted: () => queueMicrotask(startAfterAction),
    ended(instance, code) {
      over.add(instance);
      if (!shared) {
        finish(code);
        return;
      }
      // A one-shot type that succeeded: the start order goes on.
      if (specOf(instance).oneShot && code === 0 && !ending) {
        startNext();
        return;
      }
      if (!ending) endCode = code;
      else if (endCode === undefined && code !== 0) endCode = code;
      endContainer();
      finishWhenAllOver();
    },
    failed: (error) => done.reject(error),
  };

  const scopeOf = (name: string | undefined, instance: () => Instance): TreeScope =>
    name === undefined || !shared
      ? EVERYONE
      : (everyone) => membersOf(everyone, process.pid, instance().supervision.lastPid, (pid) => environHas(environOf(pid), `PS=${name}`));
  const specs_ = new Map<Instance, InstanceSpec>();
  const specOf = (instance: Instance): InstanceSpec => specs_.get(instance)!;
  const nameOf = (spec: InstanceSpec) => spec.name ?? spec.app.processType ?? 'app';
  const width = Math.max(...specs.map((spec) => nameOf(spec).length));
  const outputs: PrefixedOutput[] = [];
  const instances: Instance[] = specs.map((spec, index) => {
    const output = config.prefix ? prefixedOutput(libc, nameOf(spec), index, width) : undefined;
    if (output) outputs.push(output);
    const settings: Settings = {
      stopSignal: config.stopSignals[0],
      stopTimeoutMs: config.stopTimeoutMs,
      exitRules: config.exitRules,
      command: spec.app.command,
      ...(spec.app.processType === undefined ? {} : { processType: spec.app.processType }),
      ...(spec.app.port === undefined ? {} : { port: spec.app.port }),
      ...(spec.name === undefined || !shared ? {} : { process: spec.name, shared: true, ...(spec.oneShot ? { oneShot: true } : {}) }),
    };
    const instance: Instance = createInstance(config, settings, spec.policy, spec.launch, {
      libc,
      events,
      reaper,
      scope: scopeOf(spec.name, () => instance),
      owner,
      output,
      // A health check acts through the policy: a service's, or a one-off's that a flag turned on.
      health: spec.health && !spec.oneShot && (config.source.kind === 'procfile' || recoversAtAll(spec.policy)) ? spec.health : undefined,
    });
    specs_.set(instance, spec);
    return instance;
  });
  const lone = shared ? undefined : instances[0];
  /** Where each instance's policy settings came from, as changes arrive. */
  const sourcesOf = new Map(instances.map((instance) => [instance, { ...specOf(instance).sources }]));
  /** The last change of the policy file that was refused, and why. */
  let lastRejected: { error: string; at: string } | undefined;
  const rejected = (error: string): void => {
    lastRejected = { error, at: new Date().toISOString() };
    events.emit('policy.rejected', { source: 'file', error });
  };
  const typesOf = (type: string | undefined): Instance[] | { refused: string } => {
    if (type === undefined) return instances;
    const chosen = instances.filter((instance) => specOf(instance).app.processType === type);
    if (chosen.length > 0) return chosen;
    const types = [...new Set(specs.map(({ app }) => app.processType).filter(Boolean))];
    return { refused: `no process type '${type}' runs here (${types.join(', ') || 'a COMMAND runs'})` };
  };

  if (lone && specs[0].launch.takeTerminal) {
    // ^Z stops the app's group (SIGTSTP); the kernel tells its parent with a SIGCHLD.
    process.on('SIGCHLD', () => {
      const { pid } = lone.supervision;
      if (!lone.hasTerminal || pid === 0) return;
      const signal = libc.stoppedBy(pid);
      if (signal === 0) return;
      lone.takeTerminalBack();
      events.emit('procwarden.warning', {
        detail: `the app was stopped (${signalName(signal)}); a container has no job control: SIGCONT to procwarden resumes it, ^C or a stop signal stops it`,
      });
    });
  }

  configureSignals(libc, config.stopSignals, {
    woken: () => reaper.reap(),
    forward: (signal) => {
      for (const instance of instances) instance.forward(signal);
    },
    stop: (signal) => {
      // On a terminal, the kernel sends SIGWINCH to the foreground group when the window is
      // resized: while procwarden holds the foreground, a SIGWINCH is a resize, not Apache's
      // stop signal (while the app holds it, resizes go to the app, not to procwarden).
      if (signal === 'SIGWINCH' && given.takeTerminal && !lone?.hasTerminal) {
        for (const { supervision } of instances) if (supervision.pid !== 0) signalGroup(supervision.pid, signal);
        return;
      }
      ending = true;
      for (const instance of instances) {
        if (over.has(instance)) continue;
        // Waiting for a one-shot type to finish, never started: nothing to stop.
        if (begun && instance.supervision.attempt === 0 && instance.supervision.state === 'stopped') over.add(instance);
        else instance.dispatch({ type: 'stop-requested', signal });
      }
      if (begun) finishWhenAllOver();
    },
  });

  const afterSpawn = (): void => {
    // A plain init (no policy can start the app again) keeps no copy of the descriptors it
    // was given: the app's closing one must reach its peer (EOF on a readiness pipe).
    if (!givenFdsClosed && given.fds.length > 0 && instances.every(({ supervision }) => !recoversAtAll(supervision.policy))) {
      for (const fd of given.fds) closeQuietly(fd);
      givenFdsClosed = true;
      for (const instance of instances) instance.relaunch({ ...specOf(instance).launch, fds: [] });
    }
    controlTimer ??= setTimeout(function openWhenQuiet(waits = 0) {
      // Not in the middle of a storm of exits (2,000 orphans ending): its 3 to 6 ms would
      // delay their reaping. Waited for a quiet moment, up to a second.
      if (monotonicMs() - lastReapAt < CONTROL_DELAY_MS && waits < CONTROL_QUIET_WAITS) {
        controlTimer = setTimeout(openWhenQuiet, CONTROL_DELAY_MS, waits + 1);
        return;
      }
      controlSocket = openControl();
      if (config.http && feed) web = openWeb(config.http, controlFrom('http'), feed, events);
      // What the start left behind (procwarden's code read from its file, the code caches,
      // the garbage of reading the configuration) is given back once the app runs, in a
      // moment with no reap too: 3.8 MiB of private memory (bench/README.md, memory).
      releaseHeapSoon(() => monotonicMs() - lastReapAt < CONTROL_DELAY_MS);
    }, CONTROL_DELAY_MS);
  };

  /** The supervision is over: nothing of procwarden's own is left to hold it. */
  let finished = false;
  const finish = (code: number): void => {
    if (finished) return;
    finished = true;
    clearInterval(keepAlive);
    // Opened, or still opening (an app that exits at once): closed either way, at once, so
    // that no socket file outlives procwarden and its exit never waits for the socket.
    clearTimeout(controlTimer);
    controlSocket?.close();
    web?.close();
    stopWatching?.();
    for (const output of outputs) output.flush();
    events.emit('procwarden.exit', { code });
    // A health check under way was killed as its app ended: its processes are reaped before
    // procwarden exits (as a subreaper, it would leave their zombies to the init above it).
    if (ownGroups.size === 0) done.resolve(code);
    else void ownGroups.whenEmpty(OWN_GROUPS_WAIT_MS).then(() => done.resolve(code));
  };

  // Applies to the next exit; the app is never restarted for it.
  const applyChange = (change: PolicyChange, source: 'socket' | 'file' | 'http', type?: string) => {
    const chosen = typesOf(type);
    if ('refused' in chosen) {
      if (source === 'file') rejected(chosen.refused);
      return chosen;
    }
    const oneShot = chosen.find((instance) => specOf(instance).oneShot || (!shared && config.runsOnce));
    if (oneShot) {
      const refused = `the ${specOf(oneShot).app.processType ?? 'app'} process type runs once: its policy cannot change`;
      if (source === 'file') rejected(refused);
      return { refused };
    }
    const old = chosen[0]!.supervision.policy;
    const policy = { ...old, ...change };
    // A change that changes nothing says nothing.
    const changes = chosen.some(({ supervision }) => Object.entries(change).some(([key, value]) => supervision.policy[key as keyof PolicyChange] !== value));
    if (!changes) return { old: viewPolicy(old), new: viewPolicy(policy) };
    // A plain init is quiet; one whose policy now starts the app again has its events on
    // (and off again when it goes back to a plain init), unless PROCWARDEN_LOG_LEVEL says;
    // the change itself is said either way, before what it makes happen (a wait decided
    // again may end procwarden at once).
    const level = config.log.levelGiven || config.source.kind !== 'command' ? undefined : recoversAtAll(policy) ? 'info' : 'warn';
    if (level === 'info') events.setLevel(level);
    // The type is named where there are several to tell apart (README, events).
    const named = type !== undefined && new Set(specs.map(({ app }) => app.processType)).size > 1;
    events.emit('policy.changed', { old: viewPolicy(old), new: viewPolicy(policy), source, ...(named ? { processType: type } : {}) });
    for (const instance of chosen) {
      Object.assign(sourcesOf.get(instance)!, Object.fromEntries(Object.keys(change).map((key) => [key, source])));
      instance.dispatch({ type: 'policy-changed', policy: { ...instance.supervision.policy, ...change } });
    }
    // Quiet again only after what the change made happen (a wait's new decision) is said.
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

  /** What `procwarden status` says of one instance. */
  const view = (instance: Instance) => {
    const s = instance.supervision;
    const now = monotonicMs();
    const health = instance.health();
    const { lastExit, lastDecision, starts, exits } = instance.history();
    const { app } = specOf(instance);
    return {
      ...(app.processType === undefined ? {} : { processType: app.processType }),
      command: app.command,
      state: s.state,
      app: s.pid > 0 ? { pid: s.pid, attempt: s.attempt, mode: s.mode, uptimeMs: Math.round(now - s.startedAt) } : null,
      ...(health ? { health } : {}),
      lastExit: lastExit ?? null,
      lastDecision: lastDecision ?? null,
      // What comes next while waiting out a backoff or a throttle.
      nextStart: s.state === 'waiting' && lastDecision?.nextStartAt ? { mode: s.mode, at: lastDecision.nextStartAt } : null,
      starts,
      exits,
      policySources: sourcesOf.get(instance),
      policy: viewPolicy(s.policy),
      ...budgetsLeft(s.history, s.policy, now),
      history: s.history.slice(-HISTORY_SHOWN).map(({ action, at }) => ({ action, secondsAgo: Math.round((now - at) / 1000) })),
    };
  };
  /** The API of the control socket and of the web interface: the same calls, each change said with its source. */
  const controlFrom = (source: 'socket' | 'http'): ControlApi => ({
    status: () => ({
      ...view(instances[0]!),
      ...(shared ? { instances: instances.map((instance) => ({ process: specOf(instance).name, processType: specOf(instance).app.processType, ...view(instance) })) } : {}),
      snapshot: viewSnapshot(pristine.snapshot),
      policyFileRejected: lastRejected ?? null,
      pitfalls: events.pitfalls(),
    }),
    changePolicy: (change, type) => applyChange(change, source, type),
    restart(type) {
      const chosen = typesOf(type);
      if ('refused' in chosen) return chosen;
      let accepted = false;
      for (const instance of chosen) {
        const before = instance.supervision;
        instance.dispatch({ type: 'restart-requested' });
        accepted ||= instance.supervision !== before;
      }
      return accepted;
    },
  });

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
  // Before the apps first run: what a replace or a recovery puts back. A formation needs it
  // when any of its instances can be replaced or recovered.
  const anyReplace = specs.find(({ policy }) => canReplace(policy));
  let pristine = announce(preparePristine({ ...config, policy: anyReplace?.policy ?? specs[0].policy }, process.pid, 'start'));
  // Opened once the app has run for CONTROL_DELAY_MS: nobody can ask sooner (a `docker
  // exec` takes longer than that to start), and opening it costs 3 to 6 ms (loading node:net,
  // the listen), which an app that exits at once (a one-off such as `true`) no longer pays.
  let controlSocket: OpeningControlSocket | undefined;
  let controlTimer: NodeJS.Timeout | undefined;
  /** The web interface (PROCWARDEN_HTTP), opened with the control socket. */
  let web: { close(): void } | undefined;
  const openControl = (): OpeningControlSocket => {
    const opening = openControlSocket(config.stateDir, controlFrom('socket'));
    void opening.ready.then((socket) => {
      if ('refused' in socket && !finished) events.emit('procwarden.warning', { detail: `no control socket: ${socket.refused}` });
    });
    return opening;
  };
  const healthLines = (text: string) => JSON.stringify(specs.map(({ app }) => healthSettings(text, app.processType)));
  const healthAtStart = policyFileText === undefined ? '' : healthLines(policyFileText);
  /**
   * The file as last read right: what a change is compared with, so that each thing it says
   * (a change of the health lines, a line for a type the Procfile lacks) is said once.
   */
  let lastText = policyFileText ?? '';
  const fileChanged = (text: string): void => {
    const changes = parsePolicyFile(text);
    if ('error' in changes) {
      rejected(`${config.policyFile}: ${changes.error}`);
      return;
    }
    const previous = lastText;
    const previousChanges = parsePolicyFile(previous);
    lastText = text;
    // Said when they change, unless back to those the checks run with.
    const health = healthLines(text);
    if (health !== healthLines(previous) && health !== healthAtStart) rejected(`${config.policyFile}: health checks are read at start only: the change applies at procwarden's next start`);
    // As at start (main.ts): a line that sets nothing, for a type the Procfile lacks.
    if (procfile) for (const detail of unknownTypeLines(config.policyFile!, text, procfile, previous)) events.emit('procwarden.warning', { detail });
    // Each type that runs here takes the plain lines under its own, as at start; the lines of a
    // type that does not run here are another container's (one file may serve every container
    // of an app), and a type that runs once has no policy. Only what the edit changed applies:
    // a line left as it was undoes no flag or set made since (the latest wins).
    for (const type of new Set(instances.filter((instance) => !specOf(instance).oneShot).map((instance) => specOf(instance).app.processType))) {
      const change = changedSince(changes, 'error' in previousChanges ? new Map() : previousChanges, type);
      if (Object.keys(change).length > 0) applyChange(change, 'file', type);
    }
  };
  const stopWatching =
    config.policyFile && policyFileText !== undefined
      ? watchPolicyFile(config.policyFile, policyFileText, fileChanged, (error) => rejected(`${config.policyFile}: ${error}`))
      : undefined;

  // The snapshot took a while (a second for 100,000 files), and a signal that came meanwhile
  // waits in Node's signal pipe until the event loop runs: let it, so that a stop sent
  // during the snapshot starts no app.
  if (pristine.snapshot) await new Promise((resolve) => setImmediate(resolve));
  begun = true;
  if (ending) {
    for (const instance of instances) instance.dispatch({ type: 'start' });
  } else {
    startNext();
  }
  return done.promise;
}

/** How long the app runs before the control socket opens (see controlSocket). */
const CONTROL_DELAY_MS = 10;
/** How many more CONTROL_DELAY_MS the socket waits for a moment with no reap (a second in all). */
const CONTROL_QUIET_WAITS = 100;
/** Longest wait at procwarden's exit for a killed health check's processes to be reaped. */
const OWN_GROUPS_WAIT_MS = 1000;

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
