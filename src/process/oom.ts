// Whether the kernel's OOM killer ended a process of procwarden's control group: its count of
// OOM kills, read from the cgroup's own files. cgroup v2: `memory.events`, line `oom_kill N`
// (kernel 4.13+); cgroup v1: `memory.oom_control`, line `oom_kill N` (kernel 4.13+). The
// app runs in procwarden's cgroup, as a container's processes all do.

import { readFileSync } from 'node:fs';

/** The files that count OOM kills for procwarden's cgroup, found once. */
let counters: string[] | undefined;

function counterFiles(): string[] {
  if (counters) return counters;
  counters = [];
  let lines: string[] = [];
  try {
    lines = readFileSync('/proc/self/cgroup', 'latin1').split('\n');
  } catch {
    return counters;
  }
  for (const line of lines) {
    const [, controllers, path] = line.split(':', 3) as [string, string | undefined, string | undefined];
    if (path === undefined) continue;
    if (controllers === '') counters.push(`/sys/fs/cgroup${path === '/' ? '' : path}/memory.events`, `/sys/fs/cgroup/unified${path === '/' ? '' : path}/memory.events`);
    else if (controllers?.split(',').includes('memory')) counters.push(`/sys/fs/cgroup/memory${path === '/' ? '' : path}/memory.oom_control`);
  }
  return counters;
}

/** The OOM kills counted in procwarden's cgroup so far; undefined where no cgroup file tells. */
export function oomKillCount(): number | undefined {
  let total: number | undefined;
  for (const file of counterFiles()) {
    let text: string;
    try {
      text = readFileSync(file, 'latin1');
    } catch {
      continue;
    }
    const match = /^oom_kill (\d+)$/m.exec(text);
    if (match) total = Math.max(total ?? 0, Number(match[1]));
  }
  return total;
}
