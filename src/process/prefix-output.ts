// PROCWARDEN_PREFIX=on: a formation's output through procwarden, a line at a time, each line
// after its instance's name, as foreman prints it (`11:20:03 web.1    | listening`), in the
// instance's colour when procwarden's own output is a terminal. The app then writes to pipes,
// not to procwarden's stdout and stderr: it sees no terminal, and its lines are copied once.

import { closeSync, readSync } from 'node:fs';
import type { Libc } from '../native/libc.ts';
import { splitLines } from './lines.ts';
import { writeAll } from '../runtime/write-all.ts';

/** foreman's colours, in its order (ANSI SGR codes). */
const COLOURS = [36, 33, 32, 35, 31, 34];

export interface PrefixedOutput {
  /** Pipes for the next start of the instance: their write ends become its stdout and stderr. */
  open(): { readonly stdout: number; readonly stderr: number };
  /** The instance has started: procwarden's copies of the write ends are closed, so that the pipes end with the app's tree. */
  started(): void;
  /** Copies what the pipes still hold, now (procwarden is about to exit). */
  flush(): void;
}

/**
 * The output of instance `name` (`index`: its place in the formation, for its colour),
 * prefixed to `width` characters of name. Pipes that cannot be made throw (out of
 * descriptors): the start fails as a spawn does.
 */
export function prefixedOutput(libc: Libc, name: string, index: number, width: number): PrefixedOutput {
  const tty = process.getBuiltinModule('node:tty');
  const readers = new Set<{ flush(): void }>();
  let open: { stdout: { read: number; write: number }; stderr: { read: number; write: number } } | undefined;
  return {
    open() {
      open = { stdout: libc.pipe(), stderr: libc.pipe() };
      return { stdout: open.stdout.write, stderr: open.stderr.write };
    },
    started() {
      if (!open) return;
      for (const [pipe, to] of [
        [open.stdout, 1],
        [open.stderr, 2],
      ] as const) {
        closeSync(pipe.write);
        const colour = tty.isatty(to) ? COLOURS[index % COLOURS.length] : undefined;
        const reader = copyLines(pipe.read, to, (line) => `${prefix(name, width, colour)}${line}\n`, () => readers.delete(reader));
        readers.add(reader);
      }
      open = undefined;
    },
    flush() {
      for (const reader of readers) reader.flush();
    },
  };
}

/** `11:20:03 web.1    | `, coloured but for the line itself. */
function prefix(name: string, width: number, colour: number | undefined): string {
  const head = `${new Date().toTimeString().slice(0, 8)} ${name.padEnd(width)} | `;
  return colour === undefined ? head : `\x1b[${colour}m${head}\x1b[0m`;
}

/**
 * Reads `fd` (a pipe) without blocking procwarden, and writes each whole line, formatted, to
 * `to`; at the pipe's end, the last partial line too. `flush` reads what is left at once.
 */
function copyLines(fd: number, to: number, format: (line: string) => string, ended: () => void): { flush(): void } {
  const { Socket } = process.getBuiltinModule('node:net');
  const socket = new Socket({ fd, readable: true, writable: false });
  let rest = '';
  let done = false;
  const write = (lines: readonly string[]) => {
    if (lines.length > 0) writeAll(to, lines.map(format).join(''), 'latin1');
  };
  const take = (chunk: string) => {
    const split = splitLines(rest, chunk);
    rest = split.rest;
    write(split.lines);
  };
  const end = () => {
    if (done) return;
    done = true;
    if (rest !== '') write([rest]);
    rest = '';
    socket.destroy();
    ended();
  };
  // Bytes as latin1, one character each, written back the same way: the app's output reaches
  // procwarden's byte for byte, UTF-8 or not.
  socket.setEncoding('latin1');
  socket.on('data', take);
  socket.on('end', end);
  socket.on('error', end);
  // Never what keeps procwarden running: the app is.
  socket.unref();
  return {
    flush() {
      if (done) return;
      const buffer = Buffer.allocUnsafe(64 * 1024);
      for (;;) {
        let got = 0;
        try {
          got = readSync(fd, buffer, 0, buffer.length, null);
        } catch {
          break; // EAGAIN: nothing more now
        }
        if (got === 0) break;
        take(buffer.toString('latin1', 0, got));
      }
      end();
    },
  };
}
