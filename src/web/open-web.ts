// Opens the web interface (PROCWARDEN_HTTP): a TCP listener now, and on its first connection
// Node's HTTP server with the interface's code and pages, read from the bundle's payload then,
// as the control socket does (a listener no one has called on costs 1.8 MiB, the server and
// the interface's code 4.8 MiB more: npm run bench, web section).

import { requirePayload } from '../bundle/payloads.ts';
import type { ControlApi } from '../control/protocol.ts';
import type { EventLog } from '../events/events.ts';
import type { EventFeed } from './event-feed.ts';
import type { HttpSettings } from './http-settings.ts';
import type { WebServer } from './server.ts';
import type * as WebRuntime from './web-runtime.ts';

/** The most connections at once, event streams included. */
const MAX_CONNECTIONS = 256;

/**
 * Starts listening on `settings`' address (its token read) for `api`; `http.listening` says
 * where, a `procwarden.warning` why not, or why the interface's code could not be loaded at
 * the first connection (procwarden and its apps run on; connections are then closed). `close` ends the
 * listener and every connection, at any stage.
 */
export function openWeb(settings: HttpSettings, api: ControlApi, feed: EventFeed, events: EventLog): { close(): void } {
  let web: WebServer | undefined;
  let closed = false;
  /** Why the interface's code could not be loaded (said once); its connections are then closed. */
  let unavailable: string | undefined;
  const listener = process.getBuiltinModule('node:net').createServer((socket) => {
    if (!web && unavailable === undefined) {
      try {
        web = requirePayload<typeof WebRuntime>('web').createWebServer({ settings, api, feed });
      } catch (error) {
        unavailable = (error as Error).message;
        events.emit('procwarden.warning', { detail: `no web interface: ${unavailable}` });
      }
    }
    if (web) web.connection(socket);
    else socket.destroy();
  });
  listener.maxConnections = MAX_CONNECTIONS;
  listener.once('error', (error: NodeJS.ErrnoException) => {
    if (!closed) events.emit('procwarden.warning', { detail: `no web interface: ${settings.host}:${settings.port}: ${error.code ?? error.message}` });
  });
  listener.listen({ host: settings.host, port: settings.port }, () => {
    // The listener does not keep procwarden running: the apps do.
    listener.unref();
    const address = listener.address();
    if (!closed && typeof address === 'object' && address) events.emit('http.listening', { host: address.address, port: address.port });
  });
  return {
    close() {
      closed = true;
      listener.close();
      web?.close();
    },
  };
}
