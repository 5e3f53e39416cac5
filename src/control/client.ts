// `procwarden status|set|restart`: the control socket's client, for `docker exec`.

import { existsSync, readFileSync } from 'node:fs';
import { fallbackStateDir } from '../filesystem/state-dir.ts';
import { effectiveUidOf } from '../process/proc-stat.ts';
import { controlDirs, socketPath } from './server.ts';
import { runsProcwarden, unreachable } from './connect-error.ts';

export interface Reply {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/**
 * Where the socket may be, in order: where a procwarden of this user puts it (controlDirs),
 * then the state dir of PID 1's user when that is another (`docker exec --user root` asking a
 * procwarden run with `--user 1000:1000`, whose state dir is its own: state-dir.ts).
 */
function socketPlaces(stateDir: string): string[] {
  let pid1Uid: number | undefined;
  try {
    pid1Uid = effectiveUidOf(readFileSync('/proc/1/status', 'latin1'));
  } catch {
    // No /proc: the places of this user only.
  }
  return [...new Set([...controlDirs(stateDir), ...(pid1Uid === undefined ? [] : [fallbackStateDir(pid1Uid)])])].map(socketPath);
}

/**
 * One request to the running procwarden's control socket (control/protocol.ts): its status and
 * its JSON body. Rejects with a one-line Error in procwarden's words (connect-error.ts) when the
 * socket cannot be reached (no procwarden running, another state dir, a stale socket, permission
 * refused) or the answer is not JSON.
 */
export function ask(stateDir: string, method: string, path: string, body?: object): Promise<Reply> {
  const places = socketPlaces(stateDir);
  const socket = places.find((place) => existsSync(place)) ?? places[0]!;
  const { request } = process.getBuiltinModule('node:http');
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: socket, method, path, headers: { 'content-type': 'application/json' } }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => {
        try {
          resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> });
        } catch {
          reject(new Error(`procwarden answered ${response.statusCode} with no JSON`));
        }
      });
    });
    req.on('error', (error: NodeJS.ErrnoException) => reject(new Error(unreachable(error.code, socket, pid1RunsProcwarden()))));
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** Whether PID 1 runs procwarden (connect-error.ts); false when /proc/1 cannot be read. */
function pid1RunsProcwarden(): boolean {
  try {
    return runsProcwarden(readFileSync('/proc/1/cmdline', 'latin1'));
  } catch {
    return false;
  }
}
