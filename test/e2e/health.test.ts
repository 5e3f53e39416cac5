// Issue 15: health checks. A hung app is stopped and started again by the policy after
// RETRIES failures in a row, with events; a check that passes never restarts; the start
// period is honoured; a command that hangs is killed at its timeout, and its processes are
// procwarden's own, never the app's. dist/procwarden as PID 1 (and as a subreaper), its
// intervals at milliseconds.

import { createServer } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, FIXTURES, descendantsOf, eventsNamed, pid1Of, readIfExists, runAsPid1, runPlain, runTracked, scratch, stderrSoFar, until } from '../support/processes.ts';

/** A TCP port nothing listens on now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

// A server that accepts connections and never answers: a deadlocked app.
const HUNG = `python3 -c "import os, socket; s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1', int(os.environ['PORT']))); s.listen(64); held = [s.accept() for _ in iter(int, 1)]"`;
// One that answers 200 to everything.
const HEALTHY = 'exec python3 -m http.server $PORT --bind 127.0.0.1';

const FAST = { PROCWARDEN_HEALTHCHECK_INTERVAL: '100ms', PROCWARDEN_HEALTHCHECK_TIMEOUT: '200ms', PROCWARDEN_HEALTHCHECK_RETRIES: '3' };

/**
 * A Procfile service `web: command`, on its own port, with its own state dir; procwarden as
 * PID 1 unless `runner` is runPlain (then `pid1` is procwarden's pid, a subreaper's).
 */
async function service(command: string, env: Record<string, string>, runner: typeof runAsPid1 = runAsPid1) {
  const dir = scratch();
  writeFileSync(join(dir, 'Procfile'), `web: ${command}\n`);
  const port = await freePort();
  const all = { PORT: String(port), PROCWARDEN_STATE_DIR: join(dir, 'state'), PROCWARDEN_RECOVERY: 'off', ...FAST, ...env };
  const run = runner([], { cwd: dir, env: all });
  const pid1 = runner === runAsPid1 ? await pid1Of(run.pid!) : run.pid!;
  return { run, pid1, stderr: stderrSoFar(run), port, env: all };
}

const starts = (stderr: string) => eventsNamed(stderr, 'container.started');
/** Requests python's http.server logged as answered with 200. */
const probesAnswered = (stderr: string) => (stderr.match(/"GET \/ HTTP\/1\.1" 200/g) ?? []).length;

