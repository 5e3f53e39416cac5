// Issue 17: the edges a new user hits first. A Procfile type given as a COMMAND, a Procfile
// saved as Latin-1, one with a BOM, an empty one, a line too long to run. dist/procwarden.

import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN as BIN_PATH, eventsNamed, runAsPid1, runPlain, runTracked, scratch, shellQuote, stderrSoFar, until } from '../support/processes.ts';

function procfile(content: string | Buffer): string {
  const dir = scratch();
  writeFileSync(join(dir, 'Procfile'), content);
  return dir;
}

describe('what a new user types', () => {
  it('procwarden web, where web is a Procfile type: command not found, and did you mean --type web', async () => {
    const cwd = procfile('web: exec sleep 1\n');
    const result = await runAsPid1(['web'], { cwd });
    expect(result.exitCode).toBe(127);
    expect(result.stderr).toBe('procwarden: web: command not found; web is a process type of the Procfile: did you mean `procwarden --type web`?');
  });

  it('a mistyped process type, by flag, formation or variable: exit 2 naming the types and the one meant', async () => {
    const cwd = procfile('web: exec sleep 1\nworker: exec sleep 1\n');
    for (const [args, env] of [[['--type', 'wrokers'], {}], [['--formation', 'web=1,wrokers=2'], {}], [[], { PROCWARDEN_PROCESS_TYPE: 'wrokers' }]] as const) {
      const result = await runPlain(args, { cwd, env });
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toBe("procwarden: ./Procfile: no process type 'wrokers' (the types are: web, worker); did you mean worker?");
    }
  });

  it('a Procfile saved as Latin-1 is refused, naming the line; nothing runs', async () => {
    const cwd = procfile(Buffer.concat([Buffer.from('web: echo ok\nworker: echo caf'), Buffer.from([0xe9]), Buffer.from('\n')]));
    for (const args of [[], ['check']]) {
      const result = await runPlain(args, { cwd });
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toBe('procwarden: ./Procfile: line 2 is not UTF-8 text (saved as Latin-1?): save the Procfile as UTF-8');
    }
  });

  it('a Procfile with a UTF-8 BOM is read, the BOM dropped', async () => {
    const cwd = procfile('\uFEFFweb: echo started\n');
    const result = await runAsPid1([], { cwd, env: { PROCWARDEN_RECOVERY: 'off' } });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('started');
    expect(eventsNamed(result.stderr, 'container.started')).toMatchObject([{ processType: 'web' }]);
  });

  it('an empty Procfile fails check as it fails a start', async () => {
    const cwd = procfile('# nothing yet\n');
    for (const args of [[], ['check']]) {
      const result = await runPlain(args, { cwd });
      expect(result.exitCode, args.join(' ')).toBe(2);
      expect(result.stderr).toBe('procwarden: ./Procfile: it has no process type');
    }
  });

  it('a line over 64 KiB is refused with its number, before anything runs', async () => {
    const cwd = procfile(`web: echo ok\nhuge: echo ${'x'.repeat(70_000)}\n`);
    const result = await runPlain(['--type', 'web'], { cwd });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe('procwarden: ./Procfile: line 2 is over 64 KiB: no command that long can run (E2BIG)');
  });
});

