import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, FIXTURES, runTracked, until } from '../support/processes.ts';

describe('on a terminal (docker run -it)', () => {
  it('the app is the foreground process group, ^C reaches it, and procwarden exits 130', async () => {
    // script(1) gives a pseudo-terminal; setsid --ctty makes PID 1 a session leader that
    // owns it, as Docker does for `-it`.
    const inner = `unshare --pid --fork --mount-proc setsid --ctty ${BIN} -- sh ${join(FIXTURES, 'report-foreground.sh')}`;
    const run = runTracked('script', ['-qfec', inner, '/dev/null'], { stdin: 'pipe', env: { TERM: 'dumb' } });
    let output = '';
    run.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await until(() => /FOREGROUND/.test(output), 'the app to report its terminal state');
    expect(output).not.toMatch(/BACKGROUND/);
    run.stdin!.write('\x03');
    const result = await run;
    expect(result.exitCode).toBe(130);
  });
});
