import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FORWARDED_SIGNALS } from '../../src/signals/signal-table.ts';
import { FIXTURES, isAlive, pid1Of, readIfExists, runAsPid1, runPlain, scratch, until } from '../support/processes.ts';

const recorder = join(FIXTURES, 'record-signals.mjs');

describe('signals reach the app', () => {
  it('each forwarded signal reaches the app and a grandchild in its process group', async () => {
    const out = join(scratch(), 'signals');
    const run = runAsPid1(['--', 'node', recorder, out], { env: { PROCWARDEN_STOP_TIMEOUT: '200ms' } });
    const pid1 = await pid1Of(run.pid!);
    await until(() => /app ready/.test(readIfExists(out)) && /grandchild ready/.test(readIfExists(out)), 'the app and its grandchild');

    // The stop signals last: they begin a stop.
    const order = [...FORWARDED_SIGNALS.filter((s) => s !== 'SIGTERM' && s !== 'SIGINT'), 'SIGINT', 'SIGTERM'] as const;
    for (const signal of order) {
      process.kill(pid1, signal);
      await until(
        () => readIfExists(out).includes(`app ${signal}\n`) && readIfExists(out).includes(`grandchild ${signal}\n`),
        `${signal} at the app and the grandchild`,
      );
    }
    // The recorder ignores SIGTERM, so the stop ends with SIGKILL after the grace.
    const result = await run;
    expect(result.exitCode).toBe(137);
  });

  it('a burst of signals procwarden does not forward never kills it, as PID 1 or not', async () => {
    for (const runner of [runAsPid1, runPlain]) {
      const folder = scratch();
      const go = join(folder, 'go');
      // The app takes the forwarded USR1 and WINCH of the burst, then exits 5 when told.
      const app = `exec 2>/dev/null; trap 'n=1' USR1 WINCH; touch ${folder}/ready; while [ ! -e ${go} ]; do sleep 0.01; done; exit 5`;
      const run = runner(['--', 'sh', '-c', app]);
      const pid = runner === runAsPid1 ? await pid1Of(run.pid!) : run.pid!;
      await until(() => existsSync(join(folder, 'ready')), 'the app');
      const burst = [16 /* SIGSTKFLT */, 'SIGUSR1', 34, 'SIGWINCH', 40, 50, 64, 'SIGTSTP', 'SIGTTIN', 'SIGTTOU', 'SIGPWR', 'SIGVTALRM', 'SIGXCPU'] as const;
      for (let round = 0; round < 20; round++) for (const signal of burst) process.kill(pid, signal);
      await until(() => isAlive(pid), 'procwarden still alive');
      writeFileSync(go, '');
      const result = await run;
      expect(result.exitCode, runner.name).toBe(5);
      expect(result.stderr, runner.name).toBe('');
    }
  });

  it('a stop sends SIGCONT right after the stop signal to the whole tree, stopped or not (a stop still pending is cleared)', async () => {
    const out = join(scratch(), 'signals');
    const run = runPlain(['--', 'node', recorder, out], { env: { PROCWARDEN_STOP_TIMEOUT: '300ms' } });
    await until(() => /app ready/.test(readIfExists(out)) && /grandchild ready/.test(readIfExists(out)), 'the app and its grandchild');
    process.kill(run.pid!, 'SIGTERM');
    // The recorder ignores SIGTERM, so the stop ends with SIGKILL after the grace.
    const result = await run;
    expect(result.exitCode).toBe(137);
    const lines = readIfExists(out).split('\n');
    for (const role of ['app', 'grandchild']) {
      // Both, in either order: Node does not keep the order of two signals that come together.
      expect(lines.filter((line) => line.startsWith(`${role} SIG`)).sort(), role).toEqual([`${role} SIGCONT`, `${role} SIGTERM`]);
    }
  });

  it('SIGUSR1 is forwarded and never opens Node inspector', async () => {
    const out = join(scratch(), 'signals');
    const run = runPlain(['--', 'node', recorder, out], { env: { PROCWARDEN_STOP_TIMEOUT: '100ms' } });
    await until(() => /grandchild ready/.test(readIfExists(out)), 'the app');
    process.kill(run.pid!, 'SIGUSR1');
    await until(() => readIfExists(out).includes('app SIGUSR1\n'), 'SIGUSR1 at the app');
    // 9229 is 0x240D; a listening socket is state 0A.
    const listening = readIfExists('/proc/net/tcp') + readIfExists('/proc/net/tcp6');
    expect(listening).not.toMatch(/:240D [0-9A-F:]+ 0A/);
    process.kill(run.pid!, 'SIGTERM');
    const result = await run;
    expect(result.exitCode).toBe(137);
    expect(result.stderr).not.toMatch(/Debugger listening/);
  });
});

