// The pristine snapshot (spec section 4): what every wipe root held before the app first
// ran (or at image build, `procwarden snapshot`), kept in procwarden's state dir, which is
// never itself wiped (store.ts: where, locks, what is trusted).
//
// Small files' contents are appended to one pack file, with their offsets in the manifest:
// a snapshot then creates one file, not one a file, and creating files is most of what a
// copy costs (on ext4 here, 0.2 to 0.5 ms each: `cp -a` of 10,000 files took 0.4 to 4.5 s).
// Big files are copies of their own (copy.ts: clones where the filesystem can make them,
// holes kept). The pack's size and SHA-256 are in the manifest, checked before each reset.
//
// Only the snapshot's folder descriptor, its size and its checksum stay in memory while the
// app runs: the manifest is read again at each reset, and dropped after it.

import { closeSync, constants, readSync, writeSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { join } from 'node:path';
import { AT_FDCWD, check, LOCK_EX, LOCK_SH, LOCK_UN, statAt, type FsAddon } from '../native/fs-calls.ts';
import { loadFsCalls } from '../native/load-libc.ts';
import { formatEntry, type Entry } from './entry.ts';
import { copyFileData } from './copy.ts';
import { allocatedBytes, formatBytes, freeSpace, measureRoots, ROOM_ADVICE, SMALL_FILE_BYTES, snapshotNeeds, whyNoRoom } from './snapshot-size.ts';
import { formatEnd, formatFolder, formatHead, formatRoot, parseManifest, type ManifestHead, type SnapshotSource } from './manifest.ts';
import { outermost, resolveWipeSettings } from './resolve.ts';
import { BUILD_SNAPSHOT, lock, makeOwnFolder, openPrivate, openStateDir, removeDeadSnapshots, removeFolder } from './store.ts';
import { boundariesFor, FOLDER_FLAGS, identity, walkTree } from './walk.ts';

export type { SnapshotSource };

export interface Snapshot {
  /** `build`: `procwarden snapshot` in the image; `start`: before the app first ran; `live`: while it ran (a live policy change). */
  readonly source: SnapshotSource;
  /** The wipe roots it holds, resolved. */
  readonly roots: readonly string[];
  /** Entries (files, folders, symlinks, FIFOs, devices) over all its roots. */
  readonly entries: number;
  /** The space it takes in the state dir: its allocated blocks, as du counts them (on a tmpfs, memory). */
  readonly bytes: number;
  /** Its folder, for messages. */
  readonly dir: string;
  /** Its folder, open and locked for procwarden's life. */
  readonly dirFd: number;
  /** `dev:ino` of what a walk leaves alone: the state dir. */
  readonly skipIds: readonly string[];
  /**
   * `dev:ino` of each root a walk starts from (byte-string path: identity), as procwarden saw
   * it when it took the snapshot, or when it started with a build-time one: another mount of
   * the same image (a container's overlay) has other device and inode numbers than the
   * build's. A reset walks a root only while it is still that folder.
   */
  readonly rootIds: ReadonlyMap<string, string>;
  /** Exclude globs, byte strings. */
  readonly exclude: readonly string[];
  readonly packBytes: number;
  readonly packSha256: string;
  /**
   * The pack's inode and change time when its checksum was last seen right (at the take, or
   * at the first reset of a build-time one): while they stay the same, nothing has written
   * to it since (the kernel moves the change time at every write, and nothing sets it back),
   * and a reset need not read it all again.
   */
  packSeen?: PackIdentity;
}

/** What tells a pack that nothing has written to it. */
export interface PackIdentity {
  readonly ino: number;
  readonly size: number;
  readonly ctimeS: number;
  readonly ctimeNs: number;
}

/** The build-time snapshot's folder. */
export const snapshotDir = (stateDir: string) => join(stateDir, BUILD_SNAPSHOT);

/** How many entries the snapshot holds, over all its roots. */
export function entryCount(snapshot: Snapshot): number {
  return snapshot.entries;
}

const latin1 = (text: string) => Buffer.from(text, 'utf8').toString('latin1');
const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_RDONLY, O_NONBLOCK } = constants;
const NEW_FILE = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW;

