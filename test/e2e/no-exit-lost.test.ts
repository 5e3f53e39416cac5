// No exit is ever lost: a burst of signals fills Node's signal pipe and drops what comes
// meanwhile, SIGCHLD among them; procwarden must still see the app's exit.

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, eventsNamed, finishes, runPlain, runTracked, stderrSoFar, until } from '../support/processes.ts';

const storm = join(FIXTURES, 'signal-storm.py');

describe('a storm of signals never hides the app exit', () => {
  it.each([1, 2, 3])('a one-shot app that exits 3 during a SIGWINCH storm: procwarden exits 3 (run %i)', async () => {
    const run = runPlain(['--', 'sh', '-c', 'sleep 0.3; exit 3'], { env: { PROCWARDEN_LOG_LEVEL: 'info' } });
    const stderr = stderrSoFar(run);
    await until(() => eventsNamed(stderr(), 'container.started').length === 1, 'the app');
    const burst = await runTracked('python3', [storm, String(run.pid), 'SIGWINCH', '1']);
    expect(Number(burst.stdout)).toBeGreaterThan(10_000);
    const result = await finishes(run, 5000, 'procwarden after the storm', stderr);
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
