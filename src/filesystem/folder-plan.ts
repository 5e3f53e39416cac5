// What a reset does in one folder, from what the snapshot wants there and what the folder's
// listing holds now. Pure: names and kinds, no fs.

import { splitPath, type Entry, type EntryKind } from './entry.ts';

/** What a folder's listing says of one of its entries. */
export interface Present {
  /** Byte string. */
  readonly name: string;
  readonly kind: EntryKind | 'socket' | undefined;
}

export interface FolderPlan<P extends Present> {
  /** What is there that the snapshot does not want: not in it, or of another kind there. */
  readonly remove: P[];
  /** The entries to put back, in the snapshot's order. */
  readonly wanted: Entry[];
  /** What is there now of the kind the snapshot wants, by name: compared, and kept when the same. */
  readonly kept: Map<string, P>;
}

/**
 * The plan for a folder the snapshot wants `wanted` in (its entries there), whose listing
 * holds `present` and leaves `leftAlone` (names) alone: a mount point (a volume, a bind mount
 * of a folder or a file), an excluded path, procwarden's state dir. An entry left alone now is
 * neither removed nor put back, whatever the snapshot holds at its name: a folder the image
 * had where a volume is mounted now is the volume's, not the reset's, to fill.
 */
export function planFolder<P extends Present>(wanted: readonly Entry[], present: readonly P[], leftAlone: Iterable<string>): FolderPlan<P> {
  const alone = new Set(leftAlone);
  const wantedHere = alone.size === 0 ? [...wanted] : wanted.filter((entry) => !alone.has(splitPath(entry.path).name));
  const byName = new Map(wantedHere.map((entry) => [splitPath(entry.path).name, entry]));
  const remove: P[] = [];
  const kept = new Map<string, P>();
  for (const child of present) {
    if (byName.get(child.name)?.kind === child.kind) kept.set(child.name, child);
    else remove.push(child);
  }
  return { remove, wanted: wantedHere, kept };
}
