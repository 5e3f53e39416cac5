import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, childrenOf, isAlive, readIfExists, runAsPid1, runPlain, scratch, until } from '../support/processes.ts';

describe('zombies are reaped', () => {
  it('500 orphans that exit leave no zombie, and the app own exit is still seen', async () => {
    const result = await runAsPid1(['--', 'node', join(FIXTURES, 'orphan-storm.mjs'), '500', '7']);
    expect(result.stdout).toMatch(/^zombies=0 most=\d+$/);
    expect(result.exitCode).toBe(7);
  });

  it('not as PID 1: orphans still come to procwarden and are reaped, and none is left after it exits', async () => {
    const folder = scratch();
    const pids = join(folder, 'pids');
    const go = join(folder, 'go');
    // Orphans of two kinds: ten that exit at once, and one that would run for ever.
    const app = `i=0; while [ $i -lt 10 ]; do (exec true &); i=$((i+1)); done
      (exec sleep 1000 & echo $! > ${pids})
      while [ ! -e ${go} ]; do sleep 0.01; done; exit 3`;
    const run = runPlain(['--', 'sh', '-c', app]);
    await until(() => readIfExists(pids).endsWith('\n'), 'the long-lived orphan');
    const orphan = Number(readFileSync(pids, 'utf8'));
    // The orphan is procwarden's child now, and no zombie is left among its children.
    await until(() => childrenOf(run.pid!).includes(orphan), 'the orphan to be reparented to procwarden');
    await until(
      () => childrenOf(run.pid!).every((pid) => isAlive(pid) || !existsSync(`/proc/${pid}`)),
      'no zombie among procwarden children',
    );
    writeFileSync(go, '');
    const result = await run;
    expect(result.exitCode).toBe(3);
    expect(isAlive(orphan)).toBe(false);
  });
});
