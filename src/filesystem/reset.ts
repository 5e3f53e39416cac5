// Putting the wipe roots back as the snapshot has them: open the root, compare, remove,
// restore. What the app created is removed (sockets, FIFOs and device nodes included); what
// it deleted or changed comes back with its content, mode, owner and time, empty folders
// and FIFOs included. Left alone, with no error: a mount point (a volume, a folder or a file
// bind-mounted into a root), whatever the snapshot holds at its path (folder-plan.ts); and a
// modification time only the entry's owner may set, where procwarden's user is not it (root's
// /tmp, to a procwarden run as user 1000), which its contents' changes moved (out-of-reach.ts).
//
// Safety: every removal and every restore is relative to a folder descriptor opened without
// following links (walk.ts), and each folder's device and inode are compared with what its
// parent's listing saw; a root is opened with O_NOFOLLOW and must be the folder the snapshot
// was taken of (device and inode). A symlink put where a folder was, or swapped in while the
// reset runs (a `docker exec`, a sidecar), makes a call fail, and the failure is an error in
// the report: the reset never leaves its roots. A small file is written where it stands: a
// missing one is created with O_CREAT|O_EXCL, which never follows or replaces anything; a
// changed one is rewritten through O_NOFOLLOW, and only when it is a regular file with no
// other hard link (else its inode may be a file outside the root). A big file, or a changed
// file that is not alone in its inode, gets a fresh copy beside it renamed over it.
//
// Rewriting in place costs 0.02 to 0.03 ms a file here, a fresh copy and a rename 1.1 ms
// (70 small files, ext4): most of a reset after a crash is such rewrites.

import { closeSync, constants, fchmodSync, ftruncateSync, readSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { AT_FDCWD, check, errnoName, FsError, statAt, type FsAddon, type RawStat } from '../native/fs-calls.ts';
import { loadFsCalls } from '../native/load-libc.ts';
import { copyFileData } from './copy.ts';
import { FORMAT_OF, printable, sameEntry, sameTime, splitPath, type Entry, type RootRecord } from './entry.ts';
import { planFolder } from './folder-plan.ts';
import { folderEntries, parseManifest, type LineRange, type Manifest } from './manifest.ts';
import { timeOutOfReach } from './out-of-reach.ts';
import { readManifestText, type Snapshot } from './snapshot.ts';
import { openPrivate } from './store.ts';
import { boundariesFor, ChangedError, FOLDER_FLAGS, identity, listFolder, openFolder, removeTree, type Boundaries, type Child } from './walk.ts';

/** A folder being reset: open, with what the snapshot wants in it and how far the reset has got. */
interface Folder {
  readonly fd: number;
  /** Relative to the root ('' for the root). */
  readonly relative: string;
  readonly wanted: Pick<Entry, 'uid' | 'gid' | 'mode' | 'mtimeS' | 'mtimeNs'>;
  /** Made by this reset (it was missing). */
  readonly made: boolean;
  entries: { entry: Entry; now: Child | undefined }[] | undefined;
  next: number;
  /** Its listing failed: nothing in it was touched. */
  broken?: boolean;
}

export interface ResetReport {
  readonly removed: number;
  readonly restored: number;
  readonly errors: readonly { path: string; error: string }[];
}

const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_NONBLOCK } = constants;

/** Resets every root of `snapshot`; what failed is in `errors`, each with its path. Never throws for a path. */
export function resetToSnapshot(snapshot: Snapshot): ResetReport {
  const fs = loadFsCalls(dirname(snapshot.dir));
  const run = new ResetRun(fs, snapshot);
  run.all();
  return { removed: run.removed, restored: run.restored, errors: run.errors };
}

/** One reset: its counts, its errors, and the snapshot's pack and blobs, open for its length. */
class ResetRun {
  removed = 0;
  restored = 0;
  readonly errors: { path: string; error: string }[] = [];
  private packFd = -1;
  private blobsFd = -1;
  /** The manifest's text, and where the current root's folders are in it. */
  private text = '';
  private folders: ReadonlyMap<string, LineRange> = new Map();
  private rootPath = '';
  private boundaries!: Boundaries;
  private temporary = 0;

  private readonly fs: FsAddon;
  private readonly snapshot: Snapshot;
  constructor(fs: FsAddon, snapshot: Snapshot) {
    this.fs = fs;
    this.snapshot = snapshot;
  }

  all(): void {
    let trees: Manifest['trees'];
    try {
      ({ trees, text: this.text } = this.openSnapshot());
    } catch (error) {
      // A snapshot that is not what was written (changed, not private, incomplete) resets nothing.
      this.fail(this.snapshot.dir, error);
      this.close();
      return;
    }
    try {
      for (const { root, folders } of trees) this.resetRoot(root, folders);
    } finally {
      this.close();
    }
  }

