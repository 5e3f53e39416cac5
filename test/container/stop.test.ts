// `podman stop` of apps that do not simply exit on SIGTERM: one that ignores it, a server a
// shell started without exec, and an image whose STOPSIGNAL is SIGQUIT.

import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { eventsNamed } from '../support/events.ts';
import { execIn, exitCodeOf, hostPort, httpGet, logsOf, logsOnceThey, podmanOk, startDetached, suiteRun } from './engine.ts';
import { buildImage } from './images.ts';

const run = suiteRun();
/** The apps of test/container/apps, from the example image. */
const checks = ['-v', `${run.apps}:/checks:ro`, '-e', 'PROCWARDEN_PROCFILE=/checks/Procfile'];

/** `podman stop -t GRACE ID`, and how long it took. */
async function stop(id: string, graceSeconds: number): Promise<number> {
  const begun = Date.now();
  await podmanOk(run.conf, ['stop', '--time', String(graceSeconds), id], { timeoutMs: (graceSeconds + 30) * 1000 });
  return Date.now() - begun;
}

describe('podman stop', () => {
  it('of an app that ignores SIGTERM: exit 137 once PROCWARDEN_STOP_TIMEOUT is over, before podman\'s own kill, with the events in the logs', async () => {
    const id = await startDetached(run, [...checks, '-e', 'PROCWARDEN_STOP_TIMEOUT=2s', run.example, '--type', 'stubborn']);
    await logsOnceThey(run, id, ({ stdout }) => stdout.includes('ready'), 'the app');
    const tookMs = await stop(id, 20);
    expect(await exitCodeOf(run, id)).toBe(137);
    expect(tookMs).toBeGreaterThanOrEqual(1_900);
    expect(tookMs).toBeLessThan(10_000);
    const { stderr } = await logsOf(run, id);
    expect(eventsNamed(stderr, 'container.exited')).toMatchObject([{ cause: 'stop', signal: 'SIGKILL' }]);
    expect(eventsNamed(stderr, 'container.started')).toHaveLength(1);
    expect(eventsNamed(stderr, 'procwarden.exit')).toMatchObject([{ code: 137 }]);
  });

  it('of a Procfile line without exec, run by dash, with a request in flight: the request completes, exit 0', async () => {
    const server = resolve('test/fixtures/issue11');
    const id = await startDetached(run, [...checks, '-v', `${server}:/fixtures:ro`, '-p', '127.0.0.1::5000', run.example, '--type', 'unexeced']);
    expect((await execIn(run, id, ['readlink', '/bin/sh'])).stdout).toBe('dash');
    const port = await hostPort(run, id, 5000);
    await logsOnceThey(run, id, ({ stdout }) => /^listening 5000 \d+$/m.test(stdout), 'the server');
    const { stderr: started } = await logsOf(run, id);
    // Two commands: the shell stays in front of the server.
    expect(eventsNamed(started, 'container.started')).toMatchObject([{ command: ['/bin/sh', '-c', 'echo starting the server; SERVER_ADDRESS=0.0.0.0:$PORT python3 /fixtures/server.py'] }]);
    const request = httpGet(port, '/slow', 60_000);
    await logsOnceThey(run, id, ({ stdout }) => /^began \d+$/m.test(stdout), 'the slow request to arrive');
    const tookMs = await stop(id, 10);
    expect(await request).toEqual({ status: 200, body: 'done\n' });
    expect(await exitCodeOf(run, id)).toBe(0);
    expect(tookMs).toBeLessThan(8_000);
    const { stdout, stderr } = await logsOf(run, id);
    expect(stdout).toMatch(/^drained \d+$/m);
    expect(eventsNamed(stderr, 'procwarden.exit')).toMatchObject([{ code: 0 }]);
  });

  describe('of an image with STOPSIGNAL SIGQUIT', () => {
    const image = `localhost/procwarden-test-sigquit:${run.id}`;
    beforeAll(() => buildImage(run, `FROM ${run.example}\nSTOPSIGNAL SIGQUIT\n`, {}, image));

    it('is a stop: the app dies of SIGQUIT (131), and no policy starts it again', async () => {
      const id = await startDetached(run, ['-p', '127.0.0.1::5000', image]);
      await httpGet(await hostPort(run, id, 5000));
      const tookMs = await stop(id, 10);
      expect(await exitCodeOf(run, id)).toBe(131);
      expect(tookMs).toBeLessThan(5_000);
      const { stderr } = await logsOf(run, id);
      expect(eventsNamed(stderr, 'container.exited')).toMatchObject([{ cause: 'stop', signal: 'SIGQUIT' }]);
      expect(eventsNamed(stderr, 'container.started')).toHaveLength(1);
      expect(eventsNamed(stderr, 'recovery.decision')).toEqual([]);
    });
  });
});
