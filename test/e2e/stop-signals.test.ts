// Issue 11, sections 1 and 2: every stop signal is a stop (SIGQUIT for nginx and php-fpm,
// whatever PROCWARDEN_STOP_SIGNALS names), and on a terminal ^C, ^\ and ^Z never make
// procwarden restart the app or wedge.

import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BIN,
  FIXTURES,
  STANDALONE,
  childrenOf,
  eventsNamed,
  finishes,
  holdsTerminal,
  pid1Of,
  processGroupOf,
  procwardenBelow,
  readIfExists,
  runAsPid1,
  runOnTerminal,
  runPlain,
  scratch,
  statusField,
  stderrSoFar,
  until,
} from '../support/processes.ts';

const ISSUE11 = join(FIXTURES, 'issue11');
const gracefulOn = join(ISSUE11, 'graceful-on.sh');
// Says FOREGROUND once it holds the terminal, then is one `sleep` that never forks: a ^Z
// always finds it stopped in one piece, never half-way through a fork.
const terminalApp = join(FIXTURES, 'report-foreground.sh');

/** A folder with a Procfile of `procfile`, and the log the app writes (ISSUE11_LOG). */
function app(procfile = '') {
  const folder = scratch();
  if (procfile) writeFileSync(join(folder, 'Procfile'), procfile);
  const log = join(folder, 'log');
  return { folder, log, env: { ISSUE11_LOG: log } };
}

const ready = (log: string) => /^ready \d+$/m.test(readIfExists(log));
const modes = (stderr: string) => eventsNamed(stderr, 'container.started').map((event) => event.mode);

