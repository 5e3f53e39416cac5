// The Libc interface through koffi: the implementation the native addon (libc-addon.c)
// replaces, kept for bench/'s A/B build only (PROCWARDEN_NATIVE=koffi).

import type { KoffiApi } from './koffi-loader.ts';
import type { Libc } from './libc.ts';

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

export function bindKoffiLibc(koffi: KoffiApi): Libc {
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
