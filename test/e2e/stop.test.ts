import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { childrenOf, eventsOf, isAlive, killedOrGone, pid1Of, readIfExists, runAsPid1, runPlain, scratch, until, eventsNamed } from '../support/processes.ts';

// An app that ignores SIGTERM and leaves a grandchild that called setsid (so it is in no
// process group of the app's), writing the grandchild's pid to PIDS.
const stubbornApp = (pids: string) =>
  `trap '' TERM; setsid sh -c 'echo $$ > ${pids}; exec sleep 1000' & while :; do sleep 0.05; done`;

describe("procwarden's own children", () => {
  it('the Procfile lint still running when the service ends at once does not outlive procwarden', async () => {
    const cwd = scratch();
    writeFileSync(join(cwd, 'Procfile'), 'web: sleep 1000\n');
    const run = runPlain([], { cwd, env: { PROCWARDEN_RECOVERY: 'off', PROCWARDEN_STATE_DIR: join(cwd, 'state') } });
    // The lint runs in a `procwarden check` of its own, a child of procwarden beside the app.
    const isLint = (pid: number) => readIfExists(`/proc/${pid}/cmdline`).includes('\0check\0--json');
    let lint = 0;
    await until(() => (lint = childrenOf(run.pid!).find(isLint) ?? 0) > 0, 'the lint child', 10_000);
    run.kill('SIGTERM');
    expect((await run).exitCode).toBe(143);
    // Killed before procwarden's exit, not left to finish on its own (it parses for 100 ms or
    // more): gone, or SIGKILLed and on its way out (the kill lands a moment after the exit).
    expect(isLint(lint) && !killedOrGone(lint)).toBe(false);
  });
});

describe('stopping the app', () => {
  it('a SIGTERM that comes while procwarden is getting ready (its snapshot) ends it: no app is started', async () => {
    const folder = scratch();
    const root = join(folder, 'root');
    mkdirSync(root);
    // Enough for a snapshot of about 100 ms: the SIGTERM lands while it runs.
    for (let i = 0; i < 10_000; i++) writeFileSync(join(root, `f${i}`), 'x');
    const state = join(folder, 'state');
    // Under AUTOREPLACE=ALWAYS, an app that exits 0 at once would be replaced three times.
    const run = runPlain(['--autoreplace', 'ALWAYS', '--', 'true'], { env: { PROCWARDEN_WIPE_PATHS: root, PROCWARDEN_STATE_DIR: state } });
    await until(() => existsSync(join(state, 'snapshot', 'blobs')), 'the snapshot to begin');
    process.kill(run.pid!, 'SIGTERM');
    const result = await run;
    const events = eventsOf(result.stderr);
    // The signal waits in Node's signal pipe while the snapshot runs, and is handled before
    // the first start: no app at all.
    expect(result.exitCode).toBe(143);
    expect(eventsNamed(events, 'container.started')).toEqual([]);
    expect(eventsNamed(events, 'recovery.decision').length > 0).toBe(false);
  });

  it('SIGTERM is forwarded and ends a well-behaved app at once; the stop is not a crash', async () => {
    const run = runAsPid1(['--', 'sleep', '1000'], { env: { PROCWARDEN_LOG_LEVEL: 'info' } });
    const pid1 = await pid1Of(run.pid!);
    await until(() => childrenOf(pid1).length > 0, 'the app to start');
    process.kill(pid1, 'SIGTERM');
    const result = await run;
    expect(result.exitCode).toBe(143);
    const exited = eventsNamed(result.stderr, 'container.exited')[0];
    expect(exited).toMatchObject({ signal: 'SIGTERM', code: null, cause: 'stop' });
  });

  it('an app that ignores SIGTERM is killed after the stop timeout, with its whole tree', async () => {
    const pids = join(scratch(), 'pids');
    const run = runAsPid1(['--', 'sh', '-c', stubbornApp(pids)], { env: { PROCWARDEN_STOP_TIMEOUT: '300ms' } });
    const pid1 = await pid1Of(run.pid!);
    await until(() => readIfExists(pids).endsWith('\n'), 'the setsid grandchild');
    const sentAt = performance.now();
    process.kill(pid1, 'SIGTERM');
    const result = await run;
    const tookMs = performance.now() - sentAt;
    expect(result.exitCode).toBe(137);
    expect(tookMs).toBeGreaterThanOrEqual(300);
  });

  it('not as PID 1, the setsid grandchild is gone too when procwarden exits', async () => {
    const pids = join(scratch(), 'pids');
    const run = runPlain(['--', 'sh', '-c', stubbornApp(pids)], { env: { PROCWARDEN_STOP_TIMEOUT: '200ms' } });
    await until(() => readIfExists(pids).endsWith('\n'), 'the setsid grandchild');
    const grandchild = Number(readFileSync(pids, 'utf8'));
    expect(isAlive(grandchild)).toBe(true);
    process.kill(run.pid!, 'SIGTERM');
    const result = await run;
    expect(result.exitCode).toBe(137);
    expect(isAlive(grandchild)).toBe(false);
  });
});
