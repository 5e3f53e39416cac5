import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, eventsNamed, runTracked, scratch } from '../support/processes.ts';

/**
 * dist/procwarden copied, alone, into a folder whose package.json says `"type": "module"`
 * (an app's own folder: Node runs a file with no extension there as an ES module).
 */
function copyIntoModuleFolder(): { folder: string; binary: string } {
  const folder = scratch();
  writeFileSync(join(folder, 'package.json'), '{ "name": "app", "type": "module" }\n');
  const binary = join(folder, 'procwarden');
  copyFileSync(BIN, binary);
  return { folder, binary };
}

const quiet = (folder: string) => ({
  PROCWARDEN_STATE_DIR: join(folder, 'state'),
  PROCWARDEN_AUTORESTART: 'OFF',
  PROCWARDEN_RECOVERY: 'off',
  APTIBLE_DO_NOT_WIPE: '1',
});

describe('dist/procwarden in a folder of "type": "module"', () => {
  it('runs a one-off and exits with its code', async () => {
    const { folder, binary } = copyIntoModuleFolder();
    const result = await runTracked(process.execPath, [binary, '--', 'sh', '-c', 'exit 3'], { cwd: folder, env: quiet(folder) });
    expect(result.stderr).not.toMatch(/is not defined|ReferenceError/);
    expect(result.exitCode).toBe(3);
  });

  it('runs a Procfile service with its JSON events (pino, a payload) and lints the Procfile (the linter, another payload, in a child)', async () => {
    const { folder, binary } = copyIntoModuleFolder();
    writeFileSync(join(folder, 'Procfile'), 'web: sh -c "exit 4"\nworker: nginx\n');
    const service = await runTracked(process.execPath, [binary, '--type', 'web'], { cwd: folder, env: quiet(folder) });
    expect(service.exitCode).toBe(4);
    expect(eventsNamed(service.stderr, 'container.exited')).toEqual([expect.objectContaining({ code: 4 })]);
    const check = await runTracked(process.execPath, [binary, 'check'], { cwd: folder, env: quiet(folder) });
    expect(check.stdout).toContain("nginx -g 'daemon off;'");
    expect(check.exitCode).toBe(1);
  });
});
