import { describe, expect, it } from 'vitest';
import { environHas, membersOf, withoutOwn } from '../../src/process/ownership.ts';
import type { ProcStat } from '../../src/process/proc-stat.ts';

const SELF = 1;
const proc = (pid: number, ppid: number, pgid: number): ProcStat => ({ pid, ppid, pgid, sid: 1, comm: `p${pid}`, state: 'S', startTicks: 0 });

describe('which processes are an instance of a formation', () => {
  // web: 10 (its group 10), a child 11, a setsid grandchild 12 under 11.
  // worker: 20, an orphan 21 (setsid, its parents gone, so its parent is procwarden) and 22 below it.
  const all = [proc(10, SELF, 10), proc(11, 10, 10), proc(12, 11, 12), proc(20, SELF, 20), proc(21, SELF, 21), proc(22, 21, 21)];
  const marks = new Map([
    [21, 'worker.1'],
    [22, 'worker.1'],
  ]);
  const markedAs = (name: string) => (pid: number) => marks.get(pid) === name;

  it('its process group, and what a living member forked, setsid or not', () => {
    expect(membersOf(all, SELF, 10, markedAs('web.1')).map(({ pid }) => pid)).toEqual([10, 11, 12]);
  });

  it('an orphan that came to procwarden by its mark, with what it forked', () => {
    expect(membersOf(all, SELF, 20, markedAs('worker.1')).map(({ pid }) => pid)).toEqual([20, 21, 22]);
  });

  it('asks for marks only of orphans the group and the parents do not place', () => {
    const asked: number[] = [];
    membersOf(all, SELF, 10, (pid) => (asked.push(pid), false));
    expect(asked).toEqual([20, 21]);
  });

  it('a loop in what /proc said ends', () => {
    expect(membersOf([proc(30, 31, 30), proc(31, 30, 31)], SELF, 99, () => false)).toEqual([]);
  });
});

describe('environHas', () => {
  it('finds an entry exactly, first or later, never as part of another', () => {
    expect(environHas('PS=web.1\0PORT=5000\0', 'PS=web.1')).toBe(true);
    expect(environHas('PORT=5000\0PS=web.1\0', 'PS=web.1')).toBe(true);
    expect(environHas('PORT=5000\0PS=web.10\0', 'PS=web.1')).toBe(false);
    expect(environHas('XPS=web.1\0', 'PS=web.1')).toBe(false);
    expect(environHas('', 'PS=web.1')).toBe(false);
  });
});

describe("which processes are procwarden's own, not the app's", () => {
  // The app: 10 (its group 10) and a child 11. A health check: its shell 30 (a child Node
  // spawned, group 30), its child 31, a grandchild 32 that left the group (setsid) under it,
  // and 33, an orphan of the group that came to procwarden.
  const all = [proc(10, SELF, 10), proc(11, 10, 10), proc(30, SELF, 30), proc(31, 30, 30), proc(32, 31, 32), proc(33, SELF, 30)];
  const nodeChildren = new Set([30]);
  const ownGroups = new Set([30]);
  const own = ({ pid, pgid }: ProcStat) => nodeChildren.has(pid) || ownGroups.has(pgid);

  it("leaves the app's tree alone: the check's group, what it forked and its orphans are procwarden's", () => {
    expect(withoutOwn(all, own).map(({ pid }) => pid)).toEqual([10, 11]);
  });

  it('a process is own by its parent only while the parent lives: an orphan that left the group is the rest', () => {
    expect(withoutOwn([proc(32, SELF, 32), proc(10, SELF, 10)], own).map(({ pid }) => pid)).toEqual([32, 10]);
  });

  it('the shell alone, once its group is forgotten (a child Node spawned, its children with it)', () => {
    expect(withoutOwn(all, ({ pid }) => nodeChildren.has(pid)).map(({ pid }) => pid)).toEqual([10, 11, 33]);
  });

  it('nothing own: all of it, in its order', () => {
    expect(withoutOwn(all, () => false)).toEqual(all);
  });

  it('a loop in what /proc said ends', () => {
    expect(withoutOwn([proc(40, 41, 40), proc(41, 40, 41)], () => false).map(({ pid }) => pid)).toEqual([40, 41]);
  });
});
