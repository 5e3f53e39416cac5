// The web interface's and HTTP API's routes (PROCWARDEN_HTTP): who may ask what, and the
// answer. Pure: a request in, a response out, against the supervisor's ControlApi (the same
// calls the control socket makes, so every change is one path) and what the caller gives.

import { parseCookie, stringifySetCookie } from 'cookie';
import { handle, type ControlApi } from '../control/protocol.ts';
import type { EventFeed } from './event-feed.ts';
import { liveness } from './liveness.ts';
import { METRICS_CONTENT_TYPE, prometheusText } from './metrics.ts';
import type { StatusView } from './status-view.ts';
import { readTutumChange, SERVICE_ROOT, tutumService, tutumServices } from './tutum.ts';

export interface WebRequest {
  readonly method: string;
  /** The request target: a path and a query. */
  readonly url: string;
  /** Node's lower-cased request headers. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

/** An answer, or the live event stream (`GET /events`), which the server keeps open. */
export type WebResponse = { readonly status: number; readonly headers: Readonly<Record<string, string>>; readonly body: string } | { readonly stream: 'events' };

export interface WebSite {
  readonly api: ControlApi;
  readonly feed: Pick<EventFeed, 'healthFailures'>;
  /** Whether `candidate` is the token, compared in constant time; undefined when no token is set (loopback only). */
  readonly tokenMatches: ((candidate: string) => boolean) | undefined;
  /** /metrics without the token (PROCWARDEN_HTTP_METRICS=public). */
  readonly metricsPublic: boolean;
  /** The page (`GET /`) and the login page, whose `<!--error-->` is where a refusal is said. */
  readonly pages: { readonly app: string; readonly login: string };
  /** The wall clock, in ms. */
  readonly now: () => number;
}

/** The cookie the login form sets: the token, HttpOnly and SameSite=Strict. */
export const TOKEN_COOKIE = 'procwarden_token';

/** The headers of every HTML page: nothing from elsewhere, never in a frame (a click on Crash Recovery is the operator's own). */
const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
};

const json = (status: number, body: unknown, headers: Record<string, string> = {}): WebResponse => ({
  status,
  headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers },
  body: `${JSON.stringify(body)}\n`,
});

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const header = (request: WebRequest, name: string): string | undefined => {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** A hostname (of a Host or Origin) that is this machine only: what a DNS rebinding cannot fake while no token is set. */
const LOOPBACK_HOST = /^(localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\])(:\d+)?$/;

/**
 * Whether a request comes from the page itself. A browser says so in Sec-Fetch-Site, which no
 * page's script can set; an older one, in its Origin (this server, as the Host names it). A
 * form of another site, or of another port of this host (the same site, another origin), is
 * refused, and so is a request that says neither.
 */
function sameOrigin(request: WebRequest): boolean {
  const site = header(request, 'sec-fetch-site');
  if (site !== undefined) return site === 'same-origin';
  const origin = header(request, 'origin');
  if (origin === undefined) return false;
  try {
    return new URL(origin).host === header(request, 'host');
  } catch {
    return false; // `null`: a sandboxed frame, a file
  }
}

const ROUTES = 'GET /, GET /status, PATCH /policy, POST /restart, GET /events, GET /metrics, GET /healthz, GET /api/v1/service/, GET|PATCH /api/v1/service/NAME/';

