import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findPayload, findPayloadInFile, payloadComment } from '../../src/bundle/payloads.ts';

describe('bundle payloads', () => {
  it('finds each payload by name after the code, whatever the code says', () => {
    const code = "const marker = '/*procwarden-payload:libc:';\n";
    const bundle = code + payloadComment('pino', 'raw', Buffer.from('pino code')) + payloadComment('libc', 'gzip', Buffer.from([0, 255, 1]));
    expect(findPayload(bundle, 'libc')).toEqual({ encoding: 'gzip', bytes: Buffer.from([0, 255, 1]) });
    expect(findPayload(bundle, 'pino')?.bytes.toString()).toBe('pino code');
  });

  it('says when a payload is missing', () => {
    expect(findPayload('console.log(1)', 'libc')).toBeUndefined();
  });

  it('finds a payload in a bundle file whether it sits in its last 64 KB, further back, or behind 1 MB of others', () => {
    const folder = mkdtempSync(join(tmpdir(), 'procwarden-payloads-'));
    try {
      const file = join(folder, 'bundle');
      const big = (byte: number, size: number) => Buffer.alloc(size, byte);
      const code = "const marker = '/*procwarden-payload:pino:';\n";
      writeFileSync(
        file,
        code +
          payloadComment('tree-sitter', 'gzip', big(1, 800 << 10)) +
          payloadComment('pino', 'raw', big(2, 300 << 10)) +
          payloadComment('libc', 'raw', big(3, 10 << 10)),
      );
      expect(findPayloadInFile(file, 'libc')?.bytes.equals(big(3, 10 << 10))).toBe(true);
      expect(findPayloadInFile(file, 'pino')?.bytes.equals(big(2, 300 << 10))).toBe(true);
      expect(findPayloadInFile(file, 'tree-sitter')?.bytes.equals(big(1, 800 << 10))).toBe(true);
      expect(findPayloadInFile(file, 'chokidar')).toBeUndefined();
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