/**
 * Takes a snapshot of `roots` (absolute paths; resolved here) into a new folder of the state
 * dir: `snapshot` for a build-time one (replacing the one there, unless a running procwarden
 * uses it), a folder of this procwarden's own otherwise. What it will take is measured first
 * (snapshot-size.ts): one that would not fit in the state dir's filesystem is refused before
 * anything is written. A snapshot that fails leaves nothing. Throws an Error saying what
 * failed (a root, the state dir, the room it needs).
 */
export function takeSnapshot(roots: readonly string[], exclude: readonly string[], stateDir: string, source: SnapshotSource): Snapshot {
  const fs = loadFsCalls(stateDir);
  const settings = resolveWipeSettings(roots, stateDir);
  if ('error' in settings) throw new Error(settings.error);
  const state = openStateDir(fs, settings.stateDir);
  try {
    const skipIds = [identity(state.stat)];
    const globs = exclude.map(latin1);
    const walked = outermost(settings.roots).map(latin1);
    const free = freeSpace(settings.stateDir);
    const needs = snapshotNeeds(measureRoots(fs, walked, globs, skipIds), free.blockSize);
    const noRoom = whyNoRoom(needs, free, settings.stateDir);
    if (noRoom !== undefined) throw new Error(noRoom);
    // Who takes which folder is decided under the state dir's own lock (a second procwarden
    // starting on the same state dir waits for it, for the few calls it lasts).
    check(fs.fsLock(state.fd, LOCK_EX), 'lock the state dir');
    let name: string;
    let dirFd: number;
    try {
      removeDeadSnapshots(fs, state.fd, settings.stateDir);
      name = source === 'build' ? makeOwnFolder(fs, state.fd, `${BUILD_SNAPSHOT}.new`) : claimFolder(fs, state.fd, settings.stateDir, source);
      dirFd = openPrivate(fs, state.fd, name, 'folder', 'the new snapshot').fd;
      lock(fs, dirFd, true);
    } finally {
      fs.fsLock(state.fd, LOCK_UN);
    }
    let written: { entries: number; packBytes: number; packSha256: string; rootIds: ReadonlyMap<string, string> };
    try {
      written = writeSnapshot(fs, dirFd, settings.roots.map(latin1), walked, globs, skipIds, source);
      if (source === 'build') putInPlace(fs, state.fd, settings.stateDir, name);
    } catch (error) {
      closeSync(dirFd);
      removeFolder(fs, state.fd, settings.stateDir, name);
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOSPC' || code === 'EDQUOT') {
        throw new Error(`${settings.stateDir} filled up while the snapshot was taken (it needed about ${formatBytes(needs.bytes)}): nothing of it is left; ${ROOM_ADVICE}`);
      }
      throw error;
    }
    const dir = join(settings.stateDir, source === 'build' ? BUILD_SNAPSHOT : name);
    const bytes = allocatedBytes(fs, dirFd, dir);
    return { source, roots: settings.roots, dir, dirFd, skipIds, exclude: globs, ...written, bytes, packSeen: packIdentity(fs, dirFd) };
  } finally {
    closeSync(state.fd);
  }
}

/**
 * The folder a snapshot taken at start or live goes in: `snapshot` when it is free or holds
 * a dead procwarden's snapshot of that kind (its lock free, its source not `build`), a folder
 * of this procwarden's own when another procwarden holds it or it is a build-time one.
 * Called under the state dir's lock.
 */
function claimFolder(fs: FsAddon, stateFd: number, stateDir: string, source: SnapshotSource): string {
  const usual = Buffer.from(BUILD_SNAPSHOT);
  if (fs.fsMkdirAt(stateFd, usual, 0o700) === 0) return BUILD_SNAPSHOT;
  const fd = fs.fsOpenAt(stateFd, usual, FOLDER_FLAGS);
  let dead = false;
  if (fd >= 0) {
    try {
      if (lock(fs, fd, true)) {
        let built = false;
        try {
          built = parseManifest(readManifestText(fs, fd), false).source === 'build';
        } catch {
          // No whole manifest: a snapshot that never finished.
        }
        dead = !built;
      }
    } finally {
      closeSync(fd);
    }
  }
  if (dead) {
    removeFolder(fs, stateFd, stateDir, BUILD_SNAPSHOT);
    if (fs.fsMkdirAt(stateFd, usual, 0o700) === 0) return BUILD_SNAPSHOT;
  }
  return makeOwnFolder(fs, stateFd, `snapshot-${source}`);
}

