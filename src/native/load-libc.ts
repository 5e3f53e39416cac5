// The libc calls procwarden needs, loaded once: the one entry point main() uses, whatever
// carries them underneath.

import { bindLibc, type Libc, type LibcAddon } from './libc.ts';
import { loadNative, NativeLoadError } from './native-cache.ts';

export { NativeLoadError };

/** Loads procwarden's native addon (kept in `stateDir`, see native-cache.ts). Throws NativeLoadError when no folder lets it run. */
export function loadLibc(stateDir: string): Libc {
  return bindLibc(loadNative<LibcAddon>(stateDir, 'libc'));
}
