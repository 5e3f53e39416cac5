import { describe, expect, it } from 'vitest';
import { runsProcwarden, unreachable } from '../../src/control/connect-error.ts';

const SOCKET = '/run/procwarden/control.sock';

describe("what the client says when the control socket cannot be reached: one sentence, in procwarden's words", () => {
  it('permission refused: which socket, that it was refused, and what to do', () => {
    for (const code of ['EACCES', 'EPERM']) {
      expect(unreachable(code, SOCKET)).toBe(
        'permission refused to open the control socket /run/procwarden/control.sock: run this as the user procwarden runs as, or as root (docker exec --user root ...), or set PROCWARDEN_STATE_DIR to the state dir of a procwarden run as this user',
      );
    }
  });

  it('no socket: no procwarden runs with that state dir', () => {
    expect(unreachable('ENOENT', SOCKET)).toBe(
      "no procwarden is running here: nothing answers on /run/procwarden/control.sock (is PROCWARDEN_STATE_DIR the same as the running one's?)",
    );
  });

  it('no socket while PID 1 is procwarden: it runs without one (a read-only /run), never "none is running"', () => {
    for (const code of ['ENOENT', 'ECONNREFUSED']) {
      expect(unreachable(code, SOCKET, true)).toBe(
        "procwarden runs here as PID 1, but nothing answers on /run/procwarden/control.sock: it runs without a control socket (its procwarden.warning at start says why, such as a read-only /run: give it a writable PROCWARDEN_STATE_DIR), or with another state dir (is PROCWARDEN_STATE_DIR the same as the running one's?)",
      );
    }
    expect(unreachable('EACCES', SOCKET, true)).toMatch(/^permission refused/);
  });

  it("tells procwarden's command line as PID 1: the standalone, the bundle run by node, not another program", () => {
    expect(runsProcwarden('/usr/local/bin/procwarden\0--type\0web\0')).toBe(true);
    expect(runsProcwarden('procwarden-linux-x64\0')).toBe(true);
    expect(runsProcwarden('node\0/usr/local/bin/procwarden\0')).toBe(true);
    expect(runsProcwarden('/sbin/tini\0--\0procwarden\0')).toBe(false);
    expect(runsProcwarden('/usr/bin/procwarden-helper\0')).toBe(false);
    expect(runsProcwarden('')).toBe(false);
  });

  it('a socket nobody listens on: left by a procwarden that ended', () => {
    expect(unreachable('ECONNREFUSED', SOCKET)).toBe(
      "no procwarden is running here: nothing answers on /run/procwarden/control.sock, left by a procwarden that has ended (is PROCWARDEN_STATE_DIR the same as the running one's?)",
    );
  });

  it('a path that cannot be a socket: a file for a folder, or over the 107 bytes a socket path may have', () => {
    expect(unreachable('ENOTDIR', '/etc/hostname/control.sock')).toBe(
      'the control socket /etc/hostname/control.sock cannot be there: a part of its path is not a folder (set PROCWARDEN_STATE_DIR to the running procwarden\'s state dir)',
    );
    const long = `/${'a'.repeat(100)}/control.sock`;
    for (const code of ['EINVAL', 'ENAMETOOLONG']) {
      expect(unreachable(code, long)).toBe(`the control socket ${long} is a path of 114 bytes, over the 107 a socket's may have: set PROCWARDEN_STATE_DIR to a shorter one`);
    }
  });

  it('a busy socket, a connection cut, anything else: the socket and the code', () => {
    expect(unreachable('EAGAIN', SOCKET)).toBe('procwarden is busy: too many clients at once on /run/procwarden/control.sock; try again');
    expect(unreachable('ECONNRESET', SOCKET)).toBe('procwarden closed the connection on /run/procwarden/control.sock before it answered');
    expect(unreachable('EINVAL', SOCKET)).toBe('cannot reach procwarden on /run/procwarden/control.sock (EINVAL)');
    expect(unreachable(undefined, SOCKET)).toBe('cannot reach procwarden on /run/procwarden/control.sock (error)');
  });
});
