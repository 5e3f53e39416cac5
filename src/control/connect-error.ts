// What `procwarden status|set|restart` says when it cannot reach the control socket: one
// sentence in procwarden's words for each way a connect fails, never Node's raw error. Pure.

/** The longest path a Unix socket may have (bytes): sun_path is 108, its NUL included. */
export const MAX_SOCKET_PATH_BYTES = 107;

const SAME_STATE_DIR = "(is PROCWARDEN_STATE_DIR the same as the running one's?)";

/**
 * Whether PID 1's command line (/proc/1/cmdline: NUL-separated words) runs procwarden: its
 * program, or the script Node runs (`node /usr/local/bin/procwarden`), is named procwarden.
 */
export function runsProcwarden(cmdline: string): boolean {
  const words = cmdline.split('\0').slice(0, 2);
  return words.some((word) => /(^|\/)procwarden(-linux-x64)?$/.test(word));
}

/**
 * Why the client could not reach procwarden on `socket` (an absolute path), from the error's
 * `code` (`EACCES`, `ENOENT`, `ECONNREFUSED`...; undefined when it has none), as one sentence:
 * which socket, what happened, and what to do. `pid1IsProcwarden`: PID 1 runs procwarden
 * (runsProcwarden), so that "none is running" is never said of one that runs without a socket.
 */
export function unreachable(code: string | undefined, socket: string, pid1IsProcwarden = false): string {
  if (pid1IsProcwarden && (code === 'ENOENT' || code === 'ECONNREFUSED')) {
    return `procwarden runs here as PID 1, but nothing answers on ${socket}: it runs without a control socket (its procwarden.warning at start says why, such as a read-only /run: give it a writable PROCWARDEN_STATE_DIR), or with another state dir ${SAME_STATE_DIR}`;
  }
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return `permission refused to open the control socket ${socket}: run this as the user procwarden runs as, or as root (docker exec --user root ...), or set PROCWARDEN_STATE_DIR to the state dir of a procwarden run as this user`;
    case 'ENOENT':
      return `no procwarden is running here: nothing answers on ${socket} ${SAME_STATE_DIR}`;
    case 'ECONNREFUSED':
      // A socket file nobody listens on: its procwarden was killed before it could remove it.
      return `no procwarden is running here: nothing answers on ${socket}, left by a procwarden that has ended ${SAME_STATE_DIR}`;
    case 'ENOTDIR':
      return `the control socket ${socket} cannot be there: a part of its path is not a folder (set PROCWARDEN_STATE_DIR to the running procwarden's state dir)`;
    case 'EAGAIN':
      return `procwarden is busy: too many clients at once on ${socket}; try again`;
    case 'ECONNRESET':
    case 'EPIPE':
      return `procwarden closed the connection on ${socket} before it answered`;
  }
  const bytes = Buffer.byteLength(socket);
  if ((code === 'EINVAL' || code === 'ENAMETOOLONG') && bytes > MAX_SOCKET_PATH_BYTES) {
    return `the control socket ${socket} is a path of ${bytes} bytes, over the ${MAX_SOCKET_PATH_BYTES} a socket's may have: set PROCWARDEN_STATE_DIR to a shorter one`;
  }
  return `cannot reach procwarden on ${socket} (${code ?? 'error'})`;
}
