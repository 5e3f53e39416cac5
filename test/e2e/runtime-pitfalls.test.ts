import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventsOf, isAlive, pid1Of, runAsPid1, runPlain, scratch, until, stderrSoFar, eventsNamed } from '../support/processes.ts';

const service = (procfile: string): string => {
  const cwd = scratch();
  writeFileSync(join(cwd, 'Procfile'), procfile);
  return cwd;
};
const pitfalls = (stderr: string, rule: string) => eventsNamed(stderr, 'pitfall').filter((e) => e.rule === rule);

// The seed's mistake, run for real: the app in the background crashes after a second,
// while `tail` keeps the container up.
const SEED = "app: (sh -c 'sleep 1.2; exit 3' &) && tail -F app.log\n";

describe('pitfalls seen while the app runs', () => {
  it('an app that daemonizes: a daemonized event lists what it left, which is killed (PID 1)', async () => {
    const cwd = service("web: sh -c 'sleep 300 & exit 0'\n");
    const result = await runAsPid1([], { cwd, env: { PROCWARDEN_RECOVERY: 'off' } });
    expect(result.exitCode).toBe(0);
    const [daemonized] = pitfalls(result.stderr, 'daemonized');
    // Read just before it was killed: `sleep 300`, or the forked shell about to exec it (its
    // command line then, or only its name while the exec is under way).
    expect(daemonized).toMatchObject({ level: 'warn', leftovers: [{ pid: expect.any(Number), command: expect.stringMatching(/sleep 300|^sh$/) }] });
  });

  it('an app that daemonizes, procwarden not PID 1: the leftover is gone when it exits', async () => {
    const cwd = service("web: sh -c 'sleep 300 & exit 0'\n");
    const result = await runPlain([], { cwd, env: { PROCWARDEN_RECOVERY: 'off' } });
    const [daemonized] = pitfalls(result.stderr, 'daemonized');
    const [leftover] = daemonized?.leftovers ?? [];
    expect(leftover).toBeDefined();
    expect(isAlive(leftover!.pid)).toBe(false);
  });

  it('a background process that exits while the foreground goes on: a background-exit event with its code', async () => {
    const cwd = service(SEED);
    writeFileSync(join(cwd, 'app.log'), '');
    const run = runAsPid1([], { cwd, env: { PROCWARDEN_RECOVERY: 'off' } });
    const pid1 = await pid1Of(run.pid!);
    const stderr = stderrSoFar(run);
    await until(() => pitfalls(stderr(), 'background-exit').length > 0, 'the background-exit event');
    process.kill(pid1, 'SIGTERM');
    const result = await run;
    expect(pitfalls(result.stderr, 'background-exit')).toEqual([
      expect.objectContaining({ pid: expect.any(Number), command: 'sh', code: 3, signal: null, uptimeMs: expect.any(Number) }),
    ]);
    expect(Number(pitfalls(result.stderr, 'background-exit')[0]!['uptimeMs'])).toBeGreaterThanOrEqual(1000);
    // warn (the default) only reports: the app ran on until the stop.
    expect(eventsNamed(result.stderr, 'container.exited')[0]).toMatchObject({ cause: 'stop' });
  });

  it('PROCWARDEN_BACKGROUND_EXIT=crash makes it a crash of the app: the tree is stopped and the policy decides', async () => {
    const cwd = service(SEED);
    writeFileSync(join(cwd, 'app.log'), '');
    const result = await runAsPid1([], { cwd, env: { PROCWARDEN_RECOVERY: 'off', PROCWARDEN_BACKGROUND_EXIT: 'crash' } });
    expect(result.exitCode).toBe(3);
    const events = eventsOf(result.stderr);
    expect(pitfalls(result.stderr, 'background-exit')).toHaveLength(1);
    expect(eventsNamed(events, 'container.exited')[0]).toMatchObject({ cause: 'crash', code: 3 });
    expect(eventsNamed(events, 'recovery.decision')[0]).toMatchObject({ action: 'stop' });
  });

  it('a short-lived background helper is no pitfall', async () => {
    const cwd = service("web: (true &) && sleep 1.5\n");
    const result = await runAsPid1([], { cwd, env: { PROCWARDEN_RECOVERY: 'off' } });
    expect(result.exitCode).toBe(0);
    expect(pitfalls(result.stderr, 'background-exit')).toEqual([]);
  });

  it('a burst of 100 background processes ending: ten background-exit pitfalls, then one line that counts, and one total when the app ends', async () => {
    const folder = scratch();
    const go = join(folder, 'go');
    const app = `i=0; while [ $i -lt 100 ]; do (exec sleep 1.1 &); i=$((i+1)); done; while [ ! -e ${go} ]; do sleep 0.05; done`;
    const run = runAsPid1(['--', 'sh', '-c', app], { env: { PROCWARDEN_LOG_LEVEL: 'info' } });
    const stderr = stderrSoFar(run);
    await until(() => eventsNamed(stderr(), 'procwarden.warning').some((e) => /further ones are counted/.test(e.detail)), 'the burst');
    writeFileSync(go, '');
    const result = await run;
    expect(result.exitCode).toBe(0);
    expect(pitfalls(result.stderr, 'background-exit')).toHaveLength(10);
    const warnings = eventsNamed(result.stderr, 'procwarden.warning').map((e) => String(e['detail']));
    expect(warnings.filter((detail) => /further ones are counted/.test(detail))).toHaveLength(1);
    expect(warnings.filter((detail) => /^\d+ more background processes of the app ended while it ran/.test(detail))).toHaveLength(1);
  });
});
