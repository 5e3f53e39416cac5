// Issue 11, section 6: `procwarden restart` racing the app's exit. A restart that arrives just
// after the app has exited once made procwarden signal process group 0, its own: procwarden
// and every process that shared its group (the script that started it) died of SIGTERM.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BIN,
  adopt,
  controlRequest,
  eventsNamed,
  finishes,
  isAlive,
  processGroupOf,
  readIfExists,
  runPlain,
  runsProcwarden,
  runTracked,
  scratch,
  shellQuote,
  stderrSoFar,
  until,
} from '../support/processes.ts';

/** How long restarts are sent, and how many at a time. */
const HAMMER_MS = 2000;
const CONCURRENCY = 4;

describe('procwarden restart racing the app exit', () => {
  it('hammered while the app exits at once in a loop, it never signals its own process group: procwarden and a process sharing its group survive', async () => {
    const folder = scratch();
    const stateDir = join(folder, 'state');
    const socket = join(stateDir, 'control.sock');
    const sentinelFile = join(folder, 'sentinel');
    // A new session whose process group procwarden leads, as `docker run` or a CI script would
    // start it; the sentinel shares that group without being procwarden's child (the subshell
    // that starts it exits first), so procwarden never takes it for part of the app's tree.
    // The app exits at once, leaving a child for procwarden to kill and reap: the moment
    // between its exit and the next start, when a restart has no app to signal, lasts that
    // long (today's window: the app's pid is 0 while the state is still `running`).
    const procwarden = [BIN, '--autorestart', 'always', '--', 'sh', '-c', 'sleep 10 & exit 3'].map(shellQuote).join(' ');
    const run = runTracked('setsid', ['sh', '-c', `(sleep 1000 </dev/null >/dev/null 2>&1 & echo $! > ${sentinelFile}); exec ${procwarden}`], {
      env: { PROCWARDEN_STATE_DIR: stateDir, PROCWARDEN_RESTART_LIMIT: '1000000/1m', PROCWARDEN_STOP_TIMEOUT: '200ms' },
    });
    const stderr = stderrSoFar(run);
    await until(() => readIfExists(sentinelFile).endsWith('\n'), 'the sentinel');
    const sentinel = Number(readIfExists(sentinelFile));
    adopt(sentinel);
    await until(() => runsProcwarden(run.pid!), 'procwarden to start');
    expect(processGroupOf(run.pid!)).toBe(run.pid);
    expect(processGroupOf(sentinel)).toBe(run.pid);
    await until(() => existsSync(socket), 'the control socket');

    // POST /restart is what `procwarden restart` sends; sent directly, many more of them fit
    // between the app's exits than the client's own start (about 70 ms) would allow.
    let sent = 0;
    const deadline = performance.now() + HAMMER_MS;
    const hammer = async () => {
      while (performance.now() < deadline && isAlive(sentinel) && isAlive(run.pid!)) {
        await controlRequest(socket, 'POST', '/restart').catch(() => undefined);
        sent += 1;
      }
    };
    await Promise.all([...Array.from({ length: CONCURRENCY }, hammer), runPlain(['restart'], { env: { PROCWARDEN_STATE_DIR: stateDir } })]);

    expect(isAlive(sentinel), 'the sentinel in procwarden process group').toBe(true);
    expect(isAlive(run.pid!), `procwarden (after ${sent} restarts)`).toBe(true);
    // The race was run many times: the app exited by itself, and was restarted on request.
    const causes = eventsNamed(stderr(), 'container.exited').map((event) => event.cause);
    expect(causes.filter((cause) => cause === 'crash').length).toBeGreaterThan(10);
    expect(causes).toContain('requested');

    process.kill(run.pid!, 'SIGINT');
    const result = await finishes(run, 3000, 'procwarden after SIGINT');
    // The app's last exit (3), its death by the SIGINT (130), or, when the stop found the
    // app's background `sleep` alive, 137: a shell starts an asynchronous command with SIGINT
    // ignored (POSIX), so it outlives the SIGINT until the grace's SIGKILL. Never the 143 of
    // a SIGTERM procwarden sent itself.
    expect([3, 130, 137]).toContain(result.exitCode);
    expect(isAlive(sentinel)).toBe(true);
    process.kill(sentinel, 'SIGKILL');
  });
});
