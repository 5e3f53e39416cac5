// The examples in examples/ do what the README says they do. Each runs on a copy in the
// test's own folder, which is also its wipe root.

import { cpSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { askWellBehavedService, eventsOf, isAlive, pid1Of, runAsPid1, runPlain, scratch, stderrSoFar, stdoutSoFar, until, eventsNamed } from '../support/processes.ts';

const EXAMPLES = resolve('examples');

/** A copy of one example in a folder of the test's own. */
function copyOf(example: string): string {
  const folder = join(scratch(), example);
  cpSync(join(EXAMPLES, example), folder, { recursive: true });
  return folder;
}

describe('procwarden check on every example', () => {
  it.each([
    ['well-behaved-service', 0, []],
    ['backgrounded-app', 1, ['background-app']],
    ['backgrounded-app-fixed', 0, []],
    ['crash-on-timer', 0, []],
    ['daemonizing-app', 1, ['daemonizes']],
    ['pidfile-app', 0, []],
    ['orphans-and-crash', 0, []],
  ])('%s: exit %d, findings %j', async (example, code, rules) => {
    const result = await runPlain(['check', '--json', '--procfile', join(EXAMPLES, example, 'Procfile')]);
    expect(result.exitCode).toBe(code);
    const findings = (JSON.parse(result.stdout) as { findings: { rule: string }[] }).findings;
    expect([...new Set(findings.map((finding) => finding.rule))].sort()).toEqual(rules);
  });
});

describe('the examples, run', () => {
  it('pidfile-app: restarts in place fail on the stale PID file; Container Recovery from a pristine filesystem brings it back', async () => {
    const app = copyOf('pidfile-app');
    const run = runAsPid1([], {
      cwd: app,
      env: { AUTORESTART: 'ON_FAILURE', PROCWARDEN_RESTART_LIMIT: '2/1m', CRASH_AFTER: '0.2', PROCWARDEN_WIPE_PATHS: app },
    });
    const stderr = stderrSoFar(run);
    const stdout = stdoutSoFar(run);
    // Serving again: the recovered app has set its SIGTERM trap.
    await until(() => stdout().split('app: serving').length === 3, 'the recovered app to serve');
    const modes = () => eventsNamed(stderr(), 'container.started').map((event) => event['mode']);
    expect(modes()).toEqual(['initial', 'restart', 'restart', 'recover']);
    expect(stderr()).toContain('Refusing to start');
    const exits = eventsNamed(stderr(), 'container.exited');
    expect(exits.map((event) => event['signal'] ?? event['code'])).toEqual(['SIGSEGV', 1, 1]);
    expect(eventsNamed(stderr(), 'fs.reset')[0]).toMatchObject({ skipped: false, removed: 3 });
    process.kill(await pid1Of(run.pid!), 'SIGTERM');
    const result = await run;
    expect(result.stdout).toContain('app: stopped cleanly');
    expect(result.exitCode).toBe(0);
    expect(existsSync(join(app, 'tmp/pids/server.pid'))).toBe(false);
  });

  it('crash-on-timer: restarted in place by AUTORESTART=ON_FAILURE, then stopped with its code once the budget is spent', async () => {
    const app = copyOf('crash-on-timer');
    const result = await runAsPid1(['--recovery', 'off'], {
      cwd: app,
      env: { AUTORESTART: 'ON_FAILURE', PROCWARDEN_RESTART_LIMIT: '2/1m', CRASH_AFTER: '0.05' },
    });
    expect(result.exitCode).toBe(1);
    const decisions = eventsNamed(result.stderr, 'recovery.decision');
    expect(decisions.map((event) => event['action'])).toEqual(['restart', 'restart', 'stop']);
  });

  it('daemonizing-app: the daemonized pitfall names what was left, and nothing is left running', async () => {
    const app = copyOf('daemonizing-app');
    const result = await runPlain(['--recovery', 'off'], { cwd: app });
    expect(result.exitCode).toBe(0);
    const pitfall = eventsOf(result.stderr).find((event) => event['rule'] === 'daemonized');
    const leftovers = (pitfall?.['leftovers'] ?? []) as { pid: number; command: string }[];
    // The daemon as it was when the launcher exited: a fork of start.sh, `setsid ...` on its
    // way to the loop, or the loop and its `sleep 1`.
    expect(leftovers.length).toBeGreaterThan(0);
    for (const { command } of leftovers) expect(command).toMatch(/start\.sh|while :; do sleep 1; done|^sleep 1$/);
    for (const { pid } of leftovers) await until(() => !isAlive(pid), `leftover ${pid} to be killed`);
  });

  it('well-behaved-service: serves on $PORT and stops cleanly on SIGTERM, exit 0', async () => {
    const app = copyOf('well-behaved-service');
    const run = runAsPid1([], { cwd: app, env: { PORT: '0', PROCWARDEN_WIPE_PATHS: app } });
    expect(await askWellBehavedService(stdoutSoFar(run))).toBe('hello from a well-behaved service\n');
    process.kill(await pid1Of(run.pid!), 'SIGTERM');
    const result = await run;
    expect(result.stdout).toContain('web: stopped cleanly');
    expect(result.exitCode).toBe(0);
  });

  it('orphans-and-crash: no zombie left among 50 orphans, and the app exit code 3 kept', async () => {
    const result = await runAsPid1(['--recovery', 'off'], { cwd: copyOf('orphans-and-crash') });
    expect(result.stdout).toContain('zombies left in the container: 0');
    expect(result.exitCode).toBe(3);
  });
});
