// Splitting a stream of text into lines. Pure.

/**
 * The whole lines of `rest` (what was left of the stream so far) followed by `chunk`,
 * without their newlines, and what is left after the last newline.
 */
export function splitLines(rest: string, chunk: string): { readonly lines: string[]; readonly rest: string } {
  const parts = (rest + chunk).split('\n');
  const last = parts.pop()!;
  return { lines: parts, rest: last };
}
