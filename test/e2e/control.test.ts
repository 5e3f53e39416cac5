import { execaSync } from 'execa';
import { existsSync, lstatSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, adopt, childrenOf, eventsOf, isAlive, procwardenBelow, runPlain, runTracked, scratch, stderrSoFar, until, eventsNamed } from '../support/processes.ts';

/** One HTTP request to a control socket, as raw as a test needs. */
function call(socketPath: string, method: string, path: string, body?: string): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method, path }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text || '{}') as Record<string, unknown> }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** procwarden running `sleep 1000` with a state dir of the test's own. */
async function running(env: Record<string, string> = {}, flags: string[] = []) {
  const stateDir = join(scratch(), 'state');
  const socket = join(stateDir, 'control.sock');
  const run = runPlain([...flags, '--', 'sleep', '1000'], { env: { PROCWARDEN_STATE_DIR: stateDir, PROCWARDEN_LOG_LEVEL: 'info', PROCWARDEN_STOP_TIMEOUT: '200ms', ...env } });
  const stderr = stderrSoFar(run);
  await until(() => eventsNamed(stderr(), 'container.started').length > 0, 'the app to start');
  await until(() => { try { return statSync(socket).isSocket(); } catch { return false; } }, 'the control socket');
  const cli = (...args: string[]) => runPlain(args, { env: { PROCWARDEN_STATE_DIR: stateDir } });
  return { run, stderr, stateDir, socket, cli };
}