/** The new build-time snapshot `name` renamed to `snapshot`, the old one removed: never while a procwarden holds it. */
function putInPlace(fs: FsAddon, stateFd: number, stateDir: string, name: string): void {
  check(fs.fsLock(stateFd, LOCK_EX), 'lock the state dir');
  try {
    putInPlaceLocked(fs, stateFd, stateDir, name);
  } finally {
    fs.fsLock(stateFd, LOCK_UN);
  }
}

function putInPlaceLocked(fs: FsAddon, stateFd: number, stateDir: string, name: string): void {
  const old = fs.fsOpenAt(stateFd, Buffer.from(BUILD_SNAPSHOT), FOLDER_FLAGS);
  try {
    if (old >= 0 && !lock(fs, old, true)) throw new Error(`${snapshotDir(stateDir)} is in use by a running procwarden: stop it first, or use another PROCWARDEN_STATE_DIR`);
    let moved: string | undefined;
    if (old >= 0) {
      moved = `${BUILD_SNAPSHOT}.old-${process.pid}-${Date.now()}`;
      const renamed = fs.fsRenameAt(stateFd, Buffer.from(BUILD_SNAPSHOT), stateFd, Buffer.from(moved));
      if (renamed === -osConstants.errno.EXDEV) {
        // overlayfs cannot rename a folder of a lower layer (without its redirect_dir): the
        // old snapshot came with the image this one is built FROM. It goes in place instead.
        removeFolder(fs, stateFd, stateDir, BUILD_SNAPSHOT);
        moved = undefined;
      } else check(renamed, 'move the old snapshot aside');
    }
    check(fs.fsRenameAt(stateFd, Buffer.from(name), stateFd, Buffer.from(BUILD_SNAPSHOT)), 'put the snapshot in place');
    if (moved) removeFolder(fs, stateFd, stateDir, moved);
  } finally {
    if (old >= 0) closeSync(old);
  }
}

/** Appends to a file through a buffer: one write a megabyte, not one an entry. */
class Appender {
  private readonly buffer = Buffer.allocUnsafe(1 << 20);
  private used = 0;
  written = 0;
  private readonly fd: number;
  /** Called with each chunk as it is written (the pack's checksum). */
  private readonly onWrite: (chunk: Buffer) => void;
  constructor(fd: number, onWrite: (chunk: Buffer) => void = () => undefined) {
    this.fd = fd;
    this.onWrite = onWrite;
  }
  /** Where the next bytes added will start. */
  get position(): number {
    return this.written + this.used;
  }
  /** Adds a byte string (latin1: one character a byte), written straight into the buffer. */
  add(text: string): void {
    if (this.used + text.length > this.buffer.length) this.flush();
    if (text.length > this.buffer.length) {
      const bytes = Buffer.from(text, 'latin1');
      this.write(bytes, bytes.length);
    } else this.used += this.buffer.write(text, this.used, 'latin1');
  }
  /**
   * Reads up to `length` bytes of `fd` (from its start) straight into the buffer, and adds
   * them; returns how many it read. No Buffer a file: the snapshot's garbage stays small.
   */
  addFrom(fd: number, length: number): number {
    if (this.used + length > this.buffer.length) this.flush();
    let read = 0;
    for (let got = 1; got > 0 && read < length; read += got) got = readSync(fd, this.buffer, this.used + read, length - read, read);
    this.used += read;
    return read;
  }
  flush(): void {
    this.write(this.buffer, this.used);
    this.used = 0;
  }
  private write(bytes: Buffer, length: number): void {
    for (let done = 0; done < length; ) done += writeSync(this.fd, bytes, done, length - done);
    this.onWrite(bytes.subarray(0, length));
    this.written += length;
  }
}

