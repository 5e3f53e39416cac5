import { copyFileSync, existsSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { execaSync } from 'execa';
import { describe, expect, it } from 'vitest';
import { BIN, runAsPid1, runPlain, runTracked, scratch } from '../support/processes.ts';

describe('procwarden exits the way the app did', () => {
  it.each([0, 3, 255])('an app exit code of %d becomes procwarden own', async (code) => {
    const result = await runAsPid1(['--', 'sh', '-c', `exit ${code}`]);
    expect(result.exitCode).toBe(code);
  });

  it.each([
    ['TERM', 143],
    ['KILL', 137],
    ['SEGV', 139],
  ])('an app killed by SIG%s gives 128+N = %d', async (signal, code) => {
    const result = await runAsPid1(['--', 'sh', '-c', `kill -${signal} $$`]);
    expect(result.exitCode).toBe(code);
  });

  it('a command not found is 127 with one line saying so', async () => {
    const result = await runAsPid1(['--', 'no-such-command-anywhere']);
    expect(result.exitCode).toBe(127);
    expect(result.stderr).toBe('procwarden: no-such-command-anywhere: command not found');
  });

  it('a command that is not executable is 126 with one line saying so', async () => {
    const folder = scratch();
    const script = join(folder, 'not-executable.sh');
    writeFileSync(script, 'echo hi\n', { mode: 0o644 });
    const result = await runAsPid1(['--', script]);
    expect(result.exitCode).toBe(126);
    expect(result.stderr).toBe(`procwarden: ${script}: permission denied (not an executable file)`);
  });

  it('a plain init is quiet: the app output is untouched and procwarden prints nothing', async () => {
    const result = await runAsPid1(['--', 'sh', '-c', 'echo out; echo err >&2; exit 4']);
    expect(result.exitCode).toBe(4);
    expect(result.stdout).toBe('out');
    expect(result.stderr).toBe('err');
  });

  it('events are JSON lines by default, readable lines with PROCWARDEN_LOG_FORMAT=pretty', async () => {
    const json = await runPlain(['--', 'sh', '-c', 'exit 5'], { env: { PROCWARDEN_LOG_LEVEL: 'info' } });
    expect(json.exitCode).toBe(5);
    const lines = json.stderr.split('\n');
    expect(lines.map((line) => JSON.parse(line).event)).toEqual(['container.started', 'container.exited', 'recovery.decision', 'procwarden.exit']);
    const pretty = await runPlain(['--', 'sh', '-c', 'exit 5'], { env: { PROCWARDEN_LOG_LEVEL: 'info', PROCWARDEN_LOG_FORMAT: 'pretty' } });
    expect(pretty.exitCode).toBe(5);
    const stamp = String.raw`\d\d:\d\d:\d\d\.\d{3}`;
    expect(pretty.stderr.split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^${stamp} procwarden: app started: attempt 1 \\(initial\\), pid \\d+$`)),
      expect.stringMatching(new RegExp(`^${stamp} procwarden: app exited: exit code 5 after \\d+ ms \\(crash\\)$`)),
      expect.stringMatching(new RegExp(`^${stamp} procwarden: decision: no start: the container stays stopped \\(autorestart OFF; autoreplace OFF; Container Recovery OFF\\)$`)),
      expect.stringMatching(new RegExp(`^${stamp} procwarden: procwarden exits with code 5$`)),
    ]);
  });

  it('a bad PROCWARDEN_STOP_TIMEOUT is exit 2 naming it, and the app never ran', async () => {
    const marker = join(scratch(), 'ran');
    const result = await runAsPid1(['--', 'touch', marker], { env: { PROCWARDEN_STOP_TIMEOUT: 'ten seconds' } });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^procwarden: PROCWARDEN_STOP_TIMEOUT: 'ten seconds' is not a duration/);
    expect(result.stderr.split('\n')).toHaveLength(1);
    expect(existsSync(marker)).toBe(false);
  });

  it('--help answers on stdout and exits 0; a lone -- is a usage error', async () => {
    const help = await runPlain(['--help']);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toMatch(/usage: procwarden \[OPTIONS\] \[--\] COMMAND/);
    expect(help.stdout).toMatch(/PROCWARDEN_STOP_TIMEOUT/);
    const lone = await runPlain(['--']);
    expect(lone.exitCode).toBe(2);
  });

  it('runs from a folder with no node_modules beside it', async () => {
    const copy = join(scratch(), 'procwarden');
    copyFileSync(BIN, copy);
    chmodSync(copy, 0o755);
    const result = await runTracked(copy, ['--', 'sh', '-c', 'exit 9'], { cwd: '/' });
    expect(result.exitCode).toBe(9);
    expect(result.stderr).toBe('');
  });

  const oldNode = ['/usr/bin/node', '/usr/local/bin/node'].find((node) => {
    if (!existsSync(node)) return false;
    const version = execaSync(node, ['-p', 'process.versions.node']).stdout;
    return Number(version.split('.')[0]) < 24;
  });

  it.skipIf(!oldNode)('run by a Node older than 24, it says so in one line and exits 2', async () => {
    const result = await runTracked(oldNode!, [BIN, '--', 'true']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^procwarden: needs Node.js 24 or newer; this is Node.js v\d+/);
    expect(result.stderr.split('\n')).toHaveLength(1);
  });
});
