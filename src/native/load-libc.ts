// The libc calls procwarden needs, loaded once: the one entry point main() uses, whatever
// carries them underneath.

import { loadKoffi, NativeLoadError } from './koffi-loader.ts';
import { bindLibc, type Libc } from './libc.ts';

export { NativeLoadError };

/** Loads procwarden's native code (kept in `stateDir`, see koffi-loader.ts). Throws NativeLoadError when no folder lets it run. */
export function loadLibc(stateDir: string): Libc {
  return bindLibc(loadKoffi(stateDir));
}
