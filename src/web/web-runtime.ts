// The web interface as it travels: a payload of the bundle (src/bundle/payloads.ts), with its
// pages, compiled only when PROCWARDEN_HTTP is set. A procwarden without it loads none of it.

import app from './page.html';
import login from './login.html';
import { startWebServer as start, type WebServer, type WebServerOptions } from './server.ts';

/** Starts the web interface's server with the pages carried here. */
export function startWebServer(options: Omit<WebServerOptions, 'pages'>): WebServer {
  return start({ ...options, pages: { app, login } });
}
