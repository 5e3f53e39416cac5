import { describe, expect, it } from 'vitest';
import { rawTail, splitNulBlock } from '../../src/process/raw-args.ts';

describe('raw arguments', () => {
  it('splits a NUL block, keeping empty strings', () => {
    const parts = splitNulBlock(Buffer.from('node\0script\0\0a b\0', 'latin1'));
    expect(parts.map((p) => p.toString())).toEqual(['node', 'script', '', 'a b']);
  });

  it('keeps bytes that are not UTF-8 when they decode to what Node saw', () => {
    const odd = Buffer.from([0x66, 0xff, 0x6f]);
    const cmdline = [Buffer.from('node'), Buffer.from('procwarden'), Buffer.from('echo'), odd];
    const tail = rawTail(cmdline, ['echo', odd.toString('utf8')]);
    expect(tail[1]).toEqual(odd);
  });

  it('falls back to the words as UTF-8 when the command line does not match', () => {
    expect(rawTail([Buffer.from('x')], ['a', 'b']).map(String)).toEqual(['a', 'b']);
  });
});
