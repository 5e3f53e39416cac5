// `podman run -it` and ^C, typed on a terminal that script(1) makes: the app holds the
// container's terminal, ^C reaches it, and the container exits 130, with or without a policy.

import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { finishes, until } from '../support/until.ts';
import { runFlags, suiteRun } from './engine.ts';
import { shellQuote } from '../support/shell-quote.ts';

const run = suiteRun();

/** `podman run -it --rm ARGS` on a terminal of its own: its output so far, and keys typed on it. */
function onTerminal(args: readonly string[]) {
  const command = ['podman', 'run', '-it', '--rm', ...runFlags(run), ...args].map(shellQuote).join(' ');
  const terminal = execa('script', ['-qfec', command, '/dev/null'], { reject: false, stdin: 'pipe', env: { CONTAINERS_CONF: run.conf, TERM: 'dumb' } });
  let output = '';
  terminal.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { terminal, output: () => output, type: (keys: string) => void terminal.stdin?.write(keys) };
}

describe('podman run -it, and ^C', () => {
  it('with a policy (the example service, AUTORESTART=ON_FAILURE): ^C stops the app, exit 130, and nothing starts it again', async () => {
    const { terminal, output, type } = onTerminal([run.example]);
    await until(() => /serving on port 5000/.test(output()), 'the service', 60_000, 50);
    type('\x03');
    const result = await finishes(terminal, 30_000, 'podman run -it after ^C', output);
    expect(result.exitCode).toBe(130);
    // On a terminal, the events are sentences.
    expect(output()).toMatch(/procwarden: app exited: killed by SIGINT after [\d.]+ m?s \(stop\)/);
    expect(output().match(/procwarden: app started: /g)).toHaveLength(1);
    expect(output()).toMatch(/procwarden: procwarden exits with code 130/);
  });

  it('without a policy (a one-off): ^C stops it, exit 130', async () => {
    const { terminal, output, type } = onTerminal([run.example, '--', 'sh', '-c', 'echo ready; exec sleep 600']);
    await until(() => output().includes('ready'), 'the one-off', 60_000, 50);
    type('\x03');
    const result = await finishes(terminal, 30_000, 'podman run -it after ^C', output);
    expect(result.exitCode).toBe(130);
  });
});
