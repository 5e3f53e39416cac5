import { describe, expect, it } from 'vitest';
import type { ControlApi } from '../../src/control/protocol.ts';
import { route, TOKEN_COOKIE, type WebRequest, type WebSite } from '../../src/web/routes.ts';

/** A site whose API records the changes and restarts it is asked for. */
function site(more: Partial<WebSite> = {}) {
  const calls: string[] = [];
  const api: ControlApi = {
    status: () => ({ processType: 'web', state: 'running', app: null, starts: {}, exits: {}, policy: { autorestart: 'OFF', autoreplace: 'OFF', recovery: 'ON' }, restartsLeft: 3, replacesLeft: 3, nextStart: null }),
    changePolicy: (change, type) => {
      calls.push(`change ${JSON.stringify(change)} ${type ?? '*'}`);
      return { old: {}, new: change };
    },
    restart: (type) => {
      calls.push(`restart ${type ?? '*'}`);
      return true;
    },
  };
  const given: WebSite = {
    api,
    feed: { healthFailures: () => new Map() },
    tokenMatches: (candidate) => candidate === 'right',
    metricsPublic: false,
    pages: { app: 'THE PAGE', login: '<form><!--error--></form>' },
    now: () => 0,
    ...more,
  };
  return { site: given, calls };
}

const request = (method: string, url: string, headers: Record<string, string> = {}, body = ''): WebRequest => ({ method, url, headers: { host: 'box:9000', ...headers }, body });
const bearer = { authorization: 'Bearer right' };
const cookie = { cookie: `${TOKEN_COOKIE}=right` };
const answer = (response: ReturnType<typeof route>) => {
  if ('stream' in response) throw new Error('a stream');
  return response;
};

describe('the web routes', () => {
  it('answers /healthz without a token', () => {
    expect(answer(route(request('GET', '/healthz'), site().site)).status).toBe(200);
  });

  it('needs the token for everything else: 401, and the login page for the page', () => {
    const { site: s } = site();
    for (const [method, url] of [['GET', '/status'], ['PATCH', '/policy'], ['POST', '/restart'], ['GET', '/metrics'], ['GET', '/events'], ['GET', '/api/v1/service/']]) {
      const response = answer(route(request(method!, url!), s));
      expect(response.status, `${method} ${url}`).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Bearer realm="procwarden"');
    }
    expect(answer(route(request('GET', '/status', { authorization: 'Bearer wrong' }), s))).toMatchObject({ status: 401, body: expect.stringContaining('wrong token') });
    expect(answer(route(request('GET', '/status', { authorization: 'Basic eDp5' }), s)).body).toMatch(/not Bearer TOKEN/);
    const login = answer(route(request('GET', '/'), s));
    expect(login).toMatchObject({ status: 401, body: '<form></form>' });
    expect(login.headers['x-frame-options']).toBe('DENY');
  });

  it('serves the page, the status and the stream with the bearer token or the cookie', () => {
    const { site: s } = site();
    expect(answer(route(request('GET', '/', cookie), s))).toMatchObject({ status: 200, body: 'THE PAGE' });
    expect(answer(route(request('GET', '/status', bearer), s)).status).toBe(200);
    expect(route(request('GET', '/events', cookie), s)).toEqual({ stream: 'events' });
  });

  it('logs in with the form: a right token sets an HttpOnly SameSite=Strict cookie, a wrong one is 401', () => {
    const { site: s } = site();
    const good = answer(route(request('POST', '/login', { origin: 'http://box:9000' }, 'token=right'), s));
    expect(good.status).toBe(303);
    expect(good.headers['set-cookie']).toMatch(new RegExp(`^${TOKEN_COOKIE}=right; Path=/; HttpOnly; SameSite=Strict$`));
    const bad = answer(route(request('POST', '/login', { origin: 'http://box:9000' }, 'token=wrong'), s));
    expect(bad.status).toBe(401);
    expect(bad.body).toMatch(/role="alert">That is not the token/);
    expect(bad.headers['set-cookie']).toBeUndefined();
    expect(answer(route(request('POST', '/login', { origin: 'http://evil.example' }, 'token=right'), s)).status).toBe(403);
  });

  it('refuses a change with the cookie from another origin (403), and changes nothing', () => {
    const { site: s, calls } = site();
    for (const headers of [{ origin: 'http://evil.example' }, { origin: 'http://box:9001' }, { origin: 'null' }, {}, { 'sec-fetch-site': 'same-site' }]) {
      expect(answer(route(request('POST', '/restart', { ...cookie, ...headers }), s)).status).toBe(403);
      expect(answer(route(request('PATCH', '/policy', { ...cookie, ...headers }, '{"autorestart":"always"}'), s)).status).toBe(403);
    }
    expect(calls).toEqual([]);
    expect(answer(route(request('POST', '/restart', { ...cookie, origin: 'http://box:9000' }), s)).status).toBe(202);
    expect(answer(route(request('POST', '/restart', { ...cookie, 'sec-fetch-site': 'same-origin' }), s)).status).toBe(202);
    // A bearer token is never sent by a browser on its own: no Origin needed.
    expect(answer(route(request('PATCH', '/policy?type=web', bearer, '{"autorestart":"always"}'), s)).status).toBe(200);
    expect(calls).toEqual(['restart *', 'restart *', 'change {"autorestart":"always"} web']);
  });

  it('takes the Tutum spellings, and says 400 and 404 for what is wrong', () => {
    const { site: s, calls } = site();
    const patched = answer(route(request('PATCH', '/api/v1/service/web/', bearer, '{"auto restart":"ALWAYS"}'), s));
    expect(patched.status).toBe(200);
    expect(JSON.parse(patched.body)).toMatchObject({ name: 'web', resource_uri: '/api/v1/service/web/' });
    expect(calls).toEqual(['change {"autorestart":"always"} web']);
    expect(answer(route(request('PATCH', '/api/v1/service/web/', bearer, '{"autorestart":"maybe"}'), s)).status).toBe(400);
    expect(answer(route(request('PATCH', '/policy', bearer, 'not json'), s)).status).toBe(400);
    expect(answer(route(request('GET', '/api/v1/service/worker/', bearer), s)).status).toBe(404);
    expect(answer(route(request('GET', '/nowhere', bearer), s)).body).toMatch(/no route GET \/nowhere: the routes are/);
    expect(calls).toHaveLength(1);
  });

  it('serves /metrics without the token only when public', () => {
    expect(answer(route(request('GET', '/metrics'), site().site)).status).toBe(401);
    const open = answer(route(request('GET', '/metrics'), site({ metricsPublic: true }).site));
    expect(open.status).toBe(200);
    expect(open.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  it('with no token (loopback only), answers only a Host of this machine: no DNS rebinding', () => {
    const { site: s } = site({ tokenMatches: undefined });
    expect(answer(route(request('GET', '/status', { host: '127.0.0.1:9000' }), s)).status).toBe(200);
    expect(answer(route(request('GET', '/status', { host: 'localhost:9000' }), s)).status).toBe(200);
    expect(answer(route(request('GET', '/status', { host: 'evil.example:9000' }), s)).status).toBe(403);
    expect(answer(route(request('POST', '/restart', { host: 'localhost:9000', origin: 'http://evil.example' }), s)).status).toBe(403);
  });
});
