// Several process types in one container (a formation), dist/procwarden as PID 1: each
// instance restarted alone, the container replaced as a whole, its end when one instance
// has no policy left, the start order, PORT and PS as foreman gives them, and each
// instance's tree its own.

import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, eventsNamed, finishes, isAlive, pid1Of, readIfExists, runPlain, runAsPid1, runTracked, scratch, stderrSoFar, until } from '../support/processes.ts';

/** A folder with a Procfile of `lines`; its own wipe root and state dir. */
function app(lines: string[]): { dir: string; env: Record<string, string> } {
  const dir = scratch();
  writeFileSync(join(dir, 'Procfile'), `${lines.join('\n')}\n`);
  mkdirSync(join(dir, 'wipe'));
  return { dir, env: { PROCWARDEN_STATE_DIR: join(dir, 'state'), PROCWARDEN_WIPE_PATHS: join(dir, 'wipe'), PROCWARDEN_RECOVERY: 'off' } };
}

const started = (stderr: string) => eventsNamed(stderr, 'container.started');
const startsOf = (stderr: string, process: string) => started(stderr).filter((event) => event.process === process);

describe('a formation', () => {
  it('--type web,worker runs both, each with foreman PORT and PS, and its events name it', async () => {
    const { dir, env } = app(['web: echo "web $PS $PORT" > web.out; exec sleep 1000', 'worker: echo "worker $PS $PORT" > worker.out; exec sleep 1000']);
    const run = runAsPid1(['--type', 'web,worker'], { cwd: dir, env });
    const pid1 = await pid1Of(run.pid!);
    // The shell makes each file before echo writes its line: a whole line, not the file, says it started.
    await until(() => ['web.out', 'worker.out'].every((file) => readIfExists(join(dir, file)).endsWith('\n')), 'both types to start');
    expect(readFileSync(join(dir, 'web.out'), 'utf8')).toBe('web web.1 5000\n');
    expect(readFileSync(join(dir, 'worker.out'), 'utf8')).toBe('worker worker.1 5100\n');
    process.kill(pid1, 'SIGTERM');
    const result = await run;
    expect(result.exitCode).toBe(143);
    expect(started(result.stderr).map(({ process, port, processType }) => [process, port, processType])).toEqual([
      ['web.1', 5000, 'web'],
      ['worker.1', 5100, 'worker'],
    ]);
    expect(eventsNamed(result.stderr, 'container.exited').map(({ process, cause }) => [process, cause]).sort()).toEqual([
      ['web.1', 'stop'],
      ['worker.1', 'stop'],
    ]);
  });

  it('--type all runs every type but release; PROCWARDEN_PROCESS_TYPE takes a list too', async () => {
    const { dir, env } = app(['release: echo release > release.out', 'web: echo $PS > web.out; exec sleep 1000', 'clock: echo $PS > clock.out; exec sleep 1000']);
    for (const [args, extra] of [
      [['--type', 'all'], {}],
      [[], { PROCWARDEN_PROCESS_TYPE: 'web,clock' }],
    ] as const) {
      const run = runAsPid1([...args], { cwd: dir, env: { ...env, ...extra } });
      const pid1 = await pid1Of(run.pid!);
      const stderr = stderrSoFar(run);
      await until(() => started(stderr()).length === 2, 'two instances');
      process.kill(pid1, 'SIGTERM');
      const result = await run;
      expect(started(result.stderr).map(({ process }) => process)).toEqual(['web.1', 'clock.1']);
      expect(existsSync(join(dir, 'release.out'))).toBe(false);
    }
  });

  it('--formation web=2,worker=1 with PORT=8000: web.1 on 8000, web.2 on 8001, worker.1 on 8100', async () => {
    const { dir, env } = app(['web: echo "$PS $PORT" > "$PS.out"; exec sleep 1000', 'worker: echo "$PS $PORT" > "$PS.out"; exec sleep 1000']);
    const run = runAsPid1(['--formation', 'web=2,worker=1'], { cwd: dir, env: { ...env, PORT: '8000' } });
    const pid1 = await pid1Of(run.pid!);
    // The shell makes each file before echo writes its line: waited for until the line is whole.
    await until(() => ['web.1', 'web.2', 'worker.1'].every((name) => readIfExists(join(dir, `${name}.out`)).endsWith('\n')), 'three instances');
    expect(['web.1', 'web.2', 'worker.1'].map((name) => readFileSync(join(dir, `${name}.out`), 'utf8').trim())).toEqual(['web.1 8000', 'web.2 8001', 'worker.1 8100']);
    process.kill(pid1, 'SIGTERM');
    await run;
  });

  it("one instance's crash restarts it alone: the other keeps its pid", async () => {
    const { dir, env } = app(['web: exec sleep 1000', 'worker: sleep 0.3; exit 1']);
    const run = runAsPid1(['--type', 'web,worker'], { cwd: dir, env: { ...env, AUTORESTART: 'ON_FAILURE', PROCWARDEN_RESTART_LIMIT: '2/1m' } });
    const result = await run;
    // The worker spends its budget (initial, 2 restarts), then the container stops.
    expect(startsOf(result.stderr, 'worker.1').map(({ mode }) => mode)).toEqual(['initial', 'restart', 'restart']);
    expect(startsOf(result.stderr, 'web.1').map(({ mode }) => mode)).toEqual(['initial']);
    expect(result.exitCode).toBe(1);
  });

  it('a worker that exhausts its policy stops the web gracefully, and procwarden exits with the worker code', async () => {
    const { dir, env } = app(["web: trap 'echo drained > drained; exit 0' TERM; sleep 1000 & wait", 'worker: sleep 0.3; exit 7']);
    const result = await runAsPid1(['--type', 'web,worker'], { cwd: dir, env });
    expect(result.exitCode).toBe(7);
    expect(readFileSync(join(dir, 'drained'), 'utf8')).toBe('drained\n');
    const exited = eventsNamed(result.stderr, 'container.exited');
    expect(exited.map(({ process, code, cause }) => [process, code, cause])).toEqual([
      ['worker.1', 7, 'crash'],
      ['web.1', 0, 'stop'],
    ]);
    expect(eventsNamed(result.stderr, 'procwarden.exit')).toMatchObject([{ code: 7 }]);
  });

  it('a replace acts on the container: both stop, the filesystem is reset once, both start again', async () => {
    const { dir, env } = app([
      'web: touch wipe/junk-$$; exec sleep 1000',
      'worker: if [ -e crashed ]; then exec sleep 1000; fi; touch crashed; sleep 0.3; exit 3',
    ]);
    const run = runAsPid1(['--type', 'web,worker'], { cwd: dir, env: { ...env, AUTOREPLACE: 'ON_FAILURE' } });
    const pid1 = await pid1Of(run.pid!);
    const stderr = stderrSoFar(run);
    await until(() => started(stderr()).length >= 4, 'both instances started again');
    // The web's first junk file is gone with the reset; the one its new start made is there.
    const second = startsOf(stderr(), 'web.1')[1]!.pid;
    await until(() => existsSync(join(dir, 'wipe', `junk-${second}`)), "the new web's file");
    expect(readdirSync(join(dir, 'wipe'))).toEqual([`junk-${second}`]);
    process.kill(pid1, 'SIGTERM');
    const result = await run;
    expect(started(result.stderr).map(({ process, mode }) => [process, mode])).toEqual([
      ['web.1', 'initial'],
      ['worker.1', 'initial'],
      ['web.1', 'replace'],
      ['worker.1', 'replace'],
    ]);
    expect(eventsNamed(result.stderr, 'fs.reset')).toHaveLength(1);
    expect(eventsNamed(result.stderr, 'container.exited').slice(0, 2).map(({ process, cause }) => [process, cause])).toEqual([
      ['worker.1', 'crash'],
      ['web.1', 'formation'],
    ]);
    // Only the instance that crashed spent a replace.
    const decisions = eventsNamed(result.stderr, 'recovery.decision');
    expect(decisions).toMatchObject([{ process: 'worker.1', action: 'replace', replacesLeft: 2 }]);
  });

  it('release runs first, to completion, before web starts; a failed release stops the container with its code', async () => {
    const good = app(['web: echo web >> order; exec sleep 1000', 'release: sleep 0.3; echo release >> order']);
    const run = runAsPid1(['--type', 'release,web'], { cwd: good.dir, env: good.env });
    const pid1 = await pid1Of(run.pid!);
    await until(() => existsSync(join(good.dir, 'order')) && readFileSync(join(good.dir, 'order'), 'utf8').split('\n').length > 2, 'release, then web');
    expect(readFileSync(join(good.dir, 'order'), 'utf8')).toBe('release\nweb\n');
    process.kill(pid1, 'SIGTERM');
    const result = await run;
    expect(eventsNamed(result.stderr, 'recovery.decision').filter(({ process }) => process === 'release.1')).toEqual([]);

    const bad = app(['web: echo web >> order; exec sleep 1000', 'migrate: exit 4']);
    const failed = await runAsPid1(['--type', 'migrate,web'], { cwd: bad.dir, env: { ...bad.env, PROCWARDEN_ONE_SHOT_TYPES: 'migrate' } });
    expect(failed.exitCode).toBe(4);
    expect(existsSync(join(bad.dir, 'order'))).toBe(false);
    expect(started(failed.stderr).map(({ process }) => process)).toEqual(['migrate.1']);
  });

  it('a stop while release still runs ends it, starts nothing else, and procwarden exits', async () => {
    const { dir, env } = app(['release: echo running > release.out; exec sleep 1000', 'web: echo web > web.out; exec sleep 1000']);
    const run = runAsPid1(['--type', 'release,web'], { cwd: dir, env });
    const pid1 = await pid1Of(run.pid!);
    await until(() => existsSync(join(dir, 'release.out')), 'the release');
    process.kill(pid1, 'SIGTERM');
    const result = await finishes(run, 5000, 'procwarden after SIGTERM during the release');
    expect(result.exitCode).toBe(143);
    expect(existsSync(join(dir, 'web.out'))).toBe(false);
    expect(started(result.stderr).map(({ process }) => process)).toEqual(['release.1']);
  });

  it("a setsid grandchild of one instance is killed with its instance, not with the other's", async () => {
    const { dir, env } = app([
      // The worker's grandchild leaves its process group and its parent: only its PS mark says whose it is.
      'worker: (setsid sh -c \'echo $$ > orphan; exec sleep 1000\' &); sleep 0.5; exit 1',
      'web: echo $$ > web; exec sleep 1000',
    ]);
    const run = runAsPid1(['--type', 'web,worker'], { cwd: dir, env: { ...env, AUTORESTART: 'ON_FAILURE', PROCWARDEN_RESTART_LIMIT: '1/1m' } });
    const pid1 = await pid1Of(run.pid!);
    const stderr = stderrSoFar(run);
    await until(() => startsOf(stderr(), 'worker.1').length >= 2, 'the worker restarted');
    const webStart = startsOf(stderr(), 'web.1');
    expect(webStart).toHaveLength(1);
    // The first worker's daemon was killed before its restart (a daemonized pitfall); the web runs on.
    await until(() => eventsNamed(stderr(), 'pitfall').some(({ rule }) => rule === 'daemonized'), 'the daemonized pitfall');
    const pitfall = eventsNamed(stderr(), 'pitfall').find(({ rule }) => rule === 'daemonized')!;
    expect(pitfall.leftovers?.map(({ command }) => command)).toEqual(['sleep 1000']);
    const webPid = webStart[0]!.pid;
    expect(eventsNamed(stderr(), 'container.exited').filter(({ process }) => process === 'web.1')).toEqual([]);
    expect(webPid).toBeGreaterThan(0);
    process.kill(pid1, 'SIGTERM');
    await run;
  });

  it('procwarden status lists each instance; set and restart take --type', async () => {
    const { dir, env } = app(['web: exec sleep 1000', 'worker: exec sleep 1000']);
    const run = runAsPid1(['--type', 'web,worker'], { cwd: dir, env });
    const pid1 = await pid1Of(run.pid!);
    const stderr = stderrSoFar(run);
    await until(() => existsSync(join(dir, 'state', 'control.sock')), 'the control socket');
    const client = (...args: string[]) => runTracked(BIN, args, { env });
    const status = await client('status');
    expect(status.stdout).toMatch(/^web\.1: process type web: \/bin\/sh -c exec sleep 1000\nweb\.1: state: running\n/);
    expect(status.stdout).toMatch(/^worker\.1: state: running$/m);
    expect(status.stdout).toMatch(/^web\.1: policy: autorestart OFF \(default\), autoreplace OFF \(default\), recovery OFF \(env\)$/m);
    const set = await client('set', '--type', 'worker', '--autorestart', 'always');
    expect(set.exitCode).toBe(0);
    const json = JSON.parse((await client('status', '--json')).stdout) as { instances: { process: string; policy: { autorestart: string } }[] };
    expect(json.instances.map(({ process, policy }) => [process, policy.autorestart])).toEqual([
      ['web.1', 'OFF'],
      ['worker.1', 'ALWAYS'],
    ]);
    expect(eventsNamed(stderr(), 'policy.changed')).toMatchObject([{ processType: 'worker', new: { autorestart: 'ALWAYS' } }]);
    expect((await client('status')).stdout).toMatch(/^worker\.1: policy: autorestart ALWAYS \(socket\), autoreplace OFF \(default\), recovery OFF \(env\)$/m);
    const restart = await client('restart', '--type', 'worker');
    expect(restart.exitCode).toBe(0);
    await until(() => startsOf(stderr(), 'worker.1').length === 2, 'the worker restarted');
    expect(startsOf(stderr(), 'web.1')).toHaveLength(1);
    const unknown = await client('restart', '--type', 'clock');
    expect(unknown.exitCode).toBe(1);
    expect(unknown.stderr).toMatch(/no process type 'clock' runs here \(web, worker\)/);
    process.kill(pid1, 'SIGTERM');
    await run;
  });

  it("the policy file's TYPE.NAME lines set one type's policy", async () => {
    const { dir, env } = app(['web: sleep 0.3; exit 1', 'worker: sleep 0.3; exit 1']);
    writeFileSync(join(dir, 'policy.env'), 'worker.AUTORESTART=ON_FAILURE\n');
    const result = await runAsPid1(['--type', 'web,worker'], { cwd: dir, env: { ...env, PROCWARDEN_POLICY_FILE: join(dir, 'policy.env'), PROCWARDEN_RESTART_LIMIT: '1/1m' } });
    // The web has no policy: its first exit ends the container, before the worker's restart could.
    expect(startsOf(result.stderr, 'web.1')).toHaveLength(1);
    expect(eventsNamed(result.stderr, 'recovery.decision').find(({ process }) => process === 'web.1')).toMatchObject({ action: 'stop' });
    expect(result.exitCode).toBe(1);
  });

  it("a lone type takes its own TYPE.NAME lines of the policy file too: one file serves every container of an app", async () => {
    const { dir, env } = app(['web: exit 1', 'worker: exit 1']);
    writeFileSync(join(dir, 'policy.env'), 'AUTORESTART=OFF\nweb.AUTORESTART=ON_FAILURE\n');
    const policy = { ...env, PROCWARDEN_POLICY_FILE: join(dir, 'policy.env'), PROCWARDEN_RESTART_LIMIT: '2/1m', PROCWARDEN_RECOVERY: 'off' };
    const web = await runPlain(['--type', 'web'], { cwd: dir, env: policy });
    expect(eventsNamed(web.stderr, 'recovery.decision').map(({ action }) => action)).toEqual(['restart', 'restart', 'stop']);
    expect(web.exitCode).toBe(1);
    const worker = await runPlain(['--type', 'worker'], { cwd: dir, env: policy });
    expect(eventsNamed(worker.stderr, 'recovery.decision').map(({ action }) => action)).toEqual(['stop']);
  });

  it('PROCWARDEN_PREFIX=on: each line after its instance name, stdout and stderr apart, the last partial line kept', async () => {
    const { dir, env } = app([
      "web: echo one; echo oops >&2; printf 'no newline'; exec sleep 1000",
      'worker: sleep 0.2; echo "tty: $(test -t 1 && echo yes || echo no)"; exit 5',
    ]);
    const result = await runAsPid1(['--type', 'web,worker'], { cwd: dir, env: { ...env, PROCWARDEN_PREFIX: 'on', PROCWARDEN_RECOVERY: 'off' } });
    expect(result.exitCode).toBe(5);
    const stamp = String.raw`\d\d:\d\d:\d\d `;
    expect(result.stdout.split('\n')).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`^${stamp}web\\.1    \\| one$`)), expect.stringMatching(new RegExp(`^${stamp}web\\.1    \\| no newline$`)), expect.stringMatching(new RegExp(`^${stamp}worker\\.1 \\| tty: no$`))]));
    expect(result.stderr).toMatch(new RegExp(`^${stamp}web\\.1    \\| oops$`, 'm'));
  });

  it("PROCWARDEN_PREFIX passes the app's bytes on unchanged, UTF-8 or not", async () => {
    const { dir, env } = app(["web: printf 'caf\\351 \\303\\251\\n'"]);
    const out = join(dir, 'out');
    const result = await runTracked('sh', ['-c', `exec ${BIN} --type web > ${out}`], { cwd: dir, env: { ...env, PROCWARDEN_PREFIX: 'on' } });
    expect(result.exitCode).toBe(0);
    // A Latin-1 é, then a UTF-8 é, after the prefix.
    expect(readFileSync(out).subarray(-8)).toEqual(Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0xc3, 0xa9, 0x0a]));
  });

  it('a worker whose program is missing (sh says 127) ends the container with 127, and the web does not outlive it', async () => {
    const { dir, env } = app(['web: echo $$ > web.pid; exec sleep 1000', 'worker: exec /no/such/program']);
    // Not PID 1: as a subreaper, procwarden must end the web itself.
    const result = await runPlain(['--type', 'web,worker'], { cwd: dir, env });
    expect(result.exitCode).toBe(127);
    const web = Number(readIfExists(join(dir, 'web.pid')).trim());
    if (web > 0) await until(() => !isAlive(web), 'the web gone', 2000);
  });

  it('bad formations are exit 2 with a line that says why', async () => {
    const { dir, env } = app(['web: exec sleep 1000', 'worker: exec sleep 1000']);
    for (const [args, message] of [
      [['--type', 'web,clock'], /no process type 'clock' \(the types are: web, worker\)/],
      [['--type', 'web', '--type', 'worker'], /--type is given 2 times: give it once \(--type web,worker runs both\)/],
      [['--formation', 'web=two'], /--formation: 'web=two' is not TYPE=COUNT/],
      [['--formation', 'web=0'], /the formation runs no process/],
      [['--type', 'web', '--formation', 'web=1'], /--type and --formation both choose the process types/],
    ] as const) {
      const result = await runAsPid1([...args], { cwd: dir, env });
      expect(result.exitCode, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(message);
    }
  });
});