describe('every stop signal is a stop', () => {
  it('docker stop of an nginx-style image (STOPSIGNAL SIGQUIT): the app exits 0 gracefully and is not recovered, even with AUTORESTART=ALWAYS', async () => {
    const { folder, log, env } = app(`web: sh ${gracefulOn} QUIT\n`);
    const run = runAsPid1([], { cwd: folder, env: { ...env, AUTORESTART: 'ALWAYS' } });
    const stderr = stderrSoFar(run);
    const pid1 = await pid1Of(run.pid!);
    await until(() => ready(log), 'the app');
    process.kill(pid1, 'SIGQUIT');
    const result = await finishes(run, 3000, 'procwarden after SIGQUIT', stderr);
    expect(readIfExists(log)).toMatch(/^graceful QUIT \d+$/m);
    expect(result.exitCode).toBe(0);
    expect(modes(result.stderr)).toEqual(['initial']);
    expect(eventsNamed(result.stderr, 'container.exited')).toMatchObject([{ code: 0, cause: 'stop' }]);
  });

  it('an app that dies of the SIGQUIT of a stop: exit 131, no restart, no recovery', async () => {
    const { folder, env } = app('web: sleep 1000\n');
    const run = runAsPid1([], { cwd: folder, env: { ...env, AUTORESTART: 'ALWAYS' } });
    const stderr = stderrSoFar(run);
    const pid1 = await pid1Of(run.pid!);
    await until(() => modes(stderr()).length === 1, 'the app to start');
    process.kill(pid1, 'SIGQUIT');
    const result = await finishes(run, 3000, 'procwarden after SIGQUIT', stderr);
    expect(result.exitCode).toBe(131);
    expect(modes(result.stderr)).toEqual(['initial']);
    expect(eventsNamed(result.stderr, 'container.exited')).toMatchObject([{ signal: 'SIGQUIT', cause: 'stop' }]);
  });

  it('PROCWARDEN_STOP_SIGNALS=SIGWINCH,SIGTERM (Apache httpd): SIGQUIT is then only forwarded and a death by it is a crash; SIGWINCH is the stop', async () => {
    const { folder, log, env } = app(`web: sh ${gracefulOn} WINCH\n`);
    const run = runAsPid1([], { cwd: folder, env: { ...env, AUTORESTART: 'ALWAYS', PROCWARDEN_STOP_SIGNALS: 'SIGWINCH,SIGTERM' } });
    const stderr = stderrSoFar(run);
    const pid1 = await pid1Of(run.pid!);
    await until(() => ready(log), 'the app');
    process.kill(pid1, 'SIGQUIT');
    await until(() => modes(stderr()).length === 2 && readIfExists(log).match(/^ready/gm)?.length === 2, 'the app to be restarted');
    expect(eventsNamed(stderr(), 'container.exited')).toMatchObject([{ signal: 'SIGQUIT', cause: 'crash' }]);

    process.kill(pid1, 'SIGWINCH');
    const result = await finishes(run, 3000, 'procwarden after SIGWINCH', stderr);
    expect(readIfExists(log)).toMatch(/^graceful WINCH \d+$/m);
    expect(result.exitCode).toBe(0);
    expect(modes(result.stderr)).toEqual(['initial', 'restart']);
    expect(eventsNamed(result.stderr, 'container.exited').at(-1)).toMatchObject({ code: 0, cause: 'stop' });
  });

  it('`procwarden restart` stops the app with the first of PROCWARDEN_STOP_SIGNALS: SIGQUIT, for an nginx-style app', async () => {
    const { log, env } = app();
    const stateDir = join(scratch(), 'state');
    const run = runPlain(['--', 'sh', gracefulOn, 'QUIT'], {
      env: { ...env, PROCWARDEN_STATE_DIR: stateDir, PROCWARDEN_STOP_SIGNALS: 'SIGQUIT,SIGTERM', PROCWARDEN_LOG_LEVEL: 'info' },
    });
    const stderr = stderrSoFar(run);
    await until(() => ready(log), 'the app');
    const restart = await runPlain(['restart'], { env: { PROCWARDEN_STATE_DIR: stateDir } });
    expect(restart.exitCode, restart.stderr).toBe(0);
    await until(() => modes(stderr()).length === 2, 'the new start');
    expect(readIfExists(log)).toMatch(/^graceful QUIT \d+$/m);
    expect(eventsNamed(stderr(), 'container.exited')).toMatchObject([{ code: 0, cause: 'requested' }]);
    process.kill(run.pid!, 'SIGTERM');
    await finishes(run, 3000, 'procwarden after SIGTERM', stderr);
  });

  it.each(['winch', 'WINCH', 'SIGWINCH', '28', 'term,28'])('PROCWARDEN_STOP_SIGNALS=%s is accepted: SIGWINCH begins a stop of a one-off too', async (value) => {
    const { log, env } = app();
    const run = runPlain(['--autorestart', 'always', '--', 'sh', gracefulOn, 'WINCH'], { env: { ...env, PROCWARDEN_STOP_SIGNALS: value } });
    const stderr = stderrSoFar(run);
    await until(() => ready(log), 'the app');
    process.kill(run.pid!, 'SIGWINCH');
    const result = await finishes(run, 3000, 'procwarden after SIGWINCH', stderr);
    expect(result.exitCode).toBe(0);
    expect(modes(result.stderr)).toEqual(['initial']);
  });

  it.each(['SIGFOO', 'SIGKILL', 'SIGSTOP', 'SIGCHLD', '99', 'SIGTERM,SIGFOO'])('PROCWARDEN_STOP_SIGNALS=%s is exit 2 naming the variable and the entry; nothing is started', async (value) => {
    const marker = join(scratch(), 'ran');
    const result = await runPlain(['--', 'touch', marker], { env: { PROCWARDEN_STOP_SIGNALS: value } });
    const entry = value.split(',').at(-1)!;
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^procwarden: .*PROCWARDEN_STOP_SIGNALS/);
    expect(result.stderr).toContain(entry);
    expect(result.stderr.split('\n')).toHaveLength(1);
    expect(existsSync(marker)).toBe(false);
  });
});

