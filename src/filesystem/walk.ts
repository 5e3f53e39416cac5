// The one walker the snapshot and the reset share: folder by folder through descriptors
// opened without following links, names as bytes. Symlinks are never followed, other
// filesystems (volumes, secrets, a tmpfs) and bind mounts (of a folder or of a file) are
// never entered nor touched, excluded globs and procwarden's own state dir are left alone.
//
// A folder is opened by name relative to its parent's descriptor with O_NOFOLLOW and
// O_DIRECTORY, and its device and inode compared with what the parent's listing saw: a
// folder swapped for a symlink (or for another folder) between the listing and the open
// makes the open fail, and the walk can never be led out of its root. Its cost is one open
// descriptor a level of depth, so depth is bounded by the descriptor limit, not PATH_MAX.

import { closeSync, constants, readFileSync } from 'node:fs';
import { matchesGlob } from 'node:path';
import { AT_REMOVEDIR, check, statAt, type FsAddon, type RawStat } from '../native/fs-calls.ts';
import { kindOf, type EntryKind } from './entry.ts';
import { mountPointsBelow, parseMountPoints } from './mounts.ts';

const { O_RDONLY, O_DIRECTORY, O_NOFOLLOW } = constants;
export const FOLDER_FLAGS = O_RDONLY | O_DIRECTORY | O_NOFOLLOW;

export interface Boundaries {
  /** The root's device: an entry on another is a mount point, left alone. */
  readonly rootDev: number;
  /** `dev:ino` of folders never entered or touched: the state dir and its snapshots. */
  readonly skipIds: ReadonlySet<string>;
  /**
   * Mount points below the root, by the absolute byte-string path of the folder holding each:
   * their names there (mounts.ts). A bind mount from the root's own filesystem shares its
   * device: only its path tells it.
   */
  readonly mountsIn: ReadonlyMap<string, ReadonlySet<string>>;
  /** Globs (byte strings) matched against absolute paths. */
  readonly exclude: readonly string[];
}

/** An entry of a folder's listing. */
export class Child {
  /** Byte string. */
  readonly name: string;
  readonly stat: RawStat;
  readonly kind: EntryKind | 'socket' | undefined;
  constructor(name: string, stat: RawStat, kind: EntryKind | 'socket' | undefined) {
    this.name = name;
    this.stat = stat;
    this.kind = kind;
  }
  /** The name as the calls take it; made only for the few entries a call needs. */
  get bytes(): Buffer {
    return Buffer.from(this.name, 'latin1');
  }
}

export interface Listing {
  /** What the walk handles, in name (byte) order. */
  readonly children: Child[];
  /** The names of the entries left alone here (mount points, excluded paths, the state dir). */
  readonly leftAlone: string[];
}

/** `dev:ino`, the identity boundaries compare. */
export const identity = (stat: Pick<RawStat, 'dev' | 'ino'>) => `${stat.dev}:${stat.ino}`;

/** Mount points of this mount namespace (from /proc/self/mountinfo), as byte strings. */
export function mountPoints(): string[] {
  return parseMountPoints(readFileSync('/proc/self/mountinfo', 'latin1'));
}

/** The boundaries of a walk of `root` (absolute byte string) on device `rootDev`, with the mount points there now. */
export function boundariesFor(root: string, rootDev: number, skipIds: ReadonlySet<string>, exclude: readonly string[]): Boundaries {
  return { rootDev, skipIds, mountsIn: mountPointsBelow(mountPoints(), root), exclude };
}

/** Boundaries that leave nothing alone but other filesystems: for procwarden's own folders. */
export const ownFolderBoundaries = (rootDev: number): Boundaries => ({ rootDev, skipIds: new Set(), mountsIn: new Map(), exclude: [] });

/**
 * The entries of the open folder `dirFd` (at absolute byte-string path `dirPath`) the walk
 * handles, each with its lstat. Throws FsError when the folder cannot be read.
 */
export function listFolder(fs: FsAddon, dirFd: number, dirPath: string, boundaries: Boundaries): Listing {
  const [joined, stats] = check(fs.fsScan(dirFd), `read folder ${dirPath}`);
  const names = joined === '' ? [] : joined.slice(0, -1).split('\0');
  const children: Child[] = [];
  const leftAlone: string[] = [];
  const { skipIds, exclude, rootDev } = boundaries;
  const mounted = boundaries.mountsIn.get(dirPath);
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    const stat = statAt(stats, i);
    const kind = kindOf(stat.mode);
    const leave =
      stat.dev !== rootDev ||
      mounted?.has(name) === true ||
      (kind === 'dir' && skipIds.has(identity(stat))) ||
      (exclude.length > 0 && exclude.some((glob) => matchesGlob(`${dirPath}/${name}`, glob)));
    if (leave) leftAlone.push(name);
    else children.push(new Child(name, stat, kind));
  }
  return { children, leftAlone };
}

/** A folder that is no longer the one its listing saw. */
export class ChangedError extends Error {
  readonly code = 'ECHANGED';
}

/**
 * Opens folder `name` below `dirFd` without following links; when `expected` is given, it
 * must still be that folder (device and inode), else ChangedError. Throws FsError (ELOOP,
 * ENOTDIR...) when it is not a folder.
 */
