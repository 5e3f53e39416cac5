// `procwarden check`'s linting, carried in the bundle as a payload of its own (`lint`) and
// loaded only by `check`: a start never reads the linter's code, the rules and their tables
// (35 KB), since the entry that runs is linted by a `procwarden check` of its own
// (lint-child.ts).

import type { ProcfileEntry } from '../procfile/procfile.ts';
import { formatReport, lintEntries } from './lint-procfile.ts';
import { missingPrograms } from './programs.ts';
import { bundledShellParser, ShellParserUnavailable } from './shell-parser.ts';

/** What `check` prints and its exit code (1 when a finding is a pitfall, not a note), or why the linter cannot run here. */
export type CheckOutcome = { readonly text: string; readonly code: 0 | 1 } | { readonly unavailable: string };

/**
 * Lints `entries` of the Procfile `file`: the report as text (`json`: as JSON), with the
 * programs looked up on `path` from `cwd` when `programs`. `unavailable` when the shell parser
 * cannot run in this Node (no WebAssembly).
 */
export async function lintReport(file: string, entries: readonly ProcfileEntry[], options: { json: boolean; programs: boolean; path: string; cwd: string }): Promise<CheckOutcome> {
  let parser;
  try {
    parser = await bundledShellParser();
  } catch (error) {
    if (error instanceof ShellParserUnavailable) return { unavailable: error.message };
    throw error;
  }
  const findings = lintEntries(entries, parser, options.programs ? (found) => missingPrograms(found, options.path, options.cwd) : undefined);
  return { text: formatReport(file, entries, findings, options.json), code: findings.some((finding) => finding.severity !== 'info') ? 1 : 0 };
}
