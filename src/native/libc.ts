// The few libc calls Node does not offer, through koffi. Each wrapper returns plain values
// or an errno, never a pointer, so the rest of procwarden stays free of FFI details.

import type { KoffiApi } from './koffi-loader.ts';

const WNOHANG = 1;
const WEXITED = 4;
const WNOWAIT = 0x01000000;
const P_ALL = 0;
/** siginfo_t is 128 bytes; si_pid is at offset 16 on x86_64. */
const SIGINFO_BYTES = 128;
const SI_PID_OFFSET = 16;
/** si_status, the stop signal for a CLD_STOPPED report. */
const SI_STATUS_OFFSET = 24;
const P_PID = 1;
const WSTOPPED = 2;
const PR_SET_CHILD_SUBREAPER = 36;
const SIG_IGN = 1;
const SIG_ERR = -1;

// <spawn.h> flags (glibc).
const POSIX_SPAWN_SETPGROUP = 0x02;
const POSIX_SPAWN_SETSIGDEF = 0x04;
const POSIX_SPAWN_SETSIGMASK = 0x08;

// Opaque glibc structures, allocated generously: posix_spawnattr_t is 336 bytes,
// posix_spawn_file_actions_t 80 and sigset_t 128 on x86_64.
const OPAQUE_BYTES = 512;

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
  /** Whether this libc can hand the terminal to the app (glibc 2.35 and newer). */
  readonly canHandTerminal: boolean;
  spawn(request: SpawnRequest): SpawnResult;
  /**
   * _exit(2): ends procwarden at once, without Node's teardown (disposing V8 and joining its
   * threads takes about 10 ms, which every container stop would wait for). Everything
   * procwarden writes is written synchronously, so nothing is lost.
   */
  exitNow(code: number): never;
  /** sysconf(_SC_CLK_TCK): the unit of start times in /proc/<pid>/stat. */
  readonly clockTicksPerSecond: number;
}

