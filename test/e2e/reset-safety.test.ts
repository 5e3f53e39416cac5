// Issue 12, "the reset never leaves its roots" (cases 1 to 5): the built dist/procwarden as
// PID 1, an app that changes its wipe root and crashes once, and what the reset did outside.
// Every run names its own wipe root (a scratch folder) and its own state dir.

import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveWipeSettings } from '../../src/filesystem/resolve.ts';
import { eventsNamed, FIXTURES, runAsPid1, runPlain, runTracked, scratch, stderrSoFar, until } from '../support/processes.ts';
import { crashOnce, setUp } from './reset-cases.ts';

const outsideFiles = (outside: string) => readdirSync(outside).sort();
const all20 = Array.from({ length: 20 }, (_, i) => `f${i}`).sort();

describe('the reset never leaves its roots', () => {
  it('case 1: a wipe root the app replaced by a symlink to another folder is an error in fs.reset, and nothing there is touched', async () => {
    const setup = setUp();
    const result = await crashOnce(setup, `cd .. && rm -rf app && ln -s ${setup.outside} app`);
    expect(result.exitCode).toBe(0);
    expect(outsideFiles(setup.outside)).toEqual(all20);
    const [reset] = eventsNamed(result.stderr, 'fs.reset');
    expect(reset).toMatchObject({ skipped: false, removed: 0, restored: 0, errors: [{ path: setup.root, error: expect.stringMatching(/ELOOP|ENOTDIR/) }] });
  });

  it('case 1: nested roots listed inner first: the inner one turned into a symlink is put back as a folder, and its target is untouched', async () => {
    const setup = setUp();
    const inner = join(setup.root, 'sub');
    const result = await crashOnce(setup, `rm -rf sub && ln -s ${setup.outside} sub`, { PROCWARDEN_WIPE_PATHS: `${inner}:${setup.root}` });
    expect(result.exitCode).toBe(0);
    expect(outsideFiles(setup.outside)).toEqual(all20);
    expect(readFileSync(join(inner, 'keep'), 'utf8')).toBe('keep\n');
  });

  it('case 1: a wipe root that is a symlink the operator chose is resolved once: its files are put back', async () => {
    const setup = setUp();
    const link = join(setup.folder, 'link-to-app');
    symlinkSync(setup.root, link);
    const result = await crashOnce(setup, 'rm keep; echo junk > junk', { PROCWARDEN_WIPE_PATHS: link });
    expect(result.exitCode).toBe(0);
    expect(readdirSync(setup.root).sort()).toEqual(['keep', 'sub']);
    expect(eventsNamed(result.stderr, 'fs.reset')[0]).not.toHaveProperty('errors');
  });

  it.each(['/', '/proc', '/sys', '/dev'])('case 1: a wipe path that is a symlink to %s resolves to a path that can never be wiped', (target) => {
    const link = join(scratch(), 'link');
    symlinkSync(target, link);
    expect(resolveWipeSettings([link], join(scratch(), 'state'))).toEqual({
      variable: 'PROCWARDEN_WIPE_PATHS',
      error: `PROCWARDEN_WIPE_PATHS: '${link}' (which resolves to '${target}') can never be wiped (nor can /, /proc, /sys or /dev)`,
    });
  });

  it('case 1: a wipe path that is a symlink to / is never snapshotted nor reset', async () => {
    const link = join(scratch(), 'link');
    symlinkSync('/', link);
    const marker = join(scratch(), 'ran');
    const result = await runPlain(['--autoreplace', 'ALWAYS', '--', 'touch', marker], { env: { PROCWARDEN_WIPE_PATHS: link, PROCWARDEN_STATE_DIR: join(scratch(), 'state') } });
    expect(eventsNamed(result.stderr, 'fs.snapshot')).toEqual([]);
    // Refused at configuration, as the path itself is: exit 2, one line, nothing run.
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe(`procwarden: PROCWARDEN_WIPE_PATHS: '${link}' (which resolves to '/') can never be wiped (nor can /, /proc, /sys or /dev)`);
    expect(existsSync(marker)).toBe(false);
  });

  it('case 2: a folder swapped for a symlink to outside, again and again while resets run, never lets a reset delete outside', async () => {
    const setup = setUp();
    const cycles = 40;
    // Every run: 20 files in sub/ named like the outside ones (the reset removes them), and
    // a check that nothing outside is gone (the invariant, at every cycle).
    const app = `n=$(cat ${setup.out}/runs 2>/dev/null || echo 0); echo $((n + 1)) > ${setup.out}/runs
      [ "$(ls ${setup.outside} | wc -l)" -eq 20 ] || echo "cycle $n" >> ${setup.out}/violations
      [ "$n" -ge ${cycles} ] && exit 0
      mkdir -p sub; i=0; while [ $i -lt 20 ]; do echo junk > sub/f$i; i=$((i + 1)); done
      exit 1`;
    const run = runAsPid1(['--autoreplace', 'ON_FAILURE', '--', 'sh', '-c', app], {
      cwd: setup.root,
      env: { PROCWARDEN_WIPE_PATHS: setup.root, PROCWARDEN_STATE_DIR: setup.stateDir, PROCWARDEN_REPLACE_LIMIT: `${cycles + 5}/1m`, PROCWARDEN_LOG_LEVEL: 'warn' },
    });
    await until(() => existsSync(join(setup.out, 'runs')), 'the first run');
    // The concurrent writer: sub is a folder one moment, a symlink to outside the next.
    const swapper = runTracked('python3', [join(FIXTURES, 'reset', 'swapper.py'), setup.root, setup.outside]);
    const result = await run;
    process.kill(swapper.pid!, 'SIGKILL');
    await swapper.catch(() => undefined);
    expect(result.exitCode).toBe(0);
    expect(readFileSync(join(setup.out, 'runs'), 'utf8').trim()).toBe(String(cycles + 1));
    expect(existsSync(join(setup.out, 'violations')) ? readFileSync(join(setup.out, 'violations'), 'utf8') : '').toBe('');
    expect(outsideFiles(setup.outside)).toEqual(all20);
  });

  it('case 3: a state dir the app\'s user owns is not trusted: procwarden keeps its state in a folder of its own, and nothing planted in the other is copied into the root', async () => {
    const setup = setUp();
    const secret = join(setup.folder, 'root-only');
    writeFileSync(secret, 'the secret\n', { mode: 0o600 });
    mkdirSync(setup.stateDir);
    chownSync(setup.stateDir, 1000, 1000);
    writeFileSync(join(setup.root, 'big.bin'), Buffer.alloc(300 * 1024, 1));
    // Its own folder is in the temporary folder: the test's, not the machine's /tmp.
    const tmp = join(setup.folder, 'tmp');
    mkdirSync(tmp);
    const result = await crashOnce(
      setup,
      `rm big.bin; for blob in ${setup.stateDir}/snapshot*/blobs/0; do rm -f "$blob"; ln -s ${secret} "$blob"; done`,
      { TMPDIR: tmp },
    );
    expect(result.exitCode).toBe(0);
    expect(readFileSync(join(setup.root, 'big.bin'))).toEqual(Buffer.alloc(300 * 1024, 1));
    expect(readdirSync(setup.stateDir)).toEqual([]);
    expect(eventsNamed(result.stderr, 'procwarden.warning')).toMatchObject([
      { detail: expect.stringMatching(new RegExp(`^the state dir ${setup.stateDir} is not private to procwarden \\(owned by uid 1000, not procwarden's 0\\): procwarden keeps its state in ${tmp}/procwarden-0`)) },
    ]);
    expect(eventsNamed(result.stderr, 'fs.reset')).toMatchObject([{ skipped: false, restored: 1 }]);
  });

  it('case 3: a blob replaced by a symlink in a private state dir is read without following it: an error, never the file it points to', async () => {
    const setup = setUp();
    const secret = join(setup.folder, 'root-only');
    writeFileSync(secret, 'the secret\n', { mode: 0o600 });
    writeFileSync(join(setup.root, 'big.bin'), Buffer.alloc(300 * 1024, 1));
    const result = await crashOnce(setup, `rm big.bin; for blob in ${setup.stateDir}/snapshot*/blobs/0; do rm -f "$blob"; ln -s ${secret} "$blob"; done`);
    expect(result.exitCode).toBe(0);
    expect(existsSync(join(setup.root, 'big.bin'))).toBe(false);
    expect(eventsNamed(result.stderr, 'fs.reset')[0]).toMatchObject({ errors: [{ path: join(setup.root, 'big.bin'), error: 'ELOOP' }] });
  });

  it('case 3: a pack changed after the snapshot is caught by its checksum: nothing is restored from it', async () => {
    const setup = setUp();
    writeFileSync(join(setup.root, 'config'), 'port=5000\n');
    const result = await crashOnce(
      setup,
      `echo changed > config; for pack in ${setup.stateDir}/snapshot*/pack; do printf 'EVIL=1' | dd of="$pack" conv=notrunc 2>/dev/null; done`,
    );
    expect(result.exitCode).toBe(0);
    expect(readFileSync(join(setup.root, 'config'), 'utf8')).not.toContain('EVIL');
    expect(eventsNamed(result.stderr, 'fs.reset')[0]).toMatchObject({ restored: 0, errors: [{ error: expect.stringMatching(/checksum/) }] });
  });

  it('case 4: `procwarden snapshot` on the state dir of a running procwarden never changes what that one resets to', async () => {
    const setup = setUp();
    writeFileSync(join(setup.root, 'config'), 'A\n');
    const other = join(setup.folder, 'other');
    mkdirSync(other);
    writeFileSync(join(other, 'config'), 'B, another tree, longer\n');
    // The first run waits for the test's go, then changes config and crashes.
    const run = crashOnce(setup, `while [ ! -e ${setup.out}/go ]; do sleep 0.01; done; echo changed > config`);
    await until(() => existsSync(join(setup.out, 'runs')), 'the first run');
    const second = await runPlain(['snapshot'], { env: { PROCWARDEN_WIPE_PATHS: other, PROCWARDEN_STATE_DIR: setup.stateDir } });
    expect(second.exitCode).toBe(1);
    expect(second.stderr).toMatch(/in use by a running procwarden/);
    writeFileSync(join(setup.out, 'go'), '');
    const result = await run;
    expect(result.exitCode).toBe(0);
    expect(readFileSync(join(setup.root, 'config'), 'utf8')).toBe('A\n');
    expect(eventsNamed(result.stderr, 'fs.reset')[0]).not.toHaveProperty('errors');
  });

  it('case 4: a build-time snapshot in use is never replaced: `procwarden snapshot` says so and changes nothing', async () => {
    const setup = setUp();
    writeFileSync(join(setup.root, 'config'), 'A\n');
    const env = { PROCWARDEN_WIPE_PATHS: setup.root, PROCWARDEN_STATE_DIR: setup.stateDir };
    expect((await runPlain(['snapshot'], { env })).exitCode).toBe(0);
    const run = crashOnce(setup, `while [ ! -e ${setup.out}/go ]; do sleep 0.01; done; echo changed > config`);
    const stderr = stderrSoFar(run);
    await until(() => eventsNamed(stderr(), 'fs.snapshot').length > 0, 'the snapshot');
    writeFileSync(join(setup.root, 'config'), 'B, at a second build\n');
    const again = await runPlain(['snapshot'], { env });
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toMatch(/in use by a running procwarden/);
    writeFileSync(join(setup.out, 'go'), '');
    const result = await run;
    expect(eventsNamed(result.stderr, 'fs.snapshot')).toMatchObject([{ source: 'build' }]);
    expect(readFileSync(join(setup.root, 'config'), 'utf8')).toBe('A\n');
  });

  it.each(['/./.procwarden/', '//.procwarden'])('case 5: a state dir inside the root written as ROOT%s is still the state dir: neither snapshotted nor reset', async (suffix) => {
    const setup = setUp();
    const result = await crashOnce(setup, 'echo junk > junk; ln -s .procwarden state-link', { PROCWARDEN_STATE_DIR: `${setup.root}${suffix}` });
    expect(result.exitCode).toBe(0);
    expect(eventsNamed(result.stderr, 'fs.reset')[0]).toMatchObject({ skipped: false, removed: 2 });
    expect(eventsNamed(result.stderr, 'fs.reset')[0]).not.toHaveProperty('errors');
    expect(readdirSync(setup.root).sort()).toEqual(['.procwarden', 'keep', 'sub']);
    expect(readdirSync(join(setup.root, '.procwarden')).some((name) => name.startsWith('snapshot'))).toBe(true);
  });

  it('case 5: a state dir reached through a symlink inside the root is still the state dir', async () => {
    const setup = setUp();
    mkdirSync(join(setup.root, '.procwarden'), { mode: 0o700 });
    symlinkSync('.procwarden', join(setup.root, 'state-link'));
    const result = await crashOnce(setup, 'echo junk > junk', { PROCWARDEN_STATE_DIR: join(setup.root, 'state-link') });
    expect(result.exitCode).toBe(0);
    expect(eventsNamed(result.stderr, 'fs.reset')[0]).toMatchObject({ skipped: false, removed: 1 });
    expect(eventsNamed(result.stderr, 'fs.reset')[0]).not.toHaveProperty('errors');
    expect(readdirSync(setup.root).sort()).toEqual(['.procwarden', 'keep', 'state-link', 'sub']);
    // The snapshot is there: the folder the link leads to is the state dir, procwarden's own.
    expect(readdirSync(join(setup.root, '.procwarden')).some((name) => name.startsWith('snapshot'))).toBe(true);
    expect(eventsNamed(result.stderr, 'procwarden.warning')).toEqual([]);
  });
});
