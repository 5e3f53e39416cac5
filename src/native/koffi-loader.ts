// Loads koffi's native part, which travels inside dist/procwarden as a payload
// (src/bundle/payloads.ts), so the bundle needs no node_modules beside it.
//
// The first start writes it into procwarden's state dir and loads it from there; later
// starts (a restarted container keeps its writable layer) load that copy directly, after
// checking that nobody but procwarden's user could have written it. When the state dir
// cannot hold it, a fresh private folder in /run, /tmp or /dev/shm is used, and removed
// at once (the mapping outlives the file).

import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as Koffi from 'koffi';
import { readPayload } from '../bundle/payloads.ts';
import { makeDirs } from '../filesystem/make-dirs.ts';
import { privateEntry } from '../filesystem/private.ts';

export type KoffiApi = typeof Koffi;

/** Identifies the embedded native file: its size and the start of its SHA-256 (set at build). */
declare const PROCWARDEN_NATIVE_ID: string;
declare const PROCWARDEN_NATIVE_SIZE: number;

export class NativeLoadError extends Error {
  constructor(readonly tried: readonly { dir: string; reason: string }[]) {
    super(
      `cannot load native code: no folder allows writing and executing it (tried ${tried
        .map(({ dir, reason }) => `${dir}: ${reason}`)
        .join('; ')}); give procwarden one, e.g. docker run --tmpfs /run:exec, or set PROCWARDEN_STATE_DIR`,
    );
  }
}

export function loadKoffi(stateDir: string): KoffiApi {
  const cacheDir = join(stateDir, 'native');
  const cached = join(cacheDir, `koffi-${PROCWARDEN_NATIVE_ID}.node`);
  const cacheIsPrivate = () => privateEntry(stateDir, 'directory') !== undefined && privateEntry(cacheDir, 'directory') !== undefined;
  if (cacheIsPrivate() && privateEntry(cached, 'file')?.size === PROCWARDEN_NATIVE_SIZE) {
    try {
      return dlopen(cached);
    } catch {
      // A damaged copy: written again below.
    }
  }

  const bytes = readPayload('koffi');
  const tried: { dir: string; reason: string }[] = [];
  try {
    makeDirs(cacheDir);
    if (!cacheIsPrivate()) throw new Error('not private to procwarden');
    // Written aside and renamed, so that a concurrent start never loads half a file.
    const partial = `${cached}.${process.pid}`;
    writeFileSync(partial, bytes, { mode: 0o500 });
    renameSync(partial, cached);
    return dlopen(cached);
  } catch (error) {
    tried.push({ dir: cacheDir, reason: shortReason(error) });
  }

  for (const dir of [...new Set(['/run', tmpdir(), '/tmp', '/dev/shm'])]) {
    let folder: string | undefined;
    try {
      folder = mkdtempSync(join(dir, 'procwarden-'));
      const file = join(folder, 'koffi.node');
      writeFileSync(file, bytes, { mode: 0o500 });
      return dlopen(file);
    } catch (error) {
      tried.push({ dir, reason: shortReason(error) });
    } finally {
      if (folder) rmSync(folder, { recursive: true, force: true });
    }
  }
  throw new NativeLoadError(tried);
}

function dlopen(file: string): KoffiApi {
  const module = { exports: {} as KoffiApi };
  process.dlopen(module, file);
  return module.exports;
}

function shortReason(error: unknown): string {
  const { code, message } = error as NodeJS.ErrnoException;
  if (code && code !== 'ERR_DLOPEN_FAILED') return code;
  return /failed to map segment/.test(message) ? 'mounted noexec' : (message.split('\n')[0] ?? 'failed');
}
