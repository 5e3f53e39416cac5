// Which signal procwarden does what with: data, so a new case is one row. Pure.

import { constants } from 'node:os';

/** Forwarded to the app's process group (spec section 2). */
export const FORWARDED_SIGNALS = [
  'SIGTERM',
  'SIGINT',
  'SIGHUP',
  'SIGQUIT',
  'SIGUSR1',
  'SIGUSR2',
  'SIGWINCH',
  'SIGALRM',
  'SIGCONT',
] as const satisfies readonly NodeJS.Signals[];

export type ForwardedSignal = (typeof FORWARDED_SIGNALS)[number];

/**
 * The default stop signals (PROCWARDEN_STOP_SIGNALS): forwarded, and they also begin a stop.
 * SIGTERM is Docker's default STOPSIGNAL and Kubernetes' stop; SIGINT is ^C; SIGQUIT is the
 * STOPSIGNAL of the official nginx and php-fpm images (a graceful shutdown for both). The
 * first is the one procwarden sends itself to stop the app (`procwarden restart`).
 */
export const DEFAULT_STOP_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGQUIT'] as const satisfies readonly ForwardedSignal[];

/** The signals a terminal sends its foreground process group: ^C and ^\ (termios VINTR, VQUIT). */
export const TERMINAL_STOP_SIGNALS: ReadonlySet<string> = new Set(['SIGINT', 'SIGQUIT']);

/** Signals procwarden leaves at their disposition, and why. */
export const LEFT_ALONE: ReadonlyMap<string, string> = new Map([
  ['SIGKILL', 'cannot be caught or ignored'],
  ['SIGSTOP', 'cannot be caught or ignored'],
  ['SIGCHLD', 'the reaper and libuv listen for it'],
  ['SIGPIPE', 'Node already ignores it'],
  ['SIGXFSZ', 'Node already ignores it'],
  // A fault in procwarden itself must end it, not loop on the faulting instruction.
  ['SIGSEGV', 'a fault in procwarden'],
  ['SIGBUS', 'a fault in procwarden'],
  ['SIGFPE', 'a fault in procwarden'],
  ['SIGILL', 'a fault in procwarden'],
  ['SIGABRT', 'raised by procwarden itself on a fatal error'],
  ['SIGTRAP', 'debuggers'],
  ['SIGSYS', 'a seccomp violation in procwarden'],
]);

/**
 * A signal as users write it (Docker's STOPSIGNAL accepts the same): `SIGTERM`, `TERM`,
 * `term` or `15`. Its name (`SIGTERM`), or undefined when it is no signal Node knows.
 */
export function parseSignal(text: string): NodeJS.Signals | undefined {
  const word = text.trim().toUpperCase();
  const signals = constants.signals as Record<string, number>;
  if (/^\d+$/.test(word)) {
    const number = Number(word);
    return Object.keys(signals).find((name) => signals[name] === number && name !== 'SIGIOT' && name !== 'SIGPOLL') as NodeJS.Signals | undefined;
  }
  const name = word.startsWith('SIG') ? word : `SIG${word}`;
  return signals[name] === undefined ? undefined : (name as NodeJS.Signals);
}

/** Whether a signal can be a stop signal: one procwarden can catch and leaves to nobody else. */
export function canBeStopSignal(name: string): boolean {
  return !LEFT_ALONE.has(name);
}

/** glibc keeps the first two real-time signals (32, 33) for its threads. */
const FIRST_RT_FOR_USERS = 34;
const LAST_SIGNAL = 64;

/**
 * Every other signal would kill (or stop) a procwarden that is not PID 1, and a burst of
 * them (SIGSTKFLT, real-time signals) has been seen to take a Node init down; so they are
 * ignored. The app still starts with every signal at SIG_DFL: its spawn resets them all.
 * SIGTTIN and SIGTTOU are among them: once the app owns the terminal, procwarden is a
 * background process, and a stopped PID 1 would hang the container.
 */
export function signalsToIgnore(stopSignals: readonly string[] = []): number[] {
  const keep = new Set<number>();
  for (const name of [...FORWARDED_SIGNALS, ...stopSignals, ...LEFT_ALONE.keys()]) {
    const number = (constants.signals as Record<string, number>)[name];
    if (number !== undefined) keep.add(number);
  }
  const ignore: number[] = [];
  for (let number = 1; number <= LAST_SIGNAL; number++) {
    if (number >= 32 && number < FIRST_RT_FOR_USERS) continue;
    if (!keep.has(number)) ignore.push(number);
  }
  return ignore;
}
