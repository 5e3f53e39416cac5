// What a reset leaves alone, and says nothing of: a time only the entry's owner may set
// (procwarden run as a user that does not own its wipe root, as root's /tmp is not user
// 1000's), and a mount point over a path the snapshot holds (a folder or a file bind-mounted
// from the same filesystem, which has the root's device number); and what procwarden's own
// linter leaves in such a root: nothing. The built dist/procwarden as PID 1 over
// crash-once.sh; every run names its own wipe root and state dir.

import { chmodSync, chownSync, mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, eventsNamed, FIXTURES, runPlain, runTracked, scratch, shellQuote } from '../support/processes.ts';

const CRASH_ONCE = join(FIXTURES, 'reset', 'crash-once.sh');
const AS_1000 = ['setpriv', '--reuid', '1000', '--regid', '1000', '--clear-groups'];

/** What tells a file or folder unchanged: its content (a file's), mode, owner and modification time to the nanosecond. */
function stateOf(path: string) {
  const stat = statSync(path, { bigint: true });
  return { mode: stat.mode, uid: stat.uid, gid: stat.gid, mtimeNs: stat.mtimeNs, content: stat.isFile() ? readFileSync(path, 'utf8') : readdirSync(path).sort() };
}

/**
 * A scratch folder others may enter, with `out` (user 1000's: crash-once.sh counts its runs
 * there) and the app's `mutation` written to it.
 */
function setUp(mutation: string) {
  const folder = scratch();
  chmodSync(folder, 0o755);
  const out = join(folder, 'out');
  mkdirSync(out);
  chownSync(out, 1000, 1000);
  writeFileSync(join(out, 'mutation.sh'), mutation);
  return { folder, out, app: ['--autoreplace', 'ON_FAILURE', '--', 'sh', CRASH_ONCE, out, join(out, 'mutation.sh')] };
}

const replaceOnce = (root: string, stateDir: string) => ({ PROCWARDEN_WIPE_PATHS: root, PROCWARDEN_STATE_DIR: stateDir, PROCWARDEN_REPLACE_LIMIT: '1/1m' });

describe('a wipe root procwarden\'s user does not own', () => {
  /** A root like /tmp (root's, mode 1777) holding a folder of user 1000's, and a state dir of that user's. */
  function rootLikeTmp(mutation: string) {
    const setup = setUp(mutation);
    const root = join(setup.folder, 'tmp');
    mkdirSync(root);
    chmodSync(root, 0o1777);
    const mine = join(root, 'mine');
    mkdirSync(mine);
    writeFileSync(join(mine, 'keep'), 'keep\n');
    for (const path of [mine, join(mine, 'keep')]) chownSync(path, 1000, 1000);
    utimesSync(mine, 1_000_000_000, 1_000_000_000);
    const stateDir = join(setup.folder, 'state');
    mkdirSync(stateDir, { mode: 0o700 });
    chownSync(stateDir, 1000, 1000);
    return { ...setup, root, mine, stateDir };
  }

  const asUser1000 = (setup: ReturnType<typeof rootLikeTmp>) =>
    runTracked('unshare', ['--pid', '--fork', '--mount-proc', ...AS_1000, BIN, ...setup.app], { cwd: setup.mine, env: replaceOnce(setup.root, setup.stateDir) });

  it('what the app made and changed in it is put back; its time, which only its owner may set, is no error', async () => {
    const setup = rootLikeTmp(`echo junk > ../junk; echo changed > keep; echo new > new`);
    const result = await asUser1000(setup);
    expect(result.exitCode).toBe(0);
    const [reset] = eventsNamed(result.stderr, 'fs.reset');
    expect(reset).toMatchObject({ skipped: false, removed: 2, restored: 1 });
    expect(reset).not.toHaveProperty('errors');
    expect(readdirSync(setup.root)).toEqual(['mine']);
    expect(readdirSync(setup.mine)).toEqual(['keep']);
    expect(readFileSync(join(setup.mine, 'keep'), 'utf8')).toBe('keep\n');
    // The user's own folder gets its time back.
    expect(statSync(setup.mine).mtimeMs).toBe(1_000_000_000_000);
  });

  it('an owner it may not give back is still an error', async () => {
    const setup = rootLikeTmp('rm rootfile');
    // Root's file in the user's folder: the user may delete it, and never make it root's again.
    writeFileSync(join(setup.mine, 'rootfile'), 'root\n');
    utimesSync(setup.mine, 1_000_000_000, 1_000_000_000);
    const result = await asUser1000(setup);
    expect(result.exitCode).toBe(0);
    expect(eventsNamed(result.stderr, 'fs.reset')[0]).toMatchObject({ errors: [{ path: join(setup.mine, 'rootfile'), error: 'EPERM' }] });
    expect(readFileSync(join(setup.mine, 'rootfile'), 'utf8')).toBe('root\n');
  });

  it('`procwarden check` (the linter a start runs) as that user loads its native code from the user\'s state dir: the temporary folder is left as it was', async () => {
    const folder = scratch();
    chmodSync(folder, 0o755);
    // The temporary folder, root's like /tmp, with the state dir a procwarden of user 1000 made there.
    const tmp = join(folder, 'tmp');
    mkdirSync(tmp);
    chmodSync(tmp, 0o1777);
    const own = join(tmp, 'procwarden-1000');
    mkdirSync(own, { mode: 0o700 });
    chownSync(own, 1000, 1000);
    utimesSync(tmp, 1_000_000_000, 1_000_000_000);
    const procfile = join(folder, 'Procfile');
    writeFileSync(procfile, 'web: exec python3 -m http.server\n');
    const before = stateOf(tmp);
    // The configured state dir is in a folder of root's, as /run/procwarden is: not that user's to make.
    const result = await runTracked(AS_1000[0]!, [...AS_1000.slice(1), BIN, 'check', '--procfile', procfile], { env: { TMPDIR: tmp, PROCWARDEN_STATE_DIR: join(folder, 'run') } });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(stateOf(tmp)).toEqual(before);
    expect(readdirSync(join(own, 'native'))).toEqual([expect.stringMatching(/^libc-.*\.node$/)]);
  });
});

