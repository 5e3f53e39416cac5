// Loads koffi's native part, which travels inside the bundle as bytes: it is written to a
// fresh private folder, dlopen'ed, and removed at once (the mapping outlives the file), so
// dist/procwarden needs no node_modules beside it and leaves nothing behind.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as Koffi from 'koffi';
import koffiNative from '@koromix/koffi-linux-x64/linux_x64/koffi.node';

export type KoffiApi = typeof Koffi;

export class NativeLoadError extends Error {
  constructor(readonly tried: readonly { dir: string; reason: string }[]) {
    super(
      `cannot load native code: no folder allows writing and executing it (tried ${tried
        .map(({ dir, reason }) => `${dir}: ${reason}`)
        .join('; ')}); give procwarden one, e.g. docker run --tmpfs /run:exec, or set PROCWARDEN_STATE_DIR`,
    );
  }
}

/**
 * Folders to try, in order. A read-only root with a `noexec` /tmp is common in hardened
 * images, so every usual writable place is tried before giving up.
 */
export function candidateDirs(stateDir: string | undefined): string[] {
  const dirs = [stateDir, '/run', tmpdir(), '/tmp', '/dev/shm'].filter((dir): dir is string => !!dir);
  return [...new Set(dirs)];
}

export function loadKoffi(dirs: readonly string[]): KoffiApi {
  const tried: { dir: string; reason: string }[] = [];
  for (const dir of dirs) {
    let folder: string | undefined;
    try {
      folder = mkdtempSync(join(dir, 'procwarden-'));
      const file = join(folder, 'koffi.node');
      writeFileSync(file, koffiNative, { mode: 0o500 });
      const module = { exports: {} as KoffiApi };
      process.dlopen(module, file);
      return module.exports;
    } catch (error) {
      tried.push({ dir, reason: shortReason(error) });
    } finally {
      if (folder) rmSync(folder, { recursive: true, force: true });
    }
  }
  throw new NativeLoadError(tried);
}

function shortReason(error: unknown): string {
  const { code, message } = error as NodeJS.ErrnoException;
  if (code && code !== 'ERR_DLOPEN_FAILED') return code;
  return /failed to map segment/.test(message) ? 'mounted noexec' : (message.split('\n')[0] ?? 'failed');
}