  /** The manifest, read and checked, and the pack verified against its size and checksum. */
  private openSnapshot() {
    const { fs, snapshot } = this;
    const manifest = parseManifest(readManifestText(fs, snapshot.dirFd), true);
    if (manifest.packBytes !== snapshot.packBytes || manifest.packSha256 !== snapshot.packSha256) throw new Error('the snapshot manifest was changed since it was taken');
    const pack = openPrivate(fs, snapshot.dirFd, 'pack', 'file', 'the snapshot pack');
    this.packFd = pack.fd;
    if (pack.stat.size !== snapshot.packBytes) throw new Error(`the snapshot pack is ${pack.stat.size} bytes, not the ${snapshot.packBytes} it was written with`);
    const { ino, size, ctimeS, ctimeNs } = pack.stat;
    const seen = snapshot.packSeen;
    // Unwritten since its checksum was last seen right: reading it all again would tell nothing new.
    if (!seen || seen.ino !== ino || seen.size !== size || seen.ctimeS !== ctimeS || seen.ctimeNs !== ctimeNs) {
      const hash = process.getBuiltinModule('node:crypto').createHash('sha256');
      const chunk = Buffer.allocUnsafe(1 << 20);
      for (let done = 0; done < size; ) {
        const got = readSync(pack.fd, chunk, 0, chunk.length, done);
        if (got === 0) break;
        hash.update(chunk.subarray(0, got));
        done += got;
      }
      if (hash.digest('hex') !== snapshot.packSha256) throw new Error('the snapshot pack was changed since it was taken (its checksum differs)');
      snapshot.packSeen = { ino, size, ctimeS, ctimeNs };
    }
    this.blobsFd = openPrivate(fs, snapshot.dirFd, 'blobs', 'folder', 'the snapshot blobs').fd;
    return manifest;
  }

  private close(): void {
    if (this.packFd >= 0) closeSync(this.packFd);
    if (this.blobsFd >= 0) closeSync(this.blobsFd);
    this.text = '';
    this.folders = new Map();
  }

  private fail(path: string, error: unknown): void {
    const code = (error as NodeJS.ErrnoException).code;
    this.errors.push({ path, error: code && code !== 'ECHANGED' ? code : (error as Error).message });
  }

  private shown(relative: string): string {
    return printable(relative === '' ? this.rootPath : `${this.rootPath}/${relative}`);
  }

  /** Opens the root without following links; one that is no longer the folder it was is an error, never a walk. */
  private resetRoot(root: RootRecord, folders: ReadonlyMap<string, LineRange>): void {
    const { fs } = this;
    this.rootPath = root.path;
    const rootFd = fs.fsOpenAt(AT_FDCWD, Buffer.from(root.path, 'latin1'), FOLDER_FLAGS);
    if (rootFd < 0) {
      // ELOOP, ENOTDIR: it is a symlink now (or a file); ENOENT: gone.
      this.fail(printable(root.path), new FsError(errnoName(-rootFd), -rootFd, 'open'));
      return;
    }
    try {
      const now = statAt(check(fs.fsStatAt(rootFd, null), 'stat'));
      // The folder procwarden took or adopted the snapshot for (Snapshot.rootIds), not the
      // build's numbers: a container's overlay is another mount of the image.
      if (this.snapshot.rootIds.get(root.path) !== identity(now)) throw new ChangedError('the root is no longer the folder the snapshot was taken of: it is not reset');
      this.folders = folders;
      this.boundaries = boundariesFor(root.path, now.dev, new Set(this.snapshot.skipIds), this.snapshot.exclude);
      this.resetTree(rootFd, root);
    } catch (error) {
      this.fail(printable(root.path), error);
    } finally {
      closeSync(rootFd);
    }
  }

  /**
   * The open root and everything below it put back, folder by folder: in each, remove what
   * should not be there, restore what should, descend into its folders, and last give the
   * folder its owner, mode and time (its contents' changes move its time). A loop over a
   * stack of open folders, not a recursion: a tree thousands of folders deep is reset whole.
   */
  private resetTree(rootFd: number, root: RootRecord): void {
    const stack: Folder[] = [{ fd: rootFd, relative: '', wanted: root, made: false, entries: undefined, next: 0 }];
    while (stack.length > 0) {
      const folder = stack.at(-1)!;
      if (!folder.entries) {
        try {
          folder.entries = this.cleanFolder(folder);
        } catch (error) {
          this.fail(this.shown(folder.relative), error);
          folder.entries = [];
          folder.broken = true;
        }
      }
      const next = folder.entries[folder.next++];
      if (next) {
        const child = this.restoreEntry(folder.fd, next.entry, next.now);
        if (child) stack.push(child);
        continue;
      }
      stack.pop();
      try {
        if (!folder.broken && (this.fixAttributes(folder.fd, folder.wanted, folder.relative) || folder.made) && folder.relative !== '') this.restored += 1;
      } catch (error) {
        this.fail(this.shown(folder.relative), error);
      } finally {
        if (folder.fd !== rootFd) closeSync(folder.fd);
      }
    }
  }

