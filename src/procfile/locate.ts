// Finding and reading the Procfile, and choosing the process type to run (spec section 1).

import { readFileSync, statSync } from 'node:fs';
import { chooseEntry, decodeProcfile, parseProcfile, type ProcfileEntry } from './procfile.ts';

export const PROCFILE_PLACES = ['./Procfile', '/.aptible/Procfile'] as const;

/** The largest Procfile procwarden reads (bytes). */
export const MAX_PROCFILE_BYTES = 4 * 1024 * 1024;

/** A Procfile that cannot be used: one line for the operator, exit code 2. */
export class ProcfileError extends Error {}

export interface ChosenEntry {
  readonly file: string;
  readonly entry: ProcfileEntry;
  /** Every entry of the Procfile, the chosen one among them. */
  readonly entries: readonly ProcfileEntry[];
}

export interface LoadedProcfile {
  readonly file: string;
  readonly entries: readonly ProcfileEntry[];
}

export function loadProcfileEntry(file: string | undefined, type: string | undefined): ChosenEntry {
  const procfile = loadProcfile(file, 'PROCWARDEN_PROCFILE');
  const chosen = chooseEntry(procfile.entries, type);
  if (!chosen.ok) throw new ProcfileError(`${procfile.file}: ${chosen.message}`);
  return { file: procfile.file, entry: chosen.entry, entries: procfile.entries };
}

/**
 * The Procfile a service would run, without reading it: `file` (PROCWARDEN_PROCFILE) when
 * given, else the first of PROCFILE_PLACES; `found` undefined when that is no regular file.
 * `lookedFor`: the paths looked at, in order.
 */
export function procfileHere(file: string | undefined): { readonly found: string | undefined; readonly lookedFor: readonly string[] } {
  const lookedFor = file === undefined ? PROCFILE_PLACES : [file];
  return { found: lookedFor.find((place) => readable(place)), lookedFor };
}

/** `namedBy`: where an explicit `file` came from, for the error line (a variable or a flag). */
export function loadProcfile(file: string | undefined, namedBy: string): LoadedProcfile {
  const path = file ?? PROCFILE_PLACES.find((place) => readable(place));
  if (path === undefined) {
    throw new ProcfileError(`no COMMAND and no Procfile (looked for ${PROCFILE_PLACES.join(' and ')}; set PROCWARDEN_PROCFILE or give a COMMAND)`);
  }
  const source = file === undefined ? path : `${namedBy}: ${path}`;
  let bytes: Buffer;
  try {
    // Only a regular file of a sane size (through symlinks): a FIFO would block procwarden
    // before it can even be stopped, /dev/zero would never end.
    const stat = statSync(path);
    if (!stat.isFile()) throw new ProcfileError(`${source}: the Procfile is not a regular file`);
    if (stat.size > MAX_PROCFILE_BYTES) throw new ProcfileError(`${source}: the Procfile is over ${MAX_PROCFILE_BYTES / 1024 / 1024} MiB`);
    bytes = readFileSync(path);
  } catch (error) {
    if (error instanceof ProcfileError) throw error;
    throw new ProcfileError(`${source}: cannot read the Procfile (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const decoded = decodeProcfile(bytes);
  if (!decoded.ok) throw new ProcfileError(`${path}: ${decoded.message}`);
  const parsed = parseProcfile(decoded.text);
  if (!parsed.ok) throw new ProcfileError(`${path}: ${parsed.message}`);
  return { file: path, entries: parsed.entries };
}

function readable(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
