import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pid1Of, runAsPid1, runPlain, scratch, until, stderrSoFar, eventsNamed } from '../support/processes.ts';

const BROKEN = resolve('examples/backgrounded-app/Procfile');
const FIXED = resolve('examples/backgrounded-app-fixed/Procfile');

describe('procwarden check', () => {
  it('finds the backgrounded app in the example and prints the exact fix; exit 1', async () => {
    const result = await runPlain(['check', '--procfile', BROKEN]);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain('background-app');
    expect(result.stdout).toContain('fix: (tail -F log/my-app.log &) && exec my-app');
  });

  it('passes the fixed twin; exit 0', async () => {
    const result = await runPlain(['check', '--procfile', FIXED]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/1 entry, no pitfall/);
  });

  it('--json gives every finding with its entry, line, rule, part and hint', async () => {
    const result = await runPlain(['check', '--json', '--procfile', BROKEN]);
    expect(result.exitCode).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({
      procfile: BROKEN,
      entries: 1,
      findings: [
        expect.objectContaining({
          entry: 'app',
          line: 3,
          rule: 'background-app',
          part: 'my-app',
          hint: '(tail -F log/my-app.log &) && exec my-app',
        }),
      ],
    });
  });

  it('lints every entry, finds ./Procfile by itself, and is exit 2 on an unreadable or malformed one', async () => {
    const cwd = scratch();
    writeFileSync(join(cwd, 'Procfile'), 'web: nginx\nworker: bundle exec sidekiq\nclock: redis-server --daemonize yes\n');
    const result = await runPlain(['check', '--json'], { cwd });
    expect(result.exitCode).toBe(1);
    const { findings } = JSON.parse(result.stdout) as { findings: { entry: string; hint: string }[] };
    expect(findings.map((f) => [f.entry, f.hint])).toEqual([
      ['web', "nginx -g 'daemon off;'"],
      ['clock', 'redis-server'],
    ]);
    expect((await runPlain(['check', '--procfile', join(cwd, 'missing')])).exitCode).toBe(2);
    writeFileSync(join(cwd, 'Broken'), 'web: ok\nnot a line\n');
    const malformed = await runPlain(['check', '--procfile', join(cwd, 'Broken')]);
    expect(malformed.exitCode).toBe(2);
    expect(malformed.stderr).toMatch(/line 2/);
  });

  it('a service reports the pitfalls of the entry it runs as pitfall events, and still runs it', async () => {
    const cwd = scratch();
    writeFileSync(join(cwd, 'Procfile'), 'web: (sleep 1000 &) && tail -F app.log\nworker: nginx\n');
    const run = runAsPid1([], { cwd, env: { PROCWARDEN_RECOVERY: 'off' } });
    const pid1 = await pid1Of(run.pid!);
    const stderr = stderrSoFar(run);
    await until(() => eventsNamed(stderr(), 'pitfall').length > 0, 'the pitfall event');
    process.kill(pid1, 'SIGTERM');
    const result = await run;
    const pitfalls = eventsNamed(result.stderr, 'pitfall');
    expect(pitfalls).toEqual([
      expect.objectContaining({
        level: 'warn',
        rule: 'background-app',
        processType: 'web',
        hint: '(tail -F app.log &) && exec sleep 1000',
        msg: 'the app runs in the background',
      }),
    ]);
  });
});
