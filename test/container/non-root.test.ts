// procwarden run as a user who is not root: `podman run --user 1000:1000` of the example
// image (built as root), and the README's image whose Dockerfile runs as USER 1000:1000.

import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { eventsNamed } from '../support/events.ts';
import { execIn, logsOnceThey, podmanOk, procwardenStatus, runToEnd, startDetached, suiteRun } from './engine.ts';
import { buildImage, localDockerfile } from './images.ts';

const run = suiteRun();

/** A folder outside the wipe paths, at /state, where the app of crash_once.sh keeps what it found. */
function stateFolder(name: string): string {
  const folder = join(run.work, name);
  mkdirSync(folder);
  chmodSync(folder, 0o777);
  return folder;
}

/** crash_once.sh in `image`: it crashes once, leaving junk in /tmp and the working directory; the replace comes from the snapshot. */
function crashOnce(image: string, state: string, extra: readonly string[] = []) {
  return runToEnd(run, [
    ...extra,
    '-v', `${run.apps}:/checks:ro`, '-v', `${state}:/state`,
    '-e', 'PROCWARDEN_PROCFILE=/checks/Procfile',
    '-e', 'AUTORESTART=OFF', '-e', 'AUTOREPLACE=ON_FAILURE', '-e', 'PROCWARDEN_NO_RESTART_EXIT=7',
    image, '--type', 'crashes-once',
  ]);
}

describe('podman run --user 1000:1000 of an image built as root', () => {
  it('a replace resets /tmp from a snapshot taken at start for that user, in a state dir of its own', async () => {
    const state = stateFolder('user-1000');
    const result = await crashOnce(run.example, state, ['--user', '1000:1000']);
    expect(result.exitCode).toBe(7);
    expect(eventsNamed(result.stderr, 'fs.snapshot')).toMatchObject([{ source: 'start', roots: ['/app', '/tmp'] }]);
    expect(eventsNamed(result.stderr, 'procwarden.warning')).toMatchObject([
      { detail: "the state dir /run/procwarden is not private to procwarden (owned by uid 0, not procwarden's 1000): procwarden keeps its state in /tmp/procwarden-1000, and does not use a snapshot another user took in /run/procwarden" },
    ]);
    const resets = eventsNamed(result.stderr, 'fs.reset');
    expect(resets).toMatchObject([{ skipped: false, removed: 1 }]);
    // /tmp is root's: its time, which the app's junk moved, is not that user's to set back.
    expect(resets[0]).not.toHaveProperty('errors');
    // /tmp as built (procwarden's own folder aside), and /app, where the user may not write.
    expect(readFileSync(join(state, 'after'), 'utf8')).toBe('procwarden-1000\nProcfile\nserver.py\n');
  });

  it('podman exec --user root CONTAINER procwarden status finds that procwarden\'s control socket', async () => {
    const id = await startDetached(run, ['--user', '1000:1000', run.example]);
    expect(await procwardenStatus(run, id, '1000:1000')).toMatch(/^state: running$/m);
    expect(await procwardenStatus(run, id, 'root')).toMatch(/^state: running$/m);
    await podmanOk(run.conf, ['rm', '--force', '--time', '0', id]);
  });
});

describe('the README\'s image that runs as USER 1000:1000', () => {
  const image = `localhost/procwarden-test-non-root:${run.id}`;
  beforeAll(async () => {
    const blocks = [...readFileSync('README.md', 'utf8').matchAll(/```dockerfile\n([\s\S]*?)```\n/g)].map((match) => match[1]!);
    expect(blocks[1]).toMatch(/^USER 1000:1000$/m);
    const dockerfile = localDockerfile(readFileSync('Dockerfile.example', 'utf8'), run.base, 'procwarden-linux-x64', blocks[1]);
    await buildImage(run, dockerfile, { 'procwarden-linux-x64': run.standalone, 'examples/well-behaved-service': resolve('examples/well-behaved-service') }, image);
  });

  it('builds: its RUN procwarden snapshot runs as that user; the container resets /app and /tmp from it', async () => {
    const state = stateFolder('user-image');
    const result = await crashOnce(image, state);
    expect(result.exitCode).toBe(7);
    expect(eventsNamed(result.stderr, 'fs.snapshot')).toMatchObject([{ source: 'build', roots: ['/app', '/tmp'] }]);
    expect(eventsNamed(result.stderr, 'procwarden.warning')).toEqual([]);
    const resets = eventsNamed(result.stderr, 'fs.reset');
    expect(resets).toMatchObject([{ skipped: false, removed: 2 }]);
    expect(resets[0]).not.toHaveProperty('errors');
    expect(readFileSync(join(state, 'after'), 'utf8')).toBe('procwarden-1000\nProcfile\nserver.py\n');
  });

  it('procwarden\'s own linter leaves /tmp as built: it loads its native code from the user\'s state dir, and makes nothing in /tmp', async () => {
    // An entry with a pitfall: its event says the linter has ended.
    const procfile = join(run.work, 'lint-procfile');
    mkdirSync(procfile);
    writeFileSync(join(procfile, 'Procfile'), 'web: (sleep 1000 &) && exec sleep 1000\n');
    const tmpTime = ['python3', '-c', 'import os; print(os.stat("/tmp").st_mtime_ns)'];
    const built = await podmanOk(run.conf, ['run', '--rm', '--pull=never', '--label', run.label, '--entrypoint', tmpTime[0]!, image, ...tmpTime.slice(1)]);
    const id = await startDetached(run, ['-v', `${procfile}:/lint:ro`, '-e', 'PROCWARDEN_PROCFILE=/lint/Procfile', image]);
    await logsOnceThey(run, id, ({ stderr }) => eventsNamed(stderr, 'pitfall').length > 0, 'the pitfall event');
    const now = await execIn(run, id, tmpTime);
    expect(now.stdout.trim()).toBe(built);
    await podmanOk(run.conf, ['rm', '--force', '--time', '0', id]);
  });

  it('podman exec --user root CONTAINER procwarden status finds its control socket', async () => {
    const id = await startDetached(run, [image]);
    expect(await procwardenStatus(run, id, 'root')).toMatch(/^snapshot: build \(\d+ entries\)$/m);
    await podmanOk(run.conf, ['rm', '--force', '--time', '0', id]);
  });
});
