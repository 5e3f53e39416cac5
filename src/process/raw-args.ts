// Arguments and environment as the bytes the kernel holds, so that the app gets exactly
// what procwarden was given, including bytes that are not UTF-8 (Node's process.argv and
// process.env replace those with U+FFFD).

/** Splits a NUL-separated block (/proc/self/cmdline, /proc/self/environ) into its strings. Pure. */
export function splitNulBlock(block: Buffer): Buffer[] {
  const parts: Buffer[] = [];
  let start = 0;
  for (let end = block.indexOf(0, start); end >= 0; end = block.indexOf(0, start)) {
    parts.push(block.subarray(start, end));
    start = end + 1;
  }
  if (start < block.length) parts.push(block.subarray(start));
  return parts;
}

/**
 * The raw bytes of the last `words.length` arguments of the command line, when they
 * decode to `words` (the same arguments as Node saw them); else the words as UTF-8. Pure.
 */
export function rawTail(cmdline: readonly Buffer[], words: readonly string[]): Buffer[] {
  const tail = cmdline.slice(cmdline.length - words.length);
  const same = tail.length === words.length && tail.every((raw, i) => raw.toString('utf8') === words[i]);
  return same ? tail : words.map((word) => Buffer.from(word, 'utf8'));
}