/** One request to the web interface or the HTTP API. */
export function route(request: WebRequest, site: WebSite): WebResponse {
  const { method } = request;
  const [path = '', query = ''] = request.url.split('?', 2);
  const status = () => site.api.status() as StatusView;
  if (method === 'GET' && path === '/healthz') {
    const live = liveness(status());
    return json(live.status, live.body);
  }
  if (site.tokenMatches === undefined && !LOOPBACK_HOST.test(header(request, 'host') ?? '')) {
    return json(403, { error: 'with no token, only a client on this machine that names it (localhost, 127.0.0.1, [::1]) is answered' });
  }
  const changes = method !== 'GET' && method !== 'HEAD';
  if (path === '/login' || path === '/logout') {
    if (method !== 'POST') return json(404, { error: `no route ${method} ${path}: the login form posts` });
    if (!sameOrigin(request)) return json(403, { error: 'a login from another site is refused' });
    if (path === '/logout' || site.tokenMatches === undefined) {
      return { status: 303, headers: { location: '/', 'set-cookie': stringifySetCookie({ name: TOKEN_COOKIE, value: '', path: '/', httpOnly: true, sameSite: 'strict', maxAge: 0 }) }, body: '' };
    }
    const given = new URLSearchParams(request.body).get('token') ?? '';
    if (!site.tokenMatches(given)) return loginPage(site, 401, 'That is not the token.');
    return { status: 303, headers: { location: '/', 'set-cookie': stringifySetCookie({ name: TOKEN_COOKIE, value: given, path: '/', httpOnly: true, sameSite: 'strict' }) }, body: '' };
  }

  const authorization = header(request, 'authorization');
  const bearer = authorization === undefined ? undefined : /^Bearer\s+(.+)$/i.exec(authorization)?.[1]?.trim();
  const cookie = parseCookie(header(request, 'cookie') ?? '')[TOKEN_COOKIE];
  const by: 'bearer' | 'cookie' | 'nobody' | undefined =
    site.tokenMatches === undefined
      ? 'nobody'
      : bearer !== undefined
        ? site.tokenMatches(bearer) ? 'bearer' : undefined
        : cookie !== undefined && site.tokenMatches(cookie) ? 'cookie' : undefined;
  if (method === 'GET' && path === '/metrics' && (by !== undefined || site.metricsPublic)) {
    return { status: 200, headers: { 'content-type': METRICS_CONTENT_TYPE, 'cache-control': 'no-store' }, body: prometheusText(status(), site.feed.healthFailures(), site.now()) };
  }
  if (by === undefined) {
    if (method === 'GET' && path === '/') return loginPage(site, 401, cookie === undefined ? '' : 'The token has changed: log in again.');
    const why = authorization !== undefined && bearer === undefined ? 'the Authorization header is not Bearer TOKEN' : authorization !== undefined || cookie !== undefined ? 'wrong token' : 'a token is needed (Authorization: Bearer TOKEN)';
    return json(401, { error: why }, { 'www-authenticate': 'Bearer realm="procwarden"' });
  }
  // A browser sends the cookie with a form of any site; only the page's own requests change anything.
  if (changes && by !== 'bearer' && !sameOrigin(request)) return json(403, { error: 'a change from another site is refused (its Origin is not this server)' });

  if (method === 'GET' && path === '/') return { status: 200, headers: PAGE_HEADERS, body: site.pages.app };
  if (method === 'GET' && path === '/events') return { stream: 'events' };
  if (path === '/status' || path === '/policy' || path === '/restart') {
    const answer = handle(method, `${path}?${query}`, request.body, site.api);
    return json(answer.status, answer.body);
  }
  if (path === SERVICE_ROOT && method === 'GET') return json(200, tutumServices(status()));
  const named = path.startsWith(SERVICE_ROOT) ? /^([^/]+)\/?$/.exec(path.slice(SERVICE_ROOT.length))?.[1] : undefined;
  if (named !== undefined && (method === 'GET' || method === 'PATCH')) {
    const name = decodeURIComponent(named);
    if (!tutumService(status(), name)) return json(404, { error: `no service '${name}' here: its services are its process types (${tutumServices(status()).objects.map((s) => s.name).join(', ')})` });
    if (method === 'PATCH') {
      const change = readTutumChange(request.body);
      if ('error' in change) return json(400, { error: change.error });
      const changed = site.api.changePolicy(change, name === 'app' && !status().processType ? undefined : name);
      if ('refused' in changed) return json(409, { error: changed.refused });
    }
    return json(200, tutumService(status(), name));
  }
  return json(404, { error: `no route ${method} ${path}: the routes are ${ROUTES}` });
}

function loginPage(site: WebSite, status: number, error: string): WebResponse {
  return { status, headers: PAGE_HEADERS, body: site.pages.login.replace('<!--error-->', error === '' ? '' : `<p role="alert">${escapeHtml(error)}</p>`) };
}