describe('health checks', () => {
  it('an HTTP check of a hung app: 3 failures in a row, the app stopped gracefully, then restarted (ON_FAILURE)', async () => {
    // The start period lets python start listening: the failures that count are the hung app's.
    const { run, pid1, stderr } = await service(HUNG, {
      PROCWARDEN_HEALTHCHECK: 'http://127.0.0.1:$PORT/health',
      PROCWARDEN_HEALTHCHECK_START_PERIOD: '2s',
      AUTORESTART: 'ON_FAILURE',
    });
    await until(() => starts(stderr()).length >= 2, 'the restart', 10_000);
    process.kill(pid1, 'SIGTERM');
    const result = await run;
    const failed = eventsNamed(result.stderr, 'health.failed').filter(({ counted }) => counted);
    expect(failed.slice(0, 3).map(({ probe, streak }) => [probe, streak])).toEqual([
      ['http', 1],
      ['http', 2],
      ['http', 3],
    ]);
    for (const { output } of failed.slice(0, 3)) expect(output).toMatch(/^no answer within 0\.2 s$/);
    const [exited] = eventsNamed(result.stderr, 'container.exited');
    expect(exited).toMatchObject({ cause: 'unhealthy', signal: 'SIGTERM' });
    expect(eventsNamed(result.stderr, 'recovery.decision')[0]).toMatchObject({ action: 'restart', reason: expect.stringMatching(/^unhealthy; autorestart ON_FAILURE/) });
  });

  it('a TCP check of an app that does not listen: restarted; an exec check that fails: restarted too', async () => {
    for (const check of ['tcp://127.0.0.1:$PORT', 'exec:test -e /no/such/file']) {
      const { run, pid1, stderr } = await service('exec sleep 1000', { PROCWARDEN_HEALTHCHECK: check, AUTORESTART: 'ON_FAILURE' });
      await until(() => starts(stderr()).length >= 2, `the restart (${check})`, 10_000);
      process.kill(pid1, 'SIGTERM');
      const result = await run;
      expect(eventsNamed(result.stderr, 'container.exited')[0], check).toMatchObject({ cause: 'unhealthy' });
      expect(eventsNamed(result.stderr, 'health.failed')[0]!.probe).toBe(check.split(':')[0]);
    }
  });

  it('an unhealthy app that exits 0 on SIGTERM is still a failure: ON_FAILURE restarts it; once the budget is spent, procwarden exits with its code', async () => {
    const { run } = await service(`trap 'exit 0' TERM; sleep 1000 & wait`, { PROCWARDEN_HEALTHCHECK: 'exec:false', AUTORESTART: 'ON_FAILURE', PROCWARDEN_RESTART_LIMIT: '1/1m' });
    const result = await run;
    expect(result.exitCode).toBe(0);
    expect(eventsNamed(result.stderr, 'container.exited')).toMatchObject([
      { code: 0, cause: 'unhealthy' },
      { code: 0, cause: 'unhealthy' },
    ]);
    expect(eventsNamed(result.stderr, 'recovery.decision')).toMatchObject([
      { action: 'restart', reason: 'unhealthy; autorestart ON_FAILURE, 0 of 1 left in 1m' },
      { action: 'stop', reason: 'unhealthy; autorestart ON_FAILURE: budget spent (1 in 1m); autoreplace OFF; Container Recovery OFF' },
    ]);
  });

  it('a check that passes never restarts the app, and status shows it healthy', async () => {
    // The start period covers the server's own start (a probe before it listens is refused).
    const { run, pid1, stderr, env } = await service(HEALTHY, { PROCWARDEN_HEALTHCHECK: 'http://127.0.0.1:$PORT/', PROCWARDEN_HEALTHCHECK_START_PERIOD: '3s', AUTORESTART: 'ALWAYS' });
    // Ten probes answered (the server logs each request on its stderr, which is procwarden's).
    await until(() => probesAnswered(stderr()) >= 10, 'ten probes', 10_000);
    const status = JSON.parse((await runTracked(BIN, ['status', '--json'], { env })).stdout) as { health: { status: string; lastOutput: string } };
    expect(status.health).toMatchObject({ status: 'healthy', lastOutput: 'HTTP 200' });
    expect(starts(stderr())).toHaveLength(1);
    expect(eventsNamed(stderr(), 'health.failed').filter(({ counted }) => counted)).toEqual([]);
    process.kill(pid1, 'SIGTERM');
    await run;
  });

  it('the start period: failures before it ends do not count, and the app that comes up in it is never restarted', async () => {
    // Up once 3 probes have failed, within the start period of 1.5 s: 3 failures at 100 ms
    // would have restarted it.
    const up = join(scratch(), 'up');
    const { run, pid1, stderr } = await service(`exec python3 ${join(FIXTURES, 'serve-when.py')} ${up}`, {
      PROCWARDEN_HEALTHCHECK: 'http://127.0.0.1:$PORT/',
      PROCWARDEN_HEALTHCHECK_START_PERIOD: '1500ms',
      AUTORESTART: 'ON_FAILURE',
    });
    await until(() => eventsNamed(stderr(), 'health.failed').length >= 3, 'failures in the start period');
    writeFileSync(up, '');
    // Past the start period: probes answered after it, and still no restart.
    await until(() => probesAnswered(stderr()) >= 12, 'probes past the start period', 10_000);
    expect(eventsNamed(stderr(), 'health.failed').every(({ counted }) => !counted)).toBe(true);
    expect(starts(stderr())).toHaveLength(1);
    process.kill(pid1, 'SIGTERM');
    await run;
  });

  it('an exec check that hangs is killed at its timeout, with what it started, and leaves no zombie', async () => {
    // The probe starts a sleep of its own in the background, then hangs in another.
    const { run, pid1, stderr } = await service('exec sleep 1000', {
      PROCWARDEN_HEALTHCHECK: 'exec:sleep 999 & sleep 998',
      PROCWARDEN_HEALTHCHECK_INTERVAL: '1s',
      PROCWARDEN_HEALTHCHECK_RETRIES: '2',
    });
    await until(() => eventsNamed(stderr(), 'health.failed').length >= 1, 'the first failure', 5000);
    expect(eventsNamed(stderr(), 'health.failed')[0]!.output).toMatch(/^no exit within 0\.2 s: killed/);
    // Before the next probe (a second later): nothing of this one is left, not even a zombie.
    const probeLeft = () => descendantsOf(pid1).filter((pid) => /^sleep\0(999|998)\0/.test(readIfExists(`/proc/${pid}/cmdline`)) || /\) Z /.test(readIfExists(`/proc/${pid}/stat`)));
    await until(() => probeLeft().length === 0, 'the probe and all it started gone', 700);
    const result = await run;
    expect(eventsNamed(result.stderr, 'container.exited')).toMatchObject([{ cause: 'unhealthy' }]);
  });

  it("per type in a formation: the policy file's web.PROCWARDEN_HEALTHCHECK checks the web alone", async () => {
    const dir = scratch();
    writeFileSync(join(dir, 'Procfile'), 'web: exec sleep 1000\nworker: exec sleep 1000\n');
    writeFileSync(join(dir, 'policy.env'), 'web.PROCWARDEN_HEALTHCHECK=exec:false\nPROCWARDEN_HEALTHCHECK_INTERVAL=100ms\n');
    const env = { PROCWARDEN_STATE_DIR: join(dir, 'state'), PROCWARDEN_POLICY_FILE: join(dir, 'policy.env'), AUTORESTART: 'ON_FAILURE', PROCWARDEN_RECOVERY: 'off' };
    const run = runAsPid1(['--type', 'web,worker'], { cwd: dir, env });
    const pid1 = await pid1Of(run.pid!);
    const stderr = stderrSoFar(run);
    await until(() => starts(stderr()).filter(({ process }) => process === 'web.1').length >= 2, 'the web restarted', 5000);
    expect(eventsNamed(stderr(), 'health.failed').every(({ process }) => process === 'web.1')).toBe(true);
    expect(starts(stderr()).filter(({ process }) => process === 'worker.1')).toHaveLength(1);
    // Health lines are read at start: a change of them later is refused, and says why.
    writeFileSync(join(dir, 'policy.env'), 'web.PROCWARDEN_HEALTHCHECK=exec:true\n');
    await until(() => eventsNamed(stderr(), 'policy.rejected').length > 0, 'the refusal');
    expect(eventsNamed(stderr(), 'policy.rejected')[0]!.error).toMatch(/health checks are read at start only/);
    process.kill(pid1, 'SIGTERM');
    await run;
  });

  it('a bad PROCWARDEN_HEALTHCHECK is exit 2 with a line that says why', async () => {
    for (const [env, message] of [
      [{ PROCWARDEN_HEALTHCHECK: 'ftp://x' }, /PROCWARDEN_HEALTHCHECK: 'ftp:\/\/x' is not http:\/\/HOST:PORT\/PATH, tcp:\/\/HOST:PORT or exec:COMMAND/],
      [{ PROCWARDEN_HEALTHCHECK: 'exec:true', PROCWARDEN_HEALTHCHECK_RETRIES: '0' }, /PROCWARDEN_HEALTHCHECK_RETRIES: '0' is not a whole number/],
      [{ PROCWARDEN_HEALTHCHECK: 'exec:true', PROCWARDEN_HEALTHCHECK_INTERVAL: 'soon' }, /PROCWARDEN_HEALTHCHECK_INTERVAL: 'soon' is not a duration/],
    ] as const) {
      const result = await runAsPid1(['--', 'true'], { env });
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toMatch(message);
    }
  });
});

