// Issue 17: the edges a new user hits first. A Procfile type given as a COMMAND, a Procfile
// saved as Latin-1, one with a BOM, an empty one, a line too long to run. dist/procwarden.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventsNamed, runAsPid1, runPlain, scratch } from '../support/processes.ts';

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
    const cwd = procfile('web: exec gunicornn app:app --bind 0.0.0.0:$PORT\nworker: exec env FOO=1 ./bin/worker\nclock: exec $CLOCK_BIN\n');
    const bin = join(cwd, 'path');
    mkdirSync(bin);
    writeFileSync(join(bin, 'gunicorn'), '#!/bin/sh\n', { mode: 0o755 });
    mkdirSync(join(cwd, 'bin'));
    writeFileSync(join(cwd, 'bin', 'worker'), '#!/bin/sh\n', { mode: 0o755 });
    const env = { PATH: `${bin}:${process.env['PATH']}` };
    const plain = await runPlain(['check'], { cwd, env });
    expect(plain.exitCode).toBe(0);
    const checked = await runPlain(['check', '--programs', '--json'], { cwd, env });
    expect(checked.exitCode).toBe(1);
    const { findings } = JSON.parse(checked.stdout) as { findings: { entry: string; rule: string; hint: string }[] };
    expect(findings).toEqual([expect.objectContaining({ entry: 'web', rule: 'missing-program', hint: 'did you mean gunicorn?' })]);
  });
});
