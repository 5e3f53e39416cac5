// Where signals go: forwarded to the app's process group, a stop begun on SIGTERM/SIGINT,
// everything else that could kill procwarden ignored.

import type { Libc } from '../native/libc.ts';
import { FORWARDED_SIGNALS, STOP_SIGNALS, signalsToIgnore, type ForwardedSignal } from './signal-table.ts';

export interface SignalRoutes {
  /** A signal to pass on to the app (its process group). */
  forward(signal: ForwardedSignal): void;
  /** SIGTERM or SIGINT arrived: begin a stop (after forwarding it). */
  stop(signal: ForwardedSignal): void;
}

export function configureSignals(libc: Libc, routes: SignalRoutes): void {
  for (const number of signalsToIgnore()) libc.ignoreSignal(number);
  // A listener on every forwarded signal, SIGUSR1 included: without one, SIGUSR1 would
  // make Node open its inspector on port 9229, remote code execution for anyone who can
  // signal PID 1.
  for (const signal of FORWARDED_SIGNALS) {
    process.on(signal, () => {
      routes.forward(signal);
      if (STOP_SIGNALS.has(signal)) routes.stop(signal);
    });
  }
}

/** kill(-pgid, signal), quietly: the group may already be gone. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | number): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}