describe('procwarden check --programs', () => {
  it("names a program the PATH lacks and the nearest one it has; off without the flag", async () => {
    const cwd = procfile('web: exec gunicornn app:app --bind 0.0.0.0:$PORT\nworker: exec env FOO=1 ./bin/worker\nclock: exec $CLOCK_BIN\nsub: cd sub && ./run.sh\n');
    const bin = join(cwd, 'path');
    mkdirSync(bin);
    writeFileSync(join(bin, 'gunicorn'), '#!/bin/sh\n', { mode: 0o755 });
    mkdirSync(join(cwd, 'bin'));
    writeFileSync(join(cwd, 'bin', 'worker'), '#!/bin/sh\n', { mode: 0o755 });
    // After `cd sub`, ./run.sh is sub/run.sh: not looked up here.
    mkdirSync(join(cwd, 'sub'));
    writeFileSync(join(cwd, 'sub', 'run.sh'), '#!/bin/sh\n', { mode: 0o755 });
    const env = { PATH: `${bin}:${process.env['PATH']}` };
    const plain = await runPlain(['check'], { cwd, env });
    expect(plain.exitCode).toBe(0);
    const checked = await runPlain(['check', '--programs', '--json'], { cwd, env });
    expect(checked.exitCode).toBe(1);
    const { findings } = JSON.parse(checked.stdout) as { findings: { entry: string; rule: string; hint: string }[] };
    expect(findings).toEqual([expect.objectContaining({ entry: 'web', rule: 'missing-program', hint: 'did you mean gunicorn?' })]);
  });
});

describe('mistakes a new user makes', () => {
  it('a Procfile that is a FIFO, or /dev/zero, is refused at once, exit 2', async () => {
    const dir = scratch();
    const fifo = join(dir, 'Procfile.fifo');
    await runTracked('mkfifo', [fifo]);
    for (const file of [fifo, '/dev/zero']) {
      const result = await runPlain([], { env: { PROCWARDEN_PROCFILE: file } });
      expect(result.exitCode, file).toBe(2);
      expect(result.stderr).toBe(`procwarden: PROCWARDEN_PROCFILE: ${file}: the Procfile is not a regular file`);
    }
  });

  it('events that cannot be written are lost, never the app: /dev/full as PROCWARDEN_LOG_FILE', async () => {
    const result = await runAsPid1(['--autorestart', 'on-failure', '--', 'sh', '-c', 'echo running; exit 3'], { env: { PROCWARDEN_LOG_FILE: '/dev/full', PROCWARDEN_RESTART_LIMIT: '1/1m' } });
    expect(result.exitCode).toBe(3);
    expect(result.stdout).toBe('running\nrunning');
    expect(result.stderr).toBe('');
  });

  it('PROCWARDEN_LOG_FD must be a descriptor procwarden was given, open for writing', async () => {
    const dir = scratch();
    const marker = join(dir, 'ran');
    for (const redirect of ['', `3<${shellQuote('/etc/hostname')}`]) {
      const inner = [BIN_PATH, '--', 'touch', marker].map(shellQuote).join(' ');
      const result = await runTracked('sh', ['-c', `exec ${inner} ${redirect}`], { env: { PROCWARDEN_LOG_FD: '3' } });
      expect(result.exitCode, redirect).toBe(2);
      expect(result.stderr).toBe('procwarden: PROCWARDEN_LOG_FD: descriptor 3 is not one procwarden was given open for writing (give it one: 3>events.log)');
    }
    expect(existsSync(marker)).toBe(false);
  });

  it("a formation's PORT must be a port, and each instance's too", async () => {
    const cwd = procfile('web: exec sleep 1\nworker: exec sleep 1\n');
    for (const [port, message] of [
      ['abc', "procwarden: PORT: 'abc' is not a port number from 1 to 65535 (a formation counts its instances' ports from it)"],
      ['65500', 'procwarden: ./Procfile: worker.1 would get PORT 65600, over 65535: give a lower PORT'],
    ]) {
      const result = await runPlain(['--type', 'web,worker'], { cwd, env: { PORT: port! } });
      expect(result.exitCode, port).toBe(2);
      expect(result.stderr).toBe(message);
    }
  });
});

