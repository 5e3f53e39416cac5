// Crash recovery in podman: a crash restarted in place, then replaced and recovered from the
// build-time snapshot of the default wipe paths (/app and /tmp), with a named volume and a
// bind mount inside /app left as the app wrote them.

import { chmodSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventsNamed } from '../support/events.ts';
import { podmanOk, runToEnd, suiteRun } from './engine.ts';

const run = suiteRun();

describe('crash recovery in podman', () => {
  it('a crash is restarted in place, then replaced and recovered with /app and /tmp as built; a named volume and a bind mount inside /app keep what the app wrote', async () => {
    const volume = await podmanOk(run.conf, ['volume', 'create', '--label', run.label]);
    const bind = join(run.work, 'recovery-bind');
    mkdirSync(bind);
    chmodSync(bind, 0o777);
    const result = await runToEnd(run, [
      '-v', `${run.apps}:/checks:ro`,
      '-v', `${volume}:/app/data`,
      '-v', `${bind}:/app/bind`,
      '-e', 'PROCWARDEN_PROCFILE=/checks/Procfile',
      '-e', 'AUTORESTART=ON_FAILURE', '-e', 'PROCWARDEN_RESTART_LIMIT=1/1m',
      '-e', 'AUTOREPLACE=ON_FAILURE', '-e', 'PROCWARDEN_REPLACE_LIMIT=1/1m',
      '-e', 'PROCWARDEN_NO_RESTART_EXIT=7',
      run.example, '--type', 'crashes',
    ]);
    expect(result.exitCode).toBe(7);
    const events = result.stderr;
    expect(eventsNamed(events, 'container.started').map((event) => event.mode)).toEqual(['initial', 'restart', 'replace', 'recover']);
    expect(eventsNamed(events, 'fs.snapshot')).toMatchObject([{ source: 'build', roots: ['/app', '/tmp'] }]);
    // The default wipe paths are reset: podman gives the container a UTS namespace of its own.
    const resets = eventsNamed(events, 'fs.reset');
    expect(resets).toHaveLength(2);
    for (const reset of resets) expect(reset).toMatchObject({ skipped: false, removed: expect.any(Number), restored: 2 });

    // /app and /tmp as built: the image's, in a container with nothing mounted in /app.
    const asBuilt = await podmanOk(run.conf, ['run', '--rm', '--pull=never', '--label', run.label, '-v', `${run.apps}:/checks:ro`, '--entrypoint', 'python3', run.example, '/checks/listing.py']);
    expect(asBuilt).toMatch(/^\/app\/Procfile .*\n\/app\/server\.py /m);
    const listing = (n: number) => readFileSync(join(bind, `listing-${n}`), 'utf8').trimEnd();
    // The first start: as built, but for /app's own time (its first line), which podman
    // moved when it made the mount points of the volume and the bind mount.
    expect(listing(1).split('\n').slice(1)).toEqual(asBuilt.split('\n').slice(1));
    // Restarted in place: the first crash's changes are still there.
    expect(listing(2)).toMatch(/^\/app\/junk-1 /m);
    expect(listing(2)).toMatch(/^\/tmp\/junk-1 /m);
    expect(listing(2)).not.toMatch(/^\/app\/server\.py /m);
    // Replaced, then recovered: as built, to the content, mode, owner and modification time of every entry.
    expect(listing(3)).toBe(asBuilt);
    expect(listing(4)).toBe(asBuilt);
    // The volume and the bind mount are data: every start's write is there.
    expect(await podmanOk(run.conf, ['run', '--rm', '--pull=never', '--label', run.label, '-v', `${volume}:/data`, '--entrypoint', 'cat', run.example, '/data/starts'])).toBe('4');
    expect(readFileSync(join(bind, 'log'), 'utf8')).toBe('start 1\nstart 2\nstart 3\nstart 4\n');
  });
});
