// What the snapshot records of an entry, how the manifest writes it, and when an entry on
// disk is "the same" as the recorded one. Pure: no fs.
//
// Names and paths are byte strings: each character is one byte (Buffer's 'latin1'), so a
// name that is not UTF-8 is kept exactly, and Maps, sorting and slicing work on bytes.

/** The kinds of entries the snapshot keeps. Sockets are never kept: a reset removes them. */
import type { RawStat } from '../native/fs-calls.ts';

export type EntryKind = 'file' | 'dir' | 'symlink' | 'fifo' | 'char' | 'block';

const S_IFMT = 0o170000;
const KIND_BY_FORMAT: Record<number, EntryKind | 'socket'> = {
  0o100000: 'file',
  0o040000: 'dir',
  0o120000: 'symlink',
  0o010000: 'fifo',
  0o020000: 'char',
  0o060000: 'block',
  0o140000: 'socket',
};
/** S_IFMT bits of each kind, for mknodat. */
export const FORMAT_OF: Record<EntryKind, number> = { file: 0o100000, dir: 0o040000, symlink: 0o120000, fifo: 0o010000, char: 0o020000, block: 0o060000 };

/** The kind of an st_mode; 'socket' for a UNIX socket (never kept), undefined for anything else. */
export function kindOf(mode: number): EntryKind | 'socket' | undefined {
  return KIND_BY_FORMAT[mode & S_IFMT];
}

/** What an entry's lstat says that the snapshot keeps and the reset compares (see RawStat). */
type Attributes = Pick<RawStat, 'uid' | 'gid' | 'size' | 'mtimeS' | 'mtimeNs'>;

export interface Entry extends Attributes {
  /** Byte string, relative to the root: `a/b/c`. */
  readonly path: string;
  readonly kind: EntryKind;
  /** Permission bits (0o7777); `size` is a file's bytes, 0 for the others. */
  readonly mode: number;
  /** symlink: its target (byte string). */
  readonly target?: string;
  /** char, block: the device number. */
  readonly rdev?: number;
  /** A small file: where its bytes start in the pack. */
  readonly packed?: number;
  /** A big file: the name of its copy in the snapshot's blobs folder. */
  readonly blob?: string;
}

/** What an entry on disk is compared by. */
export interface Observed extends Attributes {
  readonly kind: EntryKind | 'socket' | undefined;
  readonly mode: number;
  readonly rdev: number;
}

/**
 * Whether a modification time on disk (`now`) is the recorded one (`wanted`): to the
 * nanosecond, or to the second when the record has whole seconds, as a build-time snapshot
 * does: an image layer keeps whole seconds only (a tar header), so the image a container
 * runs has lost what the build saw below the second. (A file the app rewrites with the same
 * size within the very second the image recorded is then not seen as changed.)
 */
export function sameTime(wanted: { readonly mtimeS: number; readonly mtimeNs: number }, now: { readonly mtimeS: number; readonly mtimeNs: number }): boolean {
  return wanted.mtimeS === now.mtimeS && (wanted.mtimeNs === 0 || wanted.mtimeNs === now.mtimeNs);
}

/**
 * True when `now` needs nothing to match `wanted`: same kind, permission bits, owner and, for
 * a file, size and modification time (sameTime); a device its number. A symlink's target is
 * compared apart (it takes a readlink). Folders' times are compared after their contents are
 * put back, by the reset itself.
 */
export function sameEntry(wanted: Entry, now: Observed): boolean {
  if (wanted.kind !== now.kind || wanted.uid !== now.uid || wanted.gid !== now.gid) return false;
  if (wanted.kind !== 'symlink' && wanted.mode !== (now.mode & 0o7777)) return false;
  if (wanted.kind === 'file') return wanted.size === now.size && sameTime(wanted, now);
  if (wanted.kind === 'char' || wanted.kind === 'block') return wanted.rdev === now.rdev;
  return true;
}

/** The folder part of a relative path ('' for a top-level entry) and its last name. */
export function splitPath(path: string): { readonly parent: string; readonly name: string } {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? { parent: '', name: path } : { parent: path.slice(0, slash), name: path.slice(slash + 1) };
}

// ---- the manifest: one line an entry --------------------------------------------------

