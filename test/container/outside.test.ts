// procwarden outside a container, beside the checks inside one: PID 1 of `unshare --pid
// --fork` on this machine (the README's way to try it), whose working directory and /tmp are
// the machine's. The default wipe paths are never reset there, and `procwarden snapshot`
// refuses them. The checks give the machine's namespaces a private /tmp (a tmpfs only they
// see), so that a procwarden that did reset it would touch nothing of the machine's.

import { execa } from 'execa';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventsNamed } from '../support/events.ts';
import { shellQuote } from '../support/shell-quote.ts';
import { suiteRun } from './engine.ts';

const run = suiteRun();

/**
 * `sh -c SCRIPT` in a mount namespace of its own where /tmp is an empty tmpfs and the
 * standalone executable is at /mnt/dist/procwarden-linux-x64 (the checkout may be under
 * /tmp); `pid1`: as PID 1 of a new pid namespace, as `unshare --pid --fork` makes one. The
 * UTS namespace is the machine's.
 */
function onThisMachine(script: string, pid1: boolean) {
  const setUp = [
    'mount -t tmpfs none /mnt && mkdir /mnt/dist',
    `mount --bind ${shellQuote(dirname(run.standalone))} /mnt/dist`,
    'mount -t tmpfs none /tmp && mkdir /tmp/app && cd /tmp/app && echo seed > seed',
  ].join(' && ');
  const namespaces = pid1 ? ['--mount', '--pid', '--fork', '--mount-proc'] : ['--mount'];
  // procwarden's state dir too is in the private tmpfs, never the machine's /run/procwarden.
  const env = { PROCWARDEN_WIPE_PATHS: '', PROCWARDEN_STATE_DIR: '/mnt/state' };
  return execa('unshare', [...namespaces, 'sh', '-c', `${setUp} && ${script}`], { reject: false, stdin: 'ignore', env });
}

const PROCWARDEN = '/mnt/dist/procwarden-linux-x64';

describe('outside a container, on this machine', () => {
  it('as PID 1 of unshare --pid --fork, a replace leaves the working directory and /tmp alone, and says why', async () => {
    // The first run stands for another user: a file in /tmp, made after procwarden started; then a crash.
    const app = 'if [ ! -e /mnt/crashed ]; then touch /mnt/crashed; echo mine > /tmp/another-users-file; echo junk > junk; exit 1; fi; ls -A /tmp /tmp/app';
    const result = await onThisMachine(`exec ${PROCWARDEN} --autoreplace ON_FAILURE -- sh -c ${shellQuote(app)}`, true);
    expect(result.exitCode).toBe(0);
    expect(result.stdout.split('\n')).toEqual(['/tmp:', 'another-users-file', 'app', '', '/tmp/app:', 'junk', 'seed']);
    expect(eventsNamed(result.stderr, 'fs.snapshot')).toEqual([]);
    expect(eventsNamed(result.stderr, 'fs.reset')).toMatchObject([
      { skipped: true, reason: expect.stringMatching(/^no sign of a container \(a UTS namespace of its own .*\): .*set PROCWARDEN_WIPE_PATHS to name them$/) },
    ]);
  });

  it('procwarden snapshot refuses the default paths: exit 2, one line that says why, nothing copied', async () => {
    const result = await onThisMachine(`${PROCWARDEN} snapshot; echo "exit $?"; ls -A /tmp /mnt`, false);
    // No state dir made (/mnt/state), no snapshot anywhere.
    expect(result.stdout.split('\n')).toEqual(['exit 2', '/mnt:', 'dist', '', '/tmp:', 'app']);
    expect(result.stderr).toMatch(/^procwarden: no snapshot: no sign of a container \(a UTS namespace of its own .*\): .*set PROCWARDEN_WIPE_PATHS to name them$/);
  });
});
