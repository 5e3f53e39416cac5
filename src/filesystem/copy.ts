// A big file's bytes from one descriptor to another: a copy-on-write clone where the
// filesystem makes one (FICLONE: btrfs, XFS), else only the parts that hold data
// (SEEK_DATA/SEEK_HOLE), with copy_file_range, so a sparse file stays sparse: a 512 MiB file
// with 8 KiB of data costs 8 KiB.

import { ftruncateSync, readSync, writeSync } from 'node:fs';
import { SEEK_DATA, SEEK_HOLE, type FsAddon } from '../native/fs-calls.ts';

const ENXIO = 6;
const CHUNK = 1 << 20;

/** Copies `size` bytes of `from` into the empty file `to`, holes kept. Throws FsError. */
export function copyFileData(fs: FsAddon, from: number, to: number, size: number): void {
  if (fs.fsClone(to, from) === 0) return;
  for (let offset = 0; offset < size; ) {
    let data = fs.fsSeek(from, offset, SEEK_DATA);
    if (data === -ENXIO) break; // only a hole from here on
    if (data < 0) data = offset; // no SEEK_DATA here: all of it is data
    let hole = fs.fsSeek(from, data, SEEK_HOLE);
    if (hole < 0 || hole > size) hole = size;
    copyRange(fs, from, to, data, hole - data);
    offset = hole;
  }
  ftruncateSync(to, size);
}

function copyRange(fs: FsAddon, from: number, to: number, start: number, length: number): void {
  let done = 0;
  while (done < length) {
    const copied = fs.fsCopyRange(from, start + done, to, start + done, Math.min(length - done, 1 << 30));
    if (copied === 0) return; // the source is shorter than it said
    if (copied < 0) return copyByHand(from, to, start + done, length - done);
    done += copied;
  }
}

/** Where copy_file_range cannot (EXDEV on older kernels, ENOSYS, EINVAL): read and write. */
function copyByHand(from: number, to: number, start: number, length: number): void {
  const buffer = Buffer.allocUnsafe(Math.min(CHUNK, length));
  for (let done = 0; done < length; ) {
    const got = readSync(from, buffer, 0, Math.min(buffer.length, length - done), start + done);
    if (got === 0) return;
    for (let written = 0; written < got; ) written += writeSync(to, buffer, written, got - written, start + done + written);
    done += got;
  }
}
