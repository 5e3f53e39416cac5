import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventsOf, pid1Of, runAsPid1, scratch, until, stderrSoFar, eventsNamed } from '../support/processes.ts';

type Event = Record<string, unknown>;
const modes = (events: Event[]) => eventsNamed(events, 'container.started').map((event) => event['mode']);

describe('crash recovery by policy', () => {
  it('a one-off COMMAND has every policy OFF: it runs once, quietly', async () => {
    const result = await runAsPid1(['--', 'sh', '-c', 'exit 3']);
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toBe('');
  });

  it('AUTORESTART=ON_FAILURE ignores exit 0', async () => {
    const result = await runAsPid1(['--autorestart', 'ON_FAILURE', '--', 'true'], { env: {} });
    expect(result.exitCode).toBe(0);
    const events = eventsOf(result.stderr);
    expect(modes(events)).toEqual(['initial']);
    expect(eventsNamed(events, 'recovery.decision')).toMatchObject([{ action: 'stop', msg: 'container stays stopped' }]);
  });

  it('AUTORESTART=ALWAYS restarts after exit 0 too, within its budget', async () => {
    const result = await runAsPid1(['--autorestart', 'always', '--', 'true'], { env: {} });
    expect(result.exitCode).toBe(0);
    expect(modes(eventsOf(result.stderr))).toEqual(['initial', 'restart', 'restart', 'restart']);
  });

  it('AUTORESTART=ON_FAILURE gives 4 runs, then exits with the app code', async () => {
    const result = await runAsPid1(['--autorestart', 'ON_FAILURE', '--', 'sh', '-c', 'exit 3'], { env: {} });
    expect(result.exitCode).toBe(3);
    const events = eventsOf(result.stderr);
    expect(modes(events)).toEqual(['initial', 'restart', 'restart', 'restart']);
    expect(eventsNamed(events, 'container.exited').map((e) => e['code'])).toEqual([3, 3, 3, 3]);
    expect(eventsNamed(events, 'recovery.decision').map((e) => [e['action'], e['restartsLeft']])).toEqual([
      ['restart', 2],
      ['restart', 1],
      ['restart', 0],
      ['stop', 0],
    ]);
    expect(eventsNamed(events, 'procwarden.exit')).toMatchObject([{ code: 3 }]);
  });

  it('AUTORESTART=ON_FAILURE AUTOREPLACE=ALWAYS: initial, restart x3, replace x3, then stop', async () => {
    const result = await runAsPid1(['--autorestart', 'ON_FAILURE', '--autoreplace', 'ALWAYS', '--', 'sh', '-c', 'kill -KILL $$'], { env: {},
    });
    expect(result.exitCode).toBe(137);
    const events = eventsOf(result.stderr);
    expect(modes(events)).toEqual(['initial', 'restart', 'restart', 'restart', 'replace', 'replace', 'replace']);
    expect(eventsNamed(events, 'container.exited').every((e) => e['signal'] === 'SIGKILL' && e['cause'] === 'crash')).toBe(true);
    // The filesystem step runs before each replace, and says what it did.
    expect(eventsNamed(events, 'fs.reset')).toHaveLength(3);
    expect(eventsNamed(events, 'fs.reset')[0]).toMatchObject({ skipped: false, removed: 0, restored: 0, durationMs: expect.any(Number) });
    expect(eventsNamed(events, 'recovery.decision').at(-1)).toMatchObject({ action: 'stop', restartsLeft: 0, replacesLeft: 0 });
  });

  it('APTIBLE_DO_NOT_WIPE says so in the fs.reset event', async () => {
    const result = await runAsPid1(['--autoreplace', 'ON_FAILURE', '--', 'false'], { env: { PROCWARDEN_REPLACE_LIMIT: '1/1m', APTIBLE_DO_NOT_WIPE: '1' } });
    expect(eventsNamed(eventsOf(result.stderr), 'fs.reset')).toMatchObject([{ skipped: true, reason: 'APTIBLE_DO_NOT_WIPE is set' }]);
  });

  it('the budget slides: a slow crasher under 3/1s keeps being restarted, a fast one stops', async () => {
    const fast = await runAsPid1(['--autorestart', 'ON_FAILURE', '--', 'false'], { env: { PROCWARDEN_RESTART_LIMIT: '3/1s' } });
    expect(modes(eventsOf(fast.stderr))).toHaveLength(4);

    // One crash every 400 ms: never more than 3 restarts in any second.
    const run = runAsPid1(['--autorestart', 'ON_FAILURE', '--', 'sh', '-c', 'sleep 0.4; exit 1'], { env: { PROCWARDEN_RESTART_LIMIT: '3/1s' },
    });
    const pid1 = await pid1Of(run.pid!);
    const stderr = stderrSoFar(run);
    await until(() => modes(eventsOf(stderr())).length >= 8, 'eight starts', 15_000);
    process.kill(pid1, 'SIGTERM');
    const result = await run;
    const events = eventsOf(result.stderr);
    expect(eventsNamed(events, 'recovery.decision').every((e) => e['action'] === 'restart')).toBe(true);
    expect(eventsNamed(events, 'container.exited').at(-1)).toMatchObject({ cause: 'stop' });
  });

  it('Container Recovery is throttled: the first at once, then one a throttle apart; SIGTERM while waiting ends it at once', async () => {
    const run = runAsPid1(['--recovery', 'on', '--', 'false'], { env: { PROCWARDEN_THROTTLE: '1s' } });
    const pid1 = await pid1Of(run.pid!);
    const stderr = stderrSoFar(run);
    await until(() => modes(eventsOf(stderr())).length >= 4, 'three recoveries', 15_000);
    // Now it waits out the throttle before the fourth.
    await until(() => eventsNamed(eventsOf(stderr()), 'recovery.decision').length >= 4, 'the fourth decision');
    const sentAt = performance.now();
    process.kill(pid1, 'SIGTERM');
    const result = await run;
    expect(performance.now() - sentAt).toBeLessThan(1000);
    expect(result.exitCode).toBe(1);

    const events = eventsOf(result.stderr);
    const starts = eventsNamed(events, 'container.started');
    expect(starts.map((e) => e['mode'])).toEqual(['initial', 'recover', 'recover', 'recover']);
    const at = starts.map((e) => Date.parse(String(e['time'])));
    expect(at[1]! - at[0]!).toBeLessThan(500);
    for (const gap of [at[2]! - at[1]!, at[3]! - at[2]!]) {
      expect(gap).toBeGreaterThanOrEqual(990);
      expect(gap).toBeLessThan(1500);
    }
    expect(eventsNamed(events, 'recovery.decision').slice(1).every((e) => Number(e['delayMs']) > 500)).toBe(true);
  });

  it('an app that leaves a child behind never has two instances alive at once', async () => {
    const log = join(scratch(), 'others');
    // Each instance writes how many sleeps it finds alive when it starts, leaves one, and crashes.
    const app = `n=0; for c in /proc/[0-9]*/comm; do [ "$(cat $c 2>/dev/null)" = sleep ] && n=$((n+1)); done
      echo $n >> ${log}; sleep 1000 & exit 1`;
    const result = await runAsPid1(['--autorestart', 'ON_FAILURE', '--autoreplace', 'ON_FAILURE', '--', 'sh', '-c', app], { env: {} });
    expect(result.exitCode).toBe(1);
    expect(readFileSync(log, 'utf8').trim().split('\n')).toEqual(['0', '0', '0', '0', '0', '0', '0']);
  });

  it('200 short-lived apps started in a row all report their exit', async () => {
    const result = await runAsPid1(['--autorestart', 'ON_FAILURE', '--', 'sh', '-c', 'exit 7'], { env: { PROCWARDEN_RESTART_LIMIT: '199/1h' },
    });
    expect(result.exitCode).toBe(7);
    const exits = eventsNamed(eventsOf(result.stderr), 'container.exited');
    expect(exits).toHaveLength(200);
    expect(exits.every((e) => e['code'] === 7)).toBe(true);
  });
});
