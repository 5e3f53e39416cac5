// The snapshot's manifest, as text: pure, no fs.
//
//   procwarden-snapshot 3 <source>
//   W <root>            each wipe root, resolved, as asked for
//   X <glob>            each PROCWARDEN_WIPE_EXCLUDE glob
//   R <dev> <ino> ...   a root as it was (entry.ts formatRoot), then its entries, parents first
//   E <entries> <pack bytes> <pack sha256>
//
// The last line is written last: a manifest without it is a snapshot that did not finish.

import { escapeBytes, formatRoot, parseEntry, parseRoot, unescapeBytes, type Entry, type RootRecord } from './entry.ts';

export const MANIFEST_MAGIC = 'procwarden-snapshot 3';

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

export interface Manifest extends ManifestHead {
  readonly trees: readonly { readonly root: RootRecord; readonly entries: readonly Entry[] }[];
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
 * identifies it (no entry is parsed). Throws when it is not a whole manifest.
 */
export function parseManifest(text: string, withEntries: true): Manifest;
export function parseManifest(text: string, withEntries: false): ManifestHead;
export function parseManifest(text: string, withEntries: boolean): Manifest | ManifestHead {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const first = lines[0] ?? '';
  if (!first.startsWith(`${MANIFEST_MAGIC} `)) throw new Error('the snapshot manifest is not one this procwarden writes');
  const source = first.slice(MANIFEST_MAGIC.length + 1) as SnapshotSource;
  if (source !== 'build' && source !== 'start' && source !== 'live') throw new Error(`the snapshot manifest has an unknown source ${source}`);
  const end = (lines.at(-1) ?? '').split(' ');
  if (end[0] !== 'E' || end.length !== 4) throw new Error('the snapshot manifest is incomplete (no end line): the snapshot did not finish');
  const roots: string[] = [];
  const exclude: string[] = [];
  const trees: { root: RootRecord; entries: Entry[] }[] = [];
  for (let i = 1; i < lines.length - 1; i++) {
    const line = lines[i]!;
    const tag = line.charCodeAt(0);
    if (tag === 0x57 /* W */) roots.push(unescapeBytes(line.slice(2)));
    else if (tag === 0x58 /* X */) exclude.push(unescapeBytes(line.slice(2)));
    else if (!withEntries) break;
    else if (tag === 0x52 /* R */) trees.push({ root: parseRoot(line), entries: [] });
    else {
      const tree = trees.at(-1);
      if (!tree) throw new Error('the snapshot manifest has an entry before its root');
      tree.entries.push(parseEntry(line));
    }
  }
  const head = { source, roots, exclude, entries: Number(end[1]), packBytes: Number(end[2]), packSha256: end[3]! };
  return withEntries ? { ...head, trees } : head;
}