  /**
   * Removes from `folder` what the app created there, or put where something of another kind
   * was; returns what the snapshot wants in it, each with what is there now of the same kind.
   * What the walk leaves alone now (a mount point) is neither removed nor put back (planFolder).
   */
  private cleanFolder(folder: Folder): { entry: Entry; now: Child | undefined }[] {
    const { fs } = this;
    const { fd: dirFd, relative } = folder;
    // Parsed now, and dropped once the folder is done.
    const range = this.folders.get(relative);
    const { children, leftAlone } = listFolder(fs, dirFd, relative === '' ? this.rootPath : `${this.rootPath}/${relative}`, this.boundaries);
    const { remove, wanted, kept } = planFolder(range ? folderEntries(this.text, range) : [], children, leftAlone);
    for (const child of remove) {
      const path = relative === '' ? child.name : `${relative}/${child.name}`;
      try {
        if (child.kind === 'dir') this.removed += removeTree(fs, dirFd, child.bytes, `${this.rootPath}/${path}`, this.boundaries, child.stat);
        else {
          check(fs.fsUnlinkAt(dirFd, child.bytes, 0), 'unlink');
          this.removed += 1;
        }
      } catch (error) {
        this.fail(this.shown(path), error);
        // Still there: a restore of that name must not write through it.
        kept.set(child.name, child);
      }
    }
    return wanted.map((entry) => ({ entry, now: kept.get(splitPath(entry.path).name) }));
  }

  /** One entry of the open folder `dirFd` put back; for a folder, the open folder to descend into next. */
  private restoreEntry(dirFd: number, entry: Entry, now: Child | undefined): Folder | undefined {
    const { fs } = this;
    const name = Buffer.from(splitPath(entry.path).name, 'latin1');
    try {
      if (entry.kind === 'dir') {
        if (now && now.kind !== 'dir') throw new Error('still not a folder');
        if (!now) check(fs.fsMkdirAt(dirFd, name, 0o700), 'mkdir');
        return { fd: openFolder(fs, dirFd, name, now?.stat), relative: entry.path, wanted: entry, made: !now, entries: undefined, next: 0 };
      }
      if (!now || !this.same(dirFd, entry, now)) {
        this.restore(dirFd, name, entry, now);
        this.restored += 1;
      }
    } catch (error) {
      this.fail(this.shown(entry.path), error);
    }
    return undefined;
  }

  private same(dirFd: number, entry: Entry, now: Child): boolean {
    if (!sameEntry(entry, { ...now.stat, kind: now.kind })) return false;
    if (entry.kind !== 'symlink') return true;
    const target = this.fs.fsReadlinkAt(dirFd, now.bytes);
    return typeof target !== 'number' && target.toString('latin1') === entry.target;
  }

  /**
   * The open entry `fd` given `wanted`'s owner, mode and modification time, where they differ;
   * true when its owner or mode had to change. Owner first: chown clears set-id bits. A time
   * only the entry's owner may set, and procwarden's user is not it, is left (setTime).
   */
  private fixAttributes(fd: number, wanted: Pick<Entry, 'uid' | 'gid' | 'mode' | 'mtimeS' | 'mtimeNs'>, relative: string): boolean {
    const { fs } = this;
    const now = statAt(check(fs.fsStatAt(fd, null), `stat ${this.shown(relative)}`));
    let changed = false;
    if (now.uid !== wanted.uid || now.gid !== wanted.gid) {
      check(fs.fsChownAt(fd, null, wanted.uid, wanted.gid), 'chown');
      changed = true;
    }
    if (changed || (now.mode & 0o7777) !== wanted.mode) {
      changed ||= (now.mode & 0o7777) !== wanted.mode;
      fchmodSync(fd, wanted.mode);
    }
    if (!sameTime(wanted, now)) this.setTime(fd, null, wanted, wanted.uid);
    return changed;
  }

  /**
   * `wanted`'s modification time given to the entry `name` of `dirFd` (`fd` itself when `name`
   * is null), owned by `ownerUid`. Throws FsError, unless it failed only because that owner is
   * not procwarden's user (out-of-reach.ts): that time is left as it is.
   */
  private setTime(dirFd: number, name: Buffer | null, wanted: Pick<Entry, 'mtimeS' | 'mtimeNs'>, ownerUid: number): void {
    const result = this.fs.fsSetMtimeAt(dirFd, name, wanted.mtimeS, wanted.mtimeNs);
    if (result < 0 && !timeOutOfReach(-result, ownerUid, process.geteuid!())) check(result, 'set the time');
  }

