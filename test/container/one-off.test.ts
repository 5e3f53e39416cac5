// `podman run IMAGE -- COMMAND`: procwarden runs a one-off as PID 1, and the container exits
// with its code. The image's ENV sets AUTORESTART for its Procfile's service, which a one-off
// does not take: in an image with a Procfile that is normal, an info notice, which a one-off's
// default level (warn) does not write (README, "A one-off runs once"): nothing else is said.

import { describe, expect, it } from 'vitest';
import { runToEnd, suiteRun } from './engine.ts';

const run = suiteRun();

/** procwarden's stderr, a line each: no event in it. */
function linesOf(stderr: string): string[] {
  return stderr === '' ? [] : stderr.split('\n');
}

describe('a one-off in podman', () => {
  it.each([
    ['exit 0', 0],
    ['exit 3', 3],
  ])('`podman run IMAGE -- sh -c "%s"` exits %d', async (command, code) => {
    const result = await runToEnd(run, ['--rm', run.example, '--', 'sh', '-c', command]);
    expect(result.exitCode).toBe(code);
    expect(linesOf(result.stderr)).toEqual([]);
  });

  it('a command that does not exist exits 127, with one line that says so', async () => {
    const result = await runToEnd(run, ['--rm', run.example, '--', 'no-such-command']);
    expect(result.exitCode).toBe(127);
    expect(linesOf(result.stderr)).toEqual(['procwarden: no-such-command: command not found']);
  });
});
