// The web interface's and HTTP API's HTTP server (PROCWARDEN_HTTP): the routes of routes.ts
// and the live event stream, over the connections its listener (open-web.ts) hands it. It
// keeps no timer of its own: an idle procwarden is not woken, with the page open or not
// (events are pushed as they happen).

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { ControlApi } from '../control/protocol.ts';
import { quietHttpServer } from '../control/http-server.ts';
import type { EventLine } from '../events/events.ts';
import type { EventFeed } from './event-feed.ts';
import type { HttpSettings } from './http-settings.ts';
import { route, type WebSite } from './routes.ts';
import { tokenCheck } from './token.ts';

export interface WebServerOptions {
  /** Whether /metrics is public, and the token, already read (http-token.ts). */
  readonly settings: HttpSettings;
  /** The supervisor's API, whose changes say `source: "http"`. */
  readonly api: ControlApi;
  readonly feed: EventFeed;
  readonly pages: WebSite['pages'];
}

export interface WebServer {
  /** A connection of the listener's, to be answered. */
  connection(socket: Socket): void;
  /** Ends every connection, the event streams too. */
  close(): void;
}

/** An idle connection (no request under way) is closed after this long; an event stream never is. */
const IDLE_TIMEOUT_MS = 10_000;
/** The most event streams at once: a page open on a few phones and laptops. */
const MAX_STREAMS = 32;

/** The HTTP server, made on the listener's first connection. */
export function createWebServer({ settings, api, feed, pages }: WebServerOptions): WebServer {
  const site: WebSite = {
    api,
    feed,
    tokenMatches: settings.token === undefined ? undefined : tokenCheck(settings.token),
    metricsPublic: settings.metricsPublic,
    pages,
    now: () => Date.now(),
  };
  const streams = new Set<ServerResponse>();
  const server = quietHttpServer((request, body, response) => {
    const answer = route({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body }, site);
    if ('stream' in answer) stream(request, response);
    else response.writeHead(answer.status, answer.headers).end(answer.body);
  });
  // A connection's own idle timeout (a timer only while it is open) ends the ones that stall.
  server.timeout = IDLE_TIMEOUT_MS;

  /** Server-sent events: the last events, then each new one as it is emitted. */
  const stream = (request: IncomingMessage, response: ServerResponse): void => {
    if (streams.size >= MAX_STREAMS) {
      response.writeHead(503, { 'content-type': 'application/json', 'retry-after': '10' }).end(`${JSON.stringify({ error: `${MAX_STREAMS} event streams are open already` })}\n`);
      return;
    }
    request.socket.setTimeout(0);
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
    const send = (line: EventLine) => response.write(`data: ${JSON.stringify(line)}\n\n`);
    // `hello` first: a page that reconnects starts its list again.
    response.write('event: hello\ndata: {}\n\n');
    for (const line of feed.recent()) send(line);
    streams.add(response);
    const stop = feed.listen(send);
    response.once('close', () => {
      stop();
      streams.delete(response);
    });
  };

  return {
    connection: (socket) => server.emit('connection', socket),
    close: () => server.closeAllConnections(),
  };
}
