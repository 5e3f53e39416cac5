// Opens the web interface (PROCWARDEN_HTTP): its code and pages are read from the bundle's
// payload now, not at start, and its events said.

import { requirePayload } from '../bundle/payloads.ts';
import type { ControlApi } from '../control/protocol.ts';
import type { EventLog } from '../events/events.ts';
import type { EventFeed } from './event-feed.ts';
import type { HttpSettings } from './http-settings.ts';
import type * as WebRuntime from './web-runtime.ts';

/**
 * Starts the server of `settings` (its token read) over `api`; `http.listening` says where,
 * a `procwarden.warning` why not (procwarden and its apps run on). `close` ends it at any stage.
 */
export function openWeb(settings: HttpSettings, api: ControlApi, feed: EventFeed, events: EventLog): { close(): void } {
  const server = requirePayload<typeof WebRuntime>('web').startWebServer({ settings, api, feed });
  let closed = false;
  void server.ready.then((answer) => {
    if (closed) return;
    if ('refused' in answer) events.emit('procwarden.warning', { detail: `no web interface: ${answer.refused}` });
    else events.emit('http.listening', answer);
  });
  return {
    close() {
      closed = true;
      server.close();
    },
  };
}
