// Where signals go: a stop signal begins a stop, every other forwarded signal goes to the
// app's process group, and everything else that could kill procwarden is ignored.

import type { Libc } from '../native/libc.ts';
import { listenTo, routeSignals } from './early-signals.ts';
import { signalsToIgnore } from './signal-table.ts';

export interface SignalRoutes {
  /**
   * Runs first at every signal that wakes procwarden. Node passes signals through a pipe of
   * its own, and a burst of them (a storm of SIGWINCH) fills it: the signals that come then
   * are dropped, SIGCHLD among them. The reaper must not depend on its SIGCHLD: a signal
   * that is handled after one was dropped reaps what is ready.
   */
  woken(): void;
  /** A signal to pass on to the app (its process group). */
  forward(signal: NodeJS.Signals): void;
  /** One of the stop signals arrived: begin a stop (the stop forwards it). */
  stop(signal: NodeJS.Signals): void;
}

/** Signals kept since start (early-signals.ts) are routed first, in the order they came. */
export function configureSignals(libc: Libc, stopSignals: readonly NodeJS.Signals[], routes: SignalRoutes): void {
  for (const number of signalsToIgnore(stopSignals)) libc.ignoreSignal(number);
  // Every forwarded signal has a listener from the start, SIGUSR1 included: without one,
  // SIGUSR1 would make Node open its inspector on port 9229, remote code execution for
  // anyone who can signal PID 1.
  listenTo(stopSignals);
  routeSignals((signal) => {
    routes.woken();
    if (stopSignals.includes(signal)) routes.stop(signal);
    else routes.forward(signal);
  });
}

/**
 * kill(-pgid, signal), quietly: the group may already be gone. A pgid of 0 or below is
 * refused: kill(0) and kill(-1) would signal procwarden's own group or every process.
 */
export function signalGroup(pgid: number, signal: NodeJS.Signals | number): boolean {
  if (!(pgid > 1)) return false;
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/** kill(pid, signal), quietly; never a pid of 1 or below (see signalGroup). */
export function signalProcess(pid: number, signal: NodeJS.Signals | number): boolean {
  if (!(pid > 1)) return false;
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}