describe.each([
  ['dist/procwarden', BIN],
  ['the standalone executable', STANDALONE],
])('on a terminal (docker run -it), %s', (_, binary) => {
  it('^Z stops the app and procwarden takes the terminal back, saying so; ^C then stops the app: exit 130, no wedge', async () => {
    const { run, output, type } = runOnTerminal(['--', 'sh', terminalApp], { binary, cwd: scratch() });
    const procwarden = await procwardenBelow(run.pid!, binary);
    await until(() => output().includes('FOREGROUND'), 'the app to hold the terminal');
    type('\x1a');
    await until(() => eventsNamed(output(), 'procwarden.warning').some((event) => /stopped/.test(event.detail)), 'a warning that the app was stopped', 3000);
    await until(() => holdsTerminal(procwarden), "the terminal's foreground to be procwarden's", 3000);
    type('\x03');
    const result = await finishes(run, 3000, 'procwarden after ^Z then ^C', output);
    expect(result.exitCode).toBe(130);
  });

  it('after ^Z, SIGCONT to procwarden resumes the app and hands it the terminal again', async () => {
    const { run, output, type } = runOnTerminal(['--', 'sh', terminalApp], { binary, cwd: scratch() });
    const procwarden = await procwardenBelow(run.pid!, binary);
    await until(() => output().includes('FOREGROUND'), 'the app to hold the terminal');
    const appPid = childrenOf(procwarden)[0]!;
    type('\x1a');
    await until(() => statusField(appPid, 'State').startsWith('T'), `the app (pid ${appPid}) to be stopped`, 3000);
    await until(() => holdsTerminal(procwarden), "the terminal's foreground to be procwarden's", 3000);
    process.kill(procwarden, 'SIGCONT');
    await until(() => !statusField(appPid, 'State').startsWith('T') && holdsTerminal(appPid), 'the app to run again with the terminal', 3000);
    type('\x03');
    expect((await finishes(run, 3000, 'procwarden after ^C', output)).exitCode).toBe(130);
  });

  it.each([
    { keys: '^C', key: '\x03', code: 130 },
    { keys: '^\\', key: '\x1c', code: 131 },
  ])('one $keys ends an app with AUTORESTART=ALWAYS: a stop, not a crash; procwarden exits $code, no restart', async ({ keys, key, code }) => {
    const { run, output, type } = runOnTerminal(['--autorestart', 'always', '--', 'sh', terminalApp], { binary, cwd: scratch() });
    await until(() => output().includes('FOREGROUND'), 'the app to hold the terminal');
    type(key);
    const result = await finishes(run, 3000, `procwarden after one ${keys}`, output);
    expect(result.exitCode).toBe(code);
    expect(modes(output())).toEqual(['initial']);
    expect(eventsNamed(output(), 'container.exited')).toMatchObject([{ cause: 'stop' }]);
  });

  it('^C while procwarden waits out a recovery throttle ends the wait at once, with the app last exit code', async () => {
    const { run, output, type } = runOnTerminal(['--recovery', 'on', '--', 'sh', '-c', 'exit 3'], { binary, cwd: scratch(), env: { PROCWARDEN_THROTTLE: '1m' } });
    const procwarden = await procwardenBelow(run.pid!, binary);
    await until(() => eventsNamed(output(), 'recovery.decision').some((decision) => decision.delayMs > 0), 'procwarden to wait out the throttle');
    await until(() => holdsTerminal(procwarden), "the terminal's foreground to be procwarden's while no app runs", 3000);
    const sentAt = performance.now();
    type('\x03');
    const result = await finishes(run, 3000, 'procwarden after ^C during the throttle wait', output);
    expect(performance.now() - sentAt).toBeLessThan(2000);
    expect(result.exitCode).toBe(3);
    expect(modes(output())).toEqual(['initial', 'recover']);
  });
});

describe('SIGWINCH as a stop signal (Apache httpd) on a terminal', () => {
  it('a window resize while procwarden holds the terminal (a throttle wait) is a resize, not a stop; SIGTERM still stops', async () => {
    const stateDir = join(scratch(), 'state');
    const { run, output } = runOnTerminal(['--recovery', 'on', '--', 'sh', '-c', 'exit 3'], {
      cwd: scratch(),
      env: { PROCWARDEN_THROTTLE: '1m', PROCWARDEN_STOP_SIGNALS: 'SIGWINCH,SIGTERM', PROCWARDEN_STATE_DIR: stateDir },
    });
    const procwarden = await procwardenBelow(run.pid!);
    await until(() => eventsNamed(output(), 'recovery.decision').some((decision) => decision.delayMs > 0), 'procwarden to wait out the throttle');
    await until(() => holdsTerminal(procwarden), "the terminal's foreground to be procwarden's while no app runs", 3000);
    // What the kernel does on a resize: SIGWINCH to the terminal's foreground process group.
    process.kill(-processGroupOf(procwarden), 'SIGWINCH');
    // Answered after the signal was handled: procwarden still waits.
    const status = await runPlain(['status', '--json'], { env: { PROCWARDEN_STATE_DIR: stateDir } });
    expect(status.exitCode, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ state: 'waiting' });
    process.kill(procwarden, 'SIGTERM');
    const result = await finishes(run, 3000, 'procwarden after SIGTERM', output);
    expect(result.exitCode).toBe(3);
    expect(modes(output())).toEqual(['initial', 'recover']);
  });
});
