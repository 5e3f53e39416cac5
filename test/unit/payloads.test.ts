import { closeSync, fstatSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bundleWithPayloads, findPayloadInFile, keepBundleDescriptor, PAYLOAD_FUNCTION, payloadsInText, readPayload, readPayloadsFromFile } from '../../src/bundle/payloads.ts';

describe('bundle payloads', () => {
  let folder: string;
  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'procwarden-payloads-'));
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  const write = (bytes: Buffer) => {
    const file = join(folder, 'bundle');
    writeFileSync(file, bytes);
    return file;
  };

  it('finds each payload through the index, whatever the code says and wherever the payload sits', () => {
    const big = (byte: number, size: number) => Buffer.alloc(size, byte);
    // The code names a payload's marker itself: the index, not a search, finds the payload.
    const code = Buffer.from("#!/usr/bin/env node\nconst marker = '/*procwarden-payload:libc:raw:AAAA*/';\n");
    const file = write(
      bundleWithPayloads(code, [
        { name: 'code', encoding: 'raw', bytes: Buffer.from('console.log(1)') },
        { name: 'tree-sitter', encoding: 'brotli', bytes: big(1, 800 << 10) },
        { name: 'pino', encoding: 'raw', bytes: big(2, 300 << 10) },
        { name: 'libc', encoding: 'raw', bytes: big(3, 10 << 10) },
      ]),
    );
    expect(findPayloadInFile(file, 'libc')).toEqual({ encoding: 'raw', bytes: big(3, 10 << 10) });
    expect(findPayloadInFile(file, 'pino')?.bytes.equals(big(2, 300 << 10))).toBe(true);
    const compressed = findPayloadInFile(file, 'tree-sitter')!;
    expect(compressed.encoding).toBe('brotli');
    expect(brotliDecompressSync(compressed.bytes).equals(big(1, 800 << 10))).toBe(true);
    const both = readPayloadsFromFile(file, ['code', 'libc', 'chokidar']);
    expect(both.get('code')?.bytes.toString()).toBe('console.log(1)');
    expect(both.has('chokidar')).toBe(false);
  });

  it('makes a file that is still the code it starts with: every payload and the index are comments', () => {
    const file = write(bundleWithPayloads(Buffer.from('module.exports = 41 + 1;\n'), [{ name: 'libc', encoding: 'raw', bytes: Buffer.from('*/ not the end') }]));
    const module = { exports: 0 };
    new Function('module', readFileSync(file, 'utf8'))(module);
    expect(module.exports).toBe(42);
    expect(findPayloadInFile(file, 'libc')?.bytes.toString()).toBe('*/ not the end');
  });

  it("gives the payloads from the payload function's own text, as the bootstrap reads them, without reading the file again", () => {
    const code = '(function (exports) { exports.answer = 42;\n})';
    const file = write(
      bundleWithPayloads(Buffer.from('#!/usr/bin/env node\nconst kind = typeof procwardenPayloads;\n'), [
        { name: 'code', encoding: 'text', bytes: Buffer.from(code) },
        { name: 'code-cache', encoding: 'raw', bytes: Buffer.from([0, 1, 2, 0x2a, 0x2f, 255]) },
      ]),
    );
    // The file is a script whose last declaration is the payload function: the code before it
    // sees it already.
    const text = readFileSync(file, 'utf8').replace(/^#!.*\n/, '');
    const [kind, found] = new Function(`${text}\nreturn [kind, ${PAYLOAD_FUNCTION}.toString()];`)() as [string, string];
    expect(kind).toBe('function');
    const payloads = payloadsInText(found, ['code', 'code-cache', 'libc']);
    expect(payloads.get('code')).toEqual({ encoding: 'text', data: code });
    expect(Buffer.from(payloads.get('code-cache')!.data, 'base64')).toEqual(Buffer.from([0, 1, 2, 0x2a, 0x2f, 255]));
    expect(payloads.has('libc')).toBe(false);
    // The same payloads as the file reader finds.
    expect(findPayloadInFile(file, 'code')?.bytes.toString()).toBe(code);
  });

  it('refuses a text payload that is not ASCII or would end its comment', () => {
    expect(() => bundleWithPayloads(Buffer.from('//\n'), [{ name: 'code', encoding: 'text', bytes: Buffer.from('a = "*/"') }])).toThrow(/holds '\*\/'/);
    expect(() => bundleWithPayloads(Buffer.from('//\n'), [{ name: 'code', encoding: 'text', bytes: Buffer.from('a = "é"') }])).toThrow(/not ASCII/);
  });

  it('refuses a payload of a bundle file written over in place since it was kept (cp NEW OLD), and not of one removed', () => {
    const slots = globalThis as Record<symbol, unknown>;
    const file = write(bundleWithPayloads(Buffer.from('//\n'), [{ name: 'web', encoding: 'raw', bytes: Buffer.from('the page') }]));
    const fd = openSync(file, 'r');
    try {
      keepBundleDescriptor(fd);
      expect(readPayload('web').toString()).toBe('the page');
      // The same file (its inode) written again, as cp does: other bytes behind the same descriptor.
      writeFileSync(file, bundleWithPayloads(Buffer.from('// another build\n'), [{ name: 'web', encoding: 'raw', bytes: Buffer.from('another page') }]));
      expect(() => readPayload('web')).toThrow(/written over in place since procwarden started/);
      // A removal (or mv over it) leaves the descriptor's file as it was: still readable.
      const kept = join(folder, 'kept');
      writeFileSync(kept, bundleWithPayloads(Buffer.from('//\n'), [{ name: 'web', encoding: 'raw', bytes: Buffer.from('the page') }]));
      const keptFd = openSync(kept, 'r');
      try {
        keepBundleDescriptor(keptFd);
        rmSync(kept);
        expect(readPayload('web').toString()).toBe('the page');
      } finally {
        closeSync(keptFd);
      }
    } finally {
      closeSync(fd);
      delete slots[Symbol.for('procwarden.bundleFd')];
      delete slots[Symbol.for('procwarden.bundleStat')];
    }
  });

  it('finds nothing in a file without an index', () => {
    expect(findPayloadInFile(write(Buffer.from('console.log(1)\n')), 'libc')).toBeUndefined();
  });

  it('reads from a descriptor, and leaves it open: the file procwarden started from, even once its path is gone', () => {
    const file = write(bundleWithPayloads(Buffer.from('//\n'), [{ name: 'web', encoding: 'raw', bytes: Buffer.from('the page') }]));
    const fd = openSync(file, 'r');
    try {
      rmSync(file);
      expect(findPayloadInFile(fd, 'web')?.bytes.toString()).toBe('the page');
      expect(fstatSync(fd).nlink).toBe(0);
    } finally {
      closeSync(fd);
    }
  });
});
