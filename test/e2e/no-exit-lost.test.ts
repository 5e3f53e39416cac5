// No exit is ever lost: a burst of signals fills Node's signal pipe and drops what comes
// meanwhile, SIGCHLD among them; procwarden must still see the app's exit.

import { existsSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, FIXTURES, descendantsOf, eventsNamed, finishes, isAlive, readIfExists, runPlain, runTracked, scratch, stderrSoFar, treeReport, until } from '../support/processes.ts';

const storm = join(FIXTURES, 'signal-storm.py');

describe('a storm of signals never hides the app exit', () => {
  it.each([1, 2, 3])('a one-shot app that exits 3 during a SIGWINCH storm: procwarden exits 3 (run %i)', async () => {
    // The app ends once the storm has sent 10,000 signals, in the middle of it.
    const mark = join(scratch(), 'storming');
    const run = runPlain(['--', 'sh', '-c', `while [ ! -e ${mark} ]; do sleep 0.01; done; exit 3`], { env: { PROCWARDEN_LOG_LEVEL: 'info' } });
    const stderr = stderrSoFar(run);
    await until(() => eventsNamed(stderr(), 'container.started').length === 1, 'the app');
    const stormStart = performance.now();
    const burst = await runTracked('python3', [storm, String(run.pid), 'SIGWINCH', '5', mark]);
    expect(Number(burst.stdout)).toBeGreaterThanOrEqual(10_000);
    // What a failure needs to be understood: how long the storm lasted, and where each process is.
    const storming = `${burst.stdout} signals in ${Math.round(performance.now() - stormStart)} ms; the mark ${existsSync(mark) ? 'is there' : 'is gone'}`;
    const result = await finishes(run, 5000, `procwarden after the storm (${storming})`, () => `${stderr()}\nits tree:\n${treeReport(run.pid!)}`);
    expect(result.exitCode).toBe(3);
  });

  it('a crash loop goes on through a SIGWINCH storm and after it', async () => {
    const run = runPlain(['--autorestart', 'always', '--', 'sh', '-c', 'sleep 0.02; exit 3'], { env: { PROCWARDEN_RESTART_LIMIT: '1000000/1m' } });
    const stderr = stderrSoFar(run);
    await until(() => eventsNamed(stderr(), 'container.started').length >= 2, 'the loop');
    for (let storms = 1; storms <= 4; storms++) {
      await runTracked('python3', [storm, String(run.pid), 'SIGWINCH', '0.7']);
      const afterStorm = eventsNamed(stderr(), 'container.started').length;
      await until(() => eventsNamed(stderr(), 'container.started').length >= afterStorm + 5, `five more starts after storm ${storms}`, 5000);
    }
    process.kill(run.pid!, 'SIGTERM');
    const result = await finishes(run, 5000, 'procwarden after SIGTERM', stderr);
    expect([3, 143]).toContain(result.exitCode);
  });
});

describe('clients holding connections never leave procwarden without descriptors', () => {
  it('300 idle connections at nofile 128: the app is still never run twice at once, nor its leftover beside the next', async () => {
    const stateDir = join(scratch(), 'state');
    const socket = join(stateDir, 'control.sock');
    // Each run leaves a `sleep 1000` that must be killed (the tree read from /proc) before the next starts.
    const app = ['sh', '-c', 'sleep 1000 & sleep 0.2; exit 3'];
    const run = runTracked('prlimit', ['--nofile=128:128', BIN, '--autorestart', 'always', '--', ...app], {
      env: { PROCWARDEN_STATE_DIR: stateDir, PROCWARDEN_RESTART_LIMIT: '1000/1m' },
    });
    await until(() => existsSync(socket), 'the control socket');
    const procwarden = run.pid!;
    const held: Socket[] = [];
    for (let i = 0; i < 300; i++) {
      const connection = createConnection(socket);
      connection.on('error', () => undefined);
      held.push(connection);
    }
    try {
      let most = 0;
      const deadline = performance.now() + 2000;
      while (performance.now() < deadline) {
        const sleepers = descendantsOf(procwarden).filter((pid) => readIfExists(`/proc/${pid}/cmdline`) === 'sleep\x001000\x00');
        most = Math.max(most, sleepers.length);
        await new Promise((resolve) => setImmediate(resolve));
      }
      expect(most).toBe(1);
      expect(isAlive(procwarden)).toBe(true);
    } finally {
      for (const connection of held) connection.destroy();
    }
    process.kill(procwarden, 'SIGTERM');
    const result = await finishes(run, 5000, 'procwarden after SIGTERM');
    expect([3, 143]).toContain(result.exitCode);
  });
});
