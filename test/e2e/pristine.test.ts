import { execaSync } from 'execa';
import { existsSync, mkdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, FIXTURES, runAsPid1, runPlain, runTracked, scratch, eventsNamed } from '../support/processes.ts';

const treeState = (root: string) => execaSync('sh', [join(FIXTURES, 'tree-state.sh'), root]).stdout;

/** A wipe root with a bit of everything, a folder for the app's reports, and a mutation script. */
function setUp(mutation: string) {
  const folder = scratch();
  const root = join(folder, 'app');
  const out = join(folder, 'out');
  mkdirSync(join(root, 'config'), { recursive: true });
  mkdirSync(join(root, 'empty'));
  mkdirSync(out);
  writeFileSync(join(root, 'config', 'app.yml'), 'port: 5000\n', { mode: 0o640 });
  writeFileSync(join(root, 'server.pid.template'), 'none\n');
  writeFileSync(join(root, 'run.sh'), '#!/bin/sh\n', { mode: 0o755 });
  // Big enough for a copy of its own in the snapshot, not the pack (256 KiB and more).
  writeFileSync(join(root, 'assets.bin'), Buffer.alloc(300 * 1024, 7));
  symlinkSync('config/app.yml', join(root, 'current.yml'));
  writeFileSync(join(folder, 'mutation.sh'), mutation);
  const app = ['--autoreplace', 'ON_FAILURE', '--', 'sh', join(FIXTURES, 'mutate-then-report.sh'), root, out, join(folder, 'mutation.sh')];
  return { folder, root, out, app, before: treeState(root) };
}

const replaceOnce = (root: string, extra: Record<string, string> = {}) => ({
  env: { PROCWARDEN_WIPE_PATHS: root, PROCWARDEN_REPLACE_LIMIT: '1/1m', ...extra },
});

