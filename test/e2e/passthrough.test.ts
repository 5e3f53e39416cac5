import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, childrenOf, isAlive, pid1Of, readIfExists, runTracked, stderrSoFar, scratch, until } from '../support/processes.ts';

const commOf = (pid: number) => readIfExists(`/proc/${pid}/comm`).trim();

// bash can put bytes that are not UTF-8 on a command line; Node's spawn cannot.
const viaBash = (script: string) => runTracked('bash', ['-c', script]);

describe('the app gets what procwarden was given', () => {
  it('argv with spaces, quotes, empty strings, unicode and non-UTF-8 bytes arrives unchanged', async () => {
    const out = join(scratch(), 'argv');
    const args = `'a b' '"double"' "'single'" '' 'héllo ✓' $'\\xff\\xfe raw' '$HOME' '*'`;
    const result = await viaBash(
      `exec unshare --pid --fork --mount-proc ${BIN} -- sh -c 'cat /proc/$$/cmdline > ${out}' sh ${args}`,
    );
    expect(result.exitCode).toBe(0);
    const argv = readFileSync(out).toString('latin1').split('\0').slice(4, -1); // after sh, -c, the script and $0
    const expected = ['a b', '"double"', "'single'", '', 'héllo ✓', '\xff\xfe raw', '$HOME', '*'].map((word) =>
      word.startsWith('\xff') ? word : Buffer.from(word, 'utf8').toString('latin1'),
    );
    expect(argv).toEqual(expected);
  });

  it('the environment is passed through, byte for byte', async () => {
    const out = join(scratch(), 'environ');
    const result = await viaBash(
      `export PW_PLAIN='x y=z' PW_UNICODE='✓' PW_RAW=$'\\xff' PW_EMPTY=
       exec ${BIN} -- sh -c 'cat /proc/$$/environ > ${out}'`,
    );
    expect(result.exitCode).toBe(0);
    const environ = readFileSync(out).toString('latin1').split('\0');
    expect(environ).toContain('PW_PLAIN=x y=z');
    expect(environ).toContain(Buffer.from('PW_UNICODE=✓').toString('latin1'));
    expect(environ).toContain('PW_RAW=\xff');
    expect(environ).toContain('PW_EMPTY=');
  });

  // 5000: a descriptor table of 8,192, which procwarden reads from /proc/self/fd's list.
  it.each([7, 5000])('the app inherits exactly the descriptors procwarden was started with, and none of its own (3 and %i)', async (high) => {
    const folder = scratch();
    // Close whatever the test runner leaked, then hand over fds 3 and `high` (as socket
    // activation would) and start procwarden as PID 1, with an app that only sleeps.
    const run = viaBash(`
      for fd in /proc/$$/fd/*; do n=\${fd##*/}; [ "$n" -gt 2 ] && eval "exec $n>&-"; done 2>/dev/null
      exec 3</etc/hostname ${high}<${folder}
      exec unshare --pid --fork --mount-proc ${BIN} -- sleep 1000`);
    const stderr = stderrSoFar(run);
    const pid1 = await pid1Of(run.pid!);
    let app: number | undefined;
    await until(() => (app = childrenOf(pid1)[0]) !== undefined && commOf(app) === 'sleep', 'the app').catch((error: Error) => {
      throw new Error(`${error.message}; procwarden (pid ${pid1}) ${isAlive(pid1) ? 'runs' : 'is gone'}; its stderr: ${stderr()}`);
    });
    // Read from outside, so that the reading opens no descriptor in the app; polled, because
    // the kernel names the new program a moment before it closes the close-on-exec ones.
    const fdsOf = (pid: number) => readdirSync(`/proc/${pid}/fd`).map(Number).sort((a, b) => a - b);
    let fds: number[] = [];
    await until(() => (fds = fdsOf(app!)).join() === `0,1,2,3,${high}`, `the app to hold 0, 1, 2, 3 and ${high}`, 2000).catch(() => {});
    expect(fds).toEqual([0, 1, 2, 3, high]);
    expect(readlinkSync(`/proc/${app}/fd/${high}`)).toBe(folder);
    process.kill(pid1, 'SIGTERM');
    expect((await run).exitCode).toBe(143);
  });
});