/**
 * A byte string with every byte outside `!`..`~` and `%` written as %XX: fields stay free of
 * spaces and newlines, and plain names stay readable.
 */
export function escapeBytes(text: string): string {
  let out = '';
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0x20 && code < 0x7f && code !== 0x25) continue;
    out += text.slice(start, i) + '%' + code.toString(16).padStart(2, '0');
    start = i + 1;
  }
  return start === 0 ? text : out + text.slice(start);
}

/** escapeBytes undone. */
export function unescapeBytes(text: string): string {
  if (!text.includes('%')) return text;
  return text.replace(/%([0-9a-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

const KIND_LETTER: Record<EntryKind, string> = { file: 'f', dir: 'd', symlink: 'l', fifo: 'p', char: 'c', block: 'b' };
const KIND_BY_LETTER: Record<string, EntryKind> = { f: 'file', d: 'dir', l: 'symlink', p: 'fifo', c: 'char', b: 'block' };

/**
 * An entry as a manifest line (no newline): `kind mode uid gid size mtimeS mtimeNs where path
 * [target]`, where `where` is `p<offset>` (packed), `b<blob>`, `r<rdev>` or `-`.
 */
export function formatEntry(entry: Entry): string {
  const where =
    entry.packed !== undefined ? `p${entry.packed}` : entry.blob !== undefined ? `b${entry.blob}` : entry.rdev !== undefined ? `r${entry.rdev}` : '-';
  const line = `${KIND_LETTER[entry.kind]} ${entry.mode.toString(8)} ${entry.uid} ${entry.gid} ${entry.size} ${entry.mtimeS} ${entry.mtimeNs} ${where} ${escapeBytes(entry.path)}`;
  return entry.target === undefined ? line : `${line} ${escapeBytes(entry.target)}`;
}

/** A manifest line back into an entry; throws on a line formatEntry cannot have written. */
export function parseEntry(line: string): Entry {
  const fields = line.split(' ');
  const kind = KIND_BY_LETTER[fields[0]!];
  if (!kind || fields.length < 9) throw new Error(`the snapshot manifest has a bad line: ${line.slice(0, 80)}`);
  const where = fields[7]!;
  return {
    kind,
    mode: parseInt(fields[1]!, 8),
    uid: Number(fields[2]),
    gid: Number(fields[3]),
    size: Number(fields[4]),
    mtimeS: Number(fields[5]),
    mtimeNs: Number(fields[6]),
    path: unescapeBytes(fields[8]!),
    ...(where[0] === 'p' ? { packed: Number(where.slice(1)) } : {}),
    ...(where[0] === 'b' ? { blob: where.slice(1) } : {}),
    ...(where[0] === 'r' ? { rdev: Number(where.slice(1)) } : {}),
    ...(fields.length > 9 ? { target: unescapeBytes(fields[9]!) } : {}),
  };
}

/** A root's own line: `R dev ino mode uid gid mtimeS mtimeNs path`. */
export interface RootRecord {
  /** Absolute, resolved, as a byte string. */
  readonly path: string;
  readonly dev: number;
  readonly ino: number;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly mtimeS: number;
  readonly mtimeNs: number;
}

export function formatRoot(root: RootRecord): string {
  return `R ${root.dev} ${root.ino} ${root.mode.toString(8)} ${root.uid} ${root.gid} ${root.mtimeS} ${root.mtimeNs} ${escapeBytes(root.path)}`;
}

export function parseRoot(line: string): RootRecord {
  const f = line.split(' ');
  if (f[0] !== 'R' || f.length !== 9) throw new Error(`the snapshot manifest has a bad root line: ${line.slice(0, 80)}`);
  return {
    dev: Number(f[1]),
    ino: Number(f[2]),
    mode: parseInt(f[3]!, 8),
    uid: Number(f[4]),
    gid: Number(f[5]),
    mtimeS: Number(f[6]),
    mtimeNs: Number(f[7]),
    path: unescapeBytes(f[8]!),
  };
}

/** A byte string as text for a message: UTF-8 where it is, with U+FFFD for the rest. */
export function printable(bytes: string): string {
  return Buffer.from(bytes, 'latin1').toString('utf8');
}