describe('changing the policy of a running container', () => {
  it('status shows the policy; set changes it live, with an event, and the app is not restarted', async () => {
    const { run, stderr, socket, cli } = await running({}, ['--autorestart', 'ON_FAILURE']);
    expect(statSync(socket).mode & 0o777).toBe(0o600);
    const before = await cli('status', '--json');
    expect(before.exitCode).toBe(0);
    const status = JSON.parse(before.stdout) as { app: { pid: number }; policy: object };
    expect(status.policy).toEqual({ autorestart: 'ON_FAILURE', autoreplace: 'OFF', recovery: 'OFF' });

    const set = await cli('set', '--autoreplace', 'always', '--recovery', 'on');
    expect(set.exitCode).toBe(0);
    const after = JSON.parse((await cli('status', '--json')).stdout) as typeof status;
    expect(after.policy).toEqual({ autorestart: 'ON_FAILURE', autoreplace: 'ALWAYS', recovery: 'ON' });
    expect(after.app.pid).toBe(status.app.pid);
    expect(eventsNamed(stderr(), 'policy.changed')[0]).toMatchObject({
      source: 'socket',
      old: { autoreplace: 'OFF', recovery: 'OFF' },
      new: { autoreplace: 'ALWAYS', recovery: 'ON' },
    });
    expect((await cli('status')).stdout).toMatch(/^command: sleep 1000\nstate: running\napp: pid \d+, attempt 1 \(initial\), up \d+ s\n(.*\n)*policy: autorestart ON_FAILURE \(flag\), autoreplace ALWAYS \(socket\), recovery ON \(socket\)\n/);
    process.kill(run.pid!, 'SIGTERM');
    await run;
  });

  it('a plain init turned on with set has its events on from then, and quiet again when turned off', async () => {
    const stateDir = join(scratch(), 'state');
    const run = runPlain(['--', 'sleep', '1000'], { env: { PROCWARDEN_STATE_DIR: stateDir } });
    const stderr = stderrSoFar(run);
    await until(() => existsSync(join(stateDir, 'control.sock')), 'the control socket');
    const cli = (...args: string[]) => runPlain(args, { env: { PROCWARDEN_STATE_DIR: stateDir } });
    const first = childrenOf(run.pid!)[0]!;
    expect(stderr()).toBe('');
    expect((await cli('set', '--autorestart', 'always')).exitCode).toBe(0);
    await until(() => eventsNamed(stderr(), 'policy.changed').length > 0, 'the change, said');
    process.kill(first, 'SIGKILL');
    await until(() => eventsNamed(stderr(), 'container.started').length === 1, 'the restart, said');
    expect(eventsNamed(stderr(), 'recovery.decision')[0]).toMatchObject({ action: 'restart' });
    expect((await cli('set', '--autorestart', 'off')).exitCode).toBe(0);
    await until(() => eventsNamed(stderr(), 'policy.changed').length === 2, 'the second change, said');
    process.kill(run.pid!, 'SIGTERM');
    const result = await run;
    expect(result.exitCode).toBe(143);
    // Quiet again: no container.exited nor procwarden.exit for the stop.
    expect(eventsNamed(result.stderr, 'container.exited')).toHaveLength(1);
    expect(eventsNamed(result.stderr, 'procwarden.exit').length > 0).toBe(false);
  });

  it('refuses a bad value or route, changes nothing, and says why', async () => {
    const { run, socket, cli } = await running();
    expect(await call(socket, 'PATCH', '/policy', '{"autorestart":"sometimes"}')).toEqual({
      status: 400,
      body: { error: "autorestart: 'sometimes' is not one of OFF, ON_FAILURE, ALWAYS (or Docker's and Kubernetes' no, never, on-failure, OnFailure, always, unless-stopped)" },
    });
    expect((await call(socket, 'PATCH', '/policy', '{"color":"red"}')).status).toBe(400);
    expect((await call(socket, 'GET', '/nope')).status).toBe(404);
    const refused = await cli('set', '--recovery', 'maybe');
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(/recovery: 'maybe' is not one of ON, OFF/);
    expect(JSON.parse((await cli('status', '--json')).stdout).policy).toEqual({ autorestart: 'OFF', autoreplace: 'OFF', recovery: 'OFF' });
    process.kill(run.pid!, 'SIGTERM');
    await run;
  });

  it('restart restarts the app at once, counted as no crash and against no budget', async () => {
    const { run, stderr, cli } = await running({}, ['--autorestart', 'ON_FAILURE']);
    const first = childrenOf(run.pid!)[0]!;
    expect((await cli('restart')).exitCode).toBe(0);
    await until(() => eventsNamed(stderr(), 'container.started').length === 2, 'the second start');
    expect(isAlive(first)).toBe(false);
    const events = eventsOf(stderr());
    expect(eventsNamed(events, 'container.exited')[0]).toMatchObject({ cause: 'requested' });
    expect(eventsNamed(events, 'container.started').map((e) => e['mode'])).toEqual(['initial', 'restart']);
    expect(eventsNamed(events, 'recovery.decision').length > 0).toBe(false);
    expect(JSON.parse((await cli('status', '--json')).stdout)).toMatchObject({ restartsLeft: 3, history: [] });
    process.kill(run.pid!, 'SIGTERM');
    await run;
  });

  it('status with no procwarden running fails with one clear line', async () => {
    const result = await runPlain(['status'], { env: { PROCWARDEN_STATE_DIR: join(scratch(), 'nothing') } });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/^procwarden: no procwarden is running here: nothing answers on .*control\.sock/);
    expect(result.stderr.split('\n')).toHaveLength(1);
  });

  it('status as a user who may not open the socket: one sentence naming it and what to do, exit 1', async () => {
    const { run, stateDir, socket } = await running();
    const asUser = await runTracked('setpriv', ['--reuid', '1000', '--regid', '1000', '--clear-groups', BIN, 'status'], { env: { PROCWARDEN_STATE_DIR: stateDir } });
    expect(asUser.exitCode).toBe(1);
    expect(asUser.stderr).toBe(
      `procwarden: permission refused to open the control socket ${socket}: run this as the user procwarden runs as, or as root (docker exec --user root ...), or set PROCWARDEN_STATE_DIR to the state dir of a procwarden run as this user`,
    );
    process.kill(run.pid!, 'SIGTERM');
    await run;
  });

  it('status on a socket a procwarden left when it ended: one sentence that says so, exit 1', async () => {
    const stateDir = join(scratch(), 'state');
    mkdirSync(stateDir, { mode: 0o700 });
    const socket = join(stateDir, 'control.sock');
    // A socket bound and never listened on, as one whose procwarden was killed is.
    execaSync('python3', ['-c', 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])', socket]);
    expect(statSync(socket).isSocket()).toBe(true);
    const result = await runPlain(['status'], { env: { PROCWARDEN_STATE_DIR: stateDir } });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe(`procwarden: no procwarden is running here: nothing answers on ${socket}, left by a procwarden that has ended (is PROCWARDEN_STATE_DIR the same as the running one's?)`);
  });

  it('leaves no socket file behind, even when the app exits before the socket is ready', async () => {
    const stateDir = join(scratch(), 'state');
    // The socket opens once the app has run 10 ms: apps that end before, around and after.
    for (const seconds of ['0', '0.008', '0.01', '0.012', '0.015', '0.02', '0.03']) {
      expect((await runPlain(['--', 'sleep', seconds], { env: { PROCWARDEN_STATE_DIR: stateDir } })).exitCode).toBe(0);
      expect(readdirSync(stateDir).filter((name) => lstatSync(join(stateDir, name)).isSocket()), `an app of ${seconds} s`).toEqual([]);
    }
  });

  it('the socket file appears only once it listens: a status that finds it is answered, with listen() held back 300 ms', async () => {
    const stateDir = join(scratch(), 'state');
    const socket = join(stateDir, 'control.sock');
    // strace delays procwarden's listen() (its only one): a file made by bind() before it
    // would be there, refusing connections, for all that time.
    const traced = runTracked('strace', ['-f', '-qq', '-o', '/dev/null', '-e', 'trace=listen', '-e', 'inject=listen:delay_enter=300000', BIN, '--', 'sleep', '1000'], {
      env: { PROCWARDEN_STATE_DIR: stateDir },
    });
    // strace forks a child of its own first, to probe ptrace: procwarden is the one that runs it.
    const procwarden = await procwardenBelow(traced.pid!);
    adopt(procwarden);
    await until(() => existsSync(socket), 'the control socket', 10_000, 1);
    const status = await runPlain(['status'], { env: { PROCWARDEN_STATE_DIR: stateDir } });
    expect(status.stderr).toBe('');
    expect(status.exitCode).toBe(0);
    expect(readdirSync(stateDir).filter((name) => lstatSync(join(stateDir, name)).isSocket())).toEqual(['control.sock']);
    process.kill(procwarden, 'SIGTERM');
    expect((await traced).exitCode).toBe(143);
  });

  it('a live socket is never taken over: a second procwarden warns and runs without one', async () => {
    const { run, stateDir, cli } = await running();
    const second = runPlain(['--', 'sleep', '1000'], { env: { PROCWARDEN_STATE_DIR: stateDir, PROCWARDEN_LOG_LEVEL: 'warn' } });
    const secondStderr = stderrSoFar(second);
    await until(() => /no control socket: another procwarden answers/.test(secondStderr()), "the second procwarden's warning");
    process.kill(second.pid!, 'SIGTERM');
    expect((await second).exitCode).toBe(143);
    expect((await cli('status')).exitCode).toBe(0);
    process.kill(run.pid!, 'SIGTERM');
    await run;
  });

  it('answers 200 status requests at once, and survives garbage, oversized and unfinished requests', async () => {
    const { run, socket } = await running();
    const answers = await Promise.all(Array.from({ length: 200 }, () => call(socket, 'GET', '/status')));
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    expect((await call(socket, 'PATCH', '/policy', `{"x":"${'a'.repeat(70_000)}"}`)).status).toBe(413);
    // Garbage bytes, a body cut short, and a client that never finishes its request.
    const garbage = createConnection(socket);
    garbage.end(Buffer.from([0, 255, 13, 10, 1, 2, 3, 13, 10, 13, 10]));
    const truncated = createConnection(socket);
    truncated.end('PATCH /policy HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"autorest');
    const slow = createConnection(socket);
    slow.write('GET /stat');
    const stillThere = await call(socket, 'GET', '/status');
    expect(stillThere.status).toBe(200);
    expect(stillThere.body['state']).toBe('running');
    expect(stillThere.body['policy']).toEqual({ autorestart: 'OFF', autoreplace: 'OFF', recovery: 'OFF' });
    slow.destroy();
    garbage.destroy();
    truncated.destroy();
    expect(isAlive(run.pid!)).toBe(true);
    process.kill(run.pid!, 'SIGTERM');
    expect((await run).exitCode).toBe(143);
  });
});

