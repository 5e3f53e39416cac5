// What the tests of issue 12's reset cases share (reset-safety, reset-fidelity): a wipe root
// of the test's own with an outside folder beside it, and procwarden as PID 1 over an app
// that changes the root and crashes once.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, runAsPid1, scratch } from '../support/processes.ts';

const CRASH_ONCE = join(FIXTURES, 'reset', 'crash-once.sh');

/** A scratch folder with a wipe root (`app`, holding `keep` and `sub/keep`), an `outside` folder with files, and a state dir. */
export function setUp() {
  const folder = scratch();
  const root = join(folder, 'app');
  const outside = join(folder, 'outside');
  const out = join(folder, 'out');
  const stateDir = join(folder, 'state');
  mkdirSync(join(root, 'sub'), { recursive: true });
  mkdirSync(outside);
  mkdirSync(out);
  writeFileSync(join(root, 'keep'), 'keep\n');
  writeFileSync(join(root, 'sub', 'keep'), 'keep\n');
  for (let i = 0; i < 20; i++) writeFileSync(join(outside, `f${i}`), `outside ${i}\n`);
  return { folder, root, outside, out, stateDir };
}

/** procwarden as PID 1: the app runs `mutation` in `root` and crashes once; one replace; then `check`. */
export function crashOnce(setup: ReturnType<typeof setUp>, mutation: string, env: Record<string, string> = {}, check = '') {
  writeFileSync(join(setup.out, 'mutation.sh'), mutation);
  writeFileSync(join(setup.out, 'check.sh'), check);
  const args = ['--autoreplace', 'ON_FAILURE', '--', 'sh', CRASH_ONCE, setup.out, join(setup.out, 'mutation.sh'), ...(check ? [join(setup.out, 'check.sh')] : [])];
  return runAsPid1(args, {
    cwd: setup.root,
    env: { PROCWARDEN_WIPE_PATHS: setup.root, PROCWARDEN_STATE_DIR: setup.stateDir, PROCWARDEN_REPLACE_LIMIT: '1/1m', ...env },
  });
}

