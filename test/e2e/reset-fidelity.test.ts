// Issue 12, "the reset restores what it promised" (cases 6 to 11): the built dist/procwarden
// as PID 1 over an app that changes its wipe root and crashes once, and what the replaced
// app finds. Every run names its own wipe root (a scratch folder) and its own state dir.

import { execaSync } from 'execa';
import { chownSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventsNamed, FIXTURES, runPlain, runTracked, stderrSoFar, until } from '../support/processes.ts';
import { crashOnce, setUp } from './reset-cases.ts';

const sh = (script: string) => execaSync('sh', ['-c', script]).stdout;

describe('the reset restores what it promised', () => {
  it('case 6: owners and folder times come back: the replaced app, run as its own user, can write its cache again', async () => {
    const setup = setUp();
    const { root } = setup;
    mkdirSync(join(root, 'cache'), { mode: 0o750 });
    for (const path of [root, join(root, 'keep'), join(root, 'sub'), join(root, 'sub', 'keep'), join(root, 'cache')]) chownSync(path, 1000, 1000);
    utimesSync(join(root, 'sub'), 1_000_000_000, 1_000_000_000);
    const check = `setpriv --reuid 1000 --regid 1000 --clear-groups sh -c 'echo entry > cache/entry && rm cache/entry' && echo writable > ${setup.out}/cache`;
    const result = await crashOnce(setup, 'rm -rf cache sub; chown 0:0 keep', {}, check);
    expect(result.exitCode).toBe(0);
    expect(readFileSync(join(setup.out, 'cache'), 'utf8')).toBe('writable\n');
    for (const path of [join(root, 'keep'), join(root, 'sub'), join(root, 'sub', 'keep'), join(root, 'cache')]) {
      expect(lstatSync(path), path).toMatchObject({ uid: 1000, gid: 1000 });
    }
    expect(statSync(join(root, 'cache')).mode & 0o7777).toBe(0o750);
    expect(statSync(join(root, 'sub')).mtimeMs).toBe(1_000_000_000_000);
  });

  it('case 7: FIFOs, UNIX sockets and device nodes the app made are removed; a FIFO it removed comes back', async () => {
    const setup = setUp();
    sh(`mkfifo ${setup.root}/fifo0`);
    const mutation = `rm fifo0; mkfifo newfifo; mknod null c 1 3
      python3 -c "import socket; socket.socket(socket.AF_UNIX).bind('app.sock')"`;
    const result = await crashOnce(setup, mutation, {}, `ls -A > ${setup.out}/listing`);
    expect(result.exitCode).toBe(0);
    expect(readFileSync(join(setup.out, 'listing'), 'utf8').split('\n').filter(Boolean).sort()).toEqual(['fifo0', 'keep', 'sub']);
    expect(lstatSync(join(setup.root, 'fifo0')).isFIFO()).toBe(true);
    expect(eventsNamed(result.stderr, 'fs.reset')[0]).toMatchObject({ removed: 3, restored: 1 });
  });

  it('case 8: names that are not UTF-8 are restored and removed like any other', async () => {
    const setup = setUp();
    const latin = Buffer.concat([Buffer.from(`${setup.root}/caf`), Buffer.from([0xe9])]);
    writeFileSync(latin, 'latin-1 name\n');
    const result = await crashOnce(setup, `rm caf*; echo junk > "$(printf 'new\\377')"`);
    expect(result.exitCode).toBe(0);
    const names = readdirSync(setup.root, { encoding: 'buffer' }).map((name) => name.toString('latin1')).sort();
    expect(names).toEqual(['caf\xe9', 'keep', 'sub']);
    expect(readFileSync(latin, 'utf8')).toBe('latin-1 name\n');
    expect(eventsNamed(result.stderr, 'fs.reset')[0]).not.toHaveProperty('errors');
  });

  it('case 8: a tree 2,000 folders deep (paths past PATH_MAX) is reset to the bottom', async () => {
    const setup = setUp();
    const deep = (action: string) => `python3 ${join(FIXTURES, 'reset', 'deep.py')} ${action} 2000`;
    sh(`cd ${setup.root} && ${deep('make')}`);
    try {
      const result = await crashOnce(setup, deep('mutate'), {}, `${deep('report')} > ${setup.out}/bottom`);
      expect(result.exitCode).toBe(0);
      expect(readFileSync(join(setup.out, 'bottom'), 'utf8')).toBe('leaf\nleaf\n');
      expect(eventsNamed(result.stderr, 'fs.reset')[0]).toMatchObject({ removed: 1, restored: 1 });
      expect(eventsNamed(result.stderr, 'fs.reset')[0]).not.toHaveProperty('errors');
    } finally {
      sh(`cd ${setup.root} && ${deep('remove')}`);
    }
  });

  it('case 9: a sparse file is kept and put back sparse', async () => {
    const setup = setUp();
    const image = join(setup.root, 'sparse.img');
    sh(`truncate -s 64M ${image} && printf data | dd of=${image} bs=1 seek=33554432 conv=notrunc 2>/dev/null`);
    const before = sh(`cksum < ${image}`);
    const result = await crashOnce(setup, `rm sparse.img; du -sk ${setup.stateDir} | cut -f1 > ${setup.out}/state-kib`);
    expect(result.exitCode).toBe(0);
    expect(sh(`cksum < ${image}`)).toBe(before);
    expect(statSync(image).size).toBe(64 << 20);
    expect(statSync(image).blocks * 512).toBeLessThan(1 << 20);
    expect(Number(readFileSync(join(setup.out, 'state-kib'), 'utf8'))).toBeLessThan(1024);
  });

  it('case 10: a snapshot that would not fit (a full disk) is refused before anything is written, and leaves nothing behind', async () => {
    const setup = setUp();
    writeFileSync(join(setup.root, 'big.bin'), Buffer.alloc(4 << 20, 1));
    mkdirSync(setup.stateDir);
    const procwarden = `${process.cwd()}/dist/procwarden --autoreplace ALWAYS -- true`;
    const script = `mount -t tmpfs -o size=2m,mode=700 none ${setup.stateDir} && ${procwarden} 2> ${setup.out}/stderr; ls -A ${setup.stateDir}`;
    const result = await runTracked('unshare', ['--mount', 'sh', '-c', script], {
      env: { PROCWARDEN_WIPE_PATHS: setup.root, PROCWARDEN_STATE_DIR: setup.stateDir, PATH: `${process.cwd()}/node_modules/.bin:${process.env['PATH']}` },
    });
    expect(result.exitCode).toBe(0);
    expect(readFileSync(join(setup.out, 'stderr'), 'utf8')).toMatch(/no snapshot: the snapshot needs about 4\.\d MiB and \S*\/state \(a tmpfs: memory\) has [12]\.\d MiB free: narrow PROCWARDEN_WIPE_PATHS/);
    expect(result.stdout.split('\n').filter(Boolean)).toEqual(['native']);
  });

  it('case 11: a live change that enables replace snapshots the running app\'s state, and says so (source live)', async () => {
    const setup = setUp();
    const run = runPlain(['--', 'sh', '-c', 'echo $$ > app.pid; sleep 1000'], {
      cwd: setup.root,
      env: { PROCWARDEN_WIPE_PATHS: setup.root, PROCWARDEN_STATE_DIR: setup.stateDir, PROCWARDEN_LOG_LEVEL: 'info' },
    });
    const stderr = stderrSoFar(run);
    await until(() => existsSync(join(setup.stateDir, 'control.sock')) && existsSync(join(setup.root, 'app.pid')), 'the app and the control socket');
    const set = await runPlain(['set', '--autoreplace', 'ALWAYS'], { env: { PROCWARDEN_STATE_DIR: setup.stateDir } });
    expect(set.exitCode).toBe(0);
    await until(() => eventsNamed(stderr(), 'fs.snapshot').length > 0, 'the snapshot');
    expect(eventsNamed(stderr(), 'fs.snapshot')).toMatchObject([{ source: 'live', advice: expect.stringMatching(/taken while the app ran/) }]);
    expect(eventsNamed(stderr(), 'procwarden.warning').map((warning) => warning.detail)).toContainEqual(expect.stringMatching(/^the snapshot was taken while the app ran/));
    // And `procwarden status` says what the snapshot holds.
    const status = await runPlain(['status'], { env: { PROCWARDEN_STATE_DIR: setup.stateDir } });
    expect(status.stdout).toMatch(/^snapshot: live \(\d+ entries\): taken while the app ran/m);
    process.kill(run.pid!, 'SIGTERM');
    await run;
  });

  it('case 11: with a build-time snapshot, a live change that enables replace uses it (source build)', async () => {
    const setup = setUp();
    const env = { PROCWARDEN_WIPE_PATHS: setup.root, PROCWARDEN_STATE_DIR: setup.stateDir };
    expect((await runPlain(['snapshot'], { env })).exitCode).toBe(0);
    const run = runPlain(['--', 'sh', '-c', 'echo $$ > app.pid; sleep 1000'], { cwd: setup.root, env: { ...env, PROCWARDEN_LOG_LEVEL: 'info' } });
    const stderr = stderrSoFar(run);
    await until(() => existsSync(join(setup.stateDir, 'control.sock')) && existsSync(join(setup.root, 'app.pid')), 'the app and the control socket');
    expect((await runPlain(['set', '--autoreplace', 'ALWAYS'], { env })).exitCode).toBe(0);
    await until(() => eventsNamed(stderr(), 'fs.snapshot').length > 0, 'the snapshot');
    const [snapshot] = eventsNamed(stderr(), 'fs.snapshot');
    expect(snapshot).toMatchObject({ source: 'build' });
    expect(snapshot).not.toHaveProperty('advice');
    process.kill(run.pid!, 'SIGTERM');
    await run;
  });
});
