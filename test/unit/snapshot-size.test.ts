import { describe, expect, it } from 'vitest';
import { entryShare, formatBytes, snapshotNeeds, whyNoRoom } from '../../src/filesystem/snapshot-size.ts';

const KiB = 1024;
const MiB = 1024 * KiB;

describe('what a snapshot needs', () => {
  it('packs small files, copies big ones with their holes left out, and lists every entry but sockets', () => {
    expect(entryShare('file', { size: 100, blocks: 8 }, 5)).toMatchObject({ entries: 1, packBytes: 100, blobs: 0 });
    expect(entryShare('file', { size: 256 * KiB, blocks: 512 }, 5)).toMatchObject({ entries: 1, packBytes: 0, blobs: 1, blobBytes: 256 * KiB });
    // A sparse file of 512 MiB holding 8 KiB of data.
    expect(entryShare('file', { size: 512 * MiB, blocks: 16 }, 5)).toMatchObject({ blobs: 1, blobBytes: 8 * KiB });
    expect(entryShare('dir', { size: 4096, blocks: 8 }, 3)).toMatchObject({ entries: 1, packBytes: 0, blobs: 0 });
    expect(entryShare('socket', { size: 0, blocks: 0 }, 3)).toMatchObject({ entries: 0, manifestBytes: 0 });
    // A manifest line: its fields, and a path (and a symlink's target) escaped at worst.
    expect(entryShare('symlink', { size: 10, blocks: 0 }, 3).manifestBytes).toBe(96 + 3 * 3 + 3 * 10);
  });

  it('rounds each file up to the filesystem\'s block and counts the files it makes', () => {
    const needs = snapshotNeeds({ entries: 3, packBytes: 5000, blobs: 2, blobBytes: 600 * KiB, manifestBytes: 300 }, 4096);
    expect(needs).toEqual({ bytes: 2 * 4096 + 8192 + 4096 + 600 * KiB + 2 * 4096, files: 6 });
  });
});

describe('a snapshot that does not fit', () => {
  const free = { bytes: 64 * MiB, files: 1000, blockSize: 4096, tmpfs: true };

  it('is said with the numbers, where, and what to do', () => {
    expect(whyNoRoom({ bytes: 246 * MiB, files: 10 }, free, '/run/procwarden')).toBe(
      'the snapshot needs about 246.0 MiB and /run/procwarden (a tmpfs: memory) has 64.0 MiB free: narrow PROCWARDEN_WIPE_PATHS to the folders the app writes to, leave big read-only ones out with PROCWARDEN_WIPE_EXCLUDE, or set PROCWARDEN_STATE_DIR to a folder with room',
    );
    expect(whyNoRoom({ bytes: MiB, files: 2000 }, { ...free, tmpfs: false }, '/s')).toMatch(/^the snapshot needs 2000 files and \/s has room for 1000 more: narrow/);
  });

  it('fits when both bytes and files do', () => {
    expect(whyNoRoom({ bytes: 64 * MiB, files: 1000 }, free, '/run/procwarden')).toBeUndefined();
  });

  it('sizes read as the README writes them', () => {
    expect(formatBytes(512)).toBe('512 bytes');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(246 * MiB)).toBe('246.0 MiB');
  });
});
