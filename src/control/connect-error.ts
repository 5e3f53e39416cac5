// What `procwarden status|set|restart` says when it cannot reach the control socket: one
// sentence in procwarden's words for each way a connect fails, never Node's raw error. Pure.

/** The longest path a Unix socket may have (bytes): sun_path is 108, its NUL included. */
export const MAX_SOCKET_PATH_BYTES = 107;

const SAME_STATE_DIR = "(is PROCWARDEN_STATE_DIR the same as the running one's?)";

/**
 * Why the client could not reach procwarden on `socket` (an absolute path), from the error's
 * `code` (`EACCES`, `ENOENT`, `ECONNREFUSED`...; undefined when it has none), as one sentence:
 * which socket, what happened, and what to do.
 */
export function unreachable(code: string | undefined, socket: string): string {
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
