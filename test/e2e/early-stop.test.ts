// Issue 11, section 2: an early stop is never lost. A pod deleted right after it was created
// sends SIGTERM to a PID 1 that is still booting; as PID 1 of a pid namespace, a signal with
// no handler is dropped by the kernel, so a procwarden that installs its handlers late runs on
// until the engine's SIGKILL.

import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import {
  BIN,
  FIXTURES,
  STANDALONE,
  busyWaitUntil,
  catches,
  eventsNamed,
  finishes,
  runAsPid1,
  runTracked,
  scratch,
  stderrSoFar,
  waitForExec,
} from '../support/processes.ts';

const SIGTERM = 15;

describe.each([
  ['dist/procwarden', BIN],
  ['the standalone executable', STANDALONE],
])('a docker stop right after the start, %s as PID 1', (_, binary) => {
  it.each([10, 50, 100])('SIGTERM %i ms after procwarden is exec\'d is never lost: it ends procwarden promptly with 143', async (delayMs) => {
    const run = runAsPid1(['--', 'sleep', '1000'], { binary, env: { PROCWARDEN_LOG_LEVEL: 'info' } });
    const stderr = stderrSoFar(run);
    const exec = waitForExec(run.pid!, binary);
    busyWaitUntil(exec.at + delayMs);
    // The one window no init can close: from the exec until Node's boot installs its first
    // SIGTERM handler (a few ms here, longer on a loaded machine), the kernel drops the
    // signal. Were the test to send it then, it would be lost whatever procwarden does; so
    // it waits for that handler to exist. From then on, losing it is procwarden's fault.
    const deadline = performance.now() + 2000;
    while (!catches(exec.pid, SIGTERM) && performance.now() < deadline) {
      // spin
    }
    process.kill(exec.pid, 'SIGTERM');
    const sentAfterMs = performance.now() - exec.at;

    const result = await finishes(run, 3000, `procwarden after a SIGTERM ${delayMs} ms after its exec (was it lost?)`, stderr);
    expect(result.exitCode).toBe(143);
    const started = eventsNamed(result.stderr, 'container.started');
    const exited = eventsNamed(result.stderr, 'container.exited');
    // Node's own boot takes longer than 15 ms: a stop sent by then comes before any app could
    // start (on a loaded machine this test may send it later: then only the rule below
    // holds), and none may start after a stop.
    if (sentAfterMs < 15) expect(started).toEqual([]);
    if (started.length === 0) expect(exited).toEqual([]);
    else expect(exited).toMatchObject([{ signal: 'SIGTERM', cause: 'stop' }]);
  });

  it('SIGTERM sent the moment procwarden has its own handlers (SIGQUIT and SIGHUP caught) is never lost, ten times over, cold', async () => {
    // The starts and the SIGTERMs are a Python busy-poll's: from here, the moment comes too late.
    const rounds = await runTracked('python3', [
      join(FIXTURES, 'term-at-handlers.py'), '10', scratch(), '--', 'unshare', '--pid', '--fork', '--mount-proc', binary, '--', 'sleep', '1000',
    ]);
    expect(rounds.exitCode, rounds.stderr).toBe(0);
    expect(rounds.stdout.split('\n')).toEqual(Array.from({ length: 10 }, () => '143'));
  });
});
