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
  const name = file.toString('utf8');
  if (result.errno === constants.errno.ENOENT) {
    // execve says ENOENT also for a file that is there when its interpreter is not.
    const found = foundOnPath(name, pathOf(launch.env));
    const why = found === undefined ? undefined : missingInterpreter(readHead(found));
    if (why) throw new SpawnError(126, `${name}: cannot execute: ${why}`);
  }
  throw spawnError(name, result.errno);
}

/** The PATH in an environment given as `NAME=value` buffers; the shell's default when none. */
function pathOf(env: readonly Buffer[]): string {
  const entry = env.find((variable) => variable.subarray(0, 5).toString('latin1') === 'PATH=');
  return entry ? entry.subarray(5).toString('utf8') : '/usr/local/bin:/usr/bin:/bin';
}

/** The file execvp would run for `name`: itself when it has a slash, else the first on `path` that is a file. */
function foundOnPath(name: string, path: string): string | undefined {
  const { statSync } = process.getBuiltinModule('node:fs');
  const candidates = name.includes('/') ? [name] : path.split(':').map((folder) => `${folder || '.'}/${name}`);
  return candidates.find((candidate) => {
    try {
      return statSync(candidate).isFile();
    } catch {
      return false;
    }
  });
}

/** The first 256 bytes of a file: enough for its #! line or ELF header; empty when unreadable. */
function readHead(file: string): Buffer {
  const { closeSync, openSync, readSync } = process.getBuiltinModule('node:fs');
  try {
    const fd = openSync(file, 'r');
    try {
      const head = Buffer.alloc(256);
      return head.subarray(0, readSync(fd, head, 0, head.length, 0));
    } finally {
      closeSync(fd);
    }
  } catch {
    return Buffer.alloc(0);
  }
}

/**
 * Why a file that exists cannot be run although execve says ENOENT, from its first bytes: a
 * `#!` line whose interpreter is missing (a carriage return at its end: Windows line ends),
 * or an ELF program whose loader is missing (built for another C library, such as glibc on
 * Alpine's musl). Undefined for anything else. Pure.
 */
export function missingInterpreter(head: Buffer): string | undefined {
  if (head.subarray(0, 2).toString('latin1') === '#!') {
    const line = head.subarray(2).toString('latin1').split('\n')[0]!;
    const interpreter = line.trim().split(/[ \t]/)[0] ?? '';
    if (line.endsWith('\r')) return `its #! line ends with a carriage return (the script has Windows line ends, CRLF): convert it to LF (dos2unix, or sed -i 's/\\r$//')`;
    return `its #! interpreter ${interpreter || '(none)'} is not in the image`;
  }
  if (head.subarray(0, 4).toString('latin1') === '\x7fELF') {
    return 'it is a program whose loader (its ELF interpreter) is not in the image: built for another C library or architecture (a glibc program on Alpine, say)';
  }
  return undefined;
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
