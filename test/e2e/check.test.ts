import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pid1Of, runAsPid1, runPlain, runTracked, scratch, until, stderrSoFar, eventsNamed } from '../support/processes.ts';

const BROKEN = resolve('examples/backgrounded-app/Procfile');
const FIXED = resolve('examples/backgrounded-app-fixed/Procfile');

describe('procwarden check', () => {
  it('finds the backgrounded app in the example and prints the exact fix; exit 1', async () => {
    const result = await runPlain(['check', '--procfile', BROKEN]);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain('background-app');
    expect(result.stdout).toContain('fix: (tail -F log/my-app.log &) && exec my-app');
  });

  it('in a Node run without WebAssembly (--jitless in NODE_OPTIONS) says so, and what to do; exit 2, no stack trace', async () => {
    const result = await runPlain(['check', '--procfile', BROKEN], { env: { NODE_OPTIONS: '--jitless' } });
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim()).toBe(
      'procwarden: the Procfile linter needs WebAssembly, which this Node runs without (--jitless, in NODE_OPTIONS or on its command line): run it without that option',
    );
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

  it('reads the line a shell runs with -c: finds the daemon and the background app inside, and prints a fix of the whole line that a real shell runs in the foreground; exit 1', async () => {
    const cwd = scratch();
    const procfile = [
      `web: sh -c 'cd / && nginx'`,
      `worker: bash -ec "sidekiq -d -C config/sidekiq.yml"`,
      `jobs: sh -c "./start.sh &"`,
      // Twins that look the same and are fine
      `api: sh -c 'exec nginx -g "daemon off;"'`,
      `echo: bash -c 'echo sidekiq -d'`,
      `run: sh -c "$CMD"`,
    ];
    writeFileSync(join(cwd, 'Procfile'), `${procfile.join('\n')}\n`);
    const result = await runPlain(['check'], { cwd });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe(
      [
        './Procfile: 6 entries, 3 with pitfalls',
        '',
        `web (line 1): sh -c 'cd / && nginx'`,
        '  daemonizes: in the line `sh -c` runs, nginx goes to the background unless told `daemon off;`: procwarden sees it exit at once, never the app',
        `    fix: sh -c 'cd / && nginx -g "daemon off;"'`,
        '',
        'worker (line 2): bash -ec "sidekiq -d -C config/sidekiq.yml"',
        '  daemonizes: in the line `bash -c` runs, sidekiq -d goes to the background (and Sidekiq 6 and later refuse it): procwarden sees it exit at once, never the app',
        '    fix: bash -ec "sidekiq -C config/sidekiq.yml"',
        '',
        'jobs (line 3): sh -c "./start.sh &"',
        '  background-app: in the line `sh -c` runs, `./start.sh` runs in the background: when it crashes, procwarden does not see it.',
        '    fix: sh -c "./start.sh"',
      ].join('\n'),
    );

    // The fixes, run by a real shell as a Procfile line is (sh -c LINE), with stand-ins
    // that print the words they get: nginx is told `daemon off;`, sidekiq has no -d.
    const bin = join(cwd, 'bin');
    mkdirSync(bin);
    for (const program of ['nginx', 'sidekiq']) writeFileSync(join(bin, program), `#!/bin/sh\nprintf '%s|' "\${0##*/}" "$@"\n`, { mode: 0o755 });
    const fixes = [...result.stdout.matchAll(/^ {4}fix: (.*)$/gm)].map((match) => match[1]!);
    const ran = await Promise.all(fixes.slice(0, 2).map((fix) => runTracked('sh', ['-c', fix], { env: { PATH: `${bin}:${process.env['PATH']}` } })));
    expect(ran.map((run) => run.stdout)).toEqual(['nginx|-g|daemon off;|', 'sidekiq|-C|config/sidekiq.yml|']);

    // And the Procfile with the fixes in passes the check.
    writeFileSync(join(cwd, 'Procfile'), `${[...fixes.map((fix, i) => `${['web', 'worker', 'jobs'][i]}: ${fix}`), ...procfile.slice(3)].join('\n')}\n`);
    const fixed = await runPlain(['check'], { cwd });
    expect(fixed.stdout).toBe('./Procfile: 6 entries, no pitfall');
    expect(fixed.exitCode).toBe(0);
  });

  it('--programs looks up the program the shell runs (python3, npx, bundle), not the module, npm binary or binstub it runs; and names the wrapper that is missing', async () => {
    const cwd = scratch();
    writeFileSync(
      join(cwd, 'Procfile'),
      ['web: python3 -m http.server $PORT', 'w2: python -m gunicorn app:app', 'w3: npx next start', 'w4: bundle exec puma', 'w5: exec env FOO=1 nice -n 5 gunicorn app:app'].join('\n') + '\n',
    );
    const bin = join(cwd, 'bin');
    mkdirSync(bin);
    for (const program of ['python3', 'python', 'npx', 'bundle', 'env', 'nice', 'gunicorn']) writeFileSync(join(bin, program), '#!/bin/sh\n', { mode: 0o755 });
    // The image's PATH: the stand-ins, and node for procwarden itself; no http.server, next or puma on it.
    const env = { PATH: `${bin}:${dirname(process.execPath)}` };
    const clean = await runPlain(['check', '--programs'], { cwd, env });
    expect(clean.stdout).toBe('./Procfile: 5 entries, no pitfall');
    expect(clean.exitCode).toBe(0);

    rmSync(join(bin, 'bundle'));
    rmSync(join(bin, 'gunicorn'));
    const missing = await runPlain(['check', '--programs', '--json'], { cwd, env });
    expect(missing.exitCode).toBe(1);
    const { findings } = JSON.parse(missing.stdout) as { findings: { entry: string; rule: string; detail: string }[] };
    expect(findings.map(({ entry, rule, detail }) => [entry, rule, detail])).toEqual([
      ['w4', 'missing-program', `bundle is on no folder of the PATH (${env.PATH})`],
      ['w5', 'missing-program', `gunicorn is on no folder of the PATH (${env.PATH})`],
    ]);
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
