// Which processes below procwarden belong to which supervised instance, when several run
// at once (a formation). Pure: given what /proc says, and how to ask a process's mark.
//
// An instance's process group holds its first process and what it forks; a process that
// left the group (setsid, a daemon) is still the instance's while a parent of it is; one
// whose parents have all ended came to procwarden (as PID 1 or as subreaper) and is known
// by the mark its environment inherited from the instance (`PS=web.1`, foreman's variable),
// read only for such processes.

import type { ProcStat } from './proc-stat.ts';

/**
 * The members of the instance whose process group is `pgid`, among `all` (every process
 * below procwarden, whose pid is `self`). `marked(pid)`: whether that process's environment
 * carries the instance's mark; asked only of processes that neither the group nor a living
 * parent places. Returns them in `all`'s order.
 */
export function membersOf(all: readonly ProcStat[], self: number, pgid: number, marked: (pid: number) => boolean): ProcStat[] {
  return all.filter(alongParents(all, (stat, parentIs) => stat.pgid === pgid || (parentIs ? parentIs() : stat.ppid === self && marked(stat.pid))));
}

/** Whether an environment block (`/proc/PID/environ`: NAME=value entries, each ended by NUL) holds `entry` exactly. */
export function environHas(environ: string, entry: string): boolean {
  return environ.startsWith(`${entry}\0`) || environ.includes(`\0${entry}\0`);
}

/**
 * The processes among `all` (every process below procwarden) that are not procwarden's
 * own. `own(stat)`: whether procwarden started it for itself (a child Node spawned, a member
 * of a health check's process group); what such a process forked is procwarden's too, while
 * a parent chain to it is alive. Returns the rest in `all`'s order.
 */
export function withoutOwn(all: readonly ProcStat[], own: (stat: ProcStat) => boolean): ProcStat[] {
  const isOwn = alongParents(all, (stat, parentIs) => own(stat) || (parentIs?.() ?? false));
  return all.filter((stat) => !isOwn(stat));
}

/**
 * A question about a process of `all` that its parent's answer may settle:
 * `holds(stat, parentIs)`, where `parentIs()` asks the same of its parent, undefined when
 * that parent is not among `all` (it has ended). Each process is asked once; a loop in what
 * /proc said (pids reused while it was read) answers false where it closes.
 */
function alongParents(all: readonly ProcStat[], holds: (stat: ProcStat, parentIs: (() => boolean) | undefined) => boolean): (stat: ProcStat) => boolean {
  const byPid = new Map(all.map((stat) => [stat.pid, stat]));
  const known = new Map<number, boolean>();
  const ask = (stat: ProcStat): boolean => {
    const seen = known.get(stat.pid);
    if (seen !== undefined) return seen;
    known.set(stat.pid, false);
    const parent = byPid.get(stat.ppid);
    const answer = holds(stat, parent ? () => ask(parent) : undefined);
    known.set(stat.pid, answer);
    return answer;
  };
  return ask;
}
