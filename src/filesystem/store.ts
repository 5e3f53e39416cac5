// Where snapshots live, and what procwarden trusts of them. The state dir and every snapshot
// in it are opened without following links and trusted only when private to procwarden
// (its user's, writable by nobody else: private.ts); every file of a snapshot is opened
// relative to its folder's descriptor, with O_NOFOLLOW, and checked the same way.
//
// One snapshot per procwarden: the build-time one (`snapshot`, from `procwarden snapshot`)
// is shared-locked (flock) by every procwarden that uses it, and replaced only under an
// exclusive lock, by a new folder renamed into place, never rewritten. One taken at start or
// live is exclusively locked by its procwarden for its life: in `snapshot` when that is free
// (or a dead procwarden's), else in a folder of its own (`snapshot-start-<pid>-<n>`); one
// whose lock nobody holds is a dead procwarden's, removed. Who takes which folder is decided
// under a lock on the state dir itself.

import { closeSync, constants } from 'node:fs';
import { AT_FDCWD, check, LOCK_EX, LOCK_NB, LOCK_SH, statAt, type FsAddon, type RawStat } from '../native/fs-calls.ts';
import { makeDirs } from './make-dirs.ts';
import { whyNotPrivate } from './private.ts';
import { FOLDER_FLAGS, ownFolderBoundaries, removeTree } from './walk.ts';

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;

/** The build-time snapshot's folder name in the state dir. */
export const BUILD_SNAPSHOT = 'snapshot';
/** Folders of snapshots taken at start or live: `snapshot-<source>-<pid>-<n>`. */
const OWN_SNAPSHOT = /^snapshot-(start|live)-\d+-\d+$/;

const bytes = (name: string) => Buffer.from(name, 'latin1');

/** The state dir, made (0700) if missing, open; throws when it is not private to procwarden. */
export function openStateDir(fs: FsAddon, stateDir: string): { readonly fd: number; readonly stat: RawStat } {
  makeDirs(stateDir);
  const fd = check(fs.fsOpenAt(AT_FDCWD, bytes(stateDir), FOLDER_FLAGS), `open the state dir ${stateDir}`);
  const stat = statAt(check(fs.fsStatAt(fd, null), 'stat the state dir'));
  const why = whyNotPrivate(stat, S_IFDIR, process.geteuid!());
  if (why) {
    closeSync(fd);
    throw new Error(`the state dir ${stateDir} is not private to procwarden (${why}): no snapshot is kept or trusted there`);
  }
  return { fd, stat };
}

/**
 * Opens `name` below `dirFd` without following links, as a private folder or regular file
 * (`format`); throws, saying why, when it is not one. The caller closes the descriptor.
 */
export function openPrivate(fs: FsAddon, dirFd: number, name: string, format: 'folder' | 'file', what: string): { readonly fd: number; readonly stat: RawStat } {
  const flags = format === 'folder' ? FOLDER_FLAGS : constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
  const fd = check(fs.fsOpenAt(dirFd, bytes(name), flags), `open ${what}`);
  const stat = statAt(check(fs.fsStatAt(fd, null), `stat ${what}`));
  const why = whyNotPrivate(stat, format === 'folder' ? S_IFDIR : S_IFREG, process.geteuid!());
  if (why) {
    closeSync(fd);
    throw new Error(`${what} is not private to procwarden (${why})`);
  }
  return { fd, stat };
}

/** flock on `fd`: true when taken, false when another holds it (`wait` false). */
export function lock(fs: FsAddon, fd: number, exclusive: boolean): boolean {
  const result = fs.fsLock(fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB);
  if (result === -11) return false;
  check(result, 'lock the snapshot');
  return true;
}

/**
 * Removes the snapshot folders of procwardens that are gone (their lock free) from the state
 * dir; a snapshot a running procwarden holds is left alone.
 */
export function removeDeadSnapshots(fs: FsAddon, stateFd: number, stateDir: string): void {
  const scanned = fs.fsScan(stateFd);
  if (typeof scanned === 'number') return;
  for (const name of scanned[0].split('\0')) {
    if (!OWN_SNAPSHOT.test(name) && !name.startsWith(`${BUILD_SNAPSHOT}.`)) continue;
    const fd = fs.fsOpenAt(stateFd, bytes(name), FOLDER_FLAGS);
    if (fd < 0) continue;
    try {
      if (lock(fs, fd, true)) removeFolder(fs, stateFd, stateDir, name);
    } finally {
      closeSync(fd);
    }
  }
}

/** A fresh folder (0700) of this procwarden's in the state dir, named `prefix-<pid>-<n>`. */
export function makeOwnFolder(fs: FsAddon, stateFd: number, prefix: string): string {
  for (let n = 0; ; n++) {
    const name = `${prefix}-${process.pid}-${n}`;
    const made = fs.fsMkdirAt(stateFd, bytes(name), 0o700);
    if (made === 0) return name;
    if (made !== -17) check(made, `make ${name}`);
  }
}

/** Removes folder `name` of the state dir and what it holds (a failed or replaced snapshot), by descriptor. */
export function removeFolder(fs: FsAddon, stateFd: number, stateDir: string, name: string): void {
  const stat = fs.fsStatAt(stateFd, bytes(name));
  if (typeof stat === 'number') return;
  const boundaries = ownFolderBoundaries(statAt(stat).dev);
  try {
    removeTree(fs, stateFd, bytes(name), `${stateDir}/${name}`, boundaries, statAt(stat));
  } catch {
    // What could not be removed stays; a later start removes it (removeDeadSnapshots).
  }
}
