// What procwarden may trust on disk: an entry owned by its own user that nobody else can
// write to, and not a symlink. Its native code and its control socket live only in such
// folders.

import { lstatSync, type Stats } from 'node:fs';
import { makeDirs } from './make-dirs.ts';

/** The entry's stats when it is a `kind` of procwarden's user, writable by nobody else; else undefined. */
export function privateEntry(path: string, kind: 'directory' | 'file'): Stats | undefined {
  let stats: Stats;
  try {
    stats = lstatSync(path);
  } catch {
    return undefined;
  }
  return whyNotPrivate(stats, kind === 'directory' ? 0o040000 : 0o100000, process.geteuid!()) === undefined ? stats : undefined;
}

/**
 * Why an entry (`stat`: its st_mode and owner) is not a private `format` (S_IFDIR 0o040000,
 * S_IFREG 0o100000) of user `uid`: its kind, its owner or who may write to it; undefined
 * when it is. The same check for a path (privateEntry) and an open descriptor.
 */
export function whyNotPrivate(stat: { readonly mode: number; readonly uid: number }, format: number, uid: number): string | undefined {
  if ((stat.mode & 0o170000) !== format) return format === 0o040000 ? 'not a folder' : 'not a regular file';
  if (stat.uid !== uid) return `owned by uid ${stat.uid}, not procwarden's ${uid}`;
  if ((stat.mode & 0o022) !== 0) return `writable by others (mode ${(stat.mode & 0o7777).toString(8)})`;
  return undefined;
}

/** A folder of procwarden's user that nobody else may write to, made (mode 0700) if missing. */
export function privateDir(dir: string): boolean {
  return whyNotPrivateDir(dir) === undefined;
}

/**
 * Why `dir` is not a folder of procwarden's user that nobody else may write to, after making
 * it (mode 0700) if missing; undefined when it is. `exists` false: it could not be made
 * (`reason` names the error: EACCES, EROFS ...).
 */
export function whyNotPrivateDir(dir: string): { readonly exists: boolean; readonly reason: string } | undefined {
  try {
    makeDirs(dir);
  } catch (error) {
    return { exists: false, reason: `it cannot be made: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` };
  }
  let stats: Stats;
  try {
    stats = lstatSync(dir);
  } catch (error) {
    return { exists: false, reason: `it cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` };
  }
  const why = whyNotPrivate(stats, 0o040000, process.geteuid!());
  return why === undefined ? undefined : { exists: true, reason: why };
}
