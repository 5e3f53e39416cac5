// Crash recovery in podman: a crash restarted in place, then replaced and recovered from the
// build-time snapshot of the default wipe paths (/app and /tmp), with a named volume and a
// bind mount inside /app left as the app wrote them; and a folder and a file bind-mounted
// over paths the build-time snapshot holds, left alone by the reset, with no error; and an
// image built FROM one with a snapshot, whose own RUN procwarden snapshot takes its place.

import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { eventsNamed } from '../support/events.ts';
import { podmanOk, runToEnd, suiteRun } from './engine.ts';
import { buildImage, localDockerfile } from './images.ts';

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

describe('a bind mount over a path the build-time snapshot holds', () => {
  // Dockerfile.example with a folder and a file more in /app, made before its snapshot.
  const image = `localhost/procwarden-test-mounts:${run.id}`;
  beforeAll(async () => {
    const text = readFileSync('Dockerfile.example', 'utf8');
    const finalStage = text.slice(text.lastIndexOf('\nFROM ') + 1);
    expect(finalStage).toMatch(/^RUN procwarden snapshot$/m);
    const withPages = finalStage.replace(
      /^RUN procwarden snapshot$/m,
      "RUN mkdir /app/www /app/pages && echo 'as built' > /app/www/index.html && echo 'as built' > /app/pages/index.html\nRUN procwarden snapshot",
    );
    const dockerfile = localDockerfile(text, run.base, 'procwarden-linux-x64', withPages);
    await buildImage(run, dockerfile, { 'procwarden-linux-x64': run.standalone, 'examples/well-behaved-service': resolve('examples/well-behaved-service') }, image);
  });

  /** What tells a host folder or file unchanged: its content (a folder's names), mode, owner and modification time to the nanosecond. */
  function stateOf(path: string) {
    const stat = statSync(path, { bigint: true });
    return { mode: stat.mode, uid: stat.uid, gid: stat.gid, mtimeNs: stat.mtimeNs, content: stat.isFile() ? readFileSync(path, 'utf8') : readdirSync(path).sort() };
  }

  it('a folder over /app/www and a file over /app/pages/index.html: the replace\'s reset leaves both alone, with no error, and the host\'s data is untouched', async () => {
    const host = join(run.work, 'mounts-host');
    const hostDir = join(host, 'www');
    const hostFile = join(host, 'index.html');
    mkdirSync(hostDir, { recursive: true });
    writeFileSync(join(hostDir, 'data.html'), 'host data\n');
    writeFileSync(hostFile, 'host file\n');
    for (const path of [hostDir, hostFile]) utimesSync(path, 1_000_000_000, 1_000_000_000);
    const state = join(run.work, 'mounts-state');
    mkdirSync(state);
    const before = { dir: stateOf(hostDir), file: stateOf(hostFile) };
    const result = await runToEnd(run, [
      '-v', `${run.apps}:/checks:ro`, '-v', `${state}:/state`,
      '-v', `${hostDir}:/app/www`, '-v', `${hostFile}:/app/pages/index.html`,
      '-e', 'PROCWARDEN_PROCFILE=/checks/Procfile',
      '-e', 'AUTORESTART=OFF', '-e', 'AUTOREPLACE=ON_FAILURE', '-e', 'PROCWARDEN_NO_RESTART_EXIT=7',
      image, '--type', 'crashes-once',
    ]);
    expect(result.exitCode, result.stderr).toBe(7);
    expect(eventsNamed(result.stderr, 'fs.snapshot')).toMatchObject([{ source: 'build', roots: ['/app', '/tmp'] }]);
    const resets = eventsNamed(result.stderr, 'fs.reset');
    // The app's junk in /tmp and /app is gone; nothing was put back below the mounts.
    expect(resets).toMatchObject([{ skipped: false, removed: 2, restored: 0 }]);
    expect(resets[0]).not.toHaveProperty('errors');
    expect(readFileSync(join(state, 'after'), 'utf8')).toBe('Procfile\npages\nserver.py\nwww\n');
    expect({ dir: stateOf(hostDir), file: stateOf(hostFile) }).toEqual(before);
  });
});

describe('an image built FROM one that has a build-time snapshot', () => {
  it('takes its own at its RUN procwarden snapshot (overlayfs cannot move the lower layer\'s aside), and a start uses it', async () => {
    const image = `localhost/procwarden-test-layered:${run.id}`;
    await buildImage(run, `FROM ${run.example}\nRUN echo 'added later' > /app/later.txt\nRUN procwarden snapshot\n`, {}, image);
    const manifest = await podmanOk(run.conf, ['run', '--rm', '--pull=never', '--label', run.label, '--entrypoint', 'cat', image, '/run/procwarden/snapshot/manifest']);
    expect(manifest).toContain('later.txt');
    const state = join(run.work, 'layered-state');
    mkdirSync(state);
    const result = await runToEnd(run, [
      '-v', `${run.apps}:/checks:ro`, '-v', `${state}:/state`,
      '-e', 'PROCWARDEN_PROCFILE=/checks/Procfile',
      '-e', 'AUTORESTART=OFF', '-e', 'AUTOREPLACE=ON_FAILURE', '-e', 'PROCWARDEN_NO_RESTART_EXIT=7',
      image, '--type', 'crashes-once',
    ]);
    expect(result.exitCode, result.stderr).toBe(7);
    expect(eventsNamed(result.stderr, 'fs.snapshot')).toMatchObject([{ source: 'build' }]);
    // The replace's reset put /app back as this image built it: its own file there, the junk gone.
    expect(readFileSync(join(state, 'after'), 'utf8')).toBe('Procfile\nlater.txt\nserver.py\n');
  });
});
