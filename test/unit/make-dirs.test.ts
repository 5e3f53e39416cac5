import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeDirs } from '../../src/filesystem/make-dirs.ts';

describe('makeDirs', () => {
  let folder: string;
  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'procwarden-make-dirs-'));
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  it('makes every missing folder of the path, each private (0700)', () => {
    const deep = join(folder, 'a', 'b', 'c');
    makeDirs(deep);
    for (const path of [join(folder, 'a'), join(folder, 'a', 'b'), deep]) {
      expect(statSync(path).isDirectory()).toBe(true);
      expect(statSync(path).mode & 0o777).toBe(0o700);
    }
  });

  it('leaves a folder that exists as it is', () => {
    const existing = join(folder, 'kept');
    makeDirs(existing);
    chmodSync(existing, 0o750);
    makeDirs(existing);
    expect(statSync(existing).mode & 0o777).toBe(0o750);
  });

  it('throws when a file stands where a folder must go', () => {
    writeFileSync(join(folder, 'file'), '');
    expect(() => makeDirs(join(folder, 'file', 'below'))).toThrow(/ENOTDIR|EEXIST/);
  });
});
