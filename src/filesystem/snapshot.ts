// The pristine snapshot (spec section 4): what every wipe root held before the app first
// ran (or at image build, `procwarden snapshot`), kept in procwarden's state dir, which is
// never itself wiped.
//
// Small files' contents are appended to one pack file, with their offsets in the manifest:
// a snapshot then creates one file, not one a file, and creating files is most of what a
// copy costs (on ext4 here, 0.2 to 0.5 ms each: `cp -a` of 10,000 files took 0.4 to 4.5 s).
// Big files are copies of their own: copy-on-write clones where the filesystem can make
// them (COPYFILE_FICLONE), plain copies elsewhere.

import { closeSync, constants, copyFileSync, existsSync, openSync, readFileSync, readSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { makeDirs } from './make-dirs.ts';
import { join } from 'node:path';
import { mountPoints, walkTree, type Boundaries, type TreeEntry } from './tree.ts';

export interface SnapshotEntry extends TreeEntry {
  /** A big file: the name of its copy in the snapshot's blobs folder. */
  readonly blob?: string;
  /** A small file: where its `size` bytes start in the pack. */
  readonly packed?: number;
}

export interface Snapshot {
  readonly version: 2;
  readonly roots: readonly string[];
  readonly exclude: readonly string[];
  /** `build`: taken by `procwarden snapshot` in the image; `start`: before the app first ran. */
  readonly source: 'build' | 'start';
  readonly entries: Readonly<Record<string, readonly SnapshotEntry[]>>;
}

export const snapshotDir = (stateDir: string) => join(stateDir, 'snapshot');
const manifestPath = (stateDir: string) => join(snapshotDir(stateDir), 'manifest.json');
export const blobPath = (stateDir: string, blob: string) => join(snapshotDir(stateDir), 'blobs', blob);
const packPath = (stateDir: string) => join(snapshotDir(stateDir), 'pack');

/** What a walk of `root` must leave alone: the state dir, and mount points below the root. */
export function boundariesFor(root: string, stateDir: string, exclude: readonly string[]): Boundaries {
  const skip = new Set([stateDir]);
  for (const point of mountPoints()) if (point !== root && point.startsWith(`${root}/`)) skip.add(point);
  return { skip, exclude };
}

/** Below this size a file goes into the pack; from it on, a copy of its own (a clone, where one can be made). */
const SMALL_FILE_BYTES = 256 * 1024;

/** A big file's copy: a copy-on-write clone where the filesystem can make one, a plain copy elsewhere. */
export function copyBigFile(from: string, to: string): void {
  copyFileSync(from, to, constants.COPYFILE_FICLONE | constants.COPYFILE_EXCL);
}

/** A small file's content as the snapshot holds it (from the pack). */
export function packedContent(stateDir: string, entry: SnapshotEntry): Buffer {
  const content = Buffer.allocUnsafe(entry.size);
  const fd = openSync(packPath(stateDir), 'r');
  try {
    for (let read = 0; read < entry.size; ) {
      const got = readSync(fd, content, read, entry.size - read, entry.packed! + read);
      if (got === 0) throw new Error('the snapshot pack is shorter than its manifest says');
      read += got;
    }
  } finally {
    closeSync(fd);
  }
  return content;
}

export function takeSnapshot(roots: readonly string[], exclude: readonly string[], stateDir: string, source: Snapshot['source']): Snapshot {
  rmSync(snapshotDir(stateDir), { recursive: true, force: true });
  makeDirs(join(snapshotDir(stateDir), 'blobs'));
  let blobs = 0;
  let packEnd = 0;
  const pack = openSync(packPath(stateDir), 'wx', 0o600);
  const entries: Record<string, SnapshotEntry[]> = {};
  try {
    for (const root of roots) {
      entries[root] = walkTree(root, boundariesFor(root, stateDir, exclude)).map((entry) => {
        if (entry.type !== 'file') return entry;
        if (entry.size >= SMALL_FILE_BYTES) {
          const blob = String(blobs++);
          copyBigFile(entry.path, blobPath(stateDir, blob));
          return { ...entry, blob };
        }
        const content = readFileSync(entry.path);
        const packed = packEnd;
        for (let written = 0; written < content.length; ) written += writeSync(pack, content, written, content.length - written, packEnd + written);
        packEnd += content.length;
        // What was read is what a reset puts back, and what it compares with.
        return { ...entry, size: content.length, packed };
      });
    }
  } finally {
    closeSync(pack);
  }
  const snapshot: Snapshot = { version: 2, roots, exclude, source, entries };
  writeFileSync(manifestPath(stateDir), JSON.stringify(snapshot));
  return snapshot;
}

/** How many entries (files, folders, symlinks) the snapshot holds, over all its roots. */
export function entryCount(snapshot: Snapshot): number {
  return Object.values(snapshot.entries).reduce((sum, list) => sum + list.length, 0);
}

/**
 * The build-time snapshot in the state dir, when it was taken of these roots with these
 * excludes. One a previous start took is never reused: the pristine state is what the roots
 * held when this procwarden started.
 */
export function loadBuildSnapshot(roots: readonly string[], exclude: readonly string[], stateDir: string): Snapshot | undefined {
  if (!existsSync(manifestPath(stateDir))) return undefined;
  try {
    const snapshot = JSON.parse(readFileSync(manifestPath(stateDir), 'utf8')) as Snapshot;
    const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
    const matches = snapshot.version === 2 && snapshot.source === 'build' && same(snapshot.roots, roots) && same(snapshot.exclude, exclude);
    return matches ? snapshot : undefined;
  } catch {
    return undefined;
  }
}
