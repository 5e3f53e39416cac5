// The first thing procwarden's code does: listen for every signal it forwards, so that a stop
// sent to a young PID 1 is never dropped. As PID 1 of a pid namespace, a signal whose
// disposition is SIG_DFL is discarded by the kernel (a container's init cannot be killed by
// its own processes' signals), so until a handler exists, `docker stop` or a deleted pod is
// lost, and the engine's SIGKILL comes 10 s (or 30 s) later.
//
// Signals that arrive before the supervisor routes them are kept and handed over in order.
// What is left before this module runs is Node's own boot (tens of ms): Node installs a
// handler for SIGTERM and SIGINT early in it that resets itself when it fires (it restores
// the terminal, then re-raises the signal, which PID 1 then drops), so a caught bit missing
// from SigCgt in /proc/self/status tells that one came. Other signals sent then are gone:
// no init can catch a signal before it has a handler (bench/ measures that window).

import { constants } from 'node:os';
import { statusAtStart } from '../process/self-status.ts';
import { FORWARDED_SIGNALS } from './signal-table.ts';

type Route = (signal: NodeJS.Signals) => void;

const pending: NodeJS.Signals[] = [];
let route: Route = (signal) => void pending.push(signal);
const listener: Route = (signal) => route(signal);
const listened = new Set<NodeJS.Signals>();

/**
 * Node's early SIGTERM/SIGINT handler fired before this module ran: the signal it took, if
 * any, from `status` (/proc/self/status as read before procwarden's listeners).
 */
function firedBeforeListening(status: string | undefined): NodeJS.Signals | undefined {
  if (status === undefined) return undefined;
  const caught = /^SigCgt:\s*([0-9a-f]+)/m.exec(status)?.[1];
  if (caught === undefined) return undefined;
  const mask = BigInt(`0x${caught}`);
  const isCaught = (signal: 'SIGTERM' | 'SIGINT') => (mask & (1n << BigInt(constants.signals[signal] - 1))) !== 0n;
  // Node installs both together: only one missing means that one fired. Both missing means
  // this Node installed neither (an embedder's choice), not that both came.
  const term = isCaught('SIGTERM');
  const int = isCaught('SIGINT');
  if (term === int) return undefined;
  return term ? 'SIGINT' : 'SIGTERM';
}

/** Set at build: the standalone built from a V8 startup snapshot, whose build must not listen. */
declare const PROCWARDEN_SNAPSHOT: boolean;

let started = false;

/** Listens for the forwarded signals and keeps what comes; idempotent. Runs as this module loads. */
export function listenEarly(): void {
  if (started) return;
  started = true;
  // SIGTERM and SIGINT right after SigCgt is read, and read before it is looked at: one that
  // came between the read and the listener would meet Node's handler, which leaves no trace.
  // A first listener (SIGUSR2, a signal no stop is made of) sets up Node's signal machinery,
  // so that theirs are one sigaction each: a window of microseconds. The other stop signals
  // come after them, so that a stopper that waits for procwarden's own handlers (SIGQUIT's)
  // finds SIGTERM's too.
  const nodeHandled: NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];
  listenTo(['SIGUSR2']);
  const status = statusAtStart();
  listenTo(nodeHandled);
  const fired = firedBeforeListening(status);
  listenTo(FORWARDED_SIGNALS);
  if (fired) pending.push(fired);
}

if (typeof PROCWARDEN_SNAPSHOT === 'undefined' || !PROCWARDEN_SNAPSHOT) listenEarly();

/** Listens for more signals (a stop signal that is not forwarded by default, e.g. SIGPWR). */
export function listenTo(signals: readonly NodeJS.Signals[]): void {
  for (const signal of signals) {
    if (listened.has(signal)) continue;
    listened.add(signal);
    process.on(signal, listener);
  }
}

/** From now on every signal listened for goes to `next`; the ones kept so far first, in order. */
export function routeSignals(next: Route): void {
  route = next;
  for (const signal of pending.splice(0)) next(signal);
}

/**
 * For the subcommands (check, status, ...), which have no app to stop: the listeners go, and
 * a signal kept so far is raised again, so that it does what it would have done.
 */
export function releaseSignals(): void {
  for (const signal of listened) process.removeListener(signal, listener);
  listened.clear();
  for (const signal of pending.splice(0)) process.kill(process.pid, signal);
}
