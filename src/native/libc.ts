// The few libc calls Node does not offer, through procwarden's native addon (libc-addon.c).
// Each call returns plain values or an errno, never a pointer, so the rest of procwarden
// stays free of native details.

import { beforeExitNow } from '../bundle/code-cache.ts';

export interface SpawnRequest {
  /** Program name or path; looked up in PATH when it has no '/'. */
  readonly file: Buffer;
  readonly argv: readonly Buffer[];
  readonly env: readonly Buffer[];
  /** Descriptors above 2 that the app inherits (0, 1 and 2 always are). */
  readonly fds: readonly number[];
  /** Make the app's new process group the foreground group of the terminal on fd 0. */
  readonly takeTerminal: boolean;
  /**
   * Set LISTEN_PID to the app's own pid in its environment, replacing any LISTEN_PID in
   * `env`: systemd's socket activation (sd_listen_fds(3)) ignores LISTEN_FDS unless
   * LISTEN_PID names the process reading it. Only the child knows its pid before exec.
   */
  readonly listenPid: boolean;
  /** Descriptors that become the app's stdout and stderr (pipes procwarden reads); its own when absent. */
  readonly stdout?: number;
  readonly stderr?: number;
}

export type SpawnResult = { readonly pid: number } | { readonly errno: number };

export interface WaitResult {
  readonly pid: number;
  readonly status: number;
}

export interface Libc {
  /** waitpid(pid, WNOHANG): the status if that child has changed state, else null. */
  reapIfExited(pid: number): WaitResult | null;
  /**
   * The pid of a child that has exited, left unreaped (waitid with WNOWAIT), or 0 when
   * none has: finds zombies in time that follows their number, not the number of children.
   */
  peekExitedChild(): number;
  /** Orphans of the app come to procwarden even when it is not PID 1. */
  becomeSubreaper(): boolean;
  /** SIG_IGN for a signal; the app still starts with SIG_DFL (spawn resets every signal). */
  ignoreSignal(signal: number): boolean;
  /** tcsetpgrp(fd, pgid): makes pgid the foreground process group of the terminal on fd; false when that fails. */
  setForeground(fd: number, pgid: number): boolean;
  /** getpgrp(): procwarden's own process group. */
  readonly processGroup: number;
  /**
   * The signal that stopped child `pid` (SIGTSTP from ^Z, SIGSTOP), once per stop: waitid
   * with WSTOPPED | WNOHANG, which takes the stop report but never reaps. 0 when it has not
   * stopped since the last call.
   */
  stoppedBy(pid: number): number;
  /** True when fd is a terminal whose foreground process group is procwarden's own. */
  ownsForegroundOf(fd: number): boolean;
  spawn(request: SpawnRequest): SpawnResult;
  /** A pipe: read and write ends, both close-on-exec. Throws an Error naming the errno when none can be made (out of descriptors). */
  pipe(): { readonly read: number; readonly write: number };
  /**
   * _exit(2): ends procwarden at once, without Node's teardown (disposing V8 and joining its
   * threads takes about 10 ms, which every container stop would wait for). Everything
   * procwarden writes is written synchronously, so nothing is lost.
   */
  exitNow(code: number): never;
  /** sysconf(_SC_CLK_TCK): the unit of start times in /proc/<pid>/stat. */
  readonly clockTicksPerSecond: number;
}

/**
 * The addon's exports, as libc-addon.c defines them: each member does what the Libc member of
 * the same name does, with numbers for results; every function throws TypeError when given
 * arguments of the wrong type.
 */
export interface LibcAddon {
  /** The wait status, or -1 when child `pid` has not changed state. */
  reapIfExited(pid: number): number;
  peekExitedChild(): number;
  /** Whether procwarden has any child, running or exited (waitid: not ECHILD); reaps nothing. */
  hasChildren(): boolean;
  stoppedBy(pid: number): number;
  becomeSubreaper(): boolean;
  ignoreSignal(signal: number): boolean;
  setForeground(fd: number, pgid: number): boolean;
  ownsForegroundOf(fd: number): boolean;
  exitNow(code: number): never;
  /** glibc's malloc_trim(0): malloc's free pages given back in every arena; whether any were. */
  trimMemory(): boolean;
  /** The child's pid, or -errno when it could not be started (clone failed) or could not exec (the child is reaped then). */
  spawn(file: Buffer, argv: readonly Buffer[], env: readonly Buffer[], fds: readonly number[], takeTerminal: boolean, listenPid: boolean, stdoutFd?: number, stderrFd?: number): number;
  /** [readFd, writeFd], both close-on-exec, or -errno. */
  pipe(): [number, number] | number;
  readonly processGroup: number;
  readonly clockTicksPerSecond: number;
}

/**
 * The Libc interface over the loaded addon. reapIfExited takes a child's pid (> 0): any
 * other value reaps nothing and returns null. Throws TypeError when a call is given
 * arguments of the wrong type.
 */
export function bindLibc(addon: LibcAddon): Libc {
  return {
    reapIfExited(pid) {
      const status = pid > 0 ? addon.reapIfExited(pid) : -1;
      return status < 0 ? null : { pid, status };
    },
    peekExitedChild: () => addon.peekExitedChild(),
    becomeSubreaper: () => addon.becomeSubreaper(),
    ignoreSignal: (signal) => addon.ignoreSignal(signal),
    setForeground: (fd, pgid) => addon.setForeground(fd, pgid),
    processGroup: addon.processGroup,
    stoppedBy: (pid) => addon.stoppedBy(pid),
    ownsForegroundOf: (fd) => addon.ownsForegroundOf(fd),
    spawn({ file, argv, env, fds, takeTerminal, listenPid, stdout = -1, stderr = -1 }) {
      const result = addon.spawn(file, argv, env, fds, takeTerminal, listenPid, stdout, stderr);
      return result > 0 ? { pid: result } : { errno: -result };
    },
    exitNow(code) {
      beforeExitNow();
      return addon.exitNow(code);
    },
    pipe() {
      const made = addon.pipe();
      if (typeof made === 'number') throw new Error(`pipe: errno ${-made}`);
      return { read: made[0], write: made[1] };
    },
    clockTicksPerSecond: addon.clockTicksPerSecond,
  };
}