function writeSnapshot(fs: FsAddon, dirFd: number, roots: readonly string[], walked: readonly string[], exclude: readonly string[], skipIds: readonly string[], source: SnapshotSource) {
  check(fs.fsMkdirAt(dirFd, Buffer.from('blobs'), 0o700), 'make the blobs folder');
  const blobsFd = check(fs.fsOpenAt(dirFd, Buffer.from('blobs'), FOLDER_FLAGS), 'open the blobs folder');
  const packFd = check(fs.fsOpenAt(dirFd, Buffer.from('pack'), NEW_FILE, 0o600), 'make the pack');
  const manifestFd = check(fs.fsOpenAt(dirFd, Buffer.from('manifest.partial'), NEW_FILE, 0o600), 'make the manifest');
  const hash = process.getBuiltinModule('node:crypto').createHash('sha256');
  const pack = new Appender(packFd, (chunk) => hash.update(chunk));
  const manifest = new Appender(manifestFd);
  let entries = 0;
  let blobs = 0;
  const rootIds = new Map<string, string>();
  // A build-time snapshot records whole seconds, as the image's layer keeps them (sameTime).
  const ns = source === 'build' ? () => 0 : (value: number) => value;
  try {
    manifest.add(formatHead(source, roots, exclude));
    for (const root of walked) {
      const rootFd = fs.fsOpenAt(AT_FDCWD, Buffer.from(root, 'latin1'), FOLDER_FLAGS);
      if (rootFd < 0) check(rootFd, `open the wipe root ${Buffer.from(root, 'latin1').toString()}`);
      try {
        const rootStat = statAt(check(fs.fsStatAt(rootFd, null), 'stat a root'));
        rootIds.set(root, identity(rootStat));
        manifest.add(`${formatRoot({ path: root, ...rootStat, mode: rootStat.mode & 0o7777, mtimeNs: ns(rootStat.mtimeNs) })}\n`);
        const boundaries = boundariesFor(root, rootStat.dev, new Set(skipIds), exclude);
        walkTree(fs, rootFd, root, boundaries, (path, child, parentFd) => {
          const { stat, kind } = child;
          if (kind === undefined || kind === 'socket') return; // never kept: a reset removes them
          const base = { path, kind, mode: stat.mode & 0o7777, uid: stat.uid, gid: stat.gid, size: 0, mtimeS: stat.mtimeS, mtimeNs: ns(stat.mtimeNs) };
          let entry: Entry = base;
          if (kind === 'symlink') entry = { ...base, target: check(fs.fsReadlinkAt(parentFd, child.bytes), `readlink ${path}`).toString('latin1') };
          else if (kind === 'char' || kind === 'block') entry = { ...base, rdev: stat.rdev };
          else if (kind === 'file') {
            const fd = check(fs.fsOpenAt(parentFd, child.bytes, O_RDONLY | O_NOFOLLOW | O_NONBLOCK), `open ${path}`);
            try {
              const now = statAt(check(fs.fsStatAt(fd, null), `stat ${path}`));
              if (now.ino !== stat.ino) throw new Error('changed while procwarden read it');
              if (now.size >= SMALL_FILE_BYTES) {
                const blob = String(blobs++);
                const blobFd = check(fs.fsOpenAt(blobsFd, Buffer.from(blob), NEW_FILE, 0o600), 'make a blob');
                try {
                  copyFileData(fs, fd, blobFd, now.size);
                } finally {
                  closeSync(blobFd);
                }
                entry = { ...base, size: now.size, mtimeS: now.mtimeS, mtimeNs: ns(now.mtimeNs), blob };
              } else {
                const packed = pack.position;
                // What was read is what a reset puts back, and what it compares with.
                const size = pack.addFrom(fd, now.size);
                entry = { ...base, size, mtimeS: now.mtimeS, mtimeNs: ns(now.mtimeNs), packed };
              }
            } finally {
              closeSync(fd);
            }
          }
          manifest.add(`${formatEntry(entry)}\n`);
          entries += 1;
        }, (folder) => manifest.add(formatFolder(folder)));
      } finally {
        closeSync(rootFd);
      }
    }
    pack.flush();
    const packSha256 = hash.digest('hex');
    manifest.add(formatEnd(entries, pack.written, packSha256));
    manifest.flush();
    check(fs.fsRenameAt(dirFd, Buffer.from('manifest.partial'), dirFd, Buffer.from('manifest')), 'finish the manifest');
    return { entries, packBytes: pack.written, packSha256, rootIds };
  } finally {
    closeSync(blobsFd);
    closeSync(packFd);
    closeSync(manifestFd);
  }
}

