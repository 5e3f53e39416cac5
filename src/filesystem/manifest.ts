// The snapshot's manifest, as text: pure, no fs.
//
//   procwarden-snapshot 3 <source>
//   W <root>            each wipe root, resolved, as asked for
//   X <glob>            each PROCWARDEN_WIPE_EXCLUDE glob
//   R <dev> <ino> ...   a root as it was (entry.ts formatRoot), then its folders, parents first:
//   F <folder>          a folder, relative to the root ('' for the root itself), then its
//   <entry>             entries, one a line (entry.ts formatEntry), in name order
//   E <entries> <pack bytes> <pack sha256>
//
// The last line is written last: a manifest without it is a snapshot that did not finish.
// Each folder's entries are together, so that a reset parses one folder at a time, when it
// gets there, and drops it after: it never holds every entry at once.

import { escapeBytes, formatRoot, parseEntry, parseRoot, unescapeBytes, type Entry, type RootRecord } from './entry.ts';

/** A folder's line, before its entries ('' is the root). */
export function formatFolder(relative: string): string {
  return `F ${escapeBytes(relative)}\n`;
}

export const MANIFEST_MAGIC = 'procwarden-snapshot 4';

export type SnapshotSource = 'build' | 'start' | 'live';

export interface ManifestHead {
  readonly source: SnapshotSource;
  /** Resolved wipe roots, byte strings. */
  readonly roots: readonly string[];
  /** Exclude globs, byte strings. */
  readonly exclude: readonly string[];
  readonly entries: number;
  readonly packBytes: number;
  readonly packSha256: string;
}

/** Where a folder's entry lines are in the manifest's text: [start, end) offsets. */
export type LineRange = readonly [number, number];

export interface Manifest extends ManifestHead {
  /** The whole text (latin1), which folderEntries reads from. */
  readonly text: string;
  /** Each root, with where each of its folders' entries are in `text`. */
  readonly trees: readonly { readonly root: RootRecord; readonly folders: ReadonlyMap<string, LineRange> }[];
}

/** The manifest's first lines. */
export function formatHead(source: SnapshotSource, roots: readonly string[], exclude: readonly string[]): string {
  return [`${MANIFEST_MAGIC} ${source}`, ...roots.map((root) => `W ${escapeBytes(root)}`), ...exclude.map((glob) => `X ${escapeBytes(glob)}`)].join('\n') + '\n';
}

export { formatRoot };

/** The manifest's last line. */
export function formatEnd(entries: number, packBytes: number, packSha256: string): string {
  return `E ${entries} ${packBytes} ${packSha256}\n`;
}

/**
 * A manifest's text (latin1) back into its parts; `withEntries` false reads only what
 * identifies it. No entry is parsed here (folderEntries does, a folder at a time). Throws
 * when it is not a whole manifest this procwarden writes.
 */
export function parseManifest(text: string, withEntries: true): Manifest;
export function parseManifest(text: string, withEntries: false): ManifestHead;
export function parseManifest(text: string, withEntries: boolean): Manifest | ManifestHead {
  const firstEnd = text.indexOf('\n');
  const first = text.slice(0, firstEnd < 0 ? text.length : firstEnd);
  if (!first.startsWith(`${MANIFEST_MAGIC} `)) throw new Error('the snapshot manifest is not one this procwarden writes');
  const source = first.slice(MANIFEST_MAGIC.length + 1) as SnapshotSource;
  if (source !== 'build' && source !== 'start' && source !== 'live') throw new Error(`the snapshot manifest has an unknown source ${source}`);
  const body = text.endsWith('\n') ? text.length - 1 : text.length;
  const lastStart = text.lastIndexOf('\n', body - 1) + 1;
  const end = text.slice(lastStart, body).split(' ');
  if (end[0] !== 'E' || end.length !== 4) throw new Error('the snapshot manifest is incomplete (no end line): the snapshot did not finish');
  const roots: string[] = [];
  const exclude: string[] = [];
  const trees: { root: RootRecord; folders: Map<string, LineRange> }[] = [];
  let folder: { name: string; start: number } | undefined;
  const closeFolder = (at: number) => {
    if (folder) trees.at(-1)!.folders.set(folder.name, [folder.start, at]);
    folder = undefined;
  };
  for (let at = firstEnd + 1; at < lastStart; ) {
    let lineEnd = text.indexOf('\n', at);
    if (lineEnd < 0) lineEnd = text.length;
    const tag = text.charCodeAt(at);
    if (tag === 0x57 /* W */) roots.push(unescapeBytes(text.slice(at + 2, lineEnd)));
    else if (tag === 0x58 /* X */) exclude.push(unescapeBytes(text.slice(at + 2, lineEnd)));
    else if (!withEntries) break;
    else if (tag === 0x52 /* R */) {
      closeFolder(at);
      trees.push({ root: parseRoot(text.slice(at, lineEnd)), folders: new Map() });
    } else if (tag === 0x46 /* F */) {
      if (trees.length === 0) throw new Error('the snapshot manifest has a folder before its root');
      closeFolder(at);
      folder = { name: unescapeBytes(text.slice(at + 2, lineEnd)), start: lineEnd + 1 };
    } else if (!folder) throw new Error('the snapshot manifest has an entry outside a folder');
    at = lineEnd + 1;
  }
  closeFolder(lastStart);
  const head = { source, roots, exclude, entries: Number(end[1]), packBytes: Number(end[2]), packSha256: end[3]! };
  return withEntries ? { ...head, text, trees } : head;
}

/** The entries of one folder, parsed from the manifest's text at `range`. */
export function folderEntries(text: string, range: LineRange): Entry[] {
  const entries: Entry[] = [];
  for (let at = range[0]; at < range[1]; ) {
    let lineEnd = text.indexOf('\n', at);
    if (lineEnd < 0 || lineEnd > range[1]) lineEnd = range[1];
    if (lineEnd > at) entries.push(parseEntry(text.slice(at, lineEnd)));
    at = lineEnd + 1;
  }
  return entries;
}
