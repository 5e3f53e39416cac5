// /proc/self/status as procwarden's code first read it, at its start: the signals Node had
// caught by then (signals/early-signals.ts) and the size of the descriptor table
// (given-fds.ts) come from one read. A file under /proc/self costs a start 30 to 100 µs to
// read on some kernels, more in a pid namespace's fresh /proc.

import { readFileSync } from 'node:fs';

/** The text, null when it could not be read, undefined before the first call. */
let status: string | null | undefined;

/** /proc/self/status as the first call read it; undefined when it could not be read. */
export function statusAtStart(): string | undefined {
  if (status === undefined) {
    try {
      status = readFileSync('/proc/self/status', 'latin1');
    } catch {
      status = null;
    }
  }
  return status ?? undefined;
}