describe('mistakes procwarden once let pass without a word', () => {
  const warnings = (stderr: string) => eventsNamed(stderr, 'procwarden.warning').map(({ detail }) => detail);

  it('a policy-file line for a type the Procfile lacks is a warning naming the types and the nearest; a lone type and a formation alike', async () => {
    const cwd = procfile('web: exec true\nworker: exec true\n');
    const file = join(cwd, 'policy.env');
    writeFileSync(file, 'wrokers.AUTORESTART=ALWAYS\nnosuch.AUTOREPLACE=ALWAYS\nworker.AUTORESTART=ON_FAILURE\n');
    for (const args of [[], ['--type', 'web,worker']]) {
      const result = await runPlain(args, { cwd, env: { PROCWARDEN_POLICY_FILE: file, PROCWARDEN_RECOVERY: 'off' } });
      expect(result.exitCode, args.join(' ')).toBe(0);
      expect(warnings(result.stderr), args.join(' ')).toEqual([
        `PROCWARDEN_POLICY_FILE: ${file}: line 1, wrokers.AUTORESTART: no process type 'wrokers' in ./Procfile (the types are: web, worker): ignored; did you mean worker?`,
        `PROCWARDEN_POLICY_FILE: ${file}: line 2, nosuch.AUTOREPLACE: no process type 'nosuch' in ./Procfile (the types are: web, worker): ignored`,
      ]);
    }
  });

  it('a live change that adds a line for a type the Procfile lacks is the same warning, once: later edits do not repeat it', async () => {
    const cwd = procfile('web: exec sleep 1000\nworker: exec sleep 1000\n');
    const file = join(cwd, 'policy.env');
    // Each version written whole, then renamed over the file: a reader never sees half of one.
    const publish = (text: string) => {
      writeFileSync(`${file}.new`, text);
      renameSync(`${file}.new`, file);
    };
    publish('AUTORESTART=OFF\n');
    const stateDir = join(cwd, 'state');
    const run = runPlain(['--type', 'web'], { cwd, env: { PROCWARDEN_POLICY_FILE: file, PROCWARDEN_STATE_DIR: stateDir, PROCWARDEN_RECOVERY: 'off', PROCWARDEN_LOG_LEVEL: 'info' } });
    const stderr = stderrSoFar(run);
    await until(() => existsSync(join(stateDir, 'control.sock')), 'the socket');
    expect(warnings(stderr())).toEqual([]);
    publish('AUTORESTART=OFF\nwrker.AUTORESTART=ALWAYS\n');
    await until(() => warnings(stderr()).length > 0, 'the warning');
    // An edit of another line: applied, and the typo is not said again.
    publish('AUTORESTART=ON_FAILURE\nwrker.AUTORESTART=ALWAYS\n');
    await until(() => eventsNamed(stderr(), 'policy.changed').length > 0, 'the edit of another line');
    // (Besides, a policy turned on says the descriptors this test runner leaves open were closed.)
    expect(warnings(stderr()).filter((detail) => detail.startsWith('PROCWARDEN_POLICY_FILE'))).toEqual([
      `PROCWARDEN_POLICY_FILE: ${file}: line 2, wrker.AUTORESTART: no process type 'wrker' in ./Procfile (the types are: web, worker): ignored; did you mean worker?`,
    ]);
    expect(eventsNamed(stderr(), 'policy.rejected')).toEqual([]);
    process.kill(run.pid!, 'SIGTERM');
    await run;
  });

  it('PROCWARDEN_ONE_SHOT_TYPES naming a type the Procfile lacks is a warning with the nearest type', async () => {
    const cwd = procfile('release: exec true\nmigrate: exec true\nweb: exec true\n');
    for (const args of [['--type', 'all'], ['--type', 'web']]) {
      const result = await runPlain(args, { cwd, env: { PROCWARDEN_ONE_SHOT_TYPES: 'relase,migrate', PROCWARDEN_RECOVERY: 'off', PROCWARDEN_AUTORESTART: 'OFF' } });
      expect(result.exitCode, args.join(' ')).toBe(0);
      expect(warnings(result.stderr), args.join(' ')).toEqual([
        "PROCWARDEN_ONE_SHOT_TYPES: no process type 'relase' in ./Procfile (the types are: release, migrate, web): ignored; did you mean release?",
      ]);
    }
  });

  it("a health check's options without PROCWARDEN_HEALTHCHECK are a warning each: the environment's, for a one-off too", async () => {
    const cwd = procfile('web: exec true\n');
    const env = { PROCWARDEN_HEALTHCHECK_INTERVAL: '5s', PROCWARDEN_HEALTHCHECK_RETRIES: '2', PROCWARDEN_HEALTHCHECK_TIMEOUT: '' };
    for (const args of [[], ['--', 'true']]) {
      const result = await runPlain(args, { cwd, env: args.length === 0 ? { ...env, PROCWARDEN_RECOVERY: 'off' } : env });
      expect(result.exitCode, args.join(' ')).toBe(0);
      expect(warnings(result.stderr), args.join(' ')).toEqual([
        'PROCWARDEN_HEALTHCHECK_INTERVAL: no effect without PROCWARDEN_HEALTHCHECK, which is not set: no health check runs',
        'PROCWARDEN_HEALTHCHECK_RETRIES: no effect without PROCWARDEN_HEALTHCHECK, which is not set: no health check runs',
      ]);
    }
  });

  it("the policy file's health options without a check for their type are a warning each; with one, none", async () => {
    const cwd = procfile('web: exec true\nworker: exec true\n');
    const none = join(cwd, 'none.env');
    writeFileSync(none, 'PROCWARDEN_HEALTHCHECK_RETRIES=5\n');
    const some = join(cwd, 'some.env');
    writeFileSync(some, 'PROCWARDEN_HEALTHCHECK_RETRIES=5\nweb.PROCWARDEN_HEALTHCHECK=exec:true\nweb.PROCWARDEN_HEALTHCHECK_INTERVAL=1h\nworker.PROCWARDEN_HEALTHCHECK_TIMEOUT=1s\n');
    for (const [file, expected] of [
      [none, [`PROCWARDEN_POLICY_FILE: ${none}: line 1, PROCWARDEN_HEALTHCHECK_RETRIES: no effect without PROCWARDEN_HEALTHCHECK, which is not set: no health check runs`]],
      [some, [`PROCWARDEN_POLICY_FILE: ${some}: line 4, worker.PROCWARDEN_HEALTHCHECK_TIMEOUT: no effect without PROCWARDEN_HEALTHCHECK, which is not set for worker: worker has no health check`]],
    ] as const) {
      // The environment's option acts where the file sets a check (web's), and says nothing then.
      const result = await runPlain(['--type', 'web,worker'], { cwd, env: { PROCWARDEN_POLICY_FILE: file, PROCWARDEN_HEALTHCHECK_START_PERIOD: '1s', PROCWARDEN_RECOVERY: 'off' } });
      expect(result.exitCode, file).toBe(0);
      const said = file === none ? ['PROCWARDEN_HEALTHCHECK_START_PERIOD: no effect without PROCWARDEN_HEALTHCHECK, which is not set: no health check runs', ...expected] : expected;
      expect(warnings(result.stderr), file).toEqual(said);
    }
  });

  it('procwarden statsu: command not found, and did you mean `procwarden status`; a program of that name still runs', async () => {
    const cwd = scratch();
    for (const [program, hint] of [
      ['statsu', '; did you mean `procwarden status`?'],
      ['restrat', '; did you mean `procwarden restart`?'],
      ['hlep', '; did you mean `procwarden help`?'],
      ['./statsu', ''],
      ['cat-no-such', ''],
    ]) {
      const result = await runPlain([program!, '--json'], { cwd });
      expect(result.exitCode, program).toBe(127);
      expect(result.stderr, program).toBe(`procwarden: ${program}: command not found${hint}`);
    }
    const bin = join(cwd, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'statsu'), '#!/bin/sh\necho "statsu ran with $1"\n', { mode: 0o755 });
    const found = await runPlain(['statsu', '--json'], { cwd, env: { PATH: `${bin}:${process.env['PATH']}` } });
    expect(found.exitCode).toBe(0);
    expect(found.stdout).toBe('statsu ran with --json');
    expect(found.stderr).toBe('');
  });
});
