// The name a user probably meant when one they gave names nothing: a Procfile process type
// (`wrokers` for `worker`) or a subcommand (`statsu` for `status`). Pure.

import { distance } from 'fastest-levenshtein';

/**
 * The name of `known` nearest to `name`, when it is near enough to be a typo of it: at most
 * half as many edits as the shorter of the two has letters (at least one). Short words are
 * what this compares, where a swap of two letters is two edits: `wrokers` is 3 from
 * `worker`, `statsu` 2 from `status`, while `cat` (2 from `set`), `setup` (3 from `status`)
 * or `checkout` (3 from `check`) are other words. The first of the nearest on a tie;
 * undefined when none is near enough.
 */
export function nearestName(name: string, known: readonly string[]): string | undefined {
  let nearest: { name: string; edits: number } | undefined;
  for (const candidate of known) {
    const edits = distance(name, candidate);
    if (edits > Math.max(1, Math.floor(Math.min(name.length, candidate.length) / 2))) continue;
    if (nearest === undefined || edits < nearest.edits) nearest = { name: candidate, edits };
  }
  return nearest?.name;
}
