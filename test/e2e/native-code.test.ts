import { chmodSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runAsPid1, runPlain, scratch } from '../support/processes.ts';

const nativeCopy = (stateDir: string) => {
  const [name] = readdirSync(join(stateDir, 'native'));
  return join(stateDir, 'native', name!);
};

describe('procwarden native code', () => {
  it('is written to the state dir once, private to procwarden, and loaded from there after', async () => {
    const stateDir = join(scratch(), 'state');
    expect((await runPlain(['--', 'true'], { env: { PROCWARDEN_STATE_DIR: stateDir } })).exitCode).toBe(0);
    const copy = nativeCopy(stateDir);
    expect(statSync(copy).mode & 0o777).toBe(0o500);
    expect(statSync(join(stateDir, 'native')).mode & 0o777).toBe(0o700);
    const written = statSync(copy).mtimeMs;
    expect((await runPlain(['--', 'true'], { env: { PROCWARDEN_STATE_DIR: stateDir } })).exitCode).toBe(0);
    expect(statSync(copy).mtimeMs).toBe(written);
  });

  it('never loads a copy that someone else could have written: it writes its own again', async () => {
    const stateDir = join(scratch(), 'state');
    await runPlain(['--', 'true'], { env: { PROCWARDEN_STATE_DIR: stateDir } });
    const copy = nativeCopy(stateDir);
    const original = readFileSync(copy);
    chmodSync(copy, 0o777);
    writeFileSync(copy, Buffer.alloc(original.length)); // same size, not the addon
    const result = await runPlain(['--', 'sh', '-c', 'exit 6'], { env: { PROCWARDEN_STATE_DIR: stateDir } });
    expect(result.exitCode).toBe(6);
    expect(readFileSync(copy).equals(original)).toBe(true);
    expect(statSync(copy).mode & 0o777).toBe(0o500);
  });

  it('still runs when the state dir cannot be made, from a temporary folder it removes', async () => {
    // TMPDIR: the control socket's fallback folder lands in the test's own folder.
    const result = await runPlain(['--', 'sh', '-c', 'exit 7'], { env: { PROCWARDEN_STATE_DIR: '/proc/procwarden-cannot-be-here', TMPDIR: scratch() } });
    expect(result.exitCode).toBe(7);
    expect(result.stderr).toBe('');
  });

  it('refuses a relative PROCWARDEN_STATE_DIR, naming it', async () => {
    const result = await runPlain(['--', 'true'], { env: { PROCWARDEN_STATE_DIR: 'state' } });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe("procwarden: PROCWARDEN_STATE_DIR: 'state' is not an absolute path");
  });

  it('starts the app as PID 1 with every signal at its default and none blocked, 32 and 33 included', async () => {
    // cat catches nothing itself (grep would: SIGSEGV, for stack overflows), and execs straight from procwarden.
    const result = await runAsPid1(['--', 'cat', '/proc/self/status']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout.split('\n').filter((line) => /^Sig(Blk|Ign|Cgt):/.test(line))).toEqual(['SigBlk:\t0000000000000000', 'SigIgn:\t0000000000000000', 'SigCgt:\t0000000000000000']);
  });

  it("names the app's own pid in LISTEN_PID when procwarden is given LISTEN_FDS, once, at every start", async () => {
    const out = join(scratch(), 'listen');
    const app = `{ echo $$; tr '\\0' '\\n' < /proc/$$/environ | grep '^LISTEN_'; } >> ${out}; [ $(wc -l < ${out}) -ge 6 ] || exit 1`;
    const result = await runPlain(['--autorestart', 'on_failure', '--', 'sh', '-c', app], {
      env: { LISTEN_FDS: '1', LISTEN_PID: '1', LISTEN_FDNAMES: 'web' },
    });
    expect(result.exitCode).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    for (const start of [lines.slice(0, 4), lines.slice(4, 8)]) {
      const [pid, ...variables] = start;
      expect(variables.sort()).toEqual(['LISTEN_FDNAMES=web', 'LISTEN_FDS=1', `LISTEN_PID=${pid}`]);
    }
  });

  it('reports a command it cannot run as sh does: 127 not found, 126 not executable', async () => {
    const folder = scratch();
    writeFileSync(join(folder, 'plain'), 'echo hi\n', { mode: 0o644 });
    const missing = await runPlain(['--', 'procwarden-no-such-command']);
    expect([missing.exitCode, missing.stderr]).toEqual([127, 'procwarden: procwarden-no-such-command: command not found']);
    const plain = await runPlain(['--', join(folder, 'plain')]);
    expect([plain.exitCode, plain.stderr]).toEqual([126, `procwarden: ${join(folder, 'plain')}: permission denied (not an executable file)`]);
  });

  it('says why a script that is there cannot run, where execve says only "not found": Windows line ends, or an interpreter the image lacks (126)', async () => {
    const folder = scratch();
    writeFileSync(join(folder, 'crlf.sh'), '#!/bin/sh\r\necho hi\r\n', { mode: 0o755 });
    writeFileSync(join(folder, 'bash-less.sh'), '#!/bin/procwarden-no-such-shell\necho hi\n', { mode: 0o755 });
    const crlf = await runPlain(['--', 'crlf.sh'], { env: { PATH: `${folder}:${process.env['PATH']}` } });
    expect([crlf.exitCode, crlf.stderr]).toEqual([
      126,
      "procwarden: crlf.sh: cannot execute: its #! line ends with a carriage return (the script has Windows line ends, CRLF): convert it to LF (dos2unix, or sed -i 's/\\r$//')",
    ]);
    const bashLess = await runPlain(['--', join(folder, 'bash-less.sh')]);
    expect([bashLess.exitCode, bashLess.stderr]).toEqual([126, `procwarden: ${join(folder, 'bash-less.sh')}: cannot execute: its #! interpreter /bin/procwarden-no-such-shell is not in the image`]);
  });
});
