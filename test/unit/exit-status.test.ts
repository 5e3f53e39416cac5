import { describe, expect, it } from 'vitest';
import { decodeWaitStatus, exitCodeFor, signalName } from '../../src/process/exit-status.ts';

describe('wait statuses', () => {
  it('decodes an exit code', () => {
    expect(decodeWaitStatus(3 << 8)).toEqual({ code: 3, signal: null });
    expect(decodeWaitStatus(255 << 8)).toEqual({ code: 255, signal: null });
    expect(decodeWaitStatus(0)).toEqual({ code: 0, signal: null });
  });

  it('decodes a death by signal, with or without a core dump', () => {
    expect(decodeWaitStatus(15)).toEqual({ code: null, signal: 'SIGTERM' });
    expect(decodeWaitStatus(11 | 0x80)).toEqual({ code: null, signal: 'SIGSEGV', coreDumped: true });
    expect(decodeWaitStatus(40)).toEqual({ code: null, signal: 'SIGRTMIN+6' });
  });

  it('ignores stop and continue reports', () => {
    expect(decodeWaitStatus((19 << 8) | 0x7f)).toBeNull();
    expect(decodeWaitStatus(0xffff)).toBeNull();
  });
});

describe('exit codes', () => {
  it('is the app code, or 128 + N for signal N', () => {
    expect(exitCodeFor({ code: 3, signal: null })).toBe(3);
    expect(exitCodeFor({ code: null, signal: 'SIGINT' })).toBe(130);
    expect(exitCodeFor({ code: null, signal: 'SIGKILL' })).toBe(137);
    expect(exitCodeFor({ code: null, signal: signalName(40) })).toBe(168);
  });
});
