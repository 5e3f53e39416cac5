import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { childrenOf, eventsNamed, finishes, runPlain, scratch, until } from '../support/processes.ts';
import { TOKEN, withWeb } from '../support/web.ts';

/** The TCP ports `pid` listens on: its socket descriptors found in /proc/net/tcp{,6} in state LISTEN. */
function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
      if (inode) inodes.add(inode);
    } catch {
      // Closed meanwhile.
    }
  }
  return ['/proc/net/tcp', '/proc/net/tcp6'].flatMap((table) =>
    readFileSync(table, 'utf8')
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      .filter((fields) => fields[3] === '0A' && inodes.has(fields[9] ?? ''))
      .map((fields) => parseInt(fields[1]!.split(':')[1]!, 16)),
  );
}

/** A metric's value from /metrics, parsed by a Prometheus text parser. */
async function metric(response: Response, name: string, labels: Record<string, string>): Promise<string | undefined> {
  const families = parsePrometheusTextFormat(await response.text());
  return families.find((family) => family.name === name)?.metrics.find((sample) => Object.entries(labels).every(([key, value]) => sample.labels?.[key] === value))?.value;
}

describe('the HTTP API on TCP', () => {
  it('serves the control protocol, Tutum routes, /metrics and /healthz; a change is a policy.changed with source http that procwarden status agrees with', async () => {
    const { run, stderr, call, cli } = await withWeb();
    const status = (await (await call('GET', '/status')).json()) as { app: { pid: number; attempt: number }; policy: object };
    expect(status.app.attempt).toBe(1);

    const patched = await call('PATCH', '/policy', { body: '{"autoreplace":"on_failure"}' });
    expect(patched.status).toBe(200);
    expect(await patched.json()).toMatchObject({ new: { autorestart: 'ALWAYS', autoreplace: 'ON_FAILURE' } });
    await until(() => eventsNamed(stderr(), 'policy.changed').length === 1, 'the change, said');
    expect(eventsNamed(stderr(), 'policy.changed')[0]).toMatchObject({ source: 'http', new: { autoreplace: 'ON_FAILURE' } });
    const viaSocket = JSON.parse((await cli('status', '--json')).stdout) as { policy: object; policySources: object };
    expect(viaSocket.policy).toEqual({ autorestart: 'ALWAYS', autoreplace: 'ON_FAILURE', recovery: 'OFF' });
    expect(viaSocket.policySources).toMatchObject({ autoreplace: 'http' });

    // Tutum's spellings, Tutum's answer.
    const list = (await (await call('GET', '/api/v1/service/')).json()) as { meta: { total_count: number }; objects: { name: string }[] };
    expect(list.meta.total_count).toBe(1);
    expect(list.objects[0]).toMatchObject({ name: 'app', state: 'Running', autorestart: 'ALWAYS', autoreplace: 'ON_FAILURE', autodestroy: 'OFF' });
    const tutum = await call('PATCH', '/api/v1/service/app/', { body: '{"auto restart": "ON_FAILURE", "autoreplace": "OFF"}' });
    expect(tutum.status).toBe(200);
    expect(await tutum.json()).toMatchObject({ resource_uri: '/api/v1/service/app/', autorestart: 'ON_FAILURE', autoreplace: 'OFF' });
    expect(await (await call('GET', '/api/v1/service/app/')).json()).toMatchObject({ autorestart: 'ON_FAILURE' });
    await until(() => eventsNamed(stderr(), 'policy.changed').length === 2, 'the second change, said');

    expect(await (await call('GET', '/healthz', { token: false })).json()).toEqual({ live: true, instances: [{ process: 'app', state: 'running' }] });
    expect((await call('POST', '/restart')).status).toBe(202);
    await until(() => eventsNamed(stderr(), 'container.started').length === 2, 'the requested restart');
    const metrics = await call('GET', '/metrics');
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await metric(metrics, 'procwarden_starts_total', { mode: 'restart', process: 'app' })).toBe('1');
    expect(await metric(await call('GET', '/metrics'), 'procwarden_exits_total', { cause: 'requested', process: 'app' })).toBe('1');
    expect(await metric(await call('GET', '/metrics'), 'procwarden_app_up', { process: 'app' })).toBe('1');

    process.kill(run.pid!, 'SIGTERM');
    expect((await run).exitCode).toBe(143);
  });

  it("a formation: Tutum's services are its process types, a PATCH of one changes that type only, and the metrics have a series a type", async () => {
    const procfile = join(scratch(), 'Procfile');
    writeFileSync(procfile, 'web: exec sleep 1000\nworker: exec sleep 1000\n');
    const { run, stderr, call, cli } = await withWeb({ PROCWARDEN_PROCFILE: procfile }, ['--type', 'web,worker']);
    await until(() => eventsNamed(stderr(), 'container.started').length === 2, 'both instances');
    const list = (await (await call('GET', '/api/v1/service/')).json()) as { objects: { name: string; current_num_containers: number }[] };
    expect(list.objects.map(({ name, current_num_containers }) => [name, current_num_containers])).toEqual([
      ['web', 1],
      ['worker', 1],
    ]);
    expect((await call('PATCH', '/api/v1/service/worker/', { body: '{"autorestart":"ALWAYS"}' })).status).toBe(200);
    await until(() => eventsNamed(stderr(), 'policy.changed').length === 1, 'the change, said');
    expect(eventsNamed(stderr(), 'policy.changed')[0]).toMatchObject({ source: 'http', processType: 'worker' });
    const status = JSON.parse((await cli('status', '--json')).stdout) as { instances: { process: string; policy: { autorestart: string } }[] };
    expect(status.instances.map(({ process, policy }) => [process, policy.autorestart])).toEqual([
      ['web.1', 'OFF'],
      ['worker.1', 'ALWAYS'],
    ]);
    const metrics = await call('GET', '/metrics');
    expect(await metric(metrics, 'procwarden_app_up', { process: 'worker' })).toBe('1');
    expect(await (await call('GET', '/healthz', { token: false })).json()).toMatchObject({ live: true, instances: [{ process: 'web.1' }, { process: 'worker.1' }] });
    process.kill(run.pid!, 'SIGTERM');
    await run;
  });

  it('refuses what it must, and changes nothing: 401, 403, 404, 400, 409, 413', async () => {
    const { run, call } = await withWeb();
    const refused = async (status: number, method: string, path: string, options: Parameters<typeof call>[2] = {}) => {
      const response = await call(method, path, options);
      expect(response.status, `${method} ${path}`).toBe(status);
      return (await response.json()) as { error: string };
    };
    expect((await refused(401, 'GET', '/status', { token: false })).error).toMatch(/a token is needed/);
    expect((await refused(401, 'PATCH', '/policy', { token: 'wrong', body: '{"autorestart":"off"}' })).error).toBe('wrong token');
    expect((await refused(401, 'GET', '/metrics', { token: false })).error).toMatch(/token/);
    expect((await refused(401, 'GET', '/api/v1/service/', { token: false })).error).toMatch(/token/);
    // The cookie of a logged-in browser, sent with another site's form.
    const cookie = { cookie: `procwarden_token=${TOKEN}`, origin: 'http://evil.example', 'content-type': 'application/x-www-form-urlencoded' };
    expect((await refused(403, 'POST', '/restart', { token: false, headers: cookie })).error).toMatch(/another site/);
    expect((await refused(403, 'PATCH', '/policy', { token: false, headers: cookie, body: '{"autorestart":"off"}' })).error).toMatch(/another site/);
    expect((await refused(404, 'GET', '/nowhere')).error).toMatch(/no route GET \/nowhere/);
    expect((await refused(404, 'GET', '/api/v1/service/worker/')).error).toMatch(/no service 'worker'/);
    expect((await refused(400, 'PATCH', '/policy', { body: '{"autorestart":"sometimes"}' })).error).toMatch(/autorestart: 'sometimes'/);
    expect((await refused(400, 'PATCH', '/api/v1/service/app/', { body: '{"target_num_containers":2}' })).error).toMatch(/not a field/);
    expect((await refused(409, 'POST', '/restart?type=worker')).error).toMatch(/no process type 'worker'/);
    expect((await refused(413, 'PATCH', '/policy', { body: `{"autorestart":"${'x'.repeat(70_000)}"}` })).error).toMatch(/over 65536 bytes/);
    // Read once procwarden has ended: all it ever said.
    process.kill(run.pid!, 'SIGTERM');
    const { stderr: said } = await run;
    expect(eventsNamed(said, 'policy.changed')).toEqual([]);
    expect(eventsNamed(said, 'container.started')).toHaveLength(1);
  });

  it('/healthz is 503 with the state while the app waits for its restart, 200 again once it runs', async () => {
    const { run, stderr, call } = await withWeb({ PROCWARDEN_BACKOFF: '3s..3s' });
    const app = childrenOf(run.pid!)[0]!;
    process.kill(app, 'SIGKILL');
    await until(() => eventsNamed(stderr(), 'recovery.decision').length > 0, 'the decision to restart later');
    const down = await call('GET', '/healthz', { token: false });
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({ live: false, instances: [{ process: 'app', state: 'waiting' }] });
    const seconds = await (await call('GET', '/metrics')).text();
    expect(Number(/^procwarden_next_start_seconds\{process="app"\} (\S+)$/m.exec(seconds)?.[1])).toBeGreaterThan(1);
    expect(seconds).toMatch(/^procwarden_app_up\{process="app"\} 0$/m);
    expect((await call('POST', '/restart')).status).toBe(202);
    await until(() => eventsNamed(stderr(), 'container.started').length === 2, 'the wait ended by the restart');
    expect((await call('GET', '/healthz', { token: false })).status).toBe(200);
    process.kill(run.pid!, 'SIGTERM');
    await run;
  });

  it('streams events as they happen (server-sent events): the last ones first, then each new one', async () => {
    const { run, call } = await withWeb();
    const response = await call('GET', '/events');
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    const readUntil = async (pattern: RegExp) => {
      while (!pattern.test(text)) text += (await reader.read()).value ?? '';
    };
    await finishes(readUntil(/"event":"http\.listening"/), 5000, 'the kept events', () => text);
    expect(text).toMatch(/^event: hello\n/);
    expect(text).toMatch(/"event":"container\.started"/);
    await call('PATCH', '/policy', { body: '{"recovery":"on"}' });
    await finishes(readUntil(/"event":"policy\.changed".*"source":"http"/), 5000, 'the change, live', () => text);
    await reader.cancel();
    process.kill(run.pid!, 'SIGTERM');
    await run;
  });

  it('/metrics is served without the token with PROCWARDEN_HTTP_METRICS=public, and the token may come from a file', async () => {
    const file = join(scratch(), 'token');
    writeFileSync(file, `${TOKEN}\n`);
    const { run, call } = await withWeb({ PROCWARDEN_HTTP_METRICS: 'public', PROCWARDEN_HTTP_TOKEN: '', PROCWARDEN_HTTP_TOKEN_FILE: file });
    expect((await call('GET', '/metrics', { token: false })).status).toBe(200);
    expect((await call('GET', '/status', { token: false })).status).toBe(401);
    expect((await call('GET', '/status')).status).toBe(200);
    process.kill(run.pid!, 'SIGTERM');
    await run;
  });

  it('is off unless PROCWARDEN_HTTP is set: no TCP listener; on, one on the port it says', async () => {
    const { run, port } = await withWeb();
    expect(listeningPorts(run.pid!)).toEqual([port]);
    process.kill(run.pid!, 'SIGTERM');
    await run;
    const stateDir = join(scratch(), 'state');
    const off = runPlain(['--', 'sleep', '1000'], { env: { PROCWARDEN_STATE_DIR: stateDir } });
    await until(() => {
      try {
        return readdirSync(stateDir).includes('control.sock');
      } catch {
        return false;
      }
    }, 'the control socket');
    expect(listeningPorts(off.pid!)).toEqual([]);
    process.kill(off.pid!, 'SIGTERM');
    await off;
  });

  it('refuses to start (exit 2, one line) on an address beyond loopback with no token, or an unreadable token file', async () => {
    const open = await runPlain(['--', 'true'], { env: { PROCWARDEN_HTTP: '0.0.0.0:9000' } });
    expect(open.exitCode).toBe(2);
    expect(open.stderr).toMatch(/^procwarden: PROCWARDEN_HTTP: 0\.0\.0\.0 is reachable from outside the container: set PROCWARDEN_HTTP_TOKEN or PROCWARDEN_HTTP_TOKEN_FILE/);
    const missing = await runPlain(['--', 'true'], { env: { PROCWARDEN_HTTP: '0.0.0.0:9000', PROCWARDEN_HTTP_TOKEN_FILE: '/nonexistent/token' } });
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toBe('procwarden: PROCWARDEN_HTTP_TOKEN_FILE: cannot read /nonexistent/token: ENOENT');
  });
});
