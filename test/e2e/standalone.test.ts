// The standalone executable (npm run build:standalone) where no Node.js is installed: a root
// folder holding a static busybox, the executable at /usr/local/bin/procwarden and the shared
// libraries ldd lists for it; nothing else.

import { execaSync } from 'execa';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { descendantsOf, eventsOf, pid1Of, readIfExists, runTracked, stderrSoFar, stdoutSoFar, until, eventsNamed } from '../support/processes.ts';

const STANDALONE = resolve('dist/procwarden-linux-x64');
const BUSYBOX = '/bin/busybox';
const INSIDE = '/usr/local/bin/procwarden';

let root: string;

beforeAll(() => {
  if (execaSync('ldd', [BUSYBOX], { reject: false }).exitCode === 0) {
    throw new Error(`${BUSYBOX} is missing or not static: apt-get install busybox-static`);
  }
  root = mkdtempSync(join(tmpdir(), 'procwarden-root-'));
  for (const folder of ['bin', 'usr/local/bin', 'proc', 'tmp', 'run', 'dev/shm', 'app']) mkdirSync(join(root, folder), { recursive: true });
  copyFileSync(BUSYBOX, join(root, 'bin/busybox'));
  chmodSync(join(root, 'bin/busybox'), 0o755);
  for (const applet of execaSync(BUSYBOX, ['--list']).stdout.split('\n')) {
    if (applet && applet !== 'busybox') symlinkSync('busybox', join(root, 'bin', applet));
  }
  copyFileSync(STANDALONE, join(root, INSIDE));
  chmodSync(join(root, INSIDE), 0o755);
  for (const library of execaSync('ldd', [STANDALONE]).stdout.match(/\/\S+/g) ?? []) {
    mkdirSync(join(root, dirname(library)), { recursive: true });
    copyFileSync(library, join(root, library));
  }
  writeFileSync(join(root, 'app/Procfile'), 'web: echo "web on port $PORT in $(pwd)"; exit ${WEB_EXIT:-0}\nworker: (sleep 60 &) && tail -f Procfile\n');
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Paths inside the root: its state dir is the default one, its wipe root its own /app. */
const ROOT_ENV = { PROCWARDEN_STATE_DIR: '/run/procwarden', PROCWARDEN_WIPE_PATHS: '/app' };

/** procwarden as PID 1 of a new pid namespace whose root is the folder above. */
function inRoot(args: readonly string[], env: Record<string, string> = {}) {
  return runTracked('unshare', ['--pid', '--fork', '--mount-proc', `--root=${root}`, '--wd=/app', INSIDE, ...args], { env: { ...ROOT_ENV, ...env } });
}

describe('the standalone executable, in a root with no Node.js', () => {
  it('holds no node: the root is busybox, procwarden and its libraries', () => {
    const files = execaSync('find', [root, '-type', 'f']).stdout.split('\n').map((file) => file.slice(root.length));
    // (and, once a test has run, procwarden's own state dir, its native code among it)
    const ours = files.filter((file) => !file.startsWith('/lib') && !file.startsWith('/run/procwarden/'));
    expect(ours.sort()).toEqual(['/app/Procfile', '/bin/busybox', INSIDE]);
    expect(files.filter((file) => /(^|\/)node$/.test(file))).toEqual([]);
  });

  it('runs as PID 1 of the namespace', async () => {
    const result = await inRoot(['--', 'sh', '-c', 'readlink /proc/1/exe']);
    expect(result.stdout).toBe(INSIDE);
    expect(result.exitCode).toBe(0);
  });

  it.each([
    ['exit 0', 0],
    ['exit 3', 3],
    ['kill -TERM $$', 143],
  ])('runs `%s` in the exec form and exits with code %d', async (command, code) => {
    const result = await inRoot(['--', 'sh', '-c', command]);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(code);
  });

  it('runs a Procfile entry as PID 1 and exits with its code', async () => {
    const result = await inRoot(['--recovery', 'off'], { PORT: '5000', WEB_EXIT: '4' });
    expect(result.stdout).toBe('web on port 5000 in /app');
    expect(result.exitCode).toBe(4);
    const events = eventsOf(result.stderr);
    expect(events.map((event) => event['event'])).toEqual(['container.started', 'container.exited', 'recovery.decision', 'procwarden.exit']);
    expect(events[0]).toMatchObject({ processType: 'web', attempt: 1 });
  });

  it('reaps the orphans the app leaves: no zombie is left as PID 1', async () => {
    const app = 'for i in 1 2 3 4 5 6 7 8 9 10; do (sleep 0.05 &); done; sleep 0.3; grep -l "^State:.*Z" /proc/[0-9]*/status | wc -l';
    const result = await inRoot(['--', 'sh', '-c', app]);
    expect(result.stdout.trim()).toBe('0');
    expect(result.exitCode).toBe(0);
  });

  it('restarts by policy, then recovers from a pristine /app: what the crashed run left is gone', async () => {
    // Like a stale PID file: a marker in /app that makes the app fail; the run count lives
    // in /tmp, which is no wipe root here.
    const app = [
      'n=$(( $(cat /tmp/runs 2>/dev/null || echo 0) + 1 )); echo $n > /tmp/runs',
      'if [ -e /app/marker ]; then echo "run $n: marker left"; exit 3; fi',
      'echo "run $n: clean"; touch /app/marker',
      '[ $n -ge 3 ] && exec sleep 30',
      'exit 3',
    ].join('\n');
    const run = inRoot(['--recovery', 'on', '--autorestart', 'on_failure', '--', 'sh', '-c', app], { PROCWARDEN_RESTART_LIMIT: '1/1m' });
    const stdout = stdoutSoFar(run);
    try {
      await until(() => stdout().includes('run 3'), 'the third run');
      // The third run's shell has exec'd its sleep: a stop that came while its `touch` ran
      // would end with touch's exit (the last of the tree), not the sleep's.
      await until(() => descendantsOf(run.pid!).some((pid) => readIfExists(`/proc/${pid}/cmdline`) === 'sleep\x0030\x00'), 'the third run asleep');
      process.kill(await pid1Of(run.pid!), 'SIGTERM');
      const result = await run;
      expect(result.stdout.split('\n')).toEqual(['run 1: clean', 'run 2: marker left', 'run 3: clean']);
      const modes = eventsNamed(result.stderr, 'container.started').map((event) => event['mode']);
      expect(modes).toEqual(['initial', 'restart', 'recover']);
      expect(result.exitCode).toBe(143);
    } finally {
      rmSync(join(root, 'app/marker'), { force: true });
      rmSync(join(root, 'tmp/runs'), { force: true });
    }
  });

  it('lints the entry that runs at start, in a child of its own: a pitfall event', async () => {
    const run = inRoot(['--type', 'worker']);
    const stderr = stderrSoFar(run);
    await until(() => stderr().includes('"event":"pitfall"'), 'the pitfall event');
    process.kill(await pid1Of(run.pid!), 'SIGTERM');
    const result = await run;
    expect(result.exitCode).toBe(143);
    const events = eventsOf(result.stderr);
    expect(eventsNamed(events, 'procwarden.warning')).toEqual([]);
    expect(eventsNamed(events, 'pitfall')[0]).toMatchObject({ rule: 'background-app', processType: 'worker' });
  });

  it('lints the Procfile without Node: procwarden check', async () => {
    writeFileSync(join(root, 'app/Procfile.bad'), 'web: (my-app &) && tail -F log\n');
    const result = await inRoot(['check', '--procfile', 'Procfile.bad']);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain('background-app');
  });

  it('exits 1 naming the folders it tried when a read-only root leaves it nowhere to run native code, and runs with --tmpfs /run:exec', async () => {
    const enter = (runMount: string) =>
      [
        `mount --bind ${root} ${root}`,
        `mount -o remount,bind,ro ${root}`,
        `mount -t tmpfs -o noexec tmpfs ${root}/tmp`,
        `mount -t tmpfs -o noexec tmpfs ${root}/dev/shm`,
        `mount -t tmpfs -o ${runMount} tmpfs ${root}/run`,
        `exec unshare --pid --fork --mount-proc --root=${root} ${INSIDE} -- sh -c 'exit 5'`,
      ].join(' && ');
    // A mount namespace of the test's own: the mounts go with it.
    const noexec = await runTracked('unshare', ['--mount', '--propagation=private', 'sh', '-c', enter('noexec')], { env: ROOT_ENV });
    expect(noexec.exitCode).toBe(1);
    expect(noexec.stderr).toBe(
      'procwarden: cannot load native code: no folder allows writing and executing it (tried /run/procwarden/native: mounted noexec; /run: mounted noexec; /tmp: mounted noexec; /dev/shm: mounted noexec); give procwarden one, e.g. docker run --tmpfs /run:exec, or set PROCWARDEN_STATE_DIR',
    );
    const exec = await runTracked('unshare', ['--mount', '--propagation=private', 'sh', '-c', enter('exec')], { env: ROOT_ENV });
    expect(exec.stderr).toBe('');
    expect(exec.exitCode).toBe(5);
  });
});

describe('the standalone executable and NODE_OPTIONS', () => {
  it("leaves the app's NODE_OPTIONS to the app: procwarden itself ignores it", async () => {
    const result = await runTracked(STANDALONE, ['--', 'sh', '-c', 'echo "$NODE_OPTIONS"; exit 6'], {
      env: { NODE_OPTIONS: '--require /no/such/preload.js --max-old-space-size=1' },
    });
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('--require /no/such/preload.js --max-old-space-size=1');
    expect(result.exitCode).toBe(6);
  });
});
