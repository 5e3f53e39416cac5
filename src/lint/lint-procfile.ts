// Linting every entry of a Procfile, and reporting the findings for people or for CI.

import type { ProcfileEntry } from '../procfile/procfile.ts';
import { lintCommand, programsOf, type Finding } from './lint.ts';
import type { ShellParser } from './shell-parser.ts';

export interface EntryFinding extends Finding {
  readonly entry: string;
  readonly line: number;
  readonly command: string;
}

/**
 * Every entry's findings. `checkPrograms`, when given (`check --programs`), says which of an
 * entry's programs are missing (programs.ts); without it, programs are not looked up.
 */
export function lintEntries(
  entries: readonly ProcfileEntry[],
  parser: ShellParser,
  checkPrograms?: (programs: readonly { program: string; part: string }[]) => Finding[],
): EntryFinding[] {
  return entries.flatMap((entry) => {
    const { root, done } = parser.parse(entry.command);
    try {
      const findings = [...lintCommand(root, entry.command, (command) => parser.parse(command)), ...(checkPrograms ? checkPrograms(programsOf(root)) : [])];
      return findings.map((finding) => ({ entry: entry.name, line: entry.line, command: entry.command, ...finding }));
    } finally {
      done();
    }
  });
}

/** The report `procwarden check` prints. Pure. */
export function formatReport(file: string, entries: readonly ProcfileEntry[], findings: readonly EntryFinding[], json: boolean): string {
  if (json) return `${JSON.stringify({ procfile: file, entries: entries.length, findings })}\n`;
  const faulty = new Set(findings.filter((finding) => finding.severity !== 'info').map((finding) => finding.entry));
  const noted = findings.filter((finding) => finding.severity === 'info').length;
  const lines = [
    `${file}: ${entries.length} ${entries.length === 1 ? 'entry' : 'entries'}, ${faulty.size === 0 ? 'no pitfall' : `${faulty.size} with pitfalls`}${noted > 0 ? `, ${noted} ${noted === 1 ? 'note' : 'notes'}` : ''}`,
  ];
  for (const entry of entries) {
    const own = findings.filter((finding) => finding.entry === entry.name);
    if (own.length === 0) continue;
    lines.push('', `${entry.name} (line ${entry.line}): ${entry.command}`);
    for (const finding of own) lines.push(`  ${finding.severity === 'info' ? 'note ' : ''}${finding.rule}: ${finding.detail}`, `    fix: ${finding.hint}`);
  }
  return `${lines.join('\n')}\n`;
}
