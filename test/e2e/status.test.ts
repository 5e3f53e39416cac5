// Issue 15: a status that explains. What ran and how it ended, what procwarden decided and
// why, what comes next and when, health, where each policy setting came from, the policy
// file's last refusal, and counts since procwarden started. dist/procwarden as PID 1.

import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, eventsNamed, pid1Of, runAsPid1, runTracked, scratch, stderrSoFar, until } from '../support/processes.ts';

interface Status {
  processType: string;
  command: string[];
  state: string;
  app: { pid: number; attempt: number; mode: string } | null;
  health?: { status: string; lastOutput?: string };
  lastExit: { code: number | null; signal: string | null; cause: string; uptimeMs: number; at: string } | null;
  lastDecision: { action: string; reason: string; at: string; nextStartAt?: string } | null;
  nextStart: { mode: string; at: string } | null;
  policy: Record<string, string>;
  policySources: Record<string, string>;
  policyFileRejected: { error: string; at: string } | null;
  starts: Record<string, number>;
  exits: Record<string, number>;
}

describe('procwarden status explains', () => {
  it('a wait, then a run: each field, in JSON and in words', async () => {
    const dir = scratch();
    const policyFile = join(dir, 'policy.env');
    writeFileSync(policyFile, 'PROCWARDEN_RECOVERY=off\n');
    // The first run exits 3; every later one runs.
    writeFileSync(join(dir, 'Procfile'), `web: if [ -e ran ]; then exec sleep 1000; fi; touch ran; exit 3\n`);
    const env = {
      PROCWARDEN_STATE_DIR: join(dir, 'state'),
      AUTOREPLACE: 'off',
      PROCWARDEN_POLICY_FILE: policyFile,
      PROCWARDEN_BACKOFF: '1h..1h',
      PROCWARDEN_HEALTHCHECK: 'exec:true',
      PROCWARDEN_HEALTHCHECK_INTERVAL: '100ms',
    };
    const run = runAsPid1(['--autorestart', 'ON_FAILURE'], { cwd: dir, env });
    const pid1 = await pid1Of(run.pid!);
    const stderr = stderrSoFar(run);
    await until(() => existsSync(join(dir, 'state', 'control.sock')) && eventsNamed(stderr(), 'recovery.decision').length === 1, 'the wait');
    const client = (...args: string[]) => runTracked(BIN, args, { env });
    const status = async () => JSON.parse((await client('status', '--json')).stdout) as Status;

    const waiting = await status();
    expect(waiting).toMatchObject({
      processType: 'web',
      command: ['/bin/sh', '-c', 'if [ -e ran ]; then exec sleep 1000; fi; touch ran; exit 3'],
      state: 'waiting',
      app: null,
      lastExit: { code: 3, signal: null, cause: 'crash' },
      lastDecision: { action: 'restart', reason: 'autorestart ON_FAILURE, 2 of 3 left in 1m; backoff 1h' },
      nextStart: { mode: 'restart' },
      policySources: { autorestart: 'flag', autoreplace: 'env', recovery: 'file' },
      starts: { initial: 1 },
      exits: { crash: 1 },
      policyFileRejected: null,
    });
    // The next start an hour after the decision.
    expect(Date.parse(waiting.nextStart!.at) - Date.parse(waiting.lastDecision!.at)).toBeGreaterThan(3_590_000);
    const words = (await client('status')).stdout;
    expect(words).toMatch(/^process type web: \/bin\/sh -c if \[ -e ran \]/);
    expect(words).toMatch(/^state: waiting$/m);
    expect(words).toMatch(/^last exit: exit code 3 \(crash\) after \d+ ms, at \d\d:\d\d:\d\d$/m);
    expect(words).toMatch(/^last decision: restart \(autorestart ON_FAILURE, 2 of 3 left in 1m; backoff 1h\), at \d\d:\d\d:\d\d$/m);
    expect(words).toMatch(/^next start: restart at \d\d:\d\d:\d\d$/m);
    expect(words).toMatch(/^policy: autorestart ON_FAILURE \(flag\), autoreplace OFF \(env\), recovery OFF \(file\)$/m);

    // The operator ends the wait; a refused file change and a socket change follow.
    expect((await client('restart')).exitCode).toBe(0);
    await client('set', '--autoreplace', 'always');
    writeFileSync(policyFile, 'PROCWARDEN_RECOVERY=maybe\n');
    await until(() => eventsNamed(stderr(), 'policy.rejected').length === 1, 'the refusal');
    let running = await status();
    for (const deadline = Date.now() + 5000; running.health?.status !== 'healthy' && Date.now() < deadline; ) running = await status();
    expect(running).toMatchObject({
      state: 'running',
      app: { attempt: 2, mode: 'restart' },
      health: { status: 'healthy', lastOutput: 'exit code 0' },
      nextStart: null,
      policySources: { autorestart: 'flag', autoreplace: 'socket', recovery: 'file' },
      starts: { initial: 1, restart: 1 },
      exits: { crash: 1 },
      policyFileRejected: { error: expect.stringMatching(/PROCWARDEN_RECOVERY: 'maybe' is not one of ON, OFF$/) },
    });
    const later = (await client('status')).stdout;
    expect(later).toMatch(/^health: healthy, last: exit code 0, \d+ s ago$/m);
    expect(later).toMatch(/^starts: initial 1, restart 1; exits: crash 1$/m);
    expect(later).toMatch(/^policy file: the last change was refused at \d\d:\d\d:\d\d: .*PROCWARDEN_RECOVERY: 'maybe'/m);
    process.kill(pid1, 'SIGTERM');
    await run;
  });
});
