// Issue 11, section 5: the exit codes users ask for. PROCWARDEN_SUCCESS_EXIT names exits that
// count as success (tini's -e, systemd's SuccessExitStatus=, supervisord's exitcodes);
// PROCWARDEN_NO_RESTART_EXIT names exits after which nothing starts the app again (systemd's
// RestartPreventExitStatus=).

import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventsNamed, finishes, pid1Of, readIfExists, runAsPid1, scratch, stderrSoFar, until } from '../support/processes.ts';

/** An app that counts its runs, one line each in `runs`, then runs `then` (`exit 143`, `kill -TERM $$`). */
function counted(then: string) {
  const folder = scratch();
  const runs = join(folder, 'runs');
  return { folder, script: `echo run >> ${runs}; ${then}`, count: () => readIfExists(runs).split('\n').filter(Boolean).length };
}

const modes = (stderr: string) => eventsNamed(stderr, 'container.started').map((event) => event.mode);

describe('PROCWARDEN_SUCCESS_EXIT=0,143,SIGTERM', () => {
  const env = { PROCWARDEN_SUCCESS_EXIT: '0,143,SIGTERM' };

  it.each([
    ['exit code 143', 'exit 143'],
    ['a death by SIGTERM', 'kill -TERM $$'],
  ])('%s counts as success: ON_FAILURE does not restart it, and procwarden exits 0', async (_, then) => {
    const app = counted(then);
    const run = runAsPid1(['--autorestart', 'on_failure', '--', 'sh', '-c', app.script], { env });
    const result = await finishes(run, 3000, 'procwarden', stderrSoFar(run));
    expect(app.count()).toBe(1);
    expect(result.exitCode).toBe(0);
    expect(eventsNamed(result.stderr, 'container.exited')).toMatchObject([{ cause: 'clean' }]);
    expect(eventsNamed(result.stderr, 'procwarden.exit')).toMatchObject([{ code: 0 }]);
  });

  it('an exit it does not name is still a failure: exit 3 is restarted, and procwarden exits 3', async () => {
    const app = counted('exit 3');
    const result = await runAsPid1(['--autorestart', 'on_failure', '--', 'sh', '-c', app.script], { env: { ...env, PROCWARDEN_RESTART_LIMIT: '1/1m' } });
    expect(app.count()).toBe(2);
    expect(result.exitCode).toBe(3);
    expect(eventsNamed(result.stderr, 'container.exited').map((event) => event.cause)).toEqual(['crash', 'crash']);
  });

  it('docker stop of a Java-style app that dies of SIGTERM: procwarden exits 0 (as tini -e 143)', async () => {
    const run = runAsPid1(['--', 'sleep', '1000'], { env: { ...env, PROCWARDEN_LOG_LEVEL: 'info' } });
    const stderr = stderrSoFar(run);
    const pid1 = await pid1Of(run.pid!);
    await until(() => eventsNamed(stderr(), 'container.started').length === 1, 'the app to start');
    process.kill(pid1, 'SIGTERM');
    const result = await finishes(run, 3000, 'procwarden after SIGTERM', stderr);
    expect(eventsNamed(result.stderr, 'container.exited')).toMatchObject([{ signal: 'SIGTERM', cause: 'stop' }]);
    expect(result.exitCode).toBe(0);
  });
});

describe('an exit code in a list also names the death by signal that procwarden reports with it', () => {
  it('PROCWARDEN_SUCCESS_EXIT=143: a Node app killed by docker stop (SIGTERM, reported 143) exits 0, as tini -e 143', async () => {
    const run = runAsPid1(['--', 'sleep', '1000'], { env: { PROCWARDEN_SUCCESS_EXIT: '143', PROCWARDEN_LOG_LEVEL: 'info' } });
    const stderr = stderrSoFar(run);
    const pid1 = await pid1Of(run.pid!);
    await until(() => eventsNamed(stderr(), 'container.started').length === 1, 'the app to start');
    process.kill(pid1, 'SIGTERM');
    const result = await finishes(run, 3000, 'procwarden after SIGTERM', stderr);
    expect(result.exitCode).toBe(0);
  });

  it('PROCWARDEN_NO_RESTART_EXIT=137: an app killed by SIGKILL is not restarted', async () => {
    const app = counted('kill -KILL $$');
    const run = runAsPid1(['--autorestart', 'always', '--', 'sh', '-c', app.script], { env: { PROCWARDEN_NO_RESTART_EXIT: '137' } });
    const result = await finishes(run, 3000, 'procwarden', stderrSoFar(run));
    expect(app.count()).toBe(1);
    expect(result.exitCode).toBe(137);
  });
});

describe('PROCWARDEN_NO_RESTART_EXIT', () => {
  it('=78: after exit 78 no policy starts the app again, not ALWAYS, not Container Recovery; procwarden exits 78', async () => {
    const app = counted('exit 78');
    writeFileSync(join(app.folder, 'Procfile'), `web: ${app.script}\n`);
    const run = runAsPid1([], {
      cwd: app.folder,
      env: { PROCWARDEN_NO_RESTART_EXIT: '78', AUTORESTART: 'ALWAYS', AUTOREPLACE: 'ALWAYS', PROCWARDEN_THROTTLE: '10ms' },
    });
    const result = await finishes(run, 3000, 'procwarden', stderrSoFar(run));
    expect(app.count()).toBe(1);
    expect(result.exitCode).toBe(78);
    expect(modes(result.stderr)).toEqual(['initial']);
    expect(eventsNamed(result.stderr, 'recovery.decision')).toMatchObject([{ action: 'stop', rule: 'no-restart-exit' }]);
  });

  it('=SIGKILL: an app killed by SIGKILL (the OOM killer) is not restarted; procwarden exits 137', async () => {
    const app = counted('kill -KILL $$');
    const run = runAsPid1(['--autorestart', 'always', '--', 'sh', '-c', app.script], { env: { PROCWARDEN_NO_RESTART_EXIT: 'SIGKILL' } });
    const result = await finishes(run, 3000, 'procwarden', stderrSoFar(run));
    expect(app.count()).toBe(1);
    expect(result.exitCode).toBe(137);
    expect(eventsNamed(result.stderr, 'recovery.decision')).toMatchObject([{ action: 'stop', rule: 'no-restart-exit' }]);
  });

  it('an exit it does not name is restarted as before', async () => {
    const app = counted('exit 3');
    const result = await runAsPid1(['--autorestart', 'always', '--', 'sh', '-c', app.script], { env: { PROCWARDEN_NO_RESTART_EXIT: '78', PROCWARDEN_RESTART_LIMIT: '1/1m' } });
    expect(app.count()).toBe(2);
    expect(result.exitCode).toBe(3);
  });
});

describe('a bad exit list', () => {
  it.each([
    ['PROCWARDEN_SUCCESS_EXIT', 'abc'],
    ['PROCWARDEN_SUCCESS_EXIT', '300'],
    ['PROCWARDEN_SUCCESS_EXIT', '0,SIGFOO'],
    ['PROCWARDEN_NO_RESTART_EXIT', 'abc'],
    ['PROCWARDEN_NO_RESTART_EXIT', '300'],
    ['PROCWARDEN_NO_RESTART_EXIT', 'SIGFOO'],
  ])('%s=%s is exit 2, one line naming the variable, and nothing runs', async (variable, value) => {
    const marker = join(scratch(), 'ran');
    const result = await runAsPid1(['--', 'touch', marker], { env: { [variable]: value } });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`^procwarden: .*${variable}`));
    expect(result.stderr.split('\n')).toHaveLength(1);
    expect(existsSync(marker)).toBe(false);
  });
});
