// The libc calls procwarden needs, loaded once: the one entry point main() uses, whatever
// carries them underneath.

import { bindKoffiLibc } from './koffi-libc.ts';
import type { KoffiApi } from './koffi-loader.ts';
import { bindLibc, type Libc, type LibcAddon } from './libc.ts';
import { loadNative, NativeLoadError } from './native-cache.ts';

export { NativeLoadError };

/** Set at build: which native code the bundle carries ('addon', or 'koffi' for bench/'s A/B). */
declare const PROCWARDEN_NATIVE: string;

/** Loads procwarden's native code (kept in `stateDir`, see native-cache.ts). Throws NativeLoadError when no folder lets it run. */
export function loadLibc(stateDir: string): Libc {
  if (PROCWARDEN_NATIVE === 'koffi') return bindKoffiLibc(loadNative<KoffiApi>(stateDir, 'koffi'));
  return bindLibc(loadNative<LibcAddon>(stateDir, 'libc'));
}
