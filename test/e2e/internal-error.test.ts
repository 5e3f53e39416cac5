// A bug of procwarden's that throws in an event handler (a request to the web interface, a
// timer) ends procwarden as an error of its start does: exit 1, one line that says so, and
// nothing of the app left running, PID 1 or not.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, isAlive, runTracked, scratch, until } from '../support/processes.ts';

describe('an error procwarden throws while the app runs', () => {
  it('ends procwarden with 1, says so, and kills the app', async () => {
    const folder = scratch();
    const pidFile = join(folder, 'app.pid');
    // Loaded into procwarden's process before its code: a timer that throws once the app runs.
    const preload = join(folder, 'throws.cjs');
    writeFileSync(preload, `setTimeout(() => { throw new Error('a bug in a timer'); }, 1000);\n`);
    const result = await runTracked(process.execPath, ['--require', preload, BIN, '--', 'sh', '-c', `echo $$ > ${pidFile}; exec sleep 100`], {
      env: { PROCWARDEN_STATE_DIR: join(folder, 'state') },
    });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('procwarden: internal error: Error: a bug in a timer');
    const app = Number(readFileSync(pidFile, 'utf8'));
    await until(() => !isAlive(app), 'the app to be gone', 2000);
  });
});
