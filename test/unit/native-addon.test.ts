// The native addon (src/native/libc-addon.c), compiled here and called directly through the
// Libc interface procwarden uses: what a spawned app sees of its signals, descriptors,
// process group, arguments and environment, and what the wait calls report.

import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildNativeAddon } from '../../scripts/native-addon.ts';
import { bindLibc, type Libc, type LibcAddon, type SpawnRequest } from '../../src/native/libc.ts';

const work = mkdtempSync(join(tmpdir(), 'procwarden-addon-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const addonFile = join(work, 'libc.node');
buildNativeAddon(addonFile);
const addon = { exports: {} as LibcAddon };
process.dlopen(addon, addonFile);
const libc: Libc = bindLibc(addon.exports);

const bytes = (text: string) => Buffer.from(text, 'latin1');
const request = (argv: string[], more: Partial<SpawnRequest> = {}): SpawnRequest => ({
  file: bytes(argv[0]!),
  argv: argv.map(bytes),
  env: [bytes(`PATH=${process.env['PATH']}`)],
  fds: [],
  takeTerminal: false,
  listenPid: false,
  ...more,
});
const sh = (script: string, more: Partial<SpawnRequest> = {}) => request(['/bin/sh', '-c', script], more);

function spawned(req: SpawnRequest): number {
  const result = libc.spawn(req);
  if (!('pid' in result)) throw new Error(`spawn failed: errno ${result.errno}`);
  return result.pid;
}

/** Polls (every few ms, up to a deadline) until `pid` has exited; its wait status. */
async function exitOf(pid: number, deadlineMs = 10_000): Promise<number> {
  for (const deadline = Date.now() + deadlineMs; Date.now() < deadline; await new Promise((done) => setTimeout(done, 2))) {
    const exited = libc.reapIfExited(pid);
    if (exited) return exited.status;
  }
  throw new Error(`pid ${pid} did not exit in ${deadlineMs} ms`);
}

const statusField = (status: string, key: string) => new RegExp(`^${key}:\\s+(\\S+)`, 'm').exec(status)?.[1];

describe('the native addon spawns the app', () => {
  it('with every signal at its default and none blocked, 32 and 33 included, whatever procwarden ignores', async () => {
    // Ignored in this process, as procwarden ignores the signals it does not forward.
    for (const signal of [constants.signals.SIGTTIN, 40, 64]) expect(libc.ignoreSignal(signal)).toBe(true);
    const out = join(work, 'signals');
    const pid = spawned(sh(`cat /proc/self/status > ${out}`));
    expect(await exitOf(pid)).toBe(0);
    const status = readFileSync(out, 'utf8');
    expect(statusField(status, 'SigIgn')).toBe('0000000000000000');
    expect(statusField(status, 'SigBlk')).toBe('0000000000000000');
    expect(statusField(status, 'SigCgt')).toBe('0000000000000000');
  });

  it('in a process group of its own', async () => {
    const out = join(work, 'group');
    const pid = spawned(sh(`read -r stat < /proc/$$/stat; set -- $stat; echo $1 $5 > ${out}`));
    expect(await exitOf(pid)).toBe(0);
    expect(readFileSync(out, 'utf8').trim()).toBe(`${pid} ${pid}`);
    expect(libc.processGroup).not.toBe(pid);
  });

  it('with arguments and environment byte for byte, and LISTEN_PID set to its own pid', async () => {
    const out = join(work, 'environ');
    const argv = ['/bin/sh', '-c', `cat /proc/$$/cmdline > ${out}.argv; cat /proc/$$/environ > ${out}`, 'sh', 'a b', '', '\xff\xfe raw'];
    const env = ['PW_RAW=\xff', 'LISTEN_PID=1', 'LISTEN_FDS=1', 'PW_EMPTY='].map(bytes);
    const pid = spawned(request(argv, { env, listenPid: true }));
    expect(await exitOf(pid)).toBe(0);
    expect(readFileSync(`${out}.argv`, 'latin1').split('\0').slice(0, -1)).toEqual(argv);
    const environ = readFileSync(out, 'latin1').split('\0').slice(0, -1);
    expect(environ.sort()).toEqual(['LISTEN_FDS=1', `LISTEN_PID=${pid}`, 'PW_EMPTY=', 'PW_RAW=\xff'].sort());
  });

  it('leaves LISTEN_PID alone when not asked to set it', async () => {
    const out = join(work, 'no-listen-pid');
    const pid = spawned(sh(`cat /proc/$$/environ > ${out}`, { env: [bytes('LISTEN_PID=1')] }));
    expect(await exitOf(pid)).toBe(0);
    expect(readFileSync(out, 'latin1')).toBe('LISTEN_PID=1\0');
  });

  it('holding exactly 0, 1, 2 and the listed descriptors, even one the parent inherited without close-on-exec', () => {
    // A separate Node started by bash with descriptor 50 open and not close-on-exec (Node
    // itself marks only the lowest inherited ones), and one of its own listed; it spawns
    // `sleep` and reads the app's descriptors from outside, so that the reading opens none
    // in the app.
    const script = `
      const { openSync, readdirSync, readFileSync } = require('node:fs');
      const addon = { exports: {} };
      process.dlopen(addon, ${JSON.stringify(addonFile)});
      const listed = openSync('/etc/hostname', 'r');
      const pid = addon.exports.spawn(Buffer.from('sleep'), ['sleep', '30'].map((w) => Buffer.from(w)), [Buffer.from('PATH=/usr/bin:/bin')], [listed], false, false);
      const fdsOf = () => readdirSync('/proc/' + pid + '/fd').map(Number).sort((a, b) => a - b).join();
      const wanted = [0, 1, 2, listed].join();
      const deadline = Date.now() + 5000;
      let seen = '';
      while (Date.now() < deadline && ((seen = fdsOf()) !== wanted || readFileSync('/proc/' + pid + '/comm', 'utf8').trim() !== 'sleep'));
      process.kill(pid, 'SIGKILL');
      console.log(JSON.stringify({ listed, inheritedFlags: readFileSync('/proc/self/fdinfo/50', 'utf8'), seen }));`;
    const report = JSON.parse(execFileSync('bash', ['-c', 'exec 50</etc/hostname; exec "$0" -e "$1"', process.execPath, script], { encoding: 'utf8' })) as {
      listed: number;
      inheritedFlags: string;
      seen: string;
    };
    // O_CLOEXEC (octal 02000000) not set on 50 in the parent: only the addon keeps it out.
    expect(Number.parseInt(/^flags:\s+(\d+)/m.exec(report.inheritedFlags)![1]!, 8) & 0o2000000).toBe(0);
    expect(report.seen).toBe([0, 1, 2, report.listed].join());
  });
});

describe('the native addon reports what spawn could not run as posix_spawnp does', () => {
  const folder = mkdtempSync(join(work, 'bin-'));
  const script = (name: string, text: string, mode: number) => {
    writeFileSync(join(folder, name), text);
    chmodSync(join(folder, name), mode);
    return join(folder, name);
  };

  it('ENOENT for a name in no PATH entry and for a missing path, and no child is left behind', () => {
    expect(libc.spawn(request(['procwarden-no-such-command']))).toEqual({ errno: constants.errno.ENOENT });
    expect(libc.spawn(request([join(folder, 'missing')]))).toEqual({ errno: constants.errno.ENOENT });
    expect(libc.peekExitedChild()).toBe(0);
  });

  it('EACCES for a file that is not executable, ENOEXEC for one with no #! line', () => {
    expect(libc.spawn(request([script('plain', 'echo hi\n', 0o644)]))).toEqual({ errno: constants.errno.EACCES });
    expect(libc.spawn(request([script('no-shebang', 'echo hi\n', 0o755)]))).toEqual({ errno: constants.errno.ENOEXEC });
    expect(libc.spawn(request([folder]))).toEqual({ errno: constants.errno.EACCES });
  });

  it("looks a bare name up in procwarden's PATH, going past entries where it is missing or not executable", async () => {
    const other = mkdtempSync(join(work, 'bin-'));
    writeFileSync(join(other, 'pw-hello'), '#!/bin/sh\nexit 9\n', { mode: 0o644 });
    script('pw-hello', '#!/bin/sh\nexit 8\n', 0o755);
    const saved = process.env['PATH'];
    process.env['PATH'] = `/procwarden-missing:${other}:${folder}:${saved}`;
    try {
      const pid = spawned(request(['pw-hello'], { env: [] }));
      expect((await exitOf(pid)) >> 8).toBe(8);
      process.env['PATH'] = `${other}:/procwarden-missing`;
      expect(libc.spawn(request(['pw-hello']))).toEqual({ errno: constants.errno.EACCES });
    } finally {
      process.env['PATH'] = saved;
    }
  });

  it('throws a TypeError for arguments of the wrong type', () => {
    expect(() => addon.exports.spawn('sh' as unknown as Buffer, [], [], [], false, false)).toThrow(TypeError);
    expect(() => addon.exports.spawn(bytes('sh'), ['sh'] as unknown as Buffer[], [], [], false, false)).toThrow(TypeError);
    expect(() => addon.exports.reapIfExited('1' as unknown as number)).toThrow(TypeError);
  });
});

describe('the native addon waits for children', () => {
  it('reports a stop once, then the exit, and reaps only when asked', async () => {
    const pid = spawned(sh('kill -STOP $$; exit 3'));
    let stoppedBy = 0;
    for (const deadline = Date.now() + 10_000; stoppedBy === 0 && Date.now() < deadline; await new Promise((done) => setTimeout(done, 2))) {
      stoppedBy = libc.stoppedBy(pid);
    }
    expect(stoppedBy).toBe(constants.signals.SIGSTOP);
    expect(libc.stoppedBy(pid)).toBe(0);
    process.kill(pid, 'SIGCONT');
    let peeked = 0;
    for (const deadline = Date.now() + 10_000; peeked !== pid && Date.now() < deadline; await new Promise((done) => setTimeout(done, 2))) {
      peeked = libc.peekExitedChild();
    }
    expect(peeked).toBe(pid);
    // Peeking leaves the zombie: it is still there to reap.
    expect(libc.peekExitedChild()).toBe(pid);
    expect(libc.reapIfExited(pid)).toEqual({ pid, status: 3 << 8 });
    expect(libc.reapIfExited(pid)).toBeNull();
    expect(libc.peekExitedChild()).toBe(0);
  });

  it('knows whether the process has any child at all, running or exited, and reaps none to tell', () => {
    // In a process of its own, whose children this test alone makes.
    const script = `
      const addon = { exports: {} };
      process.dlopen(addon, ${JSON.stringify(addonFile)});
      const libc = addon.exports;
      const seen = [libc.hasChildren()];
      const pid = libc.spawn(Buffer.from('/bin/sh'), ['/bin/sh', '-c', 'exit 5'].map((word) => Buffer.from(word)), [], [], false, false);
      seen.push(libc.hasChildren());
      while (libc.peekExitedChild() !== pid);
      seen.push(libc.hasChildren(), libc.reapIfExited(pid), libc.hasChildren());
      console.log(JSON.stringify(seen));`;
    expect(JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }))).toEqual([false, true, true, 5 << 8, false]);
  });

  it('knows its process group, the clock tick and that a pipe is no terminal', () => {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    expect(libc.processGroup).toBe(Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]));
    expect(libc.clockTicksPerSecond).toBe(Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' })));
    expect(libc.ownsForegroundOf(-1)).toBe(false);
    expect(libc.setForeground(-1, libc.processGroup)).toBe(false);
  });
});
