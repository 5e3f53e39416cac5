// `procwarden status|set|restart`: the control socket's client, for `docker exec`.

import { existsSync } from 'node:fs';
import { controlDirs, socketPath } from './server.ts';

export interface Reply {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

export function ask(stateDir: string, method: string, path: string, body?: object): Promise<Reply> {
  const places = controlDirs(stateDir).map(socketPath);
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
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ECONNREFUSED') {
        reject(new Error(`no procwarden is running here: nothing answers on ${socket} (is PROCWARDEN_STATE_DIR the same as the running one's?)`));
      } else reject(error);
    });
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}
