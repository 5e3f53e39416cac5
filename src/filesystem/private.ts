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
  const rightKind = kind === 'directory' ? stats.isDirectory() : stats.isFile();
  return rightKind && stats.uid === process.geteuid!() && (stats.mode & 0o022) === 0 ? stats : undefined;
}

/** A folder of procwarden's user that nobody else may write to, made (mode 0700) if missing. */
export function privateDir(dir: string): boolean {
  try {
    makeDirs(dir);
  } catch {
    return false;
  }
  return privateEntry(dir, 'directory') !== undefined;
}