describe('a client that never finishes its request', () => {
  it('is dropped 5 s after it connected, even when it trickles a byte a second', async () => {
    const { run, socket } = await running();
    const slow = createConnection(socket);
    let closedAt: number | undefined;
    slow.on('close', () => (closedAt = performance.now()));
    slow.on('error', () => undefined);
    const openedAt = performance.now();
    const request = 'GET /status HTTP/1.1\r\nHost: x\r\nX-Slow: ' + 'a'.repeat(20);
    let sent = 0;
    const trickle = setInterval(() => {
      if (!slow.destroyed) slow.write(request[sent++ % request.length]!);
    }, 1000);
    try {
      await until(() => closedAt !== undefined, 'procwarden to drop the connection', 9000);
    } finally {
      clearInterval(trickle);
    }
    expect(closedAt! - openedAt).toBeGreaterThanOrEqual(4900);
    expect(closedAt! - openedAt).toBeLessThan(7000);
    process.kill(run.pid!, 'SIGTERM');
    expect((await run).exitCode).toBe(143);
  });
});

describe('the watched policy file (PROCWARDEN_POLICY_FILE)', () => {
  /** A Kubernetes-style ConfigMap folder: policy.env -> ..data/policy.env, ..data -> ..vN. */
  function configMap(initial: string) {
    const folder = scratch();
    let version = 0;
    const publish = (text: string) => {
      version += 1;
      const data = join(folder, `..v${version}`);
      mkdirSync(data);
      writeFileSync(join(data, 'policy.env'), text);
      symlinkSync(`..v${version}`, join(folder, '..data_tmp'));
      renameSync(join(folder, '..data_tmp'), join(folder, '..data')); // the kubelet's atomic swap
    };
    publish(initial);
    symlinkSync('..data/policy.env', join(folder, 'policy.env'));
    return { file: join(folder, 'policy.env'), publish };
  }

  /** A service (`app: sleep 1000`, --recovery off, events at info) watching a ConfigMap-style policy file, its socket open. */
  async function serviceWithPolicyFile(initial: string) {
    const { file, publish } = configMap(initial);
    const stateDir = join(scratch(), 'state');
    const cwd = scratch();
    writeFileSync(join(cwd, 'Procfile'), 'app: sleep 1000\n');
    const run = runPlain(['--recovery', 'off'], { cwd, env: { PROCWARDEN_STATE_DIR: stateDir, PROCWARDEN_POLICY_FILE: file, PROCWARDEN_LOG_LEVEL: 'info' } });
    const stderr = stderrSoFar(run);
    await until(() => existsSync(join(stateDir, 'control.sock')), 'the socket');
    return { file, publish, stateDir, run, stderr };
  }

  it("a file shared by every container of an app: a change applies each type's lines where that type runs, and is no refusal where it does not", async () => {
    const { file, publish } = configMap('AUTORESTART=OFF\n');
    const stateDir = join(scratch(), 'state');
    const cwd = scratch();
    writeFileSync(join(cwd, 'Procfile'), 'web: sleep 1000\nworker: sleep 1000\n');
    const run = runPlain(['--type', 'web', '--recovery', 'off'], {
      cwd,
      env: { PROCWARDEN_STATE_DIR: stateDir, PROCWARDEN_POLICY_FILE: file, PROCWARDEN_LOG_LEVEL: 'info' },
    });
    const stderr = stderrSoFar(run);
    await until(() => existsSync(join(stateDir, 'control.sock')), 'the socket');
    // The web's own line wins over the plain one, wherever it stands in the file.
    publish('web.AUTORESTART=ALWAYS\nworker.AUTORESTART=ON_FAILURE\nAUTORESTART=OFF\nworker.AUTOREPLACE=ALWAYS\n');
    await until(() => eventsNamed(stderr(), 'policy.changed').length > 0, 'the change');
    const status = JSON.parse((await runPlain(['status', '--json'], { env: { PROCWARDEN_STATE_DIR: stateDir } })).stdout).policy;
    expect(status).toEqual({ autorestart: 'ALWAYS', autoreplace: 'OFF', recovery: 'OFF' });
    expect(eventsNamed(stderr(), 'policy.rejected')).toEqual([]);
    process.kill(run.pid!, 'SIGTERM');
    await run;
  });

  it('removed, is said once (the policy stays), and put back applies what it changes; a swap is never taken for a removal', async () => {
    const { file, publish, run, stderr } = await serviceWithPolicyFile('AUTORESTART=OFF\n');
    publish('AUTORESTART=ON_FAILURE\n');
    await until(() => eventsNamed(stderr(), 'policy.changed').length === 1, 'the swap, applied');
    rmSync(file);
    await until(() => eventsNamed(stderr(), 'policy.rejected').length === 1, 'the removal, said');
    expect(eventsNamed(stderr(), 'policy.rejected')[0]).toMatchObject({ source: 'file', error: `${file}: it is gone: the policy stays as it is, and a file put back applies what it changes` });
    symlinkSync('..data/policy.env', file);
    publish('AUTORESTART=ALWAYS\n');
    await until(() => eventsNamed(stderr(), 'policy.changed').length === 2, 'the file put back, applied');
    expect(eventsNamed(stderr(), 'policy.changed').map((event) => event.new.autorestart)).toEqual(['ON_FAILURE', 'ALWAYS']);
    expect(eventsNamed(stderr(), 'policy.rejected')).toHaveLength(1);
    process.kill(run.pid!, 'SIGTERM');
    await run;
  });

  it('is read at start, under the flags, and a ConfigMap-style symlink swap applies live', async () => {
    const { file, publish } = configMap('AUTORESTART=ON_FAILURE\nAUTOREPLACE=ON_FAILURE\n');
    const stateDir = join(scratch(), 'state');
    // A Procfile service: a one-off COMMAND reads no policy file.
    const cwd = scratch();
    writeFileSync(join(cwd, 'Procfile'), 'app: sleep 1000\n');
    const run = runPlain(['--autoreplace', 'off', '--recovery', 'off'], {
      cwd,
      env: { PROCWARDEN_STATE_DIR: stateDir, PROCWARDEN_POLICY_FILE: file, PROCWARDEN_LOG_LEVEL: 'info' },
    });
    const stderr = stderrSoFar(run);
    await until(() => eventsNamed(stderr(), 'container.started').length > 0, 'the app');
    const status = async () => JSON.parse((await runPlain(['status', '--json'], { env: { PROCWARDEN_STATE_DIR: stateDir } })).stdout).policy;
    await until(() => existsSync(join(stateDir, 'control.sock')), 'the socket');
    expect(await status()).toEqual({ autorestart: 'ON_FAILURE', autoreplace: 'OFF', recovery: 'OFF' });

    publish('# changed\nAUTORESTART=always\nPROCWARDEN_RECOVERY="on"\n');
    await until(() => eventsNamed(stderr(), 'policy.changed').length > 0, 'the change');
    expect(await status()).toEqual({ autorestart: 'ALWAYS', autoreplace: 'OFF', recovery: 'ON' });
    expect(eventsNamed(stderr(), 'policy.changed')[0]).toMatchObject({ source: 'file' });

    publish('AUTORESTART=sometimes\n');
    await until(() => eventsNamed(stderr(), 'policy.rejected').length > 0, 'the refusal');
    expect(eventsNamed(stderr(), 'policy.rejected')[0]?.['error']).toMatch(/AUTORESTART: 'sometimes'/);
    expect(await status()).toEqual({ autorestart: 'ALWAYS', autoreplace: 'OFF', recovery: 'ON' });
    // One start only: a policy change never restarts the app.
    expect(eventsNamed(stderr(), 'container.started')).toHaveLength(1);
    process.kill(run.pid!, 'SIGTERM');
    await run;
  });

  it('a change of its health lines is refused once: later edits of other lines apply without repeating it, and putting them back says nothing', async () => {
    const { file, publish, run, stderr } = await serviceWithPolicyFile('AUTORESTART=OFF\n');
    const said = () => ({ rejected: eventsNamed(stderr(), 'policy.rejected').map(({ error }) => error), changed: eventsNamed(stderr(), 'policy.changed').map((event) => event.new.autorestart) });

    publish('AUTORESTART=OFF\nPROCWARDEN_HEALTHCHECK=exec:true\n');
    await until(() => said().rejected.length > 0, 'the refusal of the health line');
    // Each edit below changes autorestart, so that its policy.changed shows it was read.
    publish('AUTORESTART=ON_FAILURE\nPROCWARDEN_HEALTHCHECK=exec:true\n');
    await until(() => said().changed.length === 1, 'the first edit of another line');
    // A file that cannot be read in between is refused for what is wrong in it alone.
    publish('AUTORESTART=sometimes\nPROCWARDEN_HEALTHCHECK=exec:true\n');
    await until(() => said().rejected.length > 1, 'the refusal of a bad value');
    publish('# a comment\nAUTORESTART=ALWAYS\nPROCWARDEN_HEALTHCHECK=exec:true\n');
    await until(() => said().changed.length === 2, 'the second edit of another line');
    // The health line as at start again: nothing to refuse, the policy line applies.
    publish('AUTORESTART=OFF\n');
    await until(() => said().changed.length === 3, 'the edit that takes the health line out');
    expect(said()).toEqual({
      rejected: [
        `${file}: health checks are read at start only: the change applies at procwarden's next start`,
        expect.stringMatching(/: AUTORESTART: 'sometimes' is not one of/),
      ],
      changed: ['ON_FAILURE', 'ALWAYS', 'OFF'],
    });
    // One process type here: the events name none (README, events).
    expect(eventsNamed(stderr(), 'policy.changed').filter((event) => 'processType' in event)).toEqual([]);
    process.kill(run.pid!, 'SIGTERM');
    await run;
  });

  it("an edit applies the settings whose lines it changed: one that leaves a setting's line as it was does not undo a flag or a set", async () => {
    const { publish, stateDir, run, stderr } = await serviceWithPolicyFile('AUTORESTART=OFF\nPROCWARDEN_RECOVERY=on\n');
    const cli = (...args: string[]) => runPlain(args, { env: { PROCWARDEN_STATE_DIR: stateDir } });
    expect((await cli('set', '--autorestart', 'always')).exitCode).toBe(0);
    // Other lines, and the same settings spelled otherwise: the flag's recovery and the set's autorestart stay.
    publish('# reviewed\nAUTORESTART=off\nPROCWARDEN_RECOVERY=ON\nAUTOREPLACE=ON_FAILURE\n');
    await until(() => eventsNamed(stderr(), 'policy.changed').length === 2, 'the edit that adds autoreplace');
    expect(eventsNamed(stderr(), 'policy.changed').map((event) => [event.source, event.new])).toEqual([
      ['socket', { autorestart: 'ALWAYS', autoreplace: 'OFF', recovery: 'OFF' }],
      ['file', { autorestart: 'ALWAYS', autoreplace: 'ON_FAILURE', recovery: 'OFF' }],
    ]);
    // The line itself changed: the file's value wins, the latest.
    publish('AUTORESTART=ON_FAILURE\nPROCWARDEN_RECOVERY=ON\nAUTOREPLACE=ON_FAILURE\n');
    await until(() => eventsNamed(stderr(), 'policy.changed').length === 3, 'the edit of the autorestart line');
    expect(JSON.parse((await cli('status', '--json')).stdout)).toMatchObject({
      policy: { autorestart: 'ON_FAILURE', autoreplace: 'ON_FAILURE', recovery: 'OFF' },
      policySources: { autorestart: 'file', autoreplace: 'file', recovery: 'flag' },
    });
    process.kill(run.pid!, 'SIGTERM');
    await run;
  });

  it('an unusable policy file at start is exit 2 naming it, and nothing runs', async () => {
    const folder = scratch();
    writeFileSync(join(folder, 'policy.env'), 'AUTORESTRT=always\n');
    const marker = join(folder, 'ran');
    writeFileSync(join(folder, 'Procfile'), `app: touch ${marker}\n`);
    const result = await runPlain([], { cwd: folder, env: { PROCWARDEN_POLICY_FILE: join(folder, 'policy.env') } });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^procwarden: PROCWARDEN_POLICY_FILE: .*policy\.env: line 1: AUTORESTRT is not a policy setting/);
    expect(existsSync(marker)).toBe(false);
  });

  it.each([
    ['/dev/zero', 'is not a regular file'],
    ['a FIFO', 'is not a regular file'],
    ['a 100 KiB file', 'is over 64 KiB'],
  ])('%s as the policy file at start is exit 2 naming it, at once, and nothing runs', async (what, reason) => {
    const folder = scratch();
    let file = '/dev/zero';
    if (what === 'a FIFO') {
      file = join(folder, 'policy.fifo');
      execaSync('mkfifo', [file]);
    } else if (what !== '/dev/zero') {
      file = join(folder, 'policy.env');
      writeFileSync(file, `# ${'x'.repeat(100 * 1024)}\nAUTORESTART=always\n`);
    }
    const marker = join(folder, 'ran');
    writeFileSync(join(folder, 'Procfile'), `app: touch ${marker}\n`);
    const result = await runPlain([], { cwd: folder, env: { PROCWARDEN_POLICY_FILE: file } });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe(`procwarden: PROCWARDEN_POLICY_FILE: ${file}: ${reason}`);
    expect(existsSync(marker)).toBe(false);
  });

  it('a live change to an oversized file is refused with a policy.rejected event, and changes nothing; one made at once after the start is not missed', async () => {
    const { file, publish } = configMap('AUTORESTART=off\n');
    const stateDir = join(scratch(), 'state');
    const cwd = scratch();
    writeFileSync(join(cwd, 'Procfile'), 'app: sleep 1000\n');
    const run = runPlain(['--recovery', 'off'], { cwd, env: { PROCWARDEN_STATE_DIR: stateDir, PROCWARDEN_POLICY_FILE: file } });
    const stderr = stderrSoFar(run);
    await until(() => eventsNamed(stderr(), 'container.started').length > 0, 'the app');
    publish('AUTORESTART=on_failure\n');
    await until(() => eventsNamed(stderr(), 'policy.changed').length > 0, 'the change made right after the start');
    publish(`AUTORESTART=always\n# ${'x'.repeat(100 * 1024)}\n`);
    await until(() => eventsNamed(stderr(), 'policy.rejected').length > 0, 'the refusal');
    expect(eventsNamed(stderr(), 'policy.rejected')[0]?.['error']).toMatch(/is over 64 KiB$/);
    await until(() => existsSync(join(stateDir, 'control.sock')), 'the socket');
    const status = await runPlain(['status', '--json'], { env: { PROCWARDEN_STATE_DIR: stateDir } });
    expect(JSON.parse(status.stdout).policy).toMatchObject({ autorestart: 'ON_FAILURE' });
    process.kill(run.pid!, 'SIGTERM');
    await run;
  });
});
