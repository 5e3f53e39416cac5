// Node's HTTP server as procwarden's listeners use it (the control socket, the web interface):
// no interval of Node's own, a body read whole up to MAX_BODY_BYTES, a malformed request
// answered 400. node:http is loaded here, when the first connection comes.

import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { MAX_BODY_BYTES } from './protocol.ts';

/**
 * A server that hands `answer` each request with its whole body (UTF-8); a body over
 * MAX_BODY_BYTES is answered 413 here, and `answer` never sees it.
 */
export function quietHttpServer(answer: (request: IncomingMessage, body: string, response: ServerResponse) => void): Server {
  const { createServer } = process.getBuiltinModule('node:http');
  // Node checks open connections for timeouts on an interval, which would wake an idle
  // procwarden: the interval is pushed out of the way (each connection has its own timeout).
  const server = createServer({ connectionsCheckingInterval: 2 ** 31 - 1, requestTimeout: 0, headersTimeout: 0 }, (request, response) => {
    let body = '';
    let tooBig = false;
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      if (tooBig) return;
      body += chunk;
      if (body.length > MAX_BODY_BYTES) tooBig = true;
    });
    request.on('end', () => {
      if (tooBig) response.writeHead(413, { 'content-type': 'application/json', connection: 'close' }).end(`${JSON.stringify({ error: `the body is over ${MAX_BODY_BYTES} bytes` })}\n`);
      else answer(request, body, response);
    });
  });
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
    else socket.destroy();
  });
  return server;
}
