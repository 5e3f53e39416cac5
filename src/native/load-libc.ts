// The libc calls procwarden needs, loaded once: the one entry point main() uses, whatever
// carries them underneath.

import { bindLibc, type Libc, type LibcAddon } from './libc.ts';
import type { FsAddon } from './fs-calls.ts';
import { loadNative, NativeLoadError } from './native-cache.ts';

export { NativeLoadError };

/** Loads procwarden's native addon (kept in `stateDir`, see native-cache.ts). Throws NativeLoadError when no folder lets it run. */
export function loadLibc(stateDir: string): Libc {
  return bindLibc(loadAddon(stateDir));
}

/**
 * The filesystem calls of the same addon (fs-calls.ts), for the snapshot and the reset.
 * Throws NativeLoadError when no folder lets it run.
 */
export function loadFsCalls(stateDir: string): FsAddon {
  return loadAddon(stateDir);
}

let addon: (LibcAddon & FsAddon) | undefined;

/**
 * The addon as a caller already loaded it (process.dlopen of dist/native/libc.node): for
 * code run from src/ rather than the bundle (the bench), where the native cache's build-time
 * constants do not exist. Later loadLibc and loadFsCalls calls return it.
 */
export function provideAddon(loaded: LibcAddon & FsAddon): void {
  addon = loaded;
}

/** The addon when something has loaded it already, else undefined: never loads it. */
export function loadedAddon(): (LibcAddon & FsAddon) | undefined {
  return addon;
}

/** The addon, loaded once a process: every later call returns the same exports. */
function loadAddon(stateDir: string): LibcAddon & FsAddon {
  addon ??= loadNative<LibcAddon & FsAddon>(stateDir, 'libc');
  return addon;
}
