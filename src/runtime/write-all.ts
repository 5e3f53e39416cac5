// Writing a whole text to a descriptor, synchronously: the events and the prefixed output
// both must reach their reader whole, and before procwarden exits.

import { writeSync } from 'node:fs';

/**
 * All of `text` (in `encoding`: latin1 gives back bytes read as latin1 unchanged) to `fd`, through short writes and a moment when a non-blocking pipe is full
 * (EAGAIN: tried again). Any other error ends the write quietly: a reader that has gone
 * must not stop procwarden.
 */
export function writeAll(fd: number, text: string, encoding: BufferEncoding = 'utf8'): void {
  const bytes = Buffer.from(text, encoding);
  for (let done = 0; done < bytes.length; ) {
    try {
      done += writeSync(fd, bytes, done, bytes.length - done);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') return;
    }
  }
}
