// `podman run IMAGE -- COMMAND`: procwarden runs a one-off as PID 1, and the container exits
// with its code. The image's ENV sets AUTORESTART for its service, which a one-off does not
// take: one warning says so (README, "A one-off runs once"), and nothing else is said.

import { describe, expect, it } from 'vitest';
import { eventsOf } from '../support/events.ts';
import { runToEnd, suiteRun } from './engine.ts';

const run = suiteRun();

/** procwarden's stderr without the one warning a one-off in this image gets. */
function besidesTheWarning(stderr: string): string[] {
  const lines = stderr.split('\n');
  expect(eventsOf(lines[0]!)).toMatchObject([{ event: 'procwarden.warning', detail: expect.stringMatching(/^AUTORESTART applies to Procfile services only/) }]);
  return lines.slice(1);
}

describe('a one-off in podman', () => {
  it.each([
    ['exit 0', 0],
    ['exit 3', 3],
  ])('`podman run IMAGE -- sh -c "%s"` exits %d', async (command, code) => {
    const result = await runToEnd(run, ['--rm', run.example, '--', 'sh', '-c', command]);
    expect(result.exitCode).toBe(code);
    expect(besidesTheWarning(result.stderr)).toEqual([]);
  });

  it('a command that does not exist exits 127, with one line that says so', async () => {
    const result = await runToEnd(run, ['--rm', run.example, '--', 'no-such-command']);
    expect(result.exitCode).toBe(127);
    expect(besidesTheWarning(result.stderr)).toEqual(['procwarden: no-such-command: command not found']);
  });
});