describe('a pristine filesystem before a replace or a recovery', () => {
  it('the replaced app finds created things gone, and deleted, changed and re-moded ones back', async () => {
    const { root, out, app, before } = setUp(`
      echo 'port: 6000' > config/app.yml; chmod 600 config/app.yml; chmod 700 run.sh
      rm server.pid.template; rmdir empty; rm current.yml; ln -s /etc/passwd current.yml
      echo 1234 > server.pid; mkdir -p tmp/cache; echo x > tmp/cache/entry
      printf 'appended' >> assets.bin`);
    const result = await runAsPid1(app, replaceOnce(root));
    expect(result.exitCode).toBe(0);
    expect(readFileSync(join(out, 'after'), 'utf8')).toBe(`${before}\n`);
    expect(eventsNamed(result.stderr, 'fs.reset')).toEqual([
      expect.objectContaining({ skipped: false, removed: 4, restored: expect.any(Number), durationMs: expect.any(Number) }),
    ]);
  });

  it('with APTIBLE_DO_NOT_WIPE=1 the replaced app finds what the crashed run left', async () => {
    const { root, out, app } = setUp('echo 1234 > server.pid; rm run.sh');
    const result = await runAsPid1(app, replaceOnce(root, { APTIBLE_DO_NOT_WIPE: '1' }));
    expect(result.exitCode).toBe(0);
    const after = readFileSync(join(out, 'after'), 'utf8');
    expect(after).toContain('./server.pid f');
    expect(after).not.toContain('./run.sh');
    expect(eventsNamed(result.stderr, 'fs.reset')).toMatchObject([{ skipped: true, reason: 'APTIBLE_DO_NOT_WIPE is set' }]);
    expect(eventsNamed(result.stderr, 'fs.snapshot')).toEqual([]);
  });

  it('never follows a symlink out of the root, and puts back a symlink swapped for a folder and the reverse', async () => {
    const outside = join(scratch(), 'outside');
    mkdirSync(outside);
    writeFileSync(join(outside, 'existing.txt'), 'original\n');
    const { root, out, app, before } = setUp(`
      echo changed > data/existing.txt; echo new > data/new.txt
      rm linked-dir; mkdir linked-dir; echo inside > linked-dir/file
      rm -r real-dir; ln -s ${outside} real-dir
      rm config/app.yml; ln -s ${outside}/existing.txt config/app.yml`);
    // Set up after the first state was read, so add them and read it again.
    symlinkSync(outside, join(root, 'data'));
    symlinkSync(outside, join(root, 'linked-dir'));
    mkdirSync(join(root, 'real-dir'));
    writeFileSync(join(root, 'real-dir', 'kept'), 'kept\n');
    const withLinks = treeState(root);
    expect(withLinks).not.toBe(before);
    const result = await runAsPid1(app, replaceOnce(root));
    expect(result.exitCode).toBe(0);
    expect(readFileSync(join(out, 'after'), 'utf8')).toBe(`${withLinks}\n`);
    // What the app did outside the root, through a symlink, is not the reset's to undo.
    expect(readFileSync(join(outside, 'existing.txt'), 'utf8')).toBe('changed\n');
    expect(readFileSync(join(outside, 'new.txt'), 'utf8')).toBe('new\n');
    expect(readlinkSync(join(root, 'data'))).toBe(outside);
  });

  it('never writes through a hard link: a file outside the root that shares an inode with one inside is untouched', async () => {
    // Outside the root, on the same filesystem (hard links cannot cross one).
    const outside = join(scratch(), 'outside');
    mkdirSync(outside);
    writeFileSync(join(outside, 'secret.txt'), 'secret\n');
    const { root, out, app, before } = setUp(`
      ln -f ${outside}/secret.txt server.pid.template
      ln run.sh ${outside}/run-copy; echo 'exit 1' >> run.sh
      echo 'port: 6000, and a line longer than the one it replaces' > config/app.yml`);
    const mtime = statSync(join(root, 'config', 'app.yml')).mtimeMs;
    const result = await runAsPid1(app, replaceOnce(root));
    expect(result.exitCode).toBe(0);
    expect(readFileSync(join(out, 'after'), 'utf8')).toBe(`${before}\n`);
    expect(readFileSync(join(outside, 'secret.txt'), 'utf8')).toBe('secret\n');
    expect(readFileSync(join(outside, 'run-copy'), 'utf8')).toBe('#!/bin/sh\nexit 1\n');
    expect(statSync(join(root, 'config', 'app.yml')).mtimeMs).toBeCloseTo(mtime, 0);
  });

  it('leaves PROCWARDEN_WIPE_EXCLUDE alone, and the state dir inside a root survives', async () => {
    const { root, out, app } = setUp('mkdir -p log; echo line > log/app.log; echo 1234 > server.pid');
    const stateDir = join(root, '.procwarden');
    const result = await runAsPid1(app, replaceOnce(root, { PROCWARDEN_WIPE_EXCLUDE: `${root}/log:${root}/log/**`, PROCWARDEN_STATE_DIR: stateDir }));
    expect(result.exitCode).toBe(0);
    expect(readFileSync(join(root, 'log', 'app.log'), 'utf8')).toBe('line\n');
    expect(existsSync(join(root, 'server.pid'))).toBe(false);
    expect(existsSync(join(root, 'server.pid.template'))).toBe(true);
    expect(existsSync(join(stateDir, 'snapshot', 'manifest'))).toBe(true);
    expect(readFileSync(join(out, 'after'), 'utf8')).toContain('./.procwarden d');
  });

  it('a tmpfs mounted inside the root (a volume) keeps what the crashed run wrote there', async () => {
    const { root, out, app } = setUp('echo precious > volume/data; echo 1234 > server.pid');
    mkdirSync(join(root, 'volume'));
    // Its own mount namespace, so the tmpfs is nobody else's.
    const script = `mount -t tmpfs none ${root}/volume && exec ${BIN} ${app.map((word) => `'${word}'`).join(' ')}`;
    const result = await runTracked('unshare', ['--mount', '--pid', '--fork', '--mount-proc', 'sh', '-c', script], replaceOnce(root));
    expect(result.exitCode).toBe(0);
    const after = readFileSync(join(out, 'after'), 'utf8');
    expect(after).toContain('./volume/data f');
    expect(after).not.toMatch(/^\.\/server\.pid /m);
  });

  it.each(['/', '/proc', '/sys/fs', '/dev'])('PROCWARDEN_WIPE_PATHS=%s is exit 2, and nothing runs', async (path) => {
    const marker = join(scratch(), 'ran');
    const result = await runPlain(['--autoreplace', 'ALWAYS', '--', 'touch', marker], { env: { PROCWARDEN_WIPE_PATHS: path } });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^procwarden: PROCWARDEN_WIPE_PATHS: '\/[a-z/]*' can never be wiped/);
    expect(existsSync(marker)).toBe(false);
  });

  it('procwarden snapshot at image build: the container start uses it and copies nothing', async () => {
    const { root, out, app, before } = setUp('echo 1234 > server.pid; rm run.sh');
    const stateDir = join(scratch(), 'state');
    const built = await runPlain(['snapshot'], { env: { PROCWARDEN_WIPE_PATHS: root, PROCWARDEN_STATE_DIR: stateDir } });
    expect(built.exitCode).toBe(0);
    expect(built.stdout).toMatch(/snapshot of .*app \(\d+ entries, \d+\.\d KiB\)/);
    const result = await runAsPid1(app, replaceOnce(root, { PROCWARDEN_STATE_DIR: stateDir }));
    expect(result.exitCode).toBe(0);
    expect(eventsNamed(result.stderr, 'fs.snapshot')).toMatchObject([{ source: 'build' }]);
    expect(readFileSync(join(out, 'after'), 'utf8')).toBe(`${before}\n`);
  });

  it.each([
    ['whole seconds, as image layers keep them (Docker, containerd, buildah)', 'gnu'],
    ['nanoseconds', 'posix'],
  ])('a build-time snapshot resets another mount of the same files, as a container\'s overlay is: other device and inode numbers, times in %s', async (_times, format) => {
    const { folder, root, out, app, before } = setUp("echo 1234 > server.pid; rm run.sh; echo 'port: 6000' > config/app.yml");
    // Built an hour before the container runs.
    execaSync('find', [root, '-exec', 'touch', '-h', '-d', '-1 hour', '{}', '+']);
    const stateDir = join(scratch(), 'state');
    const built = await runPlain(['snapshot'], { env: { PROCWARDEN_WIPE_PATHS: root, PROCWARDEN_STATE_DIR: stateDir } });
    expect(built.exitCode).toBe(0);
    // The image as a container gets it: its files from a layer (a tar of that format), on a
    // filesystem of its own at the same path.
    const layer = join(folder, 'layer.tar');
    execaSync('tar', [`--format=${format}`, '-C', root, '-cf', layer, '.']);
    const script = `mount -t tmpfs none '${root}' && tar -C '${root}' -xpf '${layer}' && exec ${BIN} ${app.map((word) => `'${word}'`).join(' ')}`;
    const result = await runTracked('unshare', ['--mount', '--pid', '--fork', '--mount-proc', 'sh', '-c', script], replaceOnce(root, { PROCWARDEN_STATE_DIR: stateDir }));
    expect(result.exitCode).toBe(0);
    expect(eventsNamed(result.stderr, 'fs.snapshot')).toMatchObject([{ source: 'build' }]);
    // What the app changed, and only that: the other files' times are the same to the second.
    expect(eventsNamed(result.stderr, 'fs.reset')).toEqual([expect.objectContaining({ skipped: false, removed: 1, restored: 2 })]);
    // Files and links as they were (a folder's size is its filesystem's own).
    const notFolders = (state: string) => state.split('\n').filter((line) => line !== '' && !/^\S+ d /.test(line));
    expect(notFolders(readFileSync(join(out, 'after'), 'utf8'))).toEqual(notFolders(before));
  });

  it('the default paths (the working directory and /tmp), in a container of its own (its own UTS namespace) with a private /tmp', async () => {
    // Never the machine's real /tmp: a tmpfs on /tmp that only this namespace sees.
    // The run counter lives on another private tmpfs, outside the wipe roots.
    const app = `n=$(cat /mnt/runs 2>/dev/null || echo 0)
      if [ "$n" -eq 0 ]; then echo 1 > /mnt/runs; echo 1234 > server.pid; echo junk > /tmp/junk; rm seed; exit 1; fi
      ls -A /tmp /tmp/app; exit 0`;
    // The checkout may itself be under /tmp: it is bound to /mnt/checkout first, so that the
    // private /tmp hides neither procwarden nor its Node.
    const checkout = resolve('.');
    const script = [
      'mount -t tmpfs none /mnt && mkdir /mnt/checkout',
      `mount --bind '${checkout}' /mnt/checkout`,
      'mount -t tmpfs none /tmp && mkdir /tmp/app && cd /tmp/app && echo seed > seed',
      `PATH=/mnt/checkout/node_modules/.bin:$PATH exec /mnt/checkout/dist/procwarden --autoreplace ON_FAILURE -- sh -c '${app}'`,
    ].join(' && ');
    const result = await runTracked('unshare', ['--uts', '--mount', '--pid', '--fork', '--mount-proc', 'sh', '-c', script], {
      env: { PROCWARDEN_WIPE_PATHS: '', PROCWARDEN_REPLACE_LIMIT: '1/1m' },
    });
    expect(result.exitCode).toBe(0);
    const listing = result.stdout.split('\n');
    // Put back by the reset: seed is back, server.pid and /tmp/junk are gone.
    expect(listing).toContain('seed');
    expect(listing).not.toContain('server.pid');
    expect(listing).not.toContain('junk');
    expect(eventsNamed(result.stderr, 'fs.snapshot')).toMatchObject([{ roots: ['/tmp/app', '/tmp'] }]);
  });

  it('never resets the default paths when it is not PID 1 (a shared machine), and says why', async () => {
    const stateDir = join(scratch(), 'state');
    const result = await runPlain(['--autoreplace', 'ON_FAILURE', '--', 'false'], {
      cwd: scratch(),
      env: { PROCWARDEN_WIPE_PATHS: '', PROCWARDEN_REPLACE_LIMIT: '1/1m', PROCWARDEN_STATE_DIR: stateDir },
    });
    expect(result.exitCode).toBe(1);
    expect(eventsNamed(result.stderr, 'fs.snapshot')).toEqual([]);
    expect(eventsNamed(result.stderr, 'fs.reset')).toMatchObject([{ skipped: true, reason: expect.stringMatching(/^not PID 1/) }]);
    expect(existsSync(join(stateDir, 'snapshot'))).toBe(false);
  });

  it('takes its snapshot again at every start: one a previous start took is never reused', async () => {
    const { root, out, app } = setUp('echo 1234 > server.pid');
    const stateDir = join(scratch(), 'state');
    const env = replaceOnce(root, { PROCWARDEN_STATE_DIR: stateDir });
    expect((await runAsPid1(app, env)).exitCode).toBe(0);
    // A new deploy changes the root between two starts; the next reset must keep it.
    writeFileSync(join(root, 'deployed.txt'), 'v2\n');
    rmSync(join(out, 'runs'));
    const second = await runAsPid1(app, env);
    expect(second.exitCode).toBe(0);
    expect(eventsNamed(second.stderr, 'fs.snapshot')).toMatchObject([{ source: 'start' }]);
    expect(readFileSync(join(out, 'after'), 'utf8')).toContain('./deployed.txt f');
  });

  it('takes no snapshot for a plain init', async () => {
    const stateDir = join(scratch(), 'state');
    const result = await runPlain(['--', 'true'], { env: { PROCWARDEN_LOG_LEVEL: 'info', PROCWARDEN_STATE_DIR: stateDir } });
    expect(eventsNamed(result.stderr, 'fs.snapshot')).toEqual([]);
    expect(existsSync(join(stateDir, 'snapshot'))).toBe(false);
  });
});
