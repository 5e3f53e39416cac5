// Reading PROCWARDEN_POLICY_FILE, bounded: a policy is a few lines, and the file is whatever
// a volume mounts there. /dev/zero once grew PID 1 to 10 GB, a FIFO hung it, and a 200 MiB
// file took 615 MB: it is read only when it is a regular file (through its symlinks, as a
// ConfigMap's are), and only up to MAX_POLICY_FILE_BYTES.

import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

/** The most a policy file may hold. */
export const MAX_POLICY_FILE_BYTES = 64 * 1024;

/** The file's text, or why it is refused (one phrase, for a line that names the file). */
export function readPolicyFileText(path: string): { text: string } | { error: string } {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO nobody writes to returns at once instead of hanging.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    return { error: `cannot read it (${(error as NodeJS.ErrnoException).code ?? 'error'})` };
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) return { error: 'is not a regular file' };
    if (stats.size > MAX_POLICY_FILE_BYTES) return { error: `is over ${MAX_POLICY_FILE_BYTES / 1024} KiB` };
    const buffer = Buffer.alloc(MAX_POLICY_FILE_BYTES + 1);
    let length = 0;
    for (let read = -1; read !== 0 && length < buffer.length; length += read) read = readSync(fd, buffer, length, buffer.length - length, null);
    if (length > MAX_POLICY_FILE_BYTES) return { error: `is over ${MAX_POLICY_FILE_BYTES / 1024} KiB` };
    return { text: buffer.subarray(0, length).toString('utf8') };
  } catch (error) {
    return { error: `cannot read it (${(error as NodeJS.ErrnoException).code ?? 'error'})` };
  } finally {
    closeSync(fd);
  }
}
