// A read-only root with a tmpfs /run (podman --read-only, Kubernetes readOnlyRootFilesystem
// with an emptyDir at /run): the build-time snapshot is hidden under the tmpfs, so one is
// taken at start, in memory. Its cost is said, and one that would not fit is refused.

import { describe, expect, it } from 'vitest';
import { eventsNamed } from '../support/events.ts';
import { until } from '../support/until.ts';
import { execIn, exitCodeOf, hostPort, httpGet, logsOf, logsOnceThey, podmanOk, procwardenStatus, startDetached, suiteRun } from './engine.ts';

const run = suiteRun();

/** Docker's --read-only: nothing else made writable (podman's own --read-only also mounts tmpfs on /tmp and /var/tmp). */
const readOnly = ['--read-only', '--read-only-tmpfs=false'];
/**
 * An empty tmpfs at /run of containerd's default size, as Docker's --tmpfs and a Kubernetes
 * emptyDir give one: podman's own copies the image's /run into it unless told (notmpcopyup).
 */
const tmpfsRun = ['--tmpfs', '/run:rw,exec,size=64m,notmpcopyup'];

describe('a read-only root with a tmpfs /run', () => {
  it('the service answers; its snapshot is taken at start into /run, and fs.snapshot gives its bytes as du counts them', async () => {
    const id = await startDetached(run, [...readOnly, ...tmpfsRun, '-p', '127.0.0.1::5000', run.example]);
    expect(await httpGet(await hostPort(run, id, 5000))).toMatchObject({ status: 200 });
    const { stderr } = await logsOf(run, id);
    const [snapshot] = eventsNamed(stderr, 'fs.snapshot');
    expect(snapshot).toMatchObject({ source: 'start', roots: ['/app', '/tmp'], bytes: expect.any(Number) });
    const du = await execIn(run, id, ['du', '-sk', '/run/procwarden/snapshot']);
    expect(Number(du.stdout.split('\t')[0]) * 1024).toBe(snapshot!.bytes);
    expect(await procwardenStatus(run, id)).toMatch(/^snapshot: start \(\d+ entries\)$/m);
    await podmanOk(run.conf, ['stop', id]);
    expect(await exitCodeOf(run, id)).toBe(0);
  });

  it('a snapshot that would not fit in containerd\'s 64 MiB /run is a warning with the numbers and the fix, leaves nothing in /run, and the service still answers', async () => {
    // /usr/local/bin holds procwarden itself: 100 MiB and more.
    const id = await startDetached(run, [...tmpfsRun, '-e', 'PROCWARDEN_WIPE_PATHS=/app:/usr/local/bin', '-p', '127.0.0.1::5000', run.example]);
    expect(await httpGet(await hostPort(run, id, 5000))).toMatchObject({ status: 200 });
    const { stderr } = await logsOnceThey(run, id, ({ stderr }) => eventsNamed(stderr, 'container.started').length > 0, 'the app');
    expect(eventsNamed(stderr, 'fs.snapshot')).toEqual([]);
    expect(eventsNamed(stderr, 'procwarden.warning')).toMatchObject([
      {
        detail: expect.stringMatching(
          /^no snapshot: the snapshot needs about 1\d\d\.\d MiB and \/run\/procwarden \(a tmpfs: memory\) has 6\d\.\d MiB free: narrow PROCWARDEN_WIPE_PATHS to the folders the app writes to, leave big read-only ones out with PROCWARDEN_WIPE_EXCLUDE, or set PROCWARDEN_STATE_DIR to a folder with room$/,
        ),
      },
    ]);
    // procwarden's own native code and control socket, and nothing of a snapshot.
    await until(async () => (await execIn(run, id, ['ls', '/run/procwarden/control.sock'])).exitCode === 0, 'the control socket', 30_000, 100);
    expect((await execIn(run, id, ['ls', '-A', '/run/procwarden'])).stdout.split('\n').sort()).toEqual(['control.sock', 'native']);
    expect((await execIn(run, id, ['du', '-sk', '/run'])).stdout).toMatch(/^(\d|[1-9]\d)\t/);
    await podmanOk(run.conf, ['rm', '--force', '--time', '0', id]);
  });
});
