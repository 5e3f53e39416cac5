// Starting the app: exec form, in a process group of its own, with default signal
// dispositions and an empty mask, exactly the descriptors procwarden was given, the
// terminal's foreground when procwarden had it, and arguments and environment byte for byte.

import { constants } from 'node:os';
import type { Libc } from '../native/libc.ts';

export interface AppLaunch {
  /** COMMAND and ARGs, raw bytes. */
  readonly argv: readonly [Buffer, ...Buffer[]];
  readonly env: readonly Buffer[];
  readonly fds: readonly number[];
  readonly takeTerminal: boolean;
  /** LISTEN_FDS is passed through: the app's LISTEN_PID must name it (see SpawnRequest). */
  readonly listenPid: boolean;
}

/** COMMAND could not be started: 127 not found, 126 not executable (as sh reports them). */
export class SpawnError extends Error {
  constructor(
    readonly exitCode: 126 | 127,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Starts the app; its pid. `output`: descriptors that become its stdout and stderr (pipes
 * procwarden reads, PROCWARDEN_PREFIX), else it shares procwarden's. Throws SpawnError when
 * it cannot be started.
 */
export function spawnApp(libc: Libc, launch: AppLaunch, output?: { readonly stdout: number; readonly stderr: number }): number {
  const [file] = launch.argv;
  const result = libc.spawn({ file, argv: launch.argv, env: launch.env, fds: launch.fds, takeTerminal: launch.takeTerminal, listenPid: launch.listenPid, ...output });
  if ('pid' in result) return result.pid;
  throw spawnError(file.toString('utf8'), result.errno);
}

function spawnError(name: string, errno: number): SpawnError {
  const { ENOENT, ENOTDIR, EACCES, EPERM, ENOEXEC, EISDIR, ELOOP, ENAMETOOLONG } = constants.errno;
  switch (errno) {
    case ENOENT:
    case ENOTDIR:
    case ENAMETOOLONG:
      return new SpawnError(127, `${name}: command not found`);
    case EACCES:
    case EPERM:
    case EISDIR:
      return new SpawnError(126, `${name}: permission denied (not an executable file)`);
    case ENOEXEC:
      return new SpawnError(126, `${name}: cannot execute (not a binary, and no #! line)`);
    case ELOOP:
      return new SpawnError(126, `${name}: too many levels of symbolic links`);
    default:
      return new SpawnError(126, `${name}: cannot execute (errno ${errno})`);
  }
}
