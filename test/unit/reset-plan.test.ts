// What a reset leaves alone (src/filesystem/folder-plan.ts, mounts.ts, out-of-reach.ts): a
// mount point wherever the snapshot had something, and a time only another user may set.
// Plain values, no fs.

import { describe, expect, it } from 'vitest';
import type { Entry } from '../../src/filesystem/entry.ts';
import { planFolder, type Present } from '../../src/filesystem/folder-plan.ts';
import { mountPointsBelow, parseMountPoints } from '../../src/filesystem/mounts.ts';
import { timeOutOfReach } from '../../src/filesystem/out-of-reach.ts';

const entry = (path: string, kind: Entry['kind']): Entry => ({ path, kind, mode: 0o644, uid: 0, gid: 0, size: 0, mtimeS: 1, mtimeNs: 0 });
const names = (present: readonly Present[]) => present.map(({ name }) => name);

describe('a folder\'s reset plan', () => {
  const wanted = [entry('app/index.html', 'file'), entry('app/www', 'dir'), entry('app/run', 'symlink')];

  it('removes what the snapshot does not want or wants as another kind, and keeps the rest to compare', () => {
    const present: Present[] = [
      { name: 'index.html', kind: 'file' },
      { name: 'www', kind: 'symlink' },
      { name: 'junk', kind: 'file' },
      { name: 'app.sock', kind: 'socket' },
    ];
    const plan = planFolder(wanted, present, []);
    expect(names(plan.remove)).toEqual(['www', 'junk', 'app.sock']);
    expect([...plan.kept.keys()]).toEqual(['index.html']);
    expect(plan.wanted).toEqual(wanted);
  });

  it('leaves a mount point alone where the snapshot has a folder or a file: neither removed nor put back', () => {
    // A volume over the image's www, and a file bind-mounted over its index.html: the listing
    // left both out (walk.ts), as it leaves out what is excluded and the state dir.
    const plan = planFolder(wanted, [{ name: 'run', kind: 'symlink' }], ['www', 'index.html']);
    expect(plan.remove).toEqual([]);
    expect(plan.wanted.map(({ path }) => path)).toEqual(['app/run']);
    expect([...plan.kept.keys()]).toEqual(['run']);
  });

  it('puts back what the snapshot wants and nothing is there of, when nothing is left alone', () => {
    const plan = planFolder(wanted, [], []);
    expect(plan.wanted).toEqual(wanted);
    expect(plan.kept.size).toBe(0);
  });
});

describe('mount points below a wipe root', () => {
  const mountinfo = [
    '22 1 0:21 / / rw,relatime - overlay overlay rw',
    '23 22 0:22 / /proc rw - proc proc rw',
    '30 22 8:1 /srv/www /app/www rw,relatime - ext4 /dev/sda1 rw',
    '31 22 8:1 /srv/index.html /app/pages/index.html ro - ext4 /dev/sda1 rw',
    '32 22 8:1 /srv/x /app/with\\040space rw - ext4 /dev/sda1 rw',
    '33 22 0:40 / /app-other rw - tmpfs tmpfs rw',
    '34 30 0:41 / /app/www/cache rw - tmpfs tmpfs rw',
    '',
  ].join('\n');

  it('reads each mount point from mountinfo, octal escapes undone', () => {
    expect(parseMountPoints(mountinfo)).toEqual(['/', '/proc', '/app/www', '/app/pages/index.html', '/app/with space', '/app-other', '/app/www/cache']);
  });

  it('groups those strictly below the root by the folder that holds them: folders and files alike', () => {
    const below = mountPointsBelow(parseMountPoints(mountinfo), '/app');
    expect(below).toEqual(
      new Map([
        ['/app', new Set(['www', 'with space'])],
        ['/app/pages', new Set(['index.html'])],
        ['/app/www', new Set(['cache'])],
      ]),
    );
    // The root itself, and a sibling whose name starts like it, are not below it.
    expect(mountPointsBelow(['/app', '/app-other/x'], '/app').size).toBe(0);
  });
});

describe('a time only its owner may set', () => {
  const EPERM = 1;
  const EACCES = 13;
  const EROFS = 30;

  it('is left, without an error, when procwarden\'s user does not own the entry (root\'s /tmp, procwarden run as 1000)', () => {
    expect(timeOutOfReach(EPERM, 0, 1000)).toBe(true);
  });

  it('is an error on procwarden\'s own entry, and for any other failure', () => {
    expect(timeOutOfReach(EPERM, 1000, 1000)).toBe(false);
    expect(timeOutOfReach(EPERM, 0, 0)).toBe(false);
    expect(timeOutOfReach(EROFS, 0, 1000)).toBe(false);
    expect(timeOutOfReach(EACCES, 0, 1000)).toBe(false);
  });
});