// An exec check's processes (its shell's process group, what it started) are procwarden's
// own, never the app's: killed at a timeout, they are reaped quietly, never a background-exit
// pitfall, never the app's crash; nor are they the app's leftovers at a stop.
describe.each([
  ['as PID 1', runAsPid1],
  ['as a plain process (a subreaper)', runPlain],
])("an exec check's processes are procwarden's own: %s", (_, runner) => {
  /** The processes below procwarden whose command line is `sleep SECONDS` for one of `seconds`: a probe's. */
  const sleepsBelow = (pid: number, ...seconds: string[]) =>
    descendantsOf(pid).filter((child) => seconds.some((second) => readIfExists(`/proc/${child}/cmdline`) === `sleep\0${second}\0`));
  /** A process's identity: its pid and its start time (a pid is reused; the pair is not). */
  const identity = (pid: number) => `${pid}@${readIfExists(`/proc/${pid}/stat`).split(') ')[1]?.split(' ')[19] ?? ''}`;
  /** Whether a process seen as `seen` (identity) is gone from /proc, zombie and all. */
  const gone = (seen: string) => identity(Number(seen.split('@')[0])) !== seen;
  // Past the background-exit pitfall's second: killed at the timeout, each ran over a second.
  const HANGS = { PROCWARDEN_HEALTHCHECK: 'exec:sleep 997 & sleep 996', PROCWARDEN_HEALTHCHECK_INTERVAL: '300ms', PROCWARDEN_HEALTHCHECK_TIMEOUT: '1200ms' };

  it('a check that times out, leaving a child, with PROCWARDEN_BACKGROUND_EXIT=crash: no pitfall, the app never restarted, nothing of the probe left', async () => {
    const { run, pid1, stderr, env } = await service(
      'exec sleep 1000',
      { ...HANGS, PROCWARDEN_HEALTHCHECK_RETRIES: '100', PROCWARDEN_BACKGROUND_EXIT: 'crash', AUTORESTART: 'ON_FAILURE' },
      runner,
    );
    const failed = () => eventsNamed(stderr(), 'health.failed');
    // The first probe, running: its two sleeps.
    let probe: string[] = [];
    await until(() => (probe = sleepsBelow(pid1, '997', '996').map(identity)).length === 2, "the first probe's sleeps", 5000);
    await until(() => failed().length >= 2, 'two probes timed out', 8000);
    expect(failed().map(({ output }) => output)).toEqual([expect.stringMatching(/^no exit within 1\.2 s: killed/), expect.stringMatching(/^no exit within 1\.2 s: killed/)]);
    // Nothing of the first probe is left, not even a zombie.
    await until(() => probe.every(gone), "the first probe's processes gone", 2000);
    const status = JSON.parse((await runTracked(BIN, ['status', '--json'], { env })).stdout) as { app: { pid: number; attempt: number } };
    const started = starts(stderr());
    expect(started).toHaveLength(1);
    expect(status.app).toMatchObject({ pid: started[0]!.pid, attempt: 1 });
    expect(eventsNamed(stderr(), 'pitfall').filter(({ rule }) => rule === 'background-exit')).toEqual([]);
    expect(eventsNamed(stderr(), 'container.exited')).toEqual([]);
    process.kill(pid1, 'SIGTERM');
    const result = await run;
    expect(eventsNamed(result.stderr, 'pitfall')).toEqual([]);
    expect(eventsNamed(result.stderr, 'container.exited')).toMatchObject([{ attempt: 1, cause: 'stop', signal: 'SIGTERM' }]);
  });

  it("a stop while a check hangs: the probe is no leftover of the app's, the exit code is the app's, and the probe ends with it", async () => {
    // Deaf to the stop signal: counted in the app's tree, it would hold the stop until the
    // probe's timeout killed it, and its SIGKILL would be the stop's outcome (137).
    const { run, pid1 } = await service('exec sleep 1000', { ...HANGS, PROCWARDEN_HEALTHCHECK: "exec:trap '' TERM; sleep 997 & sleep 996", PROCWARDEN_HEALTHCHECK_RETRIES: '100' }, runner);
    let probe: string[] = [];
    await until(() => (probe = sleepsBelow(pid1, '997', '996').map(identity)).length === 2, "a probe's sleeps", 5000);
    process.kill(pid1, 'SIGTERM');
    const result = await run;
    expect(eventsNamed(result.stderr, 'pitfall')).toEqual([]);
    expect(eventsNamed(result.stderr, 'container.exited')).toMatchObject([{ cause: 'stop', code: null, signal: 'SIGTERM' }]);
    expect(result.exitCode).toBe(143);
    // As a subreaper, what procwarden left would live on past it.
    await until(() => probe.every(gone), "the probe's processes gone", 2000);
  });

  it('a check that passes, leaving a child running in the background: the child ends with the check', async () => {
    const { run, pid1, env } = await service('exec sleep 1000', { PROCWARDEN_HEALTHCHECK: 'exec:sleep 995 >/dev/null 2>&1 & true', PROCWARDEN_HEALTHCHECK_INTERVAL: '100ms' }, runner);
    // Undefined until the control socket is open.
    const health = async () => {
      const { exitCode, stdout } = await runTracked(BIN, ['status', '--json'], { env });
      return exitCode === 0 ? (JSON.parse(stdout) as { health?: { status: string } }).health?.status : undefined;
    };
    await until(async () => (await health()) === 'healthy', 'a check passed', 5000, 100);
    // Each probe's sleep is killed as its shell exits: none piles up.
    await until(() => sleepsBelow(pid1, '995').length === 0, "no probe's sleep left", 2000);
    process.kill(pid1, 'SIGTERM');
    const result = await run;
    expect(eventsNamed(result.stderr, 'pitfall')).toEqual([]);
  });
});
