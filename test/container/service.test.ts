// Dockerfile.example's image as a service in podman: its Procfile's web type, PID 1 duties,
// the events in `podman logs`, the control socket through `podman exec`, and `podman stop`.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsNamed } from '../support/events.ts';
import { execIn, exitCodeOf, hostPort, httpGet, logsOf, logsOnceThey, podman, podmanOk, procwardenStatus, startDetached, suiteRun } from './engine.ts';

const run = suiteRun();

/** The example image's service, started detached with its port published on 127.0.0.1. */
async function startService() {
  const id = await startDetached(run, ['-p', '127.0.0.1::5000', run.example]);
  return { id, port: await hostPort(run, id, 5000) };
}

describe('the example image as a service in podman', () => {
  let service: { id: string; port: number };
  beforeAll(async () => {
    service = await startService();
  });
  afterAll(async () => {
    await podman(run.conf, ['rm', '--force', '--time', '0', service.id]);
  });

  it('the Procfile\'s web type answers HTTP on the published port, and procwarden is PID 1', async () => {
    expect(await httpGet(service.port)).toEqual({ status: 200, body: 'hello from a well-behaved service\n' });
    const pid1 = await execIn(run, service.id, ['readlink', '/proc/1/exe']);
    expect(pid1.stdout).toBe('/usr/local/bin/procwarden');
    const app = await execIn(run, service.id, ['sh', '-c', 'cat /proc/$(cat /proc/1/task/1/children | cut -d" " -f1)/cmdline | tr "\\0" " "']);
    expect(app.stdout).toBe('python3 server.py ');
  });

  it('`podman logs` carries procwarden\'s JSON events on stderr, and the app\'s own lines on stdout', async () => {
    await httpGet(service.port);
    const logs = await logsOnceThey(run, service.id, ({ stdout }) => stdout.includes('GET / '), 'the request line');
    expect(eventsNamed(logs.stderr, 'container.started')).toMatchObject([{ attempt: 1, mode: 'initial', processType: 'web', port: 5000, command: ['/bin/sh', '-c', 'exec python3 server.py'] }]);
    expect(eventsNamed(logs.stderr, 'fs.snapshot')).toMatchObject([{ source: 'build', roots: ['/app', '/tmp'] }]);
    expect(logs.stdout).toMatch(/^web: serving on port 5000 as pid \d+$/m);
  });

  it('`podman exec CONTAINER procwarden status`, `set` and `restart` reach the running procwarden', async () => {
    const status = await procwardenStatus(run, service.id);
    expect(status).toMatch(/^state: running$/m);
    expect(status).toMatch(/^policy: autorestart ON_FAILURE \(env\), autoreplace OFF \(default\), recovery ON \(default\)$/m);
    expect(status).toMatch(/^snapshot: build \(\d+ entries\)$/m);

    const set = await execIn(run, service.id, ['procwarden', 'set', '--autoreplace', 'ALWAYS']);
    expect(set.exitCode).toBe(0);
    expect(set.stdout).toBe('policy changed: autoreplace OFF -> ALWAYS; it applies to the next exit, and to a start procwarden waits to make');
    expect(await procwardenStatus(run, service.id)).toMatch(/^policy: autorestart ON_FAILURE \(env\), autoreplace ALWAYS \(socket\), recovery ON \(default\)$/m);

    const restart = await execIn(run, service.id, ['procwarden', 'restart', '--json']);
    expect(restart.exitCode).toBe(0);
    expect(JSON.parse(restart.stdout)).toEqual({ restarting: true });
    const logs = await logsOnceThey(run, service.id, ({ stderr }) => eventsNamed(stderr, 'container.started').length === 2, 'the restarted app');
    expect(eventsNamed(logs.stderr, 'container.exited').at(-1)).toMatchObject({ cause: 'requested' });
    expect(eventsNamed(logs.stderr, 'container.started').at(-1)).toMatchObject({ attempt: 2 });
    expect(await httpGet(service.port)).toMatchObject({ status: 200 });
  });
});

describe('`podman stop` of the example image', () => {
  it('stops the well-behaved service with exit 0, well under the grace', async () => {
    const { id, port } = await startService();
    await httpGet(port);
    const begun = Date.now();
    await podmanOk(run.conf, ['stop', '--time', '10', id]);
    const tookMs = Date.now() - begun;
    expect(await exitCodeOf(run, id)).toBe(0);
    expect(tookMs).toBeLessThan(5_000);
    const { stderr, stdout } = await logsOf(run, id);
    expect(stdout).toMatch(/^web: stopped cleanly$/m);
    expect(eventsNamed(stderr, 'container.exited')).toMatchObject([{ cause: 'stop', code: 0 }]);
    expect(eventsNamed(stderr, 'procwarden.exit')).toMatchObject([{ code: 0 }]);
  });
});
