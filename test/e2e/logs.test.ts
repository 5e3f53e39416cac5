// Issue 17: readable logs. Readable lines on a terminal (or with PROCWARDEN_LOG_FORMAT=pretty),
// JSON elsewhere; the events apart from the app's output with PROCWARDEN_LOG_FD or
// PROCWARDEN_LOG_FILE; a kill at the grace's end said as a warning; a change that changes
// nothing says nothing.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, eventsNamed, finishes, pid1Of, runAsPid1, runOnTerminal, runTracked, scratch, shellQuote, stderrSoFar, until } from '../support/processes.ts';

describe('where events go, and how they read', () => {
  it('on a terminal, readable lines by default', async () => {
    const { run, output } = runOnTerminal(['--autorestart', 'ON_FAILURE', '--', 'sh', '-c', 'exit 4'], { env: { PROCWARDEN_LOG_FORMAT: '', PROCWARDEN_RESTART_LIMIT: '1/1m' } });
    const result = await finishes(run, 10_000, 'procwarden on a terminal', output);
    expect(result.exitCode).toBe(4);
    expect(output()).toMatch(/^\d\d:\d\d:\d\d\.\d{3} procwarden: app exited: exit code 4 after \d+ ms \(crash\)\r?$/m);
    expect(output()).toMatch(/procwarden: decision: restart in place \(autorestart ON_FAILURE, 0 of 1 left in 1m\)/);
    expect(output()).not.toMatch(/^\{"level"/m);
  });

  it('PROCWARDEN_LOG_FILE: the events in the file (JSON), the app output alone on stderr', async () => {
    const file = join(scratch(), 'events.log');
    const result = await runAsPid1(['--autorestart', 'ON_FAILURE', '--', 'sh', '-c', 'echo oops >&2; exit 3'], { env: { PROCWARDEN_LOG_FILE: file, PROCWARDEN_RESTART_LIMIT: '1/1m' } });
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toBe('oops\noops');
    expect(eventsNamed(readFileSync(file, 'utf8'), 'container.exited')).toHaveLength(2);
  });

  it('PROCWARDEN_LOG_FD=3: the events on descriptor 3, which the app does not inherit', async () => {
    const dir = scratch();
    const file = join(dir, 'events.log');
    const inner = [BIN, '--autorestart', 'ON_FAILURE', '--', 'sh', '-c', `if [ -e /proc/$$/fd/3 ]; then echo yes; else echo no; fi >> ${join(dir, 'fd3')}; exit 3`].map(shellQuote).join(' ');
    const result = await runTracked('sh', ['-c', `exec ${inner} 3>${shellQuote(file)}`], { env: { PROCWARDEN_LOG_FD: '3', PROCWARDEN_RESTART_LIMIT: '1/1m' } });
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toBe('');
    expect(eventsNamed(readFileSync(file, 'utf8'), 'recovery.decision')).toHaveLength(2);
    expect(readFileSync(join(dir, 'fd3'), 'utf8')).toBe('no\nno\n');
  });

  it('a bad destination is exit 2 with a line that says why, and nothing starts', async () => {
    const marker = join(scratch(), 'ran');
    for (const [env, message] of [
      [{ PROCWARDEN_LOG_FD: '3', PROCWARDEN_LOG_FILE: '/tmp/x' }, /^procwarden: PROCWARDEN_LOG_FD and PROCWARDEN_LOG_FILE are both set: give one$/m],
      [{ PROCWARDEN_LOG_FD: '999' }, /^procwarden: PROCWARDEN_LOG_FD: descriptor 999 is not one procwarden was given open for writing/m],
      [{ PROCWARDEN_LOG_FILE: '/no/such/folder/events.log' }, /^procwarden: PROCWARDEN_LOG_FILE: cannot open \/no\/such\/folder\/events\.log \(ENOENT\)$/m],
    ] as const) {
      const result = await runAsPid1(['--', 'touch', marker], { env });
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toMatch(message);
    }
    expect(existsSync(marker)).toBe(false);
  });
});

describe('what the events say', () => {
  it('a SIGKILL at the end of the grace is a warning that says so', async () => {
    const dir = scratch();
    const ready = join(dir, 'ready');
    const run = runAsPid1(['--', 'sh', '-c', `trap '' TERM; touch ${ready}; while :; do sleep 0.05; done`], { env: { PROCWARDEN_STOP_TIMEOUT: '300ms', PROCWARDEN_LOG_LEVEL: 'info' } });
    const pid1 = await pid1Of(run.pid!);
    await until(() => existsSync(ready), 'the app');
    process.kill(pid1, 'SIGTERM');
    const result = await run;
    expect(result.exitCode).toBe(137);
    expect(eventsNamed(result.stderr, 'procwarden.warning').map(({ detail }) => detail)).toContain(
      'the app did not stop within 0.3 s (PROCWARDEN_STOP_TIMEOUT): SIGKILL to what is left of its tree',
    );
  });

  it('an unknown PROCWARDEN_ variable is a warning that names the nearest known one', async () => {
    const result = await runAsPid1(['--', 'true'], { env: { PROCWARDEN_STOPTIMEOUT: '5s' } });
    expect(result.exitCode).toBe(0);
    expect(eventsNamed(result.stderr, 'procwarden.warning').map(({ detail }) => detail)).toEqual(['PROCWARDEN_STOPTIMEOUT: unknown, and ignored; did you mean PROCWARDEN_STOP_TIMEOUT?']);
  });

  it('a set that changes nothing emits no policy.changed', async () => {
    const dir = scratch();
    const env = { PROCWARDEN_STATE_DIR: join(dir, 'state') };
    const run = runAsPid1(['--autorestart', 'ON_FAILURE', '--', 'sleep', '1000'], { env });
    const pid1 = await pid1Of(run.pid!);
    const stderr = stderrSoFar(run);
    await until(() => existsSync(join(dir, 'state', 'control.sock')), 'the control socket');
    const same = await runTracked(BIN, ['set', '--autorestart', 'on_failure'], { env });
    expect(same.exitCode).toBe(0);
    expect(same.stdout).toBe('nothing changed: the policy already was that');
    const other = await runTracked(BIN, ['set', '--autorestart', 'always'], { env });
    expect(other.exitCode).toBe(0);
    expect(other.stdout).toBe('policy changed: autorestart ON_FAILURE -> ALWAYS; it applies to the next exit, and to a start procwarden waits to make');
    const json = await runTracked(BIN, ['set', '--autorestart', 'always', '--json'], { env });
    expect(JSON.parse(json.stdout)).toMatchObject({ old: { autorestart: 'ALWAYS' }, new: { autorestart: 'ALWAYS' } });
    // A reader that has gone before the answer comes (EPIPE): procwarden status ends quietly, 0.
    const piped = await runTracked('sh', ['-c', `${shellQuote(BIN)} status | true`], { env });
    expect(piped.stderr).toBe('');
    expect(piped.exitCode).toBe(0);
    await until(() => eventsNamed(stderr(), 'policy.changed').length === 1, 'the one change');
    expect(eventsNamed(stderr(), 'policy.changed')).toMatchObject([{ new: { autorestart: 'ALWAYS' } }]);
    process.kill(pid1, 'SIGTERM');
    await run;
  });
});