  /** One entry that is not a folder put back at `name` in `dirFd`; `now` is what is there of the same kind, if anything. */
  private restore(dirFd: number, name: Buffer, entry: Entry, now: Child | undefined): void {
    const { fs } = this;
    if (entry.kind === 'file') return this.restoreFile(dirFd, name, entry, now);
    if (now) check(fs.fsUnlinkAt(dirFd, name, 0), 'unlink');
    if (entry.kind === 'symlink') check(fs.fsSymlinkAt(Buffer.from(entry.target!, 'latin1'), dirFd, name), 'symlink');
    else {
      // mknodat's mode goes through the umask: none for this call.
      const umask = process.umask(0);
      try {
        check(fs.fsMknodAt(dirFd, name, FORMAT_OF[entry.kind] | entry.mode, entry.rdev ?? 0), 'mknod');
      } finally {
        process.umask(umask);
      }
    }
    if (entry.uid !== process.geteuid!() || entry.gid !== process.getegid!()) check(fs.fsChownAt(dirFd, name, entry.uid, entry.gid), 'chown');
    this.setTime(dirFd, name, entry, entry.uid);
  }

  private restoreFile(dirFd: number, name: Buffer, entry: Entry, now: Child | undefined): void {
    const { fs } = this;
    if (entry.packed !== undefined) {
      const content = this.packed(entry);
      if (this.writeInPlace(dirFd, name, entry, content, now !== undefined)) return;
      return this.freshCopy(dirFd, name, entry, (fd) => {
        for (let done = 0; done < content.length; ) done += writeSync(fd, content, done, content.length - done, done);
      });
    }
    const blob = openPrivate(fs, this.blobsFd, entry.blob!, 'file', `the snapshot's copy of ${this.shown(entry.path)}`);
    try {
      if (blob.stat.size !== entry.size) throw new Error(`the snapshot's copy of it is ${blob.stat.size} bytes, not ${entry.size}`);
      this.freshCopy(dirFd, name, entry, (fd) => copyFileData(fs, blob.fd, fd, entry.size));
    } finally {
      closeSync(blob.fd);
    }
  }

  private packed(entry: Entry): Buffer {
    const content = Buffer.allocUnsafe(entry.size);
    for (let read = 0; read < entry.size; ) {
      const got = readSync(this.packFd, content, read, entry.size - read, entry.packed! + read);
      if (got === 0) throw new Error('the snapshot pack is shorter than its manifest says');
      read += got;
    }
    return content;
  }

  /**
   * A small file's content, owner, mode and time written at its own name; false when the file
   * there shares its inode with another path (a hard link) or cannot be opened for writing,
   * which a fresh copy renamed over it handles.
   */
  private writeInPlace(dirFd: number, name: Buffer, entry: Entry, content: Buffer, exists: boolean): boolean {
    const { fs } = this;
    // O_NONBLOCK: were it a FIFO after all, the open fails at once instead of waiting.
    const fd = exists ? fs.fsOpenAt(dirFd, name, O_WRONLY | O_NOFOLLOW | O_NONBLOCK) : check(fs.fsOpenAt(dirFd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600), 'create');
    // Not writable to procwarden (a running executable): a fresh copy needs only its folder to be.
    if (fd < 0) return false;
    try {
      const stat: RawStat | undefined = exists ? statAt(check(fs.fsStatAt(fd, null), 'stat')) : undefined;
      if (stat && ((stat.mode & 0o170000) !== 0o100000 || stat.nlink !== 1)) return false;
      // Written over from the start, then cut to size: truncating to nothing first frees and
      // reallocates the blocks, which made each rewrite ten times slower here.
      for (let done = 0; done < content.length; ) done += writeSync(fd, content, done, content.length - done, done);
      if (stat && stat.size > content.length) ftruncateSync(fd, content.length);
      this.fixAttributes(fd, entry, entry.path);
      return true;
    } finally {
      closeSync(fd);
    }
  }

  /** A fresh file beside `name`, filled by `fill`, given its attributes, renamed over `name`. */
  private freshCopy(dirFd: number, name: Buffer, entry: Entry, fill: (fd: number) => void): void {
    const { fs } = this;
    const fresh = Buffer.from(`.procwarden-restore-${process.pid}-${this.temporary++}`);
    const fd = check(fs.fsOpenAt(dirFd, fresh, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600), 'create a fresh copy');
    try {
      fill(fd);
      this.fixAttributes(fd, entry, entry.path);
    } catch (error) {
      closeSync(fd);
      fs.fsUnlinkAt(dirFd, fresh, 0);
      throw error;
    }
    closeSync(fd);
    const renamed = fs.fsRenameAt(dirFd, fresh, dirFd, name);
    if (renamed < 0) {
      fs.fsUnlinkAt(dirFd, fresh, 0);
      check(renamed, 'rename');
    }
  }
}
