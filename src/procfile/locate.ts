// Finding and reading the Procfile, and choosing the process type to run (spec section 1).

import { readFileSync, statSync } from 'node:fs';
import { chooseEntry, parseProcfile, type ProcfileEntry } from './procfile.ts';

export const PROCFILE_PLACES = ['./Procfile', '/.aptible/Procfile'] as const;

/** A Procfile that cannot be used: one line for the operator, exit code 2. */
export class ProcfileError extends Error {}

export interface ChosenEntry {
  readonly file: string;
  readonly entry: ProcfileEntry;
}

export function loadProcfileEntry(file: string | undefined, type: string | undefined): ChosenEntry {
  const path = file ?? PROCFILE_PLACES.find((place) => readable(place));
  if (path === undefined) {
    throw new ProcfileError(`no COMMAND and no Procfile (looked for ${PROCFILE_PLACES.join(' and ')}; set PROCWARDEN_PROCFILE or give a COMMAND)`);
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const source = file === undefined ? path : `PROCWARDEN_PROCFILE: ${path}`;
    throw new ProcfileError(`${source}: cannot read the Procfile (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const parsed = parseProcfile(text);
  if (!parsed.ok) throw new ProcfileError(`${path}: ${parsed.message}`);
  const chosen = chooseEntry(parsed.entries, type);
  if (!chosen.ok) throw new ProcfileError(`${path}: ${chosen.message}`);
  return { file: path, entry: chosen.entry };
}

function readable(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