export function openFolder(fs: FsAddon, dirFd: number, name: Buffer, expected?: Pick<RawStat, 'dev' | 'ino'>): number {
  const fd = check(fs.fsOpenAt(dirFd, name, FOLDER_FLAGS), 'open folder');
  if (expected) {
    const now = statAt(check(fs.fsStatAt(fd, null), 'stat folder'));
    if (now.dev !== expected.dev || now.ino !== expected.ino) {
      closeSync(fd);
      throw new ChangedError('changed while procwarden read it');
    }
  }
  return fd;
}

/**
 * Every entry below the open folder `rootFd` (absolute byte-string path `rootPath`), folder
 * by folder: `enter(relative)` for a folder ('' for the root), then `visit(path, child,
 * dirFd)` for each entry in it in name (byte) order, with `path` relative to the root and
 * `dirFd` the open folder holding it (valid during the call only); then the same for each of
 * its folders. Parents come before children, and each folder's entries together. Sockets
 * and entries of no kind are visited too (kind 'socket' or undefined): the caller decides.
 * A loop over a stack of open folders, not a recursion: any depth. Throws what listing or
 * opening a folder throws.
 */
export function walkTree(
  fs: FsAddon,
  rootFd: number,
  rootPath: string,
  boundaries: Boundaries,
  visit: (path: string, child: Child, dirFd: number) => void,
  enter: (relative: string) => void = () => undefined,
): void {
  interface Frame {
    readonly fd: number;
    readonly relative: string;
    readonly folders: Child[];
    next: number;
  }
  const list = (frame: Frame): Frame => {
    enter(frame.relative);
    const { children } = listFolder(fs, frame.fd, frame.relative === '' ? rootPath : `${rootPath}/${frame.relative}`, boundaries);
    for (const child of children) {
      visit(frame.relative === '' ? child.name : `${frame.relative}/${child.name}`, child, frame.fd);
      if (child.kind === 'dir') frame.folders.push(child);
    }
    return frame;
  };
  const stack = [list({ fd: rootFd, relative: '', folders: [], next: 0 })];
  try {
    while (stack.length > 0) {
      const top = stack.at(-1)!;
      const child = top.folders[top.next++];
      if (!child) {
        stack.pop();
        if (top.fd !== rootFd) closeSync(top.fd);
        continue;
      }
      const fd = openFolder(fs, top.fd, child.bytes, child.stat);
      const frame: Frame = { fd, relative: top.relative === '' ? child.name : `${top.relative}/${child.name}`, folders: [], next: 0 };
      stack.push(frame);
      list(frame);
    }
  } finally {
    for (const frame of stack) if (frame.fd !== rootFd) closeSync(frame.fd);
  }
}

/**
 * Removes folder `name` below `parentFd` (at absolute byte-string path `path`) and everything
 * in it the boundaries let the walk handle, each removal relative to a folder opened without
 * following links: a folder swapped for a symlink mid-way makes it fail, never escape.
 * `expected`: the folder the caller's listing saw (else ChangedError). Returns how many
 * entries it removed; a folder that keeps something left alone (a mount point, an excluded
 * path) stays, and that is no error. Throws FsError or ChangedError.
 */
export function removeTree(fs: FsAddon, parentFd: number, name: Buffer, path: string, boundaries: Boundaries, expected?: Pick<RawStat, 'dev' | 'ino'>): number {
  interface Frame {
    readonly parentFd: number;
    readonly name: Buffer;
    readonly path: string;
    readonly fd: number;
    readonly children: Child[];
    next: number;
    /** Entries left alone in it: its removal may then fail, and that is no error. */
    kept: number;
  }
  const open = (parent: number, folder: Buffer, at: string, seen?: Pick<RawStat, 'dev' | 'ino'>): Frame => {
    const fd = openFolder(fs, parent, folder, seen);
    try {
      const { children, leftAlone } = listFolder(fs, fd, at, boundaries);
      return { parentFd: parent, name: folder, path: at, fd, children, next: 0, kept: leftAlone.length };
    } catch (error) {
      closeSync(fd);
      throw error;
    }
  };
  let removed = 0;
  // A loop over a stack of open folders, not a recursion: any depth.
  const stack = [open(parentFd, name, path, expected)];
  try {
    while (stack.length > 0) {
      const top = stack.at(-1)!;
      const child = top.children[top.next++];
      if (child) {
        if (child.kind === 'dir') stack.push(open(top.fd, child.bytes, `${top.path}/${child.name}`, child.stat));
        else {
          check(fs.fsUnlinkAt(top.fd, child.bytes, 0), 'unlink');
          removed += 1;
        }
        continue;
      }
      stack.pop();
      closeSync(top.fd);
      const result = fs.fsUnlinkAt(top.parentFd, top.name, AT_REMOVEDIR);
      // EBUSY: a mount point; ENOTEMPTY: something left alone below it.
      if (result === 0) removed += 1;
      else if (result === -16 || (result === -39 && top.kept > 0)) {
        if (stack.length > 0) stack.at(-1)!.kept += 1;
      } else check(result, 'remove folder');
    }
  } finally {
    for (const frame of stack) closeSync(frame.fd);
  }
  return removed;
}
