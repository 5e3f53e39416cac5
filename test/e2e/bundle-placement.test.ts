import { copyFileSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, eventsNamed, runPlain, runTracked, scratch, stderrSoFar, until } from '../support/processes.ts';

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

/** dist/procwarden copied, with the package.json beside it that makes it CommonJS, into a folder of its own. */
function copyAsBuilt(): { folder: string; binary: string } {
  const folder = scratch();
  const binary = join(folder, 'procwarden');
  copyFileSync(BIN, binary);
  copyFileSync(join(BIN, '..', 'package.json'), join(folder, 'package.json'));
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

describe('dist/procwarden removed or replaced while it runs (an upgrade in place)', () => {
  it('still serves the web interface, whose code it reads only at the first request, from the file it started from; the app never holds that file', async () => {
    const { folder, binary } = copyAsBuilt();
    const run = runPlain(['--', 'sh', '-c', 'ls -l /proc/$$/fd > fds; exec sleep 1000'], {
      binary,
      cwd: folder,
      env: { PROCWARDEN_STATE_DIR: join(folder, 'state'), PROCWARDEN_HTTP: '127.0.0.1:0', PROCWARDEN_HTTP_TOKEN: 'test-token-0123456789', PROCWARDEN_LOG_LEVEL: 'info' },
    });
    const stderr = stderrSoFar(run);
    await until(() => eventsNamed(stderr(), 'http.listening').length > 0, 'the web interface to listen');
    const { port } = eventsNamed(stderr(), 'http.listening')[0]!;
    rmSync(binary);
    writeFileSync(binary, '#!/bin/sh\necho another build\n', { mode: 0o755 });

    const page = await fetch(`http://127.0.0.1:${port}/`, { headers: { authorization: 'Bearer test-token-0123456789' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');
    const held = readdirSync(`/proc/${run.pid}/fd`).map((fd) => { try { return readlinkSync(`/proc/${run.pid}/fd/${fd}`); } catch { return ''; } });
    expect(held).toContain(`${binary} (deleted)`);
    await until(() => { try { return readdirSync(folder).includes('fds'); } catch { return false; } }, 'the app to list its descriptors');
    run.kill('SIGTERM');
    const result = await run;
    expect(result.exitCode).toBe(143);
    expect(readFileSync(join(folder, 'fds'), 'utf8')).not.toContain(binary);
  });
});

describe("a web interface whose code cannot be read (a bundle file written over in place, as `cp NEW OLD` does)", () => {
  it('closes its connections and says why once; procwarden, the app and the control socket go on', async () => {
    const { folder, binary } = copyAsBuilt();
    // The web interface's code made unreadable in the file itself: its base64 made zeros,
    // which brotli refuses, whether it is read from memory or from the file.
    const text = readFileSync(binary, 'latin1');
    const indexAt = text.lastIndexOf('/*procwarden-index:') + '/*procwarden-index:'.length;
    const index = JSON.parse(text.slice(indexAt, text.indexOf('*', indexAt))) as { start: number; payloads: Record<string, [number, number, string]> };
    const [offset, length] = index.payloads['web']!;
    const bytes = readFileSync(binary);
    bytes.fill('A', index.start + offset, index.start + offset + length);
    writeFileSync(binary, bytes);
    const state = join(folder, 'state');
    const run = runPlain(['--', 'sleep', '1000'], { binary, cwd: folder, env: { PROCWARDEN_STATE_DIR: state, PROCWARDEN_HTTP: '127.0.0.1:0', PROCWARDEN_LOG_LEVEL: 'info' } });
    const stderr = stderrSoFar(run);
    await until(() => eventsNamed(stderr(), 'http.listening').length > 0, 'the web interface to listen');
    const { port } = eventsNamed(stderr(), 'http.listening')[0]!;
    for (let i = 0; i < 2; i++) await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    await until(() => eventsNamed(stderr(), 'procwarden.warning').some(({ detail }) => String(detail).startsWith('no web interface:')), 'the warning');
    expect(eventsNamed(stderr(), 'procwarden.warning').filter(({ detail }) => String(detail).startsWith('no web interface:'))).toHaveLength(1);
    const status = await runTracked(binary, ['status'], { env: { PROCWARDEN_STATE_DIR: state } });
    expect(status.exitCode, status.stderr).toBe(0);
    expect(status.stdout).toContain('state: running');
    run.kill('SIGTERM');
    expect((await run).exitCode).toBe(143);
  });
});
