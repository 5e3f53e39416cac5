import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { BIN, runPlain, runTracked, scratch } from '../support/processes.ts';
import { eventsNamed } from '../support/events.ts';

/**
 * The index at the end of a bundle file (src/bundle/payloads.ts): payload name → [offset in
 * the file, length, encoding].
 */
const indexOf = (file: string): Record<string, [number, number, string]> => {
  const text = readFileSync(file, 'latin1');
  const start = text.lastIndexOf('/*procwarden-index:') + '/*procwarden-index:'.length;
  const index = JSON.parse(text.slice(start, text.indexOf('*', start))) as { start: number; payloads: Record<string, [number, number, string]> };
  return Object.fromEntries(Object.entries(index.payloads).map(([name, [offset, length, encoding]]) => [name, [index.start + offset, length, encoding]]));
};

/**
 * `binary` as a Procfile service (`web: true`; events on a pipe load pino), with a look, at
 * procwarden's _exit, at how V8 took each code cache: name → cachedDataRejected.
 */
async function serviceRun(binary: string) {
  const folder = scratch();
  writeFileSync(join(folder, 'Procfile'), 'web: true\n');
  const report = join(folder, 'report.json');
  const preload = join(folder, 'report.cjs');
  writeFileSync(
    preload,
    `globalThis[Symbol.for('procwarden.beforeExitNow')] = () => require('node:fs').writeFileSync(${JSON.stringify(report)},
      JSON.stringify(Object.fromEntries([...globalThis[Symbol.for('procwarden.codeScripts')]].map(([name, script]) => [name, script.cachedDataRejected]))));`,
  );
  const result = await runTracked(process.execPath, ['--require', preload, binary], {
    cwd: folder,
    env: { PROCWARDEN_STATE_DIR: join(folder, 'state'), PROCWARDEN_AUTORESTART: 'OFF', PROCWARDEN_RECOVERY: 'off', APTIBLE_DO_NOT_WIPE: '1' },
  });
  return { result, rejected: JSON.parse(readFileSync(report, 'utf8')) as Record<string, boolean> };
}

describe('what a start reads of dist/procwarden', () => {
  it("holds none of the linter's code: its rules travel in the lint payload, which only procwarden check reads", () => {
    const index = indexOf(BIN);
    const payload = (name: string) => {
      const [offset, length, encoding] = index[name]!;
      const data = readFileSync(BIN).toString('latin1', offset, offset + length);
      return encoding === 'text' ? data : brotliDecompressSync(Buffer.from(data, 'base64')).toString('utf8');
    };
    expect(payload('lint')).toContain('goes to the background unless told');
    expect(payload('code')).not.toContain('goes to the background unless told');
  });
});

describe('dist/procwarden code caches', () => {
  it('are accepted by the Node that built them: procwarden and pino start without compiling what the build run compiled', async () => {
    expect(Object.keys(indexOf(BIN))).toEqual(expect.arrayContaining(['code', 'code-cache', 'pino', 'pino-cache']));
    const { result, rejected } = await serviceRun(BIN);
    expect(result.exitCode).toBe(0);
    expect(eventsNamed(result.stderr, 'container.started')).toHaveLength(1);
    expect(rejected).toEqual({ code: false, pino: false });
  });

  it('that do not fit (another Node, other V8 flags) are passed over: procwarden compiles its code and runs as ever', async () => {
    const copy = join(scratch(), 'procwarden');
    copyFileSync(BIN, copy);
    copyFileSync(join(BIN, '..', 'package.json'), join(copy, '..', 'package.json'));
    const bytes = readFileSync(copy);
    // A cache's first bytes are V8's magic number: base64 of other bytes there is a cache of no V8.
    for (const name of ['code-cache', 'pino-cache']) bytes.write('AAAAAAAA', indexOf(copy)[name]![0], 'latin1');
    writeFileSync(copy, bytes, { mode: 0o755 });
    const oneOff = await runPlain(['--', 'sh', '-c', 'exit 3'], { binary: copy });
    expect(oneOff.exitCode).toBe(3);
    expect(oneOff.stderr).toBe('');
    const { result, rejected } = await serviceRun(copy);
    expect(result.exitCode).toBe(0);
    expect(eventsNamed(result.stderr, 'container.exited')).toHaveLength(1);
    expect(rejected).toEqual({ code: true, pino: true });
  });
});