/**
 * `dev:ino` of each of `roots` (byte strings) as it is now, opened without following links; a
 * root that cannot be opened is left out (a reset then says it is not the folder it was).
 */
function rootIdentities(fs: FsAddon, roots: readonly string[]): Map<string, string> {
  const ids = new Map<string, string>();
  for (const root of roots) {
    const fd = fs.fsOpenAt(AT_FDCWD, Buffer.from(root, 'latin1'), FOLDER_FLAGS);
    if (fd < 0) continue;
    try {
      const stat = fs.fsStatAt(fd, null);
      if (typeof stat !== 'number') ids.set(root, identity(statAt(stat)));
    } finally {
      closeSync(fd);
    }
  }
  return ids;
}

/** The pack's identity as it is now. */
export function packIdentity(fs: FsAddon, dirFd: number): PackIdentity {
  const { fd, stat } = openPrivate(fs, dirFd, 'pack', 'file', 'the snapshot pack');
  closeSync(fd);
  return { ino: stat.ino, size: stat.size, ctimeS: stat.ctimeS, ctimeNs: stat.ctimeNs };
}

/** The manifest of the snapshot open at `dirFd`, read without following links and trusted only when private. */
export function readManifestText(fs: FsAddon, dirFd: number): string {
  const { fd, stat } = openPrivate(fs, dirFd, 'manifest', 'file', 'the snapshot manifest');
  try {
    const text = Buffer.allocUnsafe(stat.size);
    let read = 0;
    for (let got = 1; got > 0 && read < text.length; read += got) got = readSync(fd, text, read, text.length - read, read);
    return text.toString('latin1', 0, read);
  } finally {
    closeSync(fd);
  }
}

/**
 * The build-time snapshot in the state dir, when it was taken of these roots with these
 * excludes, private to procwarden, whole, and not being replaced; locked (shared) for this
 * procwarden's life so that `procwarden snapshot` never replaces it under it. One a previous
 * start took is never reused: the pristine state is what the roots held when this procwarden
 * started. Throws when the state dir is not private to procwarden.
 */
export function loadBuildSnapshot(roots: readonly string[], exclude: readonly string[], stateDir: string): Snapshot | undefined {
  const fs = loadFsCalls(stateDir);
  const settings = resolveWipeSettings(roots, stateDir);
  if ('error' in settings) throw new Error(settings.error);
  const state = openStateDir(fs, settings.stateDir);
  let dirFd = -1;
  try {
    const found = fs.fsStatAt(state.fd, Buffer.from(BUILD_SNAPSHOT));
    if (typeof found === 'number') return undefined;
    check(fs.fsLock(state.fd, LOCK_SH), 'lock the state dir');
    let locked: boolean;
    try {
      dirFd = openPrivate(fs, state.fd, BUILD_SNAPSHOT, 'folder', `the snapshot ${snapshotDir(settings.stateDir)}`).fd;
      locked = lock(fs, dirFd, false);
    } finally {
      fs.fsLock(state.fd, LOCK_UN);
    }
    // Held by another procwarden as its own start-time snapshot: not a build-time one.
    if (!locked) {
      closeSync(dirFd);
      return undefined;
    }
    let head: ManifestHead;
    try {
      head = parseManifest(readManifestText(fs, dirFd), false);
    } catch {
      closeSync(dirFd);
      return undefined;
    }
    const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
    if (head.source !== 'build' || !same(head.roots, settings.roots.map(latin1)) || !same(head.exclude, exclude.map(latin1))) {
      closeSync(dirFd);
      return undefined;
    }
    const { entries, packBytes, packSha256 } = head;
    const dir = snapshotDir(settings.stateDir);
    const bytes = allocatedBytes(fs, dirFd, dir);
    const rootIds = rootIdentities(fs, outermost(settings.roots).map(latin1));
    return { source: 'build', roots: settings.roots, dir, dirFd, skipIds: [identity(state.stat)], rootIds, exclude: head.exclude, entries, bytes, packBytes, packSha256 };
  } catch (error) {
    if (dirFd >= 0) closeSync(dirFd);
    throw error;
  } finally {
    closeSync(state.fd);
  }
}
