// The web interface as it travels: a payload of the bundle (src/bundle/payloads.ts), with its
// pages, compiled on the first connection to PROCWARDEN_HTTP's port. A procwarden without it
// loads none of it.

import app from './page.html';
import login from './login.html';
import { createWebServer as create, type WebServer, type WebServerOptions } from './server.ts';

/** The web interface's HTTP server, with the pages carried here. */
export function createWebServer(options: Omit<WebServerOptions, 'pages'>): WebServer {
  return create({ ...options, pages: { app, login } });
}
