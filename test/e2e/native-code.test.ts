import { chmodSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPlain, scratch } from '../support/processes.ts';

const nativeCopy = (stateDir: string) => {
  const [name] = readdirSync(join(stateDir, 'native'));
  return join(stateDir, 'native', name!);
};

describe('procwarden native code', () => {
  it('is written to the state dir once, private to procwarden, and loaded from there after', async () => {
    const stateDir = join(scratch(), 'state');
    expect((await runPlain(['--', 'true'], { env: { PROCWARDEN_STATE_DIR: stateDir } })).exitCode).toBe(0);
    const copy = nativeCopy(stateDir);
    expect(statSync(copy).mode & 0o777).toBe(0o500);
    expect(statSync(join(stateDir, 'native')).mode & 0o777).toBe(0o700);
    const written = statSync(copy).mtimeMs;
    expect((await runPlain(['--', 'true'], { env: { PROCWARDEN_STATE_DIR: stateDir } })).exitCode).toBe(0);
    expect(statSync(copy).mtimeMs).toBe(written);
  });

  it('never loads a copy that someone else could have written: it writes its own again', async () => {
    const stateDir = join(scratch(), 'state');
    await runPlain(['--', 'true'], { env: { PROCWARDEN_STATE_DIR: stateDir } });
    const copy = nativeCopy(stateDir);
    const original = readFileSync(copy);
    chmodSync(copy, 0o777);
    writeFileSync(copy, Buffer.alloc(original.length)); // same size, not koffi
    const result = await runPlain(['--', 'sh', '-c', 'exit 6'], { env: { PROCWARDEN_STATE_DIR: stateDir } });
    expect(result.exitCode).toBe(6);
    expect(readFileSync(copy).equals(original)).toBe(true);
    expect(statSync(copy).mode & 0o777).toBe(0o500);
  });

  it('still runs when the state dir cannot be made, from a temporary folder it removes', async () => {
    // TMPDIR: the control socket's fallback folder lands in the test's own folder.
    const result = await runPlain(['--', 'sh', '-c', 'exit 7'], { env: { PROCWARDEN_STATE_DIR: '/proc/procwarden-cannot-be-here', TMPDIR: scratch() } });
    expect(result.exitCode).toBe(7);
    expect(result.stderr).toBe('');
  });

  it('refuses a relative PROCWARDEN_STATE_DIR, naming it', async () => {
    const result = await runPlain(['--', 'true'], { env: { PROCWARDEN_STATE_DIR: 'state' } });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe("procwarden: PROCWARDEN_STATE_DIR: 'state' is not an absolute path");
  });
});
