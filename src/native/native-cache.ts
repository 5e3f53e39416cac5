// Loads procwarden's native code, which travels inside dist/procwarden and the standalone
// executable as a payload (src/bundle/payloads.ts), so that nothing needs installing beside
// them. Node can load native code only from a file (process.dlopen), so it is written to one.
//
// The first start writes it into procwarden's state dir and loads it from there; later
// starts (a restarted container keeps its writable layer) load that copy directly, after
// checking that nobody but procwarden's user could have written it. A process that is given
// the configured state dir (PROCWARDEN_STATE_DIR) when its user cannot have it (`procwarden
// check`, the linter procwarden runs at start) looks in that user's own state dir too,
// `<temporary folder>/procwarden-<uid>` (state-dir.ts), when it exists: a procwarden not run
// as root keeps its state there, and has written the native code there already. When no
// state dir can hold it, a fresh private folder in /run, /tmp or /dev/shm is used, and
// removed at once (the mapping outlives the file); that changes the folder's own time, and
// /tmp is a wipe root by default, whose time a procwarden not run as root may not set back.

import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readPayload, type NativePayloadName } from '../bundle/payloads.ts';
import { makeDirs } from '../filesystem/make-dirs.ts';
import { privateEntry } from '../filesystem/private.ts';
import { fallbackStateDir } from '../filesystem/state-dir.ts';

/** Identifies the embedded native file: its size and the start of its SHA-256 (set at build). */
declare const PROCWARDEN_NATIVE_ID: string;
declare const PROCWARDEN_NATIVE_SIZE: number;

export class NativeLoadError extends Error {
  readonly tried: readonly { dir: string; reason: string }[];
  constructor(tried: readonly { dir: string; reason: string }[]) {
    super(
      `cannot load native code: no folder allows writing and executing it (tried ${tried
        .map(({ dir, reason }) => `${dir}: ${reason}`)
        .join('; ')}); give procwarden one, e.g. docker run --tmpfs /run:exec, or set PROCWARDEN_STATE_DIR`,
    );
    this.tried = tried;
  }
}

/**
 * The exports of the native payload `name`, loaded from `<state dir>/native/<name>-<id>.node`
 * (written there first when missing, damaged or not private to procwarden's user), where the
 * state dir is `stateDir`, else its user's own one when that exists (ownStateDir); else from
 * a temporary private folder. Throws NativeLoadError, naming each folder tried and why it
 * failed, when no folder lets it be written and executed.
 */
export function loadNative<T>(stateDir: string, name: NativePayloadName): T {
  const tried: { dir: string; reason: string }[] = [];
  let read: Buffer | undefined;
  const payload = () => (read ??= readPayload(name));
  let loaded = loadInStateDir<T>(stateDir, name, payload, tried);
  if (!loaded) {
    const own = ownStateDir(stateDir);
    if (own !== undefined) loaded = loadInStateDir<T>(own, name, payload, tried);
  }
  if (loaded) return loaded.exports;

  for (const dir of [...new Set(['/run', tmpdir(), '/tmp', '/dev/shm'])]) {
    let folder: string | undefined;
    try {
      folder = mkdtempSync(join(dir, 'procwarden-'));
      const file = join(folder, `${name}.node`);
      writeFileSync(file, payload(), { mode: 0o500 });
      return dlopen<T>(file);
    } catch (error) {
      tried.push({ dir, reason: shortReason(error) });
    } finally {
      if (folder) rmSync(folder, { recursive: true, force: true });
    }
  }
  throw new NativeLoadError(tried);
}

/**
 * The state dir of procwarden's user (fallbackStateDir) when it is not `stateDir` and exists
 * as a private folder, else undefined. Never made here: only a procwarden that resolved its
 * state dir to it (state-dir.ts) makes it, before it takes a snapshot.
 */
function ownStateDir(stateDir: string): string | undefined {
  const own = fallbackStateDir();
  return own !== stateDir && privateEntry(own, 'directory') !== undefined ? own : undefined;
}

/**
 * The payload `name` loaded from the native cache of `stateDir`: the copy there when it is
 * private and whole, else one written there (`payload`: its bytes); undefined when neither
 * works (why is added to `tried`).
 */
function loadInStateDir<T>(stateDir: string, name: NativePayloadName, payload: () => Buffer, tried: { dir: string; reason: string }[]): { exports: T } | undefined {
  const cacheDir = join(stateDir, 'native');
  const cached = join(cacheDir, `${name}-${PROCWARDEN_NATIVE_ID}.node`);
  const cacheIsPrivate = () => privateEntry(stateDir, 'directory') !== undefined && privateEntry(cacheDir, 'directory') !== undefined;
  if (cacheIsPrivate() && privateEntry(cached, 'file')?.size === PROCWARDEN_NATIVE_SIZE) {
    try {
      return { exports: dlopen<T>(cached) };
    } catch {
      // A damaged copy: written again below.
    }
  }
  try {
    makeDirs(cacheDir);
    if (!cacheIsPrivate()) throw new Error('not private to procwarden');
    // Written aside and renamed, so that a concurrent start never loads half a file.
    const partial = `${cached}.${process.pid}`;
    writeFileSync(partial, payload(), { mode: 0o500 });
    renameSync(partial, cached);
    return { exports: dlopen<T>(cached) };
  } catch (error) {
    tried.push({ dir: cacheDir, reason: shortReason(error) });
    return undefined;
  }
}

function dlopen<T>(file: string): T {
  const module = { exports: {} as T };
  process.dlopen(module, file);
  return module.exports;
}

function shortReason(error: unknown): string {
  const { code, message } = error as NodeJS.ErrnoException;
  if (code && code !== 'ERR_DLOPEN_FAILED') return code;
  return /failed to map segment/.test(message) ? 'mounted noexec' : (message.split('\n')[0] ?? 'failed');
}
