import { describe, expect, it } from 'vitest';
import { effectiveUidOf, parseChildren, parseProcStat } from '../../src/process/proc-stat.ts';

const line = (pid: number, comm: string, state: string, ppid: number) =>
  `${pid} (${comm}) ${state} ${ppid} ${pid} ${pid} 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 98765 1000 100 0`;

describe('/proc/<pid>/stat', () => {
  it('reads the fields after the command name', () => {
    expect(parseProcStat(line(42, 'sleep', 'S', 7))).toEqual({
      pid: 42, comm: 'sleep', state: 'S', ppid: 7, pgid: 42, sid: 42, startTicks: 98765,
    });
  });

  it('survives a command name with spaces and parentheses', () => {
    expect(parseProcStat(line(9, 'a) b (c', 'Z', 1))).toMatchObject({ pid: 9, comm: 'a) b (c', state: 'Z', ppid: 1 });
  });

  it('refuses garbage', () => {
    expect(parseProcStat('')).toBeUndefined();
    expect(parseProcStat('12 no parens')).toBeUndefined();
  });
});

describe('children lists', () => {
  it('reads the pids of a children file', () => {
    expect(parseChildren('12 34 56 ')).toEqual([12, 34, 56]);
    expect(parseChildren('')).toEqual([]);
  });
});

describe('/proc/<pid>/status', () => {
  it('gives the effective uid, the second of the Uid line', () => {
    expect(effectiveUidOf('Name:\tprocwarden\nUmask:\t0022\nUid:\t0\t1000\t1000\t1000\nGid:\t0\t0\t0\t0\n')).toBe(1000);
    expect(effectiveUidOf('Name:\tx\n')).toBeUndefined();
  });
});
