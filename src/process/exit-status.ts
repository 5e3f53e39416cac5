// What a wait status means, and the exit code procwarden gives for it. Pure.

import { constants } from 'node:os';

export interface AppExit {
  /** The exit code when the app exited, else null. */
  readonly code: number | null;
  /** The signal's name when a signal killed the app, else null. */
  readonly signal: string | null;
  /** The signal made the process dump core (WCOREDUMP). */
  readonly coreDumped?: boolean;
  /** The kernel's OOM killer ended it (its cgroup counted an OOM kill while it ran). */
  readonly oom?: boolean;
}

const SIGNAL_NAMES = new Map<number, string>(
  Object.entries(constants.signals).map(([name, number]) => [number, name]),
);

export function signalName(signal: number): string {
  return SIGNAL_NAMES.get(signal) ?? (signal >= 34 && signal <= 64 ? `SIGRTMIN+${signal - 34}` : `SIG${signal}`);
}

export function signalNumber(name: string): number | undefined {
  return (constants.signals as Record<string, number>)[name];
}

/** Decodes a status from waitpid(2) (WIFEXITED / WIFSIGNALED); null for stop/continue reports. */
export function decodeWaitStatus(status: number): AppExit | null {
  const termSignal = status & 0x7f;
  if (termSignal === 0) return { code: (status >> 8) & 0xff, signal: null };
  if (termSignal === 0x7f) return null; // stopped (WIFSTOPPED), not an exit
  if (status === 0xffff) return null; // continued (WIFCONTINUED)
  return { code: null, signal: signalName(termSignal), ...((status & 0x80) !== 0 ? { coreDumped: true } : {}) };
}

/**
 * The app's code, or 128+N when signal N killed it: what sh and bash report for a command
 * killed by a signal, and what tini and dumb-init exit with, so scripts read it the same way.
 */
export function exitCodeFor(exit: AppExit): number {
  if (exit.code !== null) return exit.code;
  const number = exit.signal === null ? undefined : (signalNumberOf(exit.signal));
  return 128 + (number ?? 0);
}

function signalNumberOf(name: string): number | undefined {
  const rt = /^SIGRTMIN\+(\d+)$/.exec(name);
  if (rt) return 34 + Number(rt[1]);
  const plain = /^SIG(\d+)$/.exec(name);
  if (plain) return Number(plain[1]);
  return signalNumber(name);
}
