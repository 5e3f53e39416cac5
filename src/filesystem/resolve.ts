// The wipe roots and the state dir as the filesystem has them, resolved once at
// configuration: a wipe path that is a symlink (or has one on its way) becomes the folder it
// leads to, `//`, `/./` and trailing slashes go, and a root inside another is covered by it.
// The checks that follow (never /, /proc, /sys, /dev) look at the resolved path, not at the
// string the operator wrote.

import { realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { usableStateDir } from './state-dir.ts';

export type WipeSettings =
  | { readonly roots: readonly string[]; readonly stateDir: string }
  | { readonly error: string; readonly variable: 'PROCWARDEN_WIPE_PATHS' | 'PROCWARDEN_STATE_DIR' };

const KERNEL_FILESYSTEMS = ['/proc', '/sys', '/dev'];

/** True for /, and for /proc, /sys, /dev and anything below them. */
export function neverAWipeRoot(resolved: string): boolean {
  return resolved === '/' || KERNEL_FILESYSTEMS.some((top) => resolved === top || resolved.startsWith(`${top}/`));
}

/**
 * The path with every symlink on it resolved (realpath); for a path that does not exist (yet),
 * its deepest existing folder resolved and the rest appended.
 */
export function resolvedPath(path: string): string {
  const absolute = resolve(path);
  try {
    return realpathSync.native(absolute);
  } catch {
    const parent = dirname(absolute);
    return parent === absolute ? absolute : join(resolvedPath(parent), absolute.slice(parent === '/' ? 1 : parent.length + 1));
  }
}

/**
 * The wipe paths (absolute, as configured) and the state dir resolved: roots in the given
 * order, without duplicates (a root inside another stays: `outermost` drops it for a walk). An error (with the variable to name
 * in the usage message, exit 2) when a path resolves to /, /proc, /sys, /dev or below, or to
 * the state dir or a folder inside it.
 */
export function resolveWipeSettings(wipePaths: readonly string[], stateDir: string): WipeSettings {
  const state = resolvedPath(stateDir);
  const resolved: string[] = [];
  for (const given of wipePaths) {
    const root = resolvedPath(given);
    const shown = root === resolve(given) ? `'${given}'` : `'${given}' (which resolves to '${root}')`;
    if (neverAWipeRoot(root)) return { variable: 'PROCWARDEN_WIPE_PATHS', error: `PROCWARDEN_WIPE_PATHS: ${shown} can never be wiped (nor can /, /proc, /sys or /dev)` };
    if (root === state || root.startsWith(`${state}/`)) {
      return { variable: 'PROCWARDEN_WIPE_PATHS', error: `PROCWARDEN_WIPE_PATHS: ${shown} is procwarden's state dir or inside it (PROCWARDEN_STATE_DIR=${stateDir})` };
    }
    resolved.push(root);
  }
  return { roots: [...new Set(resolved)], stateDir: state };
}

/**
 * The wipe settings as configured, resolved (resolveWipeSettings), with the state dir
 * procwarden can use (state-dir.ts: made if missing, else one of its user's own). A default
 * path (the working directory, /tmp: `byDefault`) that resolves to a path never wiped is
 * left out with a warning rather than refused, as the unresolved one is by configuration.
 */
export function resolveWipePaths(settings: { readonly wipePaths: readonly string[]; readonly wipePathsByDefault: boolean; readonly stateDir: string }):
  | { readonly wipePaths: readonly string[]; readonly stateDir: string; readonly warnings: readonly string[] }
  | { readonly error: string } {
  const warnings: string[] = [];
  // Resolved first: a state dir given through a symlink is the folder it leads to.
  const state = usableStateDir(resolvedPath(settings.stateDir));
  if (state.warning !== undefined) warnings.push(state.warning);
  const paths = settings.wipePaths.filter((path) => {
    const resolved = resolvedPath(path);
    if (!settings.wipePathsByDefault || !neverAWipeRoot(resolved)) return true;
    warnings.push(`${path} resolves to ${resolved}, which is never wiped: it is left out of the wipe paths (set PROCWARDEN_WIPE_PATHS)`);
    return false;
  });
  const resolved = resolveWipeSettings(paths, state.dir);
  if ('error' in resolved) return { error: resolved.error };
  return { wipePaths: resolved.roots, stateDir: resolved.stateDir, warnings };
}

/** The roots a walk covers: a root inside another is walked as part of the outer one. */
export function outermost(roots: readonly string[]): string[] {
  const inside = (path: string, folder: string) => path.startsWith(folder === '/' ? '/' : `${folder}/`);
  return roots.filter((root) => !roots.some((other) => other !== root && inside(root, other)));
}
