// Parsing what /proc says of processes. Pure: tested on sample lines.

export interface ProcStat {
  readonly pid: number;
  readonly comm: string;
  /** R, S, D, Z (zombie), T, ... */
  readonly state: string;
  readonly ppid: number;
  readonly pgid: number;
  readonly sid: number;
  /** Start time after boot, in clock ticks. */
  readonly startTicks: number;
}

/**
 * The command name sits in parentheses and may itself contain spaces and ')', so the
 * fields are read after the *last* ')'.
 */
export function parseProcStat(line: string): ProcStat | undefined {
  const open = line.indexOf('(');
  const close = line.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const rest = line.slice(close + 2).split(' ');
  // rest[0] is field 3 (state); field N is rest[N - 3].
  const state = rest[0];
  const ppid = Number(rest[1]);
  const pgid = Number(rest[2]);
  const sid = Number(rest[3]);
  const startTicks = Number(rest[19]);
  const pid = Number(line.slice(0, open).trim());
  if (state === undefined || !Number.isInteger(pid) || !Number.isInteger(ppid)) return undefined;
  return { pid, comm: line.slice(open + 1, close), state, ppid, pgid, sid, startTicks };
}

/** The pids in a /proc/<pid>/task/<tid>/children file: "12 34 56 ". */
export function parseChildren(text: string): number[] {
  const pids: number[] = [];
  for (let start = 0, end = text.indexOf(' '); end >= 0; start = end + 1, end = text.indexOf(' ', start)) {
    pids.push(Number(text.slice(start, end)));
  }
  return pids;
}

/** The effective uid in a /proc/<pid>/status text (its `Uid:` line: real, effective, saved, fs); undefined when there is none. */
export function effectiveUidOf(status: string): number | undefined {
  const match = /^Uid:\s+\d+\s+(\d+)/m.exec(status);
  return match ? Number(match[1]) : undefined;
}
