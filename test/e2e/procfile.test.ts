import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pid1Of, runAsPid1, runPlain, scratch, until, stderrSoFar, eventsNamed } from '../support/processes.ts';

/** A folder with a Procfile of the given text; the app's cwd. */
const appFolder = (procfile: string): string => {
  const folder = scratch();
  writeFileSync(join(folder, 'Procfile'), procfile);
  return folder;
};
const started = (stderr: string) => eventsNamed(stderr, 'container.started');

describe('a Procfile service', () => {
  it('runs the only entry under /bin/sh -c, with $PORT expanded by the shell', async () => {
    const cwd = appFolder('web: echo "listening on $PORT"; exit 4\n');
    const result = await runAsPid1([], { cwd, env: { PORT: '5000', PROCWARDEN_RECOVERY: 'off' } });
    expect(result.exitCode).toBe(4);
    expect(result.stdout).toBe('listening on 5000');
    expect(started(result.stderr)).toMatchObject([
      { mode: 'initial', processType: 'web', command: ['/bin/sh', '-c', 'echo "listening on $PORT"; exit 4'] },
    ]);
  });

  it('chooses web among several types, or the type asked for by --type or PROCWARDEN_PROCESS_TYPE', async () => {
    const cwd = appFolder('worker: exit 11\nweb: exit 12\nclock: exit 13\n');
    const env = { PROCWARDEN_RECOVERY: 'off' };
    expect((await runAsPid1([], { cwd, env })).exitCode).toBe(12);
    expect((await runAsPid1(['--type', 'clock'], { cwd, env })).exitCode).toBe(13);
    expect((await runAsPid1([], { cwd, env: { ...env, PROCWARDEN_PROCESS_TYPE: 'worker' } })).exitCode).toBe(11);
  });

  it('finds the Procfile named by PROCWARDEN_PROCFILE', async () => {
    const folder = appFolder('web: exit 21\n');
    const result = await runAsPid1([], { cwd: '/', env: { PROCWARDEN_PROCFILE: join(folder, 'Procfile'), PROCWARDEN_RECOVERY: 'off' } });
    expect(result.exitCode).toBe(21);
  });

  it.each([
    ['a malformed line', 'web: true\nthis is wrong\n', {}, /Procfile: line 2 is not 'name: command'/],
    ['a duplicate name', 'web: true\nweb: false\n', {}, /Procfile: line 2: 'web' is defined twice/],
    ['an unknown type', 'web: true\nworker: true\n', { PROCWARDEN_PROCESS_TYPE: 'api' }, /no process type 'api' \(the types are: web, worker\)/],
    ['no type to choose', 'worker: true\nclock: true\n', {}, /none is 'web'.*worker, clock/],
  ])('%s is exit 2, one line naming it, and nothing runs', async (_, procfile, env, message) => {
    const cwd = appFolder(procfile.replaceAll('true', 'touch ran'));
    const result = await runAsPid1([], { cwd, env });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.split('\n')).toHaveLength(1);
    expect(existsSync(join(cwd, 'ran'))).toBe(false);
  });

  it('a missing Procfile is exit 2 naming where it looked', async () => {
    const named = await runPlain([], { env: { PROCWARDEN_PROCFILE: '/nonexistent/Procfile' } });
    expect(named.exitCode).toBe(2);
    expect(named.stderr).toBe('procwarden: PROCWARDEN_PROCFILE: /nonexistent/Procfile: cannot read the Procfile (ENOENT)');
    const none = await runPlain([], { cwd: scratch() });
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toMatch(/no COMMAND and no Procfile \(looked for \.\/Procfile and \/\.aptible\/Procfile/);
  });

  it('has Container Recovery on by default: a crashing service is recovered', async () => {
    const cwd = appFolder('web: exit 1\n');
    const run = runAsPid1([], { cwd, env: { PROCWARDEN_THROTTLE: '50ms' } });
    const pid1 = await pid1Of(run.pid!);
    const stderr = stderrSoFar(run);
    await until(() => started(stderr()).length >= 3, 'two recoveries');
    process.kill(pid1, 'SIGTERM');
    const result = await run;
    expect(started(result.stderr).slice(0, 3).map((e) => e['mode'])).toEqual(['initial', 'recover', 'recover']);
  });
});
