// Issue 11, sections 4 and 6: what an app finds when it starts. A Procfile service's PORT;
// signal dispositions and mask as under tini; LISTEN_PID for socket activation; inherited
// descriptors that the app can close for good (a readiness pipe).

import { execaSync } from 'execa';
import { existsSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BIN,
  STANDALONE,
  childrenOf,
  eventsNamed,
  isAlive,
  runAsPid1,
  runPlain,
  runsProcwarden,
  runTracked,
  scratch,
  shellQuote,
  until,
} from '../support/processes.ts';

describe("a Procfile service's PORT", () => {
  const service = (procfile: string) => {
    const folder = scratch();
    writeFileSync(join(folder, 'Procfile'), procfile);
    return folder;
  };
  const env = { PROCWARDEN_RECOVERY: 'off' };

  it('with no PORT in the environment, the service gets PORT=5000 (as foreman and honcho), named in container.started', async () => {
    expect(process.env['PORT'], 'the test runner itself must have no PORT').toBeUndefined();
    const result = await runAsPid1([], { cwd: service('web: echo "port=$PORT"\n'), env });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('port=5000');
    expect(eventsNamed(result.stderr, 'container.started')).toMatchObject([{ processType: 'web', port: 5000 }]);
  });

  it('PORT=8080 given: the service gets 8080, and so says its event', async () => {
    const result = await runAsPid1([], { cwd: service('web: echo "port=$PORT"\n'), env: { ...env, PORT: '8080' } });
    expect(result.stdout).toBe('port=8080');
    expect(eventsNamed(result.stderr, 'container.started')).toMatchObject([{ port: 8080 }]);
  });

  it('PORT set empty (docker run -e PORT=) is as if unset: the service gets 5000, in one and a formation alike', async () => {
    const alone = await runAsPid1([], { cwd: service('web: echo "port=$PORT"\n'), env: { ...env, PORT: '' } });
    expect(alone.stdout).toBe('port=5000');
    expect(eventsNamed(alone.stderr, 'container.started')).toMatchObject([{ port: 5000 }]);
    const formation = await runAsPid1(['--formation', 'web=1'], { cwd: service('web: echo "port=$PORT"\n'), env: { ...env, PORT: '' } });
    expect([formation.exitCode, formation.stdout]).toEqual([0, 'port=5000']);
  });

  it('PORT that is no port number: a lone service gets it as it is, with a warning that says so (a formation refuses it, exit 2)', async () => {
    const alone = await runAsPid1([], { cwd: service('web: echo "port=$PORT"\n'), env: { ...env, PORT: 'abc' } });
    expect(alone.stdout).toBe('port=abc');
    expect(eventsNamed(alone.stderr, 'procwarden.warning').map(({ detail }) => detail)).toContain(
      "PORT: 'abc' is not a port number from 1 to 65535: the web service gets it as it is, and container.started names no port",
    );
    const formation = await runAsPid1(['--formation', 'web=1'], { cwd: service('web: echo "port=$PORT"\n'), env: { ...env, PORT: '70000' } });
    expect([formation.exitCode, formation.stderr]).toEqual([2, "procwarden: PORT: '70000' is not a port number from 1 to 65535 (a formation counts its instances' ports from it)"]);
  });

  it('a one-off gets no PORT added, and its event has no port', async () => {
    const result = await runAsPid1(['--', 'sh', '-c', 'echo "port=${PORT-unset}"'], { env: { PROCWARDEN_LOG_LEVEL: 'info' } });
    expect(result.stdout).toBe('port=unset');
    const [started] = eventsNamed(result.stderr, 'container.started');
    expect(started).toBeDefined();
    expect(started).not.toHaveProperty('port');
  });
});

describe.each([
  ['dist/procwarden', BIN],
  ['the standalone executable', STANDALONE],
])('the app starts with no signal ignored and none blocked, as under tini: %s', (_, binary) => {
  it.each([
    ['as PID 1', runAsPid1],
    ['as a plain process', runPlain],
  ])('%s: SigIgn and SigBlk of the app are all zeros', async (__, runner) => {
    // cat, exec'd by procwarden itself, ignores and blocks nothing of its own.
    const result = await runner(['--', 'cat', '/proc/self/status'], { binary });
    expect(result.exitCode).toBe(0);
    expect(result.stdout.split('\n').filter((line) => /^Sig(Ign|Blk):/.test(line))).toEqual(['SigBlk:\t0000000000000000', 'SigIgn:\t0000000000000000']);
  });
});

