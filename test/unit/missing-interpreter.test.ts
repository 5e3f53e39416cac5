import { describe, expect, it } from 'vitest';
import { missingInterpreter } from '../../src/process/spawn-app.ts';

describe('why a file that is there cannot run when execve says ENOENT', () => {
  it('a #! line with a carriage return: Windows line ends', () => {
    expect(missingInterpreter(Buffer.from('#!/bin/sh\r\necho hi\r\n'))).toMatch(/^its #! line ends with a carriage return/);
  });

  it('a #! interpreter the image lacks, named, arguments left out', () => {
    expect(missingInterpreter(Buffer.from('#!/bin/bash -e\nset -u\n'))).toBe('its #! interpreter /bin/bash is not in the image');
    expect(missingInterpreter(Buffer.from('#! /usr/bin/env python3\n'))).toBe('its #! interpreter /usr/bin/env is not in the image');
  });

  it('an ELF program: its loader (another C library or architecture)', () => {
    expect(missingInterpreter(Buffer.from('\x7fELF\x02\x01\x01', 'latin1'))).toMatch(/^it is a program whose loader \(its ELF interpreter\) is not in the image/);
  });

  it('anything else: no reason to give', () => {
    expect(missingInterpreter(Buffer.from('echo hi\n'))).toBeUndefined();
    expect(missingInterpreter(Buffer.alloc(0))).toBeUndefined();
  });
});
