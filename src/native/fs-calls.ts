// The filesystem calls Node's fs lacks: everything relative to a folder descriptor (openat,
// fstatat, unlinkat, mkdirat, symlinkat, mknodat, fchownat, utimensat, renameat), a folder
// read as bytes with each entry's lstat, lseek for SEEK_DATA/SEEK_HOLE, FICLONE,
// copy_file_range and flock. The snapshot and the reset (src/filesystem/) use them so that a
// symlink put where a folder was makes a call fail, never leads it out of the wipe roots.
// Descriptors they return are plain numbers that Node's fs (readSync, writeSync, fchmodSync,
// closeSync...) takes as they are.

/** Numbers a stat gives, as libc-addon.c lays them out (STAT_FIELDS a name). */
export const STAT_FIELDS = 13;

/** One entry's lstat, as numbers. Times in seconds and nanoseconds; ids as the kernel has them. */
export interface RawStat {
  /** st_mode: the kind bits (S_IFMT) and the permission bits. */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  /** Bytes. */
  readonly size: number;
  readonly mtimeS: number;
  readonly mtimeNs: number;
  readonly dev: number;
  readonly ino: number;
  readonly nlink: number;
  readonly rdev: number;
  /** 512-byte blocks allocated: fewer than the size needs is a sparse file. */
  readonly blocks: number;
  /** The inode's change time: any write, chmod, chown or rename moves it, and nothing sets it back. */
  readonly ctimeS: number;
  readonly ctimeNs: number;
}

/**
 * The addon's filesystem exports, as libc-addon.c defines them. Names are Buffers (bytes, any
 * encoding; null means "the descriptor itself"); each returns a result >= 0 or -errno, and
 * throws TypeError only for arguments of the wrong type.
 */
export interface FsAddon {
  fsOpenAt(dirfd: number, name: Buffer | null, flags: number, mode?: number): number;
  fsStatAt(dirfd: number, name: Buffer | null): Float64Array | number;
  /** [names: one latin1 string, each name followed by a NUL; their stats]. */
  fsScan(dirfd: number): [string, Float64Array] | number;
  fsReadlinkAt(dirfd: number, name: Buffer): Buffer | number;
  fsUnlinkAt(dirfd: number, name: Buffer, flags: number): number;
  fsMkdirAt(dirfd: number, name: Buffer, mode: number): number;
  fsMknodAt(dirfd: number, name: Buffer, mode: number, dev: number): number;
  fsChownAt(dirfd: number, name: Buffer | null, uid: number, gid: number): number;
  fsSetMtimeAt(dirfd: number, name: Buffer | null, seconds: number, nanoseconds: number): number;
  fsSymlinkAt(target: Buffer, dirfd: number, name: Buffer): number;
  fsRenameAt(fromDir: number, from: Buffer, toDir: number, to: Buffer): number;
  fsSeek(fd: number, offset: number, whence: number): number;
  fsClone(destination: number, source: number): number;
  fsCopyRange(source: number, sourceOffset: number, destination: number, destinationOffset: number, length: number): number;
  fsLock(fd: number, operation: number): number;
}

/** A failed call: `code` is the errno's name (ELOOP, ENOTDIR...), as Node's own errors have. */
export class FsError extends Error {
  readonly code: string;
  readonly errno: number;
  constructor(code: string, errno: number, call: string) {
    super(`${call}: ${code}`);
    this.code = code;
    this.errno = errno;
  }
}

/** Linux x86_64/arm64 values the calls take. */
export const AT_FDCWD = -100;
export const AT_REMOVEDIR = 0x200;
export const SEEK_DATA = 3;
export const SEEK_HOLE = 4;
export const LOCK_SH = 1;
export const LOCK_EX = 2;
export const LOCK_NB = 4;
export const LOCK_UN = 8;

const ERRNO_NAMES: Record<number, string> = {
  1: 'EPERM', 2: 'ENOENT', 5: 'EIO', 9: 'EBADF', 11: 'EWOULDBLOCK', 12: 'ENOMEM', 13: 'EACCES', 16: 'EBUSY', 17: 'EEXIST',
  18: 'EXDEV', 20: 'ENOTDIR', 21: 'EISDIR', 22: 'EINVAL', 23: 'ENFILE', 24: 'EMFILE', 26: 'ETXTBSY', 27: 'EFBIG',
  28: 'ENOSPC', 30: 'EROFS', 31: 'EMLINK', 36: 'ENAMETOOLONG', 38: 'ENOSYS', 39: 'ENOTEMPTY', 40: 'ELOOP',
  95: 'EOPNOTSUPP', 122: 'EDQUOT',
};

/** The errno's name (`E...`), or `errno N` for one this table lacks. */
export function errnoName(errno: number): string {
  return ERRNO_NAMES[errno] ?? `errno ${errno}`;
}

/** A call's result, or throws FsError for -errno. */
export function check<T>(result: T | number, call: string): T {
  if (typeof result === 'number' && result < 0) throw new FsError(errnoName(-result), -result, call);
  return result as T;
}

/** The stat at `index` of a Float64Array of STAT_FIELDS numbers a stat. */
export function statAt(numbers: Float64Array, index = 0): RawStat {
  const base = index * STAT_FIELDS;
  return {
    mode: numbers[base]!,
    uid: numbers[base + 1]!,
    gid: numbers[base + 2]!,
    size: numbers[base + 3]!,
    mtimeS: numbers[base + 4]!,
    mtimeNs: numbers[base + 5]!,
    dev: numbers[base + 6]!,
    ino: numbers[base + 7]!,
    nlink: numbers[base + 8]!,
    rdev: numbers[base + 9]!,
    blocks: numbers[base + 10]!,
    ctimeS: numbers[base + 11]!,
    ctimeNs: numbers[base + 12]!,
  };
}
