// Procfiles (Heroku/foreman format): one `name: command` a line, name [A-Za-z0-9_-]+,
// blank lines and lines starting with # ignored. Pure: parsed and chosen from text.

import { nearestName } from '../config/did-you-mean.ts';

export interface ProcfileEntry {
  readonly name: string;
  readonly command: string;
  /** 1-based line number in the file. */
  readonly line: number;
}

export type ProcfileResult =
  | { readonly ok: true; readonly entries: readonly ProcfileEntry[] }
  | { readonly ok: false; readonly line: number; readonly message: string };

const ENTRY = /^([A-Za-z0-9_-]+):[ \t]*(.*?)[ \t]*$/;

/** The longest line a Procfile may have (bytes): a command far longer cannot be run (the kernel's MAX_ARG_STRLEN is 128 KiB). */
export const MAX_LINE_BYTES = 64 * 1024;

/**
 * A Procfile's bytes as text. Commands run as text under `/bin/sh -c`: bytes that are not
 * UTF-8 (a file saved as Latin-1) would be changed on the way, so they are refused, with the
 * line they are on.
 */
export function decodeProcfile(bytes: Uint8Array): { readonly ok: true; readonly text: string } | { readonly ok: false; readonly line: number; readonly message: string } {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  try {
    return { ok: true, text: decoder.decode(bytes) };
  } catch {
    let line = 1;
    let start = 0;
    for (let i = 0; i <= bytes.length; i++) {
      if (i < bytes.length && bytes[i] !== 0x0a) continue;
      try {
        decoder.decode(bytes.subarray(start, i));
      } catch {
        return { ok: false, line, message: `line ${line} is not UTF-8 text (saved as Latin-1?): save the Procfile as UTF-8` };
      }
      line += 1;
      start = i + 1;
    }
    return { ok: false, line: 1, message: 'it is not UTF-8 text: save the Procfile as UTF-8' };
  }
}

export function parseProcfile(text: string): ProcfileResult {
  const entries: ProcfileEntry[] = [];
  // A byte order mark that an editor left at the start is no part of the first line.
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (const [index, raw] of lines.entries()) {
    const line = index + 1;
    if (Buffer.byteLength(raw) > MAX_LINE_BYTES) return { ok: false, line, message: `line ${line} is over 64 KiB: no command that long can run (E2BIG)` };
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const match = ENTRY.exec(raw);
    if (!match) return { ok: false, line, message: `line ${line} is not 'name: command' (a name of letters, digits, '_' and '-')` };
    const [, name, command] = match as unknown as [string, string, string];
    if (command === '') return { ok: false, line, message: `line ${line}: '${name}' has no command` };
    const earlier = entries.find((entry) => entry.name === name);
    if (earlier) return { ok: false, line, message: `line ${line}: '${name}' is defined twice (first on line ${earlier.line})` };
    entries.push({ name, command, line });
  }
  return { ok: true, entries };
}

/**
 * How procwarden says a process type is not in the Procfile: the types it has, what comes
 * of it (`outcome`, e.g. `ignored`), and the one meant when `type` is near enough to be a
 * typo of it (`wrokers`: `worker`). `file`, when given, names the Procfile. Pure.
 */
export function noSuchType(type: string, types: readonly string[], { file, outcome }: { file?: string; outcome?: string } = {}): string {
  const near = nearestName(type, types);
  const where = file === undefined ? '' : ` in ${file}`;
  return `no process type '${type}'${where} (the types are: ${types.join(', ') || 'none'})${outcome === undefined ? '' : `: ${outcome}`}${near === undefined ? '' : `; did you mean ${near}?`}`;
}

export type Choice = { readonly ok: true; readonly entry: ProcfileEntry } | { readonly ok: false; readonly message: string };

/**
 * The process type to run: the one asked for; else the only entry; else `web`; else none,
 * with the types listed so that the fix is one copy away.
 */
export function chooseEntry(entries: readonly ProcfileEntry[], wanted: string | undefined): Choice {
  const types = entries.map((entry) => entry.name).join(', ');
  if (wanted !== undefined) {
    const entry = entries.find((candidate) => candidate.name === wanted);
    return entry ? { ok: true, entry } : { ok: false, message: noSuchType(wanted, entries.map(({ name }) => name)) };
  }
  if (entries.length === 1) return { ok: true, entry: entries[0]! };
  const web = entries.find((entry) => entry.name === 'web');
  if (web) return { ok: true, entry: web };
  if (entries.length === 0) return { ok: false, message: 'it has no process type' };
  return { ok: false, message: `several process types and none is 'web': choose one with --type or PROCWARDEN_PROCESS_TYPE (the types are: ${types})` };
}

/**
 * A warning for each process type named elsewhere (`where`: by what, as the warning begins:
 * a variable, a line of the policy file) that the Procfile `file` lacks, and so does nothing:
 * the types it has, and the nearest of them when one is near enough to be a typo.
 */
export function unknownTypes(named: readonly { readonly where: string; readonly type: string }[], file: string, entries: readonly ProcfileEntry[]): string[] {
  const types = entries.map((entry) => entry.name);
  const warnings = named
    .filter(({ type }) => !types.includes(type))
    .map(({ where, type }) => `${where}: ${noSuchType(type, types, { file, outcome: 'ignored' })}`);
  return [...new Set(warnings)];
}
