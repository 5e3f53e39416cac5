// The control socket, $PROCWARDEN_STATE_DIR/control.sock, mode 0600. A socket a dead
// procwarden left is replaced; one a live procwarden holds is never taken over. Node's http
// and net are loaded here, when the socket opens, not with the bundle.

import { chmodSync, lstatSync, readFileSync, renameSync, unlinkSync } from 'node:fs';
import { privateDir } from '../filesystem/private.ts';
import { fallbackStateDir } from '../filesystem/state-dir.ts';
import { join } from 'node:path';
import { quietHttpServer } from './http-server.ts';
import { handle, type ControlApi } from './protocol.ts';

export const socketPath = (dir: string) => join(dir, 'control.sock');

/**
 * Where the socket may be: the state dir, else (when it cannot be made: a read-only root) a
 * private folder of procwarden's user in the temporary folder. The client looks in the same
 * places, in the same order.
 */
export function controlDirs(stateDir: string): string[] {
  return [...new Set([stateDir, fallbackStateDir()])];
}

/** A connection is dropped this long after it opened, whatever it sends: every request takes far less. */
const CLIENT_TIMEOUT_MS = 5_000;

/** The most connections open at once, whatever the descriptor limit. */
const MAX_CONNECTIONS = 1024;
/** Descriptors kept for procwarden itself: /proc reads, the app's spawn, Node's own. */
const RESERVED_FDS = 64;

/**
 * How many connections may be open at once: half of what the soft `Max open files` limit
 * (from /proc/self/limits) leaves beside RESERVED_FDS, between 16 and MAX_CONNECTIONS. Pure.
 */
export function connectionCap(limits: string): number {
  const soft = /^Max open files\s+(\d+|unlimited)/m.exec(limits)?.[1];
  if (soft === undefined || soft === 'unlimited') return MAX_CONNECTIONS;
  return Math.min(MAX_CONNECTIONS, Math.max(16, Math.floor((Number(soft) - RESERVED_FDS) / 2)));
}

function readFileQuietly(path: string): string {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return '';
  }
}

export type ControlSocket = { readonly path: string; close(): void } | { readonly refused: string };

/** A control socket on its way: `ready` once it listens (or why it does not), `close` at any time. */
export interface OpeningControlSocket {
  readonly ready: Promise<ControlSocket>;
  /**
   * Closes it (and removes its file) whatever the stage, at once: an app that exits before
   * the socket is ready must not make procwarden's exit wait for it (3 to 6 ms).
   */
  close(): void;
}

/** Starts opening the control socket; never rejects (a failure is `{ refused }`). */
export function openControlSocket(stateDir: string, api: ControlApi): OpeningControlSocket {
  let closed = false;
  let listening: { path: string; readonly server: import('node:net').Server } | undefined;
  const close = () => {
    closed = true;
    if (!listening) return;
    listening.server.close();
    try {
      unlinkSync(listening.path);
    } catch {
      // Gone already.
    }
    listening = undefined;
  };
  const ready = (async (): Promise<ControlSocket> => {
    const dir = controlDirs(stateDir).find(privateDir);
    if (dir === undefined) return { refused: `neither ${controlDirs(stateDir).join(' nor ')} can be made private to procwarden` };
    const path = socketPath(dir);
    if (await answers(path)) return { refused: `another procwarden answers on ${path}: running without a control socket` };
    if (closed) return { refused: 'closed before it was ready' };
    try {
      unlinkSync(path); // a dead procwarden's
    } catch {
      // None there.
    }
    // Node's HTTP server is made on the first connection, not at start: an idle procwarden
    // keeps only a listening socket (measured: 7 MB less private memory).
    let http: import('node:http').Server | undefined;
    const httpServer = (): import('node:http').Server => (http ??= makeHttpServer(api));
    const server = process.getBuiltinModule('node:net').createServer((socket) => {
      // A deadline, not an idle timeout: a client that trickles a byte now and then must not
      // hold a connection for good.
      const deadline = setTimeout(() => socket.destroy(), CLIENT_TIMEOUT_MS);
      socket.once('close', () => clearTimeout(deadline));
      httpServer().emit('connection', socket);
    });
    // Connections held open cannot use up procwarden's descriptors (a container's nofile may
    // be 1,024): it must always be able to read /proc and kill a tree. Past the cap, a
    // connection is refused; each is dropped 5 s after it opened anyway.
    server.maxConnections = connectionCap(readFileQuietly('/proc/self/limits'));
    // Bound under a name of its own, then renamed: bind() makes the file before listen(), and a
    // client that found it in between (a readiness probe polling for it) would be refused, as by
    // a dead procwarden's socket. The name is no longer than control.sock (pids have at most 7
    // digits), so a state dir short enough for one is short enough for the other (108 bytes).
    const bound = join(dir, `.${process.pid}.new`);
    const listened = new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      // Made private before anyone can connect: the umask, then the mode for good.
      const umask = process.umask(0o177);
      server.listen(bound, () => {
        process.umask(umask);
        resolve();
      });
    });
    // listen() binds at once (the file exists now), so a close from here on removes it.
    listening = { path: bound, server };
    await listened;
    if (closed) return { refused: 'closed before it was ready' };
    try {
      renameSync(bound, path);
    } catch (error) {
      close();
      throw error;
    }
    listening.path = path;
    chmodSync(path, 0o600);
    server.unref();
    return { path, close };
  })().catch((error: Error) => ({ refused: error.message }));
  return { ready, close };
}

function makeHttpServer(api: ControlApi): import('node:http').Server {
  return quietHttpServer((request, body, response) => {
    const { status, body: answer } = handle(request.method ?? '', request.url ?? '', body, api);
    response.writeHead(status, { 'content-type': 'application/json' }).end(`${JSON.stringify(answer)}\n`);
  });
}

/** Whether a live procwarden answers on this socket. */
function answers(path: string): Promise<boolean> {
  // Nothing there (a fresh container): no probe, which costs a start 2 to 4 ms.
  if (!existsOrUnknown(path)) return Promise.resolve(false);
  const { createConnection } = process.getBuiltinModule('node:net');
  return new Promise((resolve) => {
    const socket = createConnection(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function existsOrUnknown(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}
