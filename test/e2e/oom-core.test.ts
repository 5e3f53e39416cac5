// Issue 15: an exit the kernel's OOM killer made says `oom: true`; a signal that dumped core
// says `coreDumped: true`. The OOM case runs in a memory cgroup of the test's own, with a
// small limit, where the machine lets the test make one (cgroup v1's memory controller or
// cgroup v2), and is skipped elsewhere.

import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, eventsNamed, runAsPid1, runTracked, scratch, shellQuote } from '../support/processes.ts';

/** A memory cgroup of the test's own, limited to `bytes`, or why none can be made here. */
function memoryCgroup(bytes: number): { path: string; enter: string } | { why: string } {
  const lines = readFileSync('/proc/self/cgroup', 'latin1').split('\n');
  const v1 = lines.find((line) => line.split(':')[1]?.split(',').includes('memory'));
  const v2 = lines.find((line) => line.startsWith('0::'));
  const candidates = [
    ...(v1 ? [{ base: `/sys/fs/cgroup/memory${v1.split(':')[2]}`, limit: 'memory.limit_in_bytes' }] : []),
    ...(v2 ? [{ base: `/sys/fs/cgroup${v2.slice(3)}`, limit: 'memory.max' }] : []),
  ];
  for (const { base, limit } of candidates) {
    const path = join(base.replace(/\/$/, ''), `procwarden-test-${process.pid}`);
    try {
      mkdirSync(path);
      writeFileSync(join(path, limit), String(bytes));
      return { path, enter: join(path, 'cgroup.procs') };
    } catch {
      try {
        rmdirSync(path);
      } catch {
        // Not made.
      }
    }
  }
  return { why: 'no memory cgroup can be made here' };
}

const cgroup = memoryCgroup(160 * 1024 * 1024);
afterAll(() => {
  if ('path' in cgroup && existsSync(cgroup.path)) rmdirSync(cgroup.path);
});

describe('how the app ended, as the kernel tells', () => {
  it.skipIf('why' in cgroup)("the OOM killer: container.exited says oom: true (SIGKILL, 137), in a cgroup of the test's own", async () => {
    const { enter } = cgroup as { enter: string };
    // Into the cgroup, then procwarden as PID 1; its app asks for 400 MiB under a 160 MiB limit.
    const app = ['python3', '-c', 'x = bytearray(400 * 1024 * 1024)'];
    const inner = ['unshare', '--pid', '--fork', '--mount-proc', BIN, '--', ...app].map(shellQuote).join(' ');
    const result = await runTracked('sh', ['-c', `echo $$ > ${enter} && exec ${inner}`], { env: { PROCWARDEN_LOG_LEVEL: 'info' } });
    expect(result.exitCode).toBe(137);
    expect(eventsNamed(result.stderr, 'container.exited')).toMatchObject([{ signal: 'SIGKILL', oom: true, cause: 'crash' }]);
  });

  it('a SIGKILL that is no OOM kill says nothing of it', async () => {
    const result = await runAsPid1(['--', 'sh', '-c', 'kill -KILL $$'], { env: { PROCWARDEN_LOG_LEVEL: 'info' } });
    const [exited] = eventsNamed(result.stderr, 'container.exited');
    expect(exited).toMatchObject({ signal: 'SIGKILL' });
    expect(exited).not.toHaveProperty('oom');
  });

  it('a core dump: container.exited says coreDumped: true (SIGSEGV, 139)', async () => {
    const cwd = scratch();
    const result = await runAsPid1(['--', 'sh', '-c', 'ulimit -c unlimited; kill -SEGV $$'], { cwd, env: { PROCWARDEN_LOG_LEVEL: 'info' } });
    expect(result.exitCode).toBe(139);
    const [exited] = eventsNamed(result.stderr, 'container.exited');
    expect(exited).toMatchObject({ signal: 'SIGSEGV' });
    // The kernel's core_pattern decides whether a dump is made at all (a pipe to a handler that
    // is missing makes none): when it wrote one, the event says so.
    const pattern = readFileSync('/proc/sys/kernel/core_pattern', 'latin1').trim();
    if (pattern === 'core' || pattern.startsWith('core.')) expect(exited).toMatchObject({ coreDumped: true });
    const plain = await runAsPid1(['--', 'sh', '-c', 'ulimit -c 0; kill -SEGV $$'], { cwd, env: { PROCWARDEN_LOG_LEVEL: 'info' } });
    expect(eventsNamed(plain.stderr, 'container.exited')[0]).not.toHaveProperty('coreDumped');
  });
});
