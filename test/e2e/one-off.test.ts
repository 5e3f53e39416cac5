// Issue 11, section 3: one-offs run once. `docker run IMAGE -- python manage.py migrate` in an
// image whose ENV sets a restart policy must run the migration once: an explicit COMMAND takes
// its restart policy from the flags only. The Procfile's `release` type runs once too.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventsNamed, finishes, readIfExists, runAsPid1, runPlain, scratch, stderrSoFar, until } from '../support/processes.ts';

/** An app that counts its runs, one line each in `runs`, then exits `code`. */
function counted(code: number) {
  const folder = scratch();
  const runs = join(folder, 'runs');
  return { folder, runs, command: ['sh', '-c', `echo run >> ${runs}; exit ${code}`], count: () => readIfExists(runs).split('\n').filter(Boolean).length };
}

const modes = (stderr: string) => eventsNamed(stderr, 'container.started').map((event) => event.mode);

describe('a one-off COMMAND runs once, whatever policy the environment sets', () => {
  it.each([
    ['AUTORESTART', 'ALWAYS', '--autorestart'],
    ['AUTOREPLACE', 'ALWAYS', '--autoreplace'],
    ['PROCWARDEN_RECOVERY', 'on', '--recovery'],
  ])('%s=%s: the migration runs once and exits 1, with one warning naming the variable and %s', async (variable, value, flag) => {
    const app = counted(1);
    const run = runAsPid1(['--', ...app.command], { cwd: app.folder, env: { [variable]: value } });
    const result = await finishes(run, 3000, 'the one-off', stderrSoFar(run));
    expect(app.count()).toBe(1);
    expect(result.exitCode).toBe(1);
    const warnings = eventsNamed(result.stderr, 'procwarden.warning');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ level: 'warn' });
    // No Procfile here for it to apply to: meant for this COMMAND, most likely.
    expect(warnings[0]!.detail).toMatch(/there is no Procfile here/);
    expect(warnings[0]!.detail).toContain(variable);
    expect(warnings[0]!.detail).toContain(flag);
  });

  it('PROCWARDEN_POLICY_FILE is not read for a one-off: it runs once, with one warning naming it', async () => {
    const app = counted(1);
    const policy = join(app.folder, 'policy.env');
    writeFileSync(policy, 'AUTORESTART=ALWAYS\nPROCWARDEN_RECOVERY=on\n');
    const run = runAsPid1(['--', ...app.command], { cwd: app.folder, env: { PROCWARDEN_POLICY_FILE: policy } });
    const result = await finishes(run, 3000, 'the one-off', stderrSoFar(run));
    expect(app.count()).toBe(1);
    expect(result.exitCode).toBe(1);
    const warnings = eventsNamed(result.stderr, 'procwarden.warning');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.detail).toContain('PROCWARDEN_POLICY_FILE');
  });

  it('with all four set, one warning in all names each of them', async () => {
    const app = counted(1);
    const policy = join(app.folder, 'policy.env');
    writeFileSync(policy, 'AUTORESTART=ALWAYS\n');
    const env = { AUTORESTART: 'ON_FAILURE', AUTOREPLACE: 'ON_FAILURE', PROCWARDEN_RECOVERY: 'on', PROCWARDEN_POLICY_FILE: policy };
    const run = runAsPid1(['--', ...app.command], { cwd: app.folder, env });
    const result = await finishes(run, 3000, 'the one-off', stderrSoFar(run));
    expect(app.count()).toBe(1);
    expect(result.exitCode).toBe(1);
    const warnings = eventsNamed(result.stderr, 'procwarden.warning');
    expect(warnings).toHaveLength(1);
    for (const word of ['AUTORESTART', '--autorestart', 'AUTOREPLACE', '--autoreplace', 'PROCWARDEN_RECOVERY', '--recovery', 'PROCWARDEN_POLICY_FILE']) {
      expect(warnings[0]!.detail).toContain(word);
    }
  });

  it("in an image with a Procfile, its ENV for the services is no warning: a one-off, or a mistyped one, says nothing but what it must; an info notice at level info", async () => {
    const app = counted(0);
    // The documented image: a Procfile, and ENV AUTORESTART=ON_FAILURE for its services.
    writeFileSync(join(app.folder, 'Procfile'), 'web: sleep 1000\n');
    const env = { AUTORESTART: 'ON_FAILURE' };
    const quiet = await finishes(runAsPid1(['--', ...app.command], { cwd: app.folder, env }), 3000, 'the one-off');
    expect(quiet.exitCode).toBe(0);
    expect(quiet.stderr).toBe('');
    const mistyped = await finishes(runAsPid1(['--', 'rials', 'console'], { cwd: app.folder, env }), 3000, 'the mistyped one-off');
    expect(mistyped.exitCode).toBe(127);
    expect(mistyped.stderr).toBe('procwarden: rials: command not found');
    const told = await finishes(runAsPid1(['--', ...app.command], { cwd: app.folder, env: { ...env, PROCWARDEN_LOG_LEVEL: 'info' } }), 3000, 'the one-off at level info');
    expect(eventsNamed(told.stderr, 'procwarden.warning')).toEqual([]);
    expect(eventsNamed(told.stderr, 'procwarden.notice')).toMatchObject([
      { level: 'info', detail: 'AUTORESTART applies to Procfile services only (those of ./Procfile here): a one-off COMMAND runs once unless a flag says otherwise (AUTORESTART: --autorestart)' },
    ]);
    expect(app.count()).toBe(2);
  });

  it('a one-off with no policy in the environment says nothing', async () => {
    const app = counted(1);
    const result = await runAsPid1(['--', ...app.command]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe('');
  });

  it('the flags still apply: --autorestart ON_FAILURE restarts a one-off, within PROCWARDEN_RESTART_LIMIT from the environment', async () => {
    const app = counted(1);
    const result = await runAsPid1(['--autorestart', 'ON_FAILURE', '--', ...app.command], { env: { PROCWARDEN_RESTART_LIMIT: '2/1m' } });
    expect(result.exitCode).toBe(1);
    expect(app.count()).toBe(3);
    expect(modes(result.stderr)).toEqual(['initial', 'restart', 'restart']);
    expect(eventsNamed(result.stderr, 'procwarden.warning')).toEqual([]);
  });
});