export function bindLibc(koffi: KoffiApi): Libc {
  const lib = koffi.load('libc.so.6');
  const waitpid = lib.func('int waitpid(int pid, _Out_ int *status, int options)');
  const waitid = lib.func('int waitid(int idtype, int id, void *infop, int options)');
  const siginfo = Buffer.alloc(SIGINFO_BYTES);
  const prctl = lib.func('int prctl(int option, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5)');
  const signal = lib.func('intptr_t signal(int signum, intptr_t handler)');
  const getpgrp = lib.func('int getpgrp(void)');
  const tcgetpgrp = lib.func('int tcgetpgrp(int fd)');
  const tcsetpgrp = lib.func('int tcsetpgrp(int fd, int pgrp)');
  const stopInfo = Buffer.alloc(SIGINFO_BYTES);
  const isatty = lib.func('int isatty(int fd)');
  const exit = lib.func('void _exit(int status)');
  const sysconf = lib.func('long sysconf(int name)');
  const SC_CLK_TCK = 2;

  const attrInit = lib.func('int posix_spawnattr_init(void *attr)');
  const attrDestroy = lib.func('int posix_spawnattr_destroy(void *attr)');
  const attrSetFlags = lib.func('int posix_spawnattr_setflags(void *attr, short flags)');
  const attrSetPgroup = lib.func('int posix_spawnattr_setpgroup(void *attr, int pgroup)');
  const attrSetSigDefault = lib.func('int posix_spawnattr_setsigdefault(void *attr, void *sigset)');
  const attrSetSigMask = lib.func('int posix_spawnattr_setsigmask(void *attr, void *sigset)');
  const actionsInit = lib.func('int posix_spawn_file_actions_init(void *actions)');
  const actionsDestroy = lib.func('int posix_spawn_file_actions_destroy(void *actions)');
  const actionsDup2 = lib.func('int posix_spawn_file_actions_adddup2(void *actions, int fd, int newfd)');
  const sigfillset = lib.func('int sigfillset(void *set)');
  const sigemptyset = lib.func('int sigemptyset(void *set)');
  const posixSpawnp = lib.func(
    'int posix_spawnp(_Out_ int *pid, const char *file, void *actions, void *attr, void **argv, void **envp)',
  );
  let actionsTcsetpgrp: ((actions: Buffer, fd: number) => number) | undefined;
  try {
    actionsTcsetpgrp = lib.func('int posix_spawn_file_actions_addtcsetpgrp_np(void *actions, int fd)');
  } catch {
    actionsTcsetpgrp = undefined;
  }

  const cString = (bytes: Buffer): Buffer => Buffer.concat([bytes, Buffer.alloc(1)]);

  return {
    reapIfExited(pid) {
      const status = [0];
      const result = waitpid(pid, status, WNOHANG) as number;
      return result > 0 ? { pid: result, status: status[0] ?? 0 } : null;
    },
    peekExitedChild() {
      siginfo.fill(0);
      if ((waitid(P_ALL, 0, siginfo, WEXITED | WNOHANG | WNOWAIT) as number) !== 0) return 0;
      return siginfo.readInt32LE(SI_PID_OFFSET);
    },
    setForeground: (fd, pgid) => pgid > 0 && (tcsetpgrp(fd, pgid) as number) === 0,
    processGroup: getpgrp() as number,
    stoppedBy(pid) {
      stopInfo.fill(0);
      if (pid <= 0 || (waitid(P_PID, pid, stopInfo, WSTOPPED | WNOHANG) as number) !== 0) return 0;
      return stopInfo.readInt32LE(SI_PID_OFFSET) === pid ? stopInfo.readInt32LE(SI_STATUS_OFFSET) : 0;
    },
    becomeSubreaper: () => prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) === 0,
    ignoreSignal: (number) => signal(number, SIG_IGN) !== SIG_ERR,
    ownsForegroundOf(fd) {
      if (isatty(fd) !== 1) return false;
      const foreground = tcgetpgrp(fd) as number;
      return foreground > 0 && foreground === getpgrp();
    },
    canHandTerminal: actionsTcsetpgrp !== undefined,
    clockTicksPerSecond: Number(sysconf(SC_CLK_TCK)),
    exitNow(code) {
      exit(code);
      throw new Error('_exit returned');
    },
    spawn(request) {
      const attr = Buffer.alloc(OPAQUE_BYTES);
      const actions = Buffer.alloc(OPAQUE_BYTES);
      const allSignals = Buffer.alloc(OPAQUE_BYTES);
      const noSignals = Buffer.alloc(OPAQUE_BYTES);
      attrInit(attr);
      actionsInit(actions);
      try {
        // A process group of its own (pgid = the app's pid): signals go to the app and
        // everything it starts in its group, never to procwarden.
        attrSetPgroup(attr, 0);
        // Every signal back to SIG_DFL and an empty mask, whatever procwarden ignores
        // or blocks: libuv's own spawn resets only signals 1 to 31.
        sigfillset(allSignals);
        // glibc's sigfillset leaves out its two internal signals (32 and 33), and its spawn
        // sets those to SIG_IGN in the child unless the default set names them: the app
        // would start with them ignored. The set is a plain bitmask (bit N-1 for signal N).
        allSignals[3] = (allSignals[3] ?? 0) | 0x80;
        allSignals[4] = (allSignals[4] ?? 0) | 0x01;
        attrSetSigDefault(attr, allSignals);
        sigemptyset(noSignals);
        attrSetSigMask(attr, noSignals);
        attrSetFlags(attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
        // dup2(fd, fd) clears close-on-exec in the child, which Node set on them.
        for (const fd of [0, 1, 2, ...request.fds]) actionsDup2(actions, fd, fd);
        if (request.takeTerminal && actionsTcsetpgrp) actionsTcsetpgrp(actions, 0);

        const pid = [0];
        const argv = [...request.argv.map(cString), null];
        const env = [...request.env.map(cString), null];
        const errno = posixSpawnp(pid, cString(request.file), actions, attr, argv, env) as number;
        return errno === 0 ? { pid: pid[0] ?? 0 } : { errno };
      } finally {
        actionsDestroy(actions);
        attrDestroy(attr);
      }
    },
  };
}