describe('socket activation: LISTEN_PID', () => {
  const report = ['--', 'sh', '-c', 'echo "$$ ${LISTEN_PID-unset} ${LISTEN_FDS-unset}"'];

  it.each([
    ['as PID 1', runAsPid1],
    ['as a plain process', runPlain],
  ])("%s, with LISTEN_FDS passed through, the app's LISTEN_PID is its own pid, not procwarden's", async (_, runner) => {
    // systemd sets LISTEN_PID to the pid it started: procwarden's.
    const result = await runner(report, { env: { LISTEN_FDS: '1', LISTEN_PID: '4242' } });
    expect(result.exitCode).toBe(0);
    const [appPid, listenPid, listenFds] = result.stdout.split(' ');
    expect(listenPid).toBe(appPid);
    expect(listenFds).toBe('1');
  });

  it('without LISTEN_FDS, LISTEN_PID is left as it is, set or not', async () => {
    expect((await runPlain(report, { env: { LISTEN_PID: '4242' } })).stdout).toMatch(/^\d+ 4242 unset$/);
    expect((await runPlain(report)).stdout).toMatch(/^\d+ unset unset$/);
  });
});

describe('a descriptor procwarden was given (fd 3, a readiness pipe)', () => {
  /**
   * procwarden started with fd 3 the write end of a FIFO whose reader records the EOF it
   * gets (its file `eof`); the app writes READY=1 to fd 3, closes it, and runs on.
   */
  async function withReadinessPipe(flags: string[]) {
    const folder = scratch();
    const fifo = join(folder, 'notify');
    const eof = join(folder, 'eof');
    const closed = join(folder, 'closed');
    execaSync('mkfifo', [fifo]);
    const reader = runTracked('sh', ['-c', `cat ${fifo} > ${folder}/read; echo eof > ${eof}`]);
    const app = `echo READY=1 >&3; exec 3>&-; echo > ${closed}; exec sleep 1000`;
    const procwarden = [BIN, ...flags, '--', 'sh', '-c', app].map(shellQuote).join(' ');
    // Whatever the test runner leaked is closed first: fd 3 is the FIFO and nothing else is.
    const run = runTracked('bash', ['-c', `for fd in /proc/$$/fd/*; do n=\${fd##*/}; [ "$n" -gt 2 ] && eval "exec $n>&-"; done 2>/dev/null; exec 3>${fifo}; exec ${procwarden}`]);
    await until(() => runsProcwarden(run.pid!), 'procwarden to start');
    await until(() => existsSync(closed), 'the app to close its fd 3');
    const appPid = childrenOf(run.pid!)[0]!;
    const holdsFifo = () => readdirSync(`/proc/${run.pid}/fd`).some((fd) => {
      try {
        return readlinkSync(`/proc/${run.pid}/fd/${fd}`) === fifo;
      } catch {
        return false;
      }
    });
    return { run, reader, eof, appPid, holdsFifo, read: () => readFileSync(join(folder, 'read'), 'utf8') };
  }

  it('as a plain init, procwarden closes its copy once the app has it: the app closing fd 3 gives the reader EOF while the app runs', async () => {
    const { run, reader, eof, appPid, holdsFifo, read } = await withReadinessPipe([]);
    await until(() => existsSync(eof), 'EOF at the reader', 3000);
    expect(isAlive(appPid)).toBe(true);
    expect(holdsFifo()).toBe(false);
    expect(read()).toBe('READY=1\n');
    process.kill(run.pid!, 'SIGTERM');
    expect((await run).exitCode).toBe(143);
    await reader;
  });

  it('with a policy on (--autorestart ON_FAILURE), procwarden keeps its copy for the next start: no EOF until procwarden exits', async () => {
    const { run, reader, eof, appPid, holdsFifo } = await withReadinessPipe(['--autorestart', 'ON_FAILURE']);
    expect(holdsFifo()).toBe(true);
    expect(isAlive(appPid)).toBe(true);
    expect(existsSync(eof)).toBe(false);
    process.kill(run.pid!, 'SIGTERM');
    expect((await run).exitCode).toBe(143);
    await until(() => existsSync(eof), 'EOF at the reader once procwarden has exited', 3000);
    await reader;
  });
});
