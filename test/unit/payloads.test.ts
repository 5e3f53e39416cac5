import { describe, expect, it } from 'vitest';
import { findPayload, payloadComment } from '../../src/bundle/payloads.ts';

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
});
