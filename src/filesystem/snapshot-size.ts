// What a snapshot costs on the state dir's filesystem, before it is taken and once it is.
// Before: a walk of the wipe roots that reads only folders' listings (no file is opened),
// weighed against the free space of the state dir's filesystem, so that a snapshot that
// would not fit (a tmpfs /run: podman --read-only, containerd's 64 MiB) is refused with the
// numbers instead of filling it. After: the snapshot folder's allocated blocks, as du counts
// them (on a tmpfs, memory), for the fs.snapshot event.

import { closeSync, statfsSync } from 'node:fs';
import { AT_FDCWD, check, statAt, type FsAddon, type RawStat } from '../native/fs-calls.ts';
import { boundariesFor, FOLDER_FLAGS, ownFolderBoundaries, walkTree } from './walk.ts';

/** Below this size a file goes into the pack; from it on, a copy of its own (snapshot.ts). */
export const SMALL_FILE_BYTES = 256 * 1024;

/** What a snapshot of some roots holds, as a walk of their listings measured it. */
export interface SnapshotMeasure {
  /** Entries the manifest will list. */
  readonly entries: number;
  /** Bytes of the small files, appended to the pack. */
  readonly packBytes: number;
  /** Big files (each a copy of its own): how many, and the bytes they hold (holes left out). */
  readonly blobs: number;
  readonly blobBytes: number;
  /** A generous bound on the manifest's size: each entry's line with its path escaped. */
  readonly manifestBytes: number;
}

/** Bytes of a manifest line besides its path and a symlink's target: kind, mode, owner, size, times, where (entry.ts formatEntry). */
const LINE_FIELDS_BYTES = 96;

/** One entry's share of a snapshot (its lstat, and its path's length in bytes). Pure. */
export function entryShare(kind: string | undefined, stat: Pick<RawStat, 'size' | 'blocks'>, pathBytes: number): SnapshotMeasure {
  if (kind === undefined || kind === 'socket') return { entries: 0, packBytes: 0, blobs: 0, blobBytes: 0, manifestBytes: 0 };
  // A path or target may be escaped (a byte outside ! to ~ becomes %XX: entry.ts escapeBytes): three bytes each at worst.
  const manifestBytes = LINE_FIELDS_BYTES + 3 * pathBytes + (kind === 'symlink' ? 3 * stat.size : 0);
  if (kind !== 'file') return { entries: 1, packBytes: 0, blobs: 0, blobBytes: 0, manifestBytes };
  if (stat.size < SMALL_FILE_BYTES) return { entries: 1, packBytes: stat.size, blobs: 0, blobBytes: 0, manifestBytes };
  // Copied with its holes (copy.ts): what it has allocated, never more than its size.
  return { entries: 1, packBytes: 0, blobs: 1, blobBytes: Math.min(stat.size, stat.blocks * 512), manifestBytes };
}

/** The free space of a filesystem: bytes and files (inodes) an unprivileged writer may still use. */
export interface FreeSpace {
  readonly bytes: number;
  readonly files: number;
  /** statfs f_bsize: what each file is rounded up to. */
  readonly blockSize: number;
  /** Whether it is a tmpfs (memory). */
  readonly tmpfs: boolean;
}

/** The bytes and files (inodes) a snapshot of `measure` needs on a filesystem of `blockSize` blocks. Pure. */
export function snapshotNeeds(measure: SnapshotMeasure, blockSize: number): { readonly bytes: number; readonly files: number } {
  const rounded = (bytes: number) => Math.ceil(bytes / blockSize) * blockSize;
  // Its folder and its blobs folder, the pack, the manifest, and each blob rounded up to a block.
  const files = 4 + measure.blobs;
  return { bytes: 2 * blockSize + rounded(measure.packBytes) + rounded(measure.manifestBytes) + rounded(measure.blobBytes) + measure.blobs * blockSize, files };
}

/** `bytes` as the README writes sizes: KiB, MiB or GiB, one decimal. Pure. */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(1)} ${units[unit]}`;
}

/** What to do when a snapshot does not fit, the same words in every message. */
export const ROOM_ADVICE =
  'narrow PROCWARDEN_WIPE_PATHS to the folders the app writes to, leave big read-only ones out with PROCWARDEN_WIPE_EXCLUDE, or set PROCWARDEN_STATE_DIR to a folder with room';

/**
 * Why a snapshot that needs `needs` does not fit in `free` on the state dir `stateDir`, one
 * sentence with the numbers and the fix; undefined when it fits. Pure.
 */
export function whyNoRoom(needs: { readonly bytes: number; readonly files: number }, free: FreeSpace, stateDir: string): string | undefined {
  const where = `${stateDir}${free.tmpfs ? ' (a tmpfs: memory)' : ''}`;
  if (needs.bytes > free.bytes) {
    return `the snapshot needs about ${formatBytes(needs.bytes)} and ${where} has ${formatBytes(free.bytes)} free: ${ROOM_ADVICE}`;
  }
  if (needs.files > free.files) return `the snapshot needs ${needs.files} files and ${where} has room for ${free.files} more: ${ROOM_ADVICE}`;
  return undefined;
}

const TMPFS_MAGIC = 0x01021994;

/** The free space of the filesystem holding `path` (statfs). Throws what statfs throws. */
export function freeSpace(path: string): FreeSpace {
  const stats = statfsSync(path);
  return { bytes: stats.bavail * stats.bsize, files: stats.ffree, blockSize: stats.bsize, tmpfs: stats.type === TMPFS_MAGIC };
}

/**
 * Measures what a snapshot of `roots` (absolute byte strings, none inside another) would hold,
 * within the same boundaries as the snapshot's walk (`exclude` globs and `skipIds` as byte
 * strings and `dev:ino`). Reads folders' listings only. Throws FsError when a root or a folder
 * cannot be read, as the snapshot itself would.
 */
export function measureRoots(fs: FsAddon, roots: readonly string[], exclude: readonly string[], skipIds: readonly string[]): SnapshotMeasure {
  const total = { entries: 0, packBytes: 0, blobs: 0, blobBytes: 0, manifestBytes: 0 };
  for (const root of roots) {
    const rootFd = check(fs.fsOpenAt(AT_FDCWD, Buffer.from(root, 'latin1'), FOLDER_FLAGS), `open the wipe root ${Buffer.from(root, 'latin1').toString()}`);
    try {
      const rootStat = statAt(check(fs.fsStatAt(rootFd, null), 'stat a root'));
      walkTree(fs, rootFd, root, boundariesFor(root, rootStat.dev, new Set(skipIds), exclude), (path, child) => {
        const share = entryShare(child.kind, child.stat, path.length);
        total.entries += share.entries;
        total.packBytes += share.packBytes;
        total.blobs += share.blobs;
        total.blobBytes += share.blobBytes;
        total.manifestBytes += share.manifestBytes;
      });
    } finally {
      closeSync(rootFd);
    }
  }
  return total;
}

/** The bytes the folder open at `dirFd` (at `dir`, for messages) and everything in it have allocated: blocks of 512 bytes, as du counts them. */
export function allocatedBytes(fs: FsAddon, dirFd: number, dir: string): number {
  const own = statAt(check(fs.fsStatAt(dirFd, null), `stat ${dir}`));
  let bytes = own.blocks * 512;
  const boundaries = ownFolderBoundaries(own.dev);
  walkTree(fs, dirFd, dir, boundaries, (_path, child) => {
    bytes += child.stat.blocks * 512;
  });
  return bytes;
}
