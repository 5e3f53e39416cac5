// The snapshot's manifest and what the reset compares (src/filesystem/entry.ts,
// manifest.ts), and which wipe roots a walk covers (resolve.ts): plain values, no fs.

import { describe, expect, it } from 'vitest';
import { escapeBytes, formatEntry, kindOf, parseEntry, sameEntry, unescapeBytes, type Entry } from '../../src/filesystem/entry.ts';
import { folderEntries, formatEnd, formatFolder, formatHead, formatRoot, parseManifest } from '../../src/filesystem/manifest.ts';
import { neverAWipeRoot, outermost } from '../../src/filesystem/resolve.ts';

const file: Entry = { path: 'a/caf\xe9 %x', kind: 'file', mode: 0o640, uid: 1000, gid: 1000, size: 12, mtimeS: 1_700_000_000, mtimeNs: 123_456_789, packed: 42 };

describe('the snapshot manifest', () => {
  it('escapes every byte outside ! to ~, and %, and nothing else', () => {
    expect(escapeBytes('plain-name.txt')).toBe('plain-name.txt');
    expect(escapeBytes('a b\n%\xff')).toBe('a%20b%0a%25%ff');
    expect(unescapeBytes('a%20b%0a%25%ff')).toBe('a b\n%\xff');
  });

  it('writes an entry as one line and reads it back whole', () => {
    const symlink: Entry = { path: 'link', kind: 'symlink', mode: 0o777, uid: 0, gid: 0, size: 0, mtimeS: 1, mtimeNs: 2, target: '../x y' };
    const device: Entry = { path: 'null', kind: 'char', mode: 0o666, uid: 0, gid: 0, size: 0, mtimeS: 1, mtimeNs: 2, rdev: 259 };
    const blob: Entry = { path: 'big', kind: 'file', mode: 0o600, uid: 0, gid: 0, size: 1 << 30, mtimeS: 3, mtimeNs: 4, blob: '7' };
    for (const entry of [file, symlink, device, blob]) {
      const line = formatEntry(entry);
      expect(line).not.toMatch(/\n/);
      expect(parseEntry(line)).toEqual(entry);
    }
  });

  it('reads the head without the entries, and refuses a manifest without its end line', () => {
    const root = { path: '/app', dev: 2049, ino: 12, mode: 0o755, uid: 0, gid: 0, mtimeS: 5, mtimeNs: 6 };
    const text = `${formatHead('live', ['/app'], ['/app/log/**'])}${formatRoot(root)}\n${formatFolder('')}${formatEntry(file)}\n${formatEnd(1, 12, 'abc')}`;
    expect(parseManifest(text, false)).toEqual({ source: 'live', roots: ['/app'], exclude: ['/app/log/**'], entries: 1, packBytes: 12, packSha256: 'abc' });
    expect(() => parseManifest(text.slice(0, text.lastIndexOf('E ')), true)).toThrow(/incomplete/);
  });

  it('finds each folder\'s entries, and parses one folder at a time', () => {
    const root = { path: '/app', dev: 2049, ino: 12, mode: 0o755, uid: 0, gid: 0, mtimeS: 5, mtimeNs: 6 };
    const entry = (path: string): Entry => ({ ...file, path });
    const folders: [string, string[]][] = [
      ['', ['a', 'e']],
      ['a', ['a/b', 'a/d']],
      ['a/b', ['a/b/c']],
      ['a/d', []],
    ];
    const body = folders.map(([folder, paths]) => formatFolder(folder) + paths.map((path) => `${formatEntry(entry(path))}\n`).join('')).join('');
    const text = `${formatHead('start', ['/app'], [])}${formatRoot(root)}\n${body}${formatEnd(5, 0, 'abc')}`;
    const manifest = parseManifest(text, true);
    expect(manifest.trees.map((tree) => tree.root)).toEqual([root]);
    const found = manifest.trees[0]!.folders;
    expect([...found.keys()]).toEqual(['', 'a', 'a/b', 'a/d']);
    for (const [folder, paths] of folders) expect(folderEntries(text, found.get(folder)!).map((parsed) => parsed.path)).toEqual(paths);
  });
});

describe('what the reset compares', () => {
  const now = { kind: 'file' as const, mode: 0o100640, uid: 1000, gid: 1000, size: 12, mtimeS: 1_700_000_000, mtimeNs: 123_456_789, rdev: 0 };

  it('a file is the same when its kind, mode, owner, size and time to the nanosecond are', () => {
    expect(sameEntry(file, now)).toBe(true);
    expect(sameEntry(file, { ...now, mtimeNs: 123_456_788 })).toBe(false);
    expect(sameEntry(file, { ...now, uid: 0 })).toBe(false);
    expect(sameEntry(file, { ...now, mode: 0o100600 })).toBe(false);
    expect(sameEntry(file, { ...now, kind: 'fifo' })).toBe(false);
  });

  it('sockets are a kind of their own, never kept', () => {
    expect(kindOf(0o140755)).toBe('socket');
    expect(kindOf(0o010644)).toBe('fifo');
    expect(kindOf(0o100644)).toBe('file');
  });
});

describe('wipe roots', () => {
  it('/, /proc, /sys, /dev and below are never wipe roots; /procfiles is', () => {
    expect(['/', '/proc', '/sys/fs', '/dev/shm'].map(neverAWipeRoot)).toEqual([true, true, true, true]);
    expect(neverAWipeRoot('/procfiles')).toBe(false);
  });

  it('a root inside another is walked as part of the outer one, whatever the order', () => {
    expect(outermost(['/app/tmp', '/app', '/tmp', '/app2'])).toEqual(['/app', '/tmp', '/app2']);
  });
});
