// Which exits count as what, beyond the defaults (spec section 10): exits that count as a
// success (tini's -e, systemd's SuccessExitStatus=, supervisord's exitcodes) and exits after
// which nothing starts the app again (systemd's RestartPreventExitStatus=, Kubernetes'
// container restart rules). Pure.

import { exitCodeFor } from '../process/exit-status.ts';
import type { ExitStatus } from './decide.ts';

/** One entry of such a list: an exit code, or death by a named signal. */
export type ExitMatch = { readonly code: number } | { readonly signal: string };

export interface ExitRules {
  /** PROCWARDEN_SUCCESS_EXIT: ON_FAILURE does not act on these, and procwarden exits 0 for them. */
  readonly success: readonly ExitMatch[];
  /** PROCWARDEN_NO_RESTART_EXIT: no policy starts the app again after these. */
  readonly noRestart: readonly ExitMatch[];
}

export const NO_EXIT_RULES: ExitRules = { success: [], noRestart: [] };

/**
 * Whether an exit is one the list names. A code matches the exit code procwarden would give,
 * so 143 matches an exit 143 and a death by SIGTERM (128 + 15) alike, as tini's `-e 143` does:
 * a Node or Java app killed by SIGTERM and one that exits 143 on it are the same to the user.
 */
export function matchesAny(exit: ExitStatus, list: readonly ExitMatch[]): boolean {
  if (list.length === 0) return false;
  const code = exitCodeFor(exit);
  return list.some((match) => ('code' in match ? code === match.code : exit.signal === match.signal));
}

/**
 * A list as users write it, `0,143,SIGTERM`: exit codes 0 to 255 and signal names (read by
 * `parseSignal`, so `TERM` and `sigterm` are SIGTERM). `{ error }` names the first bad entry.
 */
export function parseExitList(text: string, parseSignal: (word: string) => string | undefined): readonly ExitMatch[] | { error: string } {
  const list: ExitMatch[] = [];
  for (const word of text.split(',').map((entry) => entry.trim())) {
    if (word === '') continue;
    if (/^\d+$/.test(word)) {
      const code = Number(word);
      if (code > 255) return { error: `'${word}' is no exit code (0 to 255)` };
      list.push({ code });
      continue;
    }
    const signal = /^[a-z]/i.test(word) ? parseSignal(word) : undefined;
    if (signal === undefined) return { error: `'${word}' is neither an exit code (0 to 255) nor a signal name (SIGTERM)` };
    list.push({ signal });
  }
  return list;
}
