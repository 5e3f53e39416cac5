// Issue 15: starts by a policy are spaced (the backoff), and any wait is a state the operator
// can end: `procwarden restart` starts now, `procwarden set` decides the pending start again,
// a stop ends it. dist/procwarden as PID 1.

import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, eventsNamed, pid1Of, runAsPid1, runTracked, scratch, stderrSoFar, until } from '../support/processes.ts';

const starts = (stderr: string) => eventsNamed(stderr, 'container.started');

describe('the backoff', () => {
  it('with AUTORESTART=ON_FAILURE and the defaults, an app whose dependency comes up 5 s late runs within 10 s', async () => {
    const dir = scratch();
    const dependency = join(dir, 'database-up');
    // The app exits 1 at once while its dependency is down, and serves once it is up.
    const app = `if [ -e ${dependency} ]; then echo serving > ${dir}/serving; exec sleep 1000; fi; exit 1`;
    const began = Date.now();
    // PROCWARDEN_BACKOFF unset: its default, 1s..30s.
    const run = runAsPid1(['--autorestart', 'ON_FAILURE', '--', 'sh', '-c', app], { env: { PROCWARDEN_BACKOFF: '' } });
    const pid1 = await pid1Of(run.pid!);
    const stderr = stderrSoFar(run);
    await until(() => Date.now() - began >= 5000, 'the dependency to come up', 6000);
    writeFileSync(dependency, '');
    await until(() => existsSync(join(dir, 'serving')), 'the app to serve', 10_000 - (Date.now() - began));
    expect(Date.now() - began).toBeLessThan(10_000);
    const decisions = eventsNamed(stderr(), 'recovery.decision');
    // 1 s, 2 s, 4 s: three restarts, the default budget of 3 a minute.
    expect(decisions.map(({ action, delayMs }) => [action, delayMs])).toEqual([
      ['restart', 1000],
      ['restart', 2000],
      ['restart', 4000],
    ]);
    expect(decisions[2]!.reason).toBe('autorestart ON_FAILURE, 0 of 3 left in 1m; backoff 4s (quick exit 3 in a row)');
    process.kill(pid1, 'SIGTERM');
    await run;
  });

  it('starts again from the first delay once the app has run PROCWARDEN_BACKOFF_RESET', async () => {
    const dir = scratch();
    // Quick exits, then one run longer than the reset, then quick exits again.
    const app = `n=$(cat ${dir}/n 2>/dev/null || echo 0); echo $((n+1)) > ${dir}/n; if [ "$n" -eq 2 ]; then sleep 0.6; fi; exit 1`;
    const result = await runAsPid1(['--autorestart', 'ON_FAILURE', '--', 'sh', '-c', app], {
      env: { PROCWARDEN_BACKOFF: '50ms..1s', PROCWARDEN_BACKOFF_RESET: '400ms', PROCWARDEN_RESTART_LIMIT: '4/1m' },
    });
    expect(eventsNamed(result.stderr, 'recovery.decision').map(({ delayMs }) => delayMs)).toEqual([50, 100, 50, 100, 0]);
    expect(result.exitCode).toBe(1);
  });

  it('PROCWARDEN_BACKOFF=off restarts at once; a bad value is exit 2', async () => {
    const quick = await runAsPid1(['--autorestart', 'ON_FAILURE', '--', 'false'], { env: { PROCWARDEN_BACKOFF: 'off' } });
    expect(eventsNamed(quick.stderr, 'recovery.decision').map(({ delayMs }) => delayMs)).toEqual([0, 0, 0, 0]);
    const bad = await runAsPid1(['--', 'true'], { env: { PROCWARDEN_BACKOFF: '30s..1s' } });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/^procwarden: PROCWARDEN_BACKOFF: '30s\.\.1s' is not FIRST\.\.MAX/);
  });
});

describe('a wait the operator can end', () => {
  /** A crash loop under Container Recovery: the second recovery waits out a throttle of an hour. */
  async function waiting() {
    const dir = scratch();
    const env = { PROCWARDEN_STATE_DIR: join(dir, 'state'), PROCWARDEN_THROTTLE: '1h' };
    const run = runAsPid1(['--recovery', 'on', '--', 'sh', '-c', 'sleep 0.1; exit 3'], { env });
    const pid1 = await pid1Of(run.pid!);
    const stderr = stderrSoFar(run);
    await until(() => eventsNamed(stderr(), 'recovery.decision').some(({ delayMs }) => delayMs > 0), 'the throttle');
    const client = (...args: string[]) => runTracked(BIN, args, { env });
    return { run, pid1, stderr, client };
  }

  it('procwarden restart during a throttle starts the pending recovery at once', async () => {
    const { run, pid1, stderr, client } = await waiting();
    const status = JSON.parse((await client('status', '--json')).stdout) as { state: string };
    expect(status.state).toBe('waiting');
    const restart = await client('restart');
    expect(restart.exitCode, restart.stderr).toBe(0);
    await until(() => starts(stderr()).length === 3, 'the start', 2000);
    expect(starts(stderr()).map(({ mode }) => mode)).toEqual(['initial', 'recover', 'recover']);
    process.kill(pid1, 'SIGTERM');
    await run;
  });

  it('procwarden set during a wait decides the pending start again: --recovery off, and procwarden exits with the app code', async () => {
    const { run, client } = await waiting();
    const set = await client('set', '--recovery', 'off');
    expect(set.exitCode, set.stderr).toBe(0);
    const result = await run;
    expect(result.exitCode).toBe(3);
    expect(eventsNamed(result.stderr, 'recovery.decision').at(-1)).toMatchObject({ action: 'stop', reason: 'autorestart OFF; autoreplace OFF; Container Recovery OFF' });
    // The change is said before what it made happen.
    const order = result.stderr.split('\n').flatMap((line) => (line.startsWith('{') ? [JSON.parse(line).event as string] : []));
    expect(order.slice(-3)).toEqual(['policy.changed', 'recovery.decision', 'procwarden.exit']);
    expect(starts(result.stderr)).toHaveLength(2);
  });

  it('a stop during a wait ends it at once with the last exit', async () => {
    const { run, pid1 } = await waiting();
    process.kill(pid1, 'SIGTERM');
    const result = await run;
    expect(result.exitCode).toBe(3);
  });
});