describe('a mount point over a path the snapshot holds', () => {
  /**
   * A wipe root `app` holding www/index.html and pages/index.html, and, beside it, `host`: a
   * folder and a file that procwarden's mount namespace bind-mounts over www and
   * pages/index.html (the same filesystem: the root's device number).
   */
  function setUpMounts(mutation: string) {
    const setup = setUp(mutation);
    const root = join(setup.folder, 'app');
    mkdirSync(join(root, 'www'), { recursive: true });
    mkdirSync(join(root, 'pages'));
    writeFileSync(join(root, 'www', 'index.html'), 'as built\n');
    writeFileSync(join(root, 'pages', 'index.html'), 'as built\n');
    writeFileSync(join(root, 'keep'), 'keep\n');
    const hostDir = join(setup.folder, 'host-www');
    mkdirSync(hostDir);
    writeFileSync(join(hostDir, 'data.html'), 'host data\n');
    const hostFile = join(setup.folder, 'host.html');
    writeFileSync(hostFile, 'host file\n');
    utimesSync(hostFile, 1_000_000_000, 1_000_000_000);
    utimesSync(hostDir, 1_000_000_000, 1_000_000_000);
    return { ...setup, root, hostDir, hostFile, stateDir: join(setup.folder, 'state') };
  }

  /** procwarden as PID 1 of a mount namespace of its own where the host folder and file are bind-mounted into the root. */
  const withMounts = (setup: ReturnType<typeof setUpMounts>) => {
    const mounts = [
      `mount --bind ${shellQuote(setup.hostDir)} ${shellQuote(join(setup.root, 'www'))}`,
      `mount --bind ${shellQuote(setup.hostFile)} ${shellQuote(join(setup.root, 'pages', 'index.html'))}`,
    ].join(' && ');
    const script = `${mounts} && exec ${[BIN, ...setup.app].map(shellQuote).join(' ')}`;
    return runTracked('unshare', ['--pid', '--fork', '--mount-proc', 'sh', '-c', script], { cwd: setup.root, env: replaceOnce(setup.root, setup.stateDir) });
  };

  it('a build-time snapshot\'s folder and file under a bind mount are neither put back nor an error; the host\'s data is untouched', async () => {
    const setup = setUpMounts('echo junk > junk; rm keep');
    const snapshot = await runPlain(['snapshot'], { env: { PROCWARDEN_WIPE_PATHS: setup.root, PROCWARDEN_STATE_DIR: setup.stateDir } });
    expect(snapshot.exitCode, snapshot.stderr).toBe(0);
    const hostDir = stateOf(setup.hostDir);
    const hostFile = stateOf(setup.hostFile);
    const result = await withMounts(setup);
    expect(result.exitCode).toBe(0);
    expect(eventsNamed(result.stderr, 'fs.snapshot')).toMatchObject([{ source: 'build' }]);
    const [reset] = eventsNamed(result.stderr, 'fs.reset');
    expect(reset).toMatchObject({ skipped: false, removed: 1, restored: 1 });
    expect(reset).not.toHaveProperty('errors');
    expect(stateOf(setup.hostDir)).toEqual(hostDir);
    expect(stateOf(setup.hostFile)).toEqual(hostFile);
    // Below the mounts, the image's own entries are still there, as built.
    expect(readFileSync(join(setup.root, 'www', 'index.html'), 'utf8')).toBe('as built\n');
    expect(readFileSync(join(setup.root, 'pages', 'index.html'), 'utf8')).toBe('as built\n');
    expect(readFileSync(join(setup.root, 'keep'), 'utf8')).toBe('keep\n');
  });

  it('what the app wrote through a bind-mounted file is data: a snapshot at start leaves it out, and the reset keeps the write', async () => {
    const setup = setUpMounts('echo written by the app >> pages/index.html; echo junk > www/junk; echo junk > junk');
    const result = await withMounts(setup);
    expect(result.exitCode).toBe(0);
    expect(eventsNamed(result.stderr, 'fs.snapshot')).toMatchObject([{ source: 'start', entries: 2 }]);
    const [reset] = eventsNamed(result.stderr, 'fs.reset');
    expect(reset).toMatchObject({ skipped: false, removed: 1 });
    expect(reset).not.toHaveProperty('errors');
    expect(readFileSync(setup.hostFile, 'utf8')).toBe('host file\nwritten by the app\n');
    expect(readdirSync(setup.hostDir).sort()).toEqual(['data.html', 'junk']);
  });
});