describe('a Procfile service still takes its policy from the environment', () => {
  it('AUTORESTART=ON_FAILURE restarts a crashing web process, without a warning', async () => {
    const app = counted(1);
    writeFileSync(join(app.folder, 'Procfile'), `web: ${app.command[2]}\n`);
    const result = await runAsPid1([], { cwd: app.folder, env: { AUTORESTART: 'ON_FAILURE', PROCWARDEN_RECOVERY: 'off' } });
    expect(result.exitCode).toBe(1);
    expect(app.count()).toBe(4);
    expect(modes(result.stderr)).toEqual(['initial', 'restart', 'restart', 'restart']);
    expect(eventsNamed(result.stderr, 'procwarden.warning')).toEqual([]);
  });
});

describe("the Procfile's release type (Heroku's release phase) runs once", () => {
  it.each([0, 3])('a release that exits %i ends procwarden with that code: never restarted, replaced or recovered, whatever the policy', async (code) => {
    const app = counted(code);
    writeFileSync(join(app.folder, 'Procfile'), `release: ${app.command[2]}\nweb: sleep 1000\n`);
    const run = runAsPid1(['--type', 'release'], {
      cwd: app.folder,
      env: { AUTORESTART: 'ALWAYS', AUTOREPLACE: 'ALWAYS', PROCWARDEN_RECOVERY: 'on', PROCWARDEN_THROTTLE: '10ms' },
    });
    const result = await finishes(run, 3000, 'the release', stderrSoFar(run));
    expect(app.count()).toBe(1);
    expect(result.exitCode).toBe(code);
    expect(modes(result.stderr)).toEqual(['initial']);
    expect(eventsNamed(result.stderr, 'container.started')[0]).toMatchObject({ processType: 'release' });
    expect(eventsNamed(result.stderr, 'recovery.decision').every((decision) => decision.action === 'stop')).toBe(true);
    expect(readFileSync(app.runs, 'utf8')).toBe('run\n');
  });

  it('its policy cannot be changed live: procwarden set is refused (409), and it still runs once', async () => {
    const folder = scratch();
    const runs = join(folder, 'runs');
    const go = join(folder, 'go');
    const stateDir = join(folder, 'state');
    writeFileSync(join(folder, 'Procfile'), `release: echo run >> ${runs}; while [ ! -e ${go} ]; do sleep 0.02; done; exit 5\n`);
    const run = runPlain([], { cwd: folder, env: { PROCWARDEN_STATE_DIR: stateDir, PROCWARDEN_THROTTLE: '10ms' } });
    const stderr = stderrSoFar(run);
    await until(() => readIfExists(runs) === 'run\n', 'the release to run');
    await until(() => existsSync(join(stateDir, 'control.sock')), 'the control socket');
    const set = await runPlain(['set', '--autorestart', 'ALWAYS', '--recovery', 'on'], { env: { PROCWARDEN_STATE_DIR: stateDir } });
    expect(set.exitCode).toBe(1);
    expect(set.stderr).toMatch(/refused \(409\): the release process type runs once/);
    writeFileSync(go, '');
    const result = await finishes(run, 3000, 'the release', stderr);
    expect(result.exitCode).toBe(5);
    expect(readFileSync(runs, 'utf8')).toBe('run\n');
    expect(eventsNamed(result.stderr, 'policy.changed')).toEqual([]);
  });
});
